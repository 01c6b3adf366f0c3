"""Regular expressions compiled when first used rather than when their module loads.

A module on the launch path that declares its patterns at the top pays for compiling
them before the app's first frame, used then or not (a few tenths of a millisecond for a
large character class). :func:`lazy_compile` declares a pattern the same way and compiles
it the first time one of its methods is looked up; from then on the method is the
compiled pattern's own, with no cost per call.
"""

from __future__ import annotations

import re
from typing import Any, AnyStr, cast

_KEPT = ("search", "match", "fullmatch", "finditer", "findall", "sub", "subn", "split")
"""The compiled pattern's methods kept on the stand-in once compiled."""


class _LazyPattern:
    """Stands for ``re.compile(pattern, flags)`` until a method is first asked for."""

    def __init__(self, pattern: str | bytes, flags: int) -> None:
        self.pattern = pattern
        self.flags = flags

    def __getattr__(self, name: str) -> Any:
        """Compile the pattern, keep its attributes on this object, and return ``name``
        (called only for an attribute not set yet)."""
        if name.startswith("__"):
            raise AttributeError(name)
        compiled = re.compile(self.pattern, self.flags)
        for attribute in _KEPT:
            setattr(self, attribute, getattr(compiled, attribute))
        return getattr(compiled, name)

    def __repr__(self) -> str:
        return f"lazy_compile({self.pattern!r}, {self.flags})"


def lazy_compile(pattern: AnyStr, flags: int | re.RegexFlag = 0) -> re.Pattern[AnyStr]:
    """``re.compile(pattern, flags)``, compiled when one of its methods is first used
    (its ``pattern`` and ``flags`` are there at once, uncompiled)."""
    return cast("re.Pattern[AnyStr]", _LazyPattern(pattern, int(flags)))
