"""Run cxdaily with ``python -m cxdaily``."""

from cxdaily.cli import main

raise SystemExit(main())
