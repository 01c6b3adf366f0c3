"""JSON from outside (services, files) read so one hostile value costs only itself.

:func:`loads` is ``json.loads`` with four defences every reader of untrusted JSON needs:

- **Huge numbers.** An integer of more than :data:`MAX_INT_DIGITS` digits (Python refuses
  over 4,300 and a float of one overflows), a float that is infinite (``1e999``) and the
  non-standard ``NaN``/``Infinity`` literals become an :class:`Unreadable` value instead
  of failing the whole document or poisoning arithmetic later.
- **Deep nesting.** Nesting so deep that the standard decoder gives up
  (``RecursionError``) is re-read by a small iterative decoder that replaces only the
  part deeper than :data:`MAX_DEPTH` levels by an :class:`Unreadable` value, so the
  neighbouring items of an array survive. Code that keeps a free-form subtree (a
  question's ``meta``) checks it with :func:`too_deep`.
- **Lone surrogates.** ``"\\ud800"`` is legal JSON but cannot be encoded to UTF-8: every
  lone surrogate, in keys and values, becomes U+FFFD.
- **One line on failure.** Anything else wrong raises :class:`JSONUnreadableError` (a
  ``ValueError``) with a one-line reason and the line and column.

An :class:`Unreadable` value is not a ``str``, number, list or dict, so a parser that
checks types rejects the item holding it with its own message (the item is skipped, the
rest of the document is kept); :func:`find_unreadable` names where one sits.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Iterator
from typing import Any

from cxdaily.core.patterns import lazy_compile

MAX_INT_DIGITS = 40
"""Longest integer kept as a number (ids of every service we know have at most 20 digits)."""
MAX_DEPTH = 100
"""Deepest nesting kept; real payloads stay under 15 levels."""

_SURROGATE = lazy_compile("[\ud800-\udfff]")
SURROGATE_ESCAPE = lazy_compile(rb"\\u[dD][89abcdefABCDEF]")
"""A lone surrogate's JSON escape (``\\ud800`` to ``\\udfff``) in encoded JSON."""


class JSONUnreadableError(ValueError):
    """A document that is not JSON at all (malformed, cut off); the message is one line."""


class Unreadable:
    """Stands in for one value that could not be kept (a huge number, deep nesting)."""

    __slots__ = ("reason",)

    def __init__(self, reason: str) -> None:
        self.reason = reason

    def __repr__(self) -> str:
        return f"<unreadable: {self.reason}>"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Unreadable) and other.reason == self.reason

    def __hash__(self) -> int:
        return hash(self.reason)


def is_digits(text: str) -> bool:
    """Whether ``text`` is one or more ASCII digits, which :func:`int` reads as written.
    (``str.isdigit`` is true of ``"²"`` too, which ``int`` refuses with a ValueError: a
    service or a header that sends one must not stop a fetch.)"""
    return text.isascii() and text.isdigit()


def clean_surrogates(text: str) -> str:
    """``text`` with every lone surrogate replaced by U+FFFD (so it encodes to UTF-8)."""
    return _SURROGATE.sub("\ufffd", text) if _SURROGATE.search(text) else text


def _int(text: str) -> int | Unreadable:
    digits = len(text.lstrip("-"))
    if digits > MAX_INT_DIGITS:
        return Unreadable(f"a {digits}-digit number")
    return int(text)


def _float(text: str) -> float | Unreadable:
    if len(text) > 400:
        return Unreadable(f"a {len(text)}-character number")
    value = float(text)
    return value if math.isfinite(value) else Unreadable(f"the number {text[:20]} is too large")


def _constant(name: str) -> Unreadable:
    return Unreadable(f"{name} is not a number")


_DECODER = json.JSONDecoder(parse_int=_int, parse_float=_float, parse_constant=_constant)


def loads(data: str | bytes | bytearray, *, max_depth: int = MAX_DEPTH) -> Any:
    """Decode one JSON document, keeping every value that can be kept (see the module)."""
    if isinstance(data, bytes | bytearray):
        try:
            text = bytes(data).decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            raise JSONUnreadableError(f"not UTF-8 (byte {exc.start + 1})") from None
        needs_cleaning = SURROGATE_ESCAPE.search(data) is not None
    else:
        text = data.lstrip("\ufeff")
        needs_cleaning = "\\u" in text or _SURROGATE.search(text) is not None
    try:
        value = _decode(text)
    except RecursionError:
        value = _IterativeDecoder(text, max_depth).document()
    return _clean_tree(value) if needs_cleaning else value


def _decode(text: str) -> Any:
    try:
        value, end = _DECODER.raw_decode(text, _skip_space(text, 0))
    except json.JSONDecodeError as exc:
        raise JSONUnreadableError(_describe(exc.msg, text, exc.pos)) from None
    if _skip_space(text, end) != len(text):
        raise JSONUnreadableError(_describe("extra data after the document", text, end))
    return value


def _describe(problem: str, text: str, pos: int) -> str:
    line = text.count("\n", 0, pos) + 1
    column = pos - (text.rfind("\n", 0, pos) + 1) + 1
    cut = " (cut off before its end)" if _skip_space(text, pos) >= len(text) else ""
    return f"{problem.lower()} at line {line}, column {column}{cut}"


_SPACE = lazy_compile(r"[ \t\n\r]*")


def _skip_space(text: str, pos: int) -> int:
    match = _SPACE.match(text, pos)
    return match.end() if match else pos


def _clean_tree(value: Any) -> Any:
    """``value`` with lone surrogates cleaned in every string and key (iteratively)."""
    if not isinstance(value, dict | list):
        return clean_surrogates(value) if isinstance(value, str) else value
    stack: list[Any] = [value]
    while stack:
        container = stack.pop()
        if isinstance(container, dict):
            if any(_SURROGATE.search(k) for k in container):
                cleaned = {clean_surrogates(k): v for k, v in container.items()}
                container.clear()
                container.update(cleaned)
            keys: Iterator[Any] = iter(list(container))
        else:
            keys = iter(range(len(container)))
        for key in keys:
            item = container[key]
            if isinstance(item, dict | list):
                stack.append(item)
            elif isinstance(item, str):
                container[key] = clean_surrogates(item)
    return value


def too_deep(value: Any, max_depth: int = MAX_DEPTH) -> bool:
    """Whether ``value`` nests containers more than ``max_depth`` levels (checked iteratively)."""
    if not isinstance(value, dict | list):
        return False
    stack: list[tuple[Any, int]] = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        children = item.values() if isinstance(item, dict) else item
        for child in children:
            if isinstance(child, dict | list):
                if depth >= max_depth:
                    return True
                stack.append((child, depth + 1))
    return False


def find_unreadable(value: Any, where: str = "") -> str | None:
    """Where the first :class:`Unreadable` value in ``value`` is, with why; else ``None``."""
    stack: list[tuple[Any, str]] = [(value, where)]
    while stack:
        item, path = stack.pop()
        if isinstance(item, Unreadable):
            return f"{path or 'the value'} is unreadable ({item.reason})"
        if isinstance(item, dict):
            stack.extend((v, f"{path}.{k}" if path else str(k)) for k, v in item.items())
        elif isinstance(item, list):
            stack.extend((v, f"{path}[{n}]") for n, v in enumerate(item))
    return None


class _IterativeDecoder:
    """A JSON decoder with an explicit stack, used only when nesting defeats the standard one.

    Containers deeper than ``max_depth`` are skipped (brackets counted, strings respected)
    and replaced by :class:`Unreadable`; scalars are decoded by the standard decoder.
    """

    _SCALAR = lazy_compile(
        r'"(?:[^"\\]|\\.)*"|-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][-+]?\d+)?|true|false|null'
        r"|NaN|-?Infinity",
        re.DOTALL,
    )
    _SKIP = lazy_compile(r'"(?:[^"\\]|\\.)*"|[\[\]{}]', re.DOTALL)

    def __init__(self, text: str, max_depth: int) -> None:
        self.text = text
        self.max_depth = max_depth
        self.pos = 0

    def fail(self, problem: str) -> JSONUnreadableError:
        return JSONUnreadableError(_describe(problem, self.text, self.pos))

    def space(self) -> None:
        self.pos = _skip_space(self.text, self.pos)

    def peek(self) -> str:
        self.space()
        return self.text[self.pos] if self.pos < len(self.text) else ""

    def document(self) -> Any:
        value = self.value_at_depth(1)
        if self.peek():
            raise self.fail("extra data after the document")
        return value

    def scalar(self) -> Any:
        match = self._SCALAR.match(self.text, self.pos)
        if not match:
            raise self.fail("expecting value")
        self.pos = match.end()
        return _decode(match.group())

    def skip_container(self) -> Unreadable:
        depth = 0
        for match in self._SKIP.finditer(self.text, self.pos):
            token = match.group()
            if token in "[{":
                depth += 1
            elif token in "]}":
                depth -= 1
                if depth == 0:
                    self.pos = match.end()
                    return Unreadable(f"nested deeper than {self.max_depth} levels")
        self.pos = len(self.text)
        raise self.fail("unbalanced brackets")

    def value_at_depth(self, depth: int) -> Any:
        """Decode the value at ``pos``; containers are built with an explicit stack."""
        char = self.peek()
        if char not in ("[", "{"):
            return self.scalar()
        if depth > self.max_depth:
            return self.skip_container()
        # Each frame: (container, pending key for dicts, depth of the container).
        root: Any = [] if char == "[" else {}
        self.pos += 1
        stack: list[tuple[Any, int]] = [(root, depth)]
        first = True
        while stack:
            container, level = stack[-1]
            closing = "]" if isinstance(container, list) else "}"
            if self.peek() == closing:
                self.pos += 1
                stack.pop()
                first = False
                continue
            if not first:
                if self.peek() != ",":
                    raise self.fail(f"expecting ',' or '{closing}'")
                self.pos += 1
            first = False
            key = None
            if isinstance(container, dict):
                if self.peek() != '"':
                    raise self.fail("expecting property name enclosed in double quotes")
                key = self.scalar()
                if self.peek() != ":":
                    raise self.fail("expecting ':' delimiter")
                self.pos += 1
            char = self.peek()
            if char in ("[", "{") and level + 1 <= self.max_depth:
                child: Any = [] if char == "[" else {}
                self.pos += 1
                first = True
                stack.append((child, level + 1))
            elif char in ("[", "{"):
                child = self.skip_container()
            else:
                child = self.scalar()
            if isinstance(container, list):
                container.append(child)
            else:
                container[key] = child
        return root
