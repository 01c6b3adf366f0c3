"""The redaction patterns as they were before they were rewritten for speed, kept to prove
that the faster ones find exactly the same (see ``test_redact_reference.py``).

Only the two rewritten patterns are frozen here; every other pattern is unchanged and
used from :mod:`cxdaily.insights.redact` itself.
"""

from __future__ import annotations

import re

PHONE_BEFORE = re.compile(
    r"(?<![\w/=.%*•])(\+\s?)?(?:\(\d{1,5}\)\s?|\d{1,6})"
    r"(?:[ .-]?(?:\(\d{1,5}\)|\d{1,6})){0,6}(?![\w/])"
)
"""The phone candidates' pattern before: a look-behind first, tried at every position."""
DIGIT_RUN_BEFORE = re.compile(r"\d(?:[ ().+-]{0,2}\d){6}")
"""The seven-digit run's pattern before: tried from every digit."""
