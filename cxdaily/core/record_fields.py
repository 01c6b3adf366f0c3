"""Reading the fields of a stored record, each checked for its shape.

The models' ``from_dict`` read every field through these, so a record of the wrong
shape (a data file edited or damaged) raises :class:`RecordError` naming the field and
what is wrong, never a ``KeyError``, an ``AttributeError`` or a bare ``ValueError``.
Messages say what kind of value was found, never the value itself (it may be long or
private), except a short text given for an enum.

The other way round, :func:`plain_fields` is the plain-dict form every model's
``to_dict`` writes: each field in declaration order, as JSON-ready data.

:func:`read_record` reads a whole record (a frozen msgspec Struct), each field by the
reader its declared type calls for; :class:`StoredRecord` gives a record both directions.
"""

from __future__ import annotations

import math
import types
from collections.abc import Callable, Mapping
from datetime import date, datetime
from enum import StrEnum
from functools import partial
from types import MappingProxyType
from typing import Any, ClassVar, Self, TypeVar, get_args, get_type_hints

import msgspec
from msgspec import NODEFAULT
from msgspec.structs import FieldInfo, fields

from cxdaily.core.clock import parse_instant, to_iso
from cxdaily.core.errors import CxDailyError

E = TypeVar("E", bound=StrEnum)
M = TypeVar("M")

FieldReader = Callable[[dict[str, Any], str], Any]
"""Reads the field named by its second argument from a stored record (a RecordError
when it is of the wrong shape)."""


class RecordError(ValueError):
    """A record of the wrong shape; the message names the field and what is wrong."""


def kind_of(value: object) -> str:
    """What a value is, in words (never the value: it may be long or private)."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true/false"
    if isinstance(value, int | float):
        return "a number"
    if isinstance(value, str):
        return "text"
    if isinstance(value, list | tuple):
        return "a list"
    if isinstance(value, dict):
        return "an object"
    return f"a {type(value).__name__}"


def read_object(data: object, what: str = "the record") -> dict[str, Any]:
    """``data`` when it is a JSON object (a dict), else a RecordError about ``what``."""
    if not isinstance(data, dict):
        raise RecordError(f"{what} is {kind_of(data)}, not an object")
    return data


def read_required(data: dict[str, Any], key: str) -> Any:
    """The field ``key`` (of any type), or a RecordError saying it is missing."""
    try:
        return data[key]
    except KeyError:
        raise RecordError(f"{key!r} is missing") from None


def read_text(data: dict[str, Any], key: str) -> str:
    """The text field ``key`` of a stored record (required), or a RecordError."""
    value = data.get(key)
    if isinstance(value, str):  # the fast path: every start reads thousands of these
        return value
    value = read_required(data, key)
    raise RecordError(f"{key!r} is {kind_of(value)}, not text")


def read_opt_text(data: dict[str, Any], key: str, default: str | None = None) -> str | None:
    """The text field ``key``, or ``default`` when absent; null is ``None``."""
    value = data.get(key, default)
    if value is not None and not isinstance(value, str):
        raise RecordError(f"{key!r} is {kind_of(value)}, not text")
    return value


def read_id(key: str, value: object) -> str:
    """An id given as text or as a whole number (services send both), as text."""
    if isinstance(value, str) or (isinstance(value, int) and not isinstance(value, bool)):
        return str(value)
    raise RecordError(f"{key!r} is {kind_of(value)}, not an id")


def read_opt_id(data: dict[str, Any], key: str) -> str | None:
    """The id field ``key`` (text or a whole number) as text, or ``None`` when absent or null."""
    value = data.get(key)
    return None if value is None else read_id(key, value)


def read_time(data: dict[str, Any], key: str) -> datetime:
    """The timestamp field ``key`` of a stored record (required), or a RecordError."""
    value = data.get(key)
    if value is None:
        value = read_required(data, key)
    return read_instant(key, value)


def read_opt_time(data: dict[str, Any], key: str) -> datetime | None:
    """The timestamp field ``key``, or ``None`` when it is absent, null or empty."""
    value = data.get(key)
    return read_instant(key, value) if value else None


def read_instant(key: str, value: object) -> datetime:
    """``value`` (the field ``key``) as an aware UTC datetime, or a RecordError."""
    if not isinstance(value, str):
        raise RecordError(f"{key!r} is {kind_of(value)}, not a timestamp")
    try:
        return parse_instant(value)
    except (CxDailyError, ValueError, OverflowError):
        raise RecordError(f"{key!r} is not an ISO-8601 timestamp") from None


def read_whole(data: dict[str, Any], key: str, default: int | None = None) -> int:
    """The whole-number field ``key`` (required unless a ``default`` is given)."""
    value = data.get(key, default) if default is not None else read_required(data, key)
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    if isinstance(value, float) and math.isfinite(value) and value.is_integer():
        return int(value)
    raise RecordError(f"{key!r} is {kind_of(value)}, not a whole number")


def read_choice(enum: type[E], data: dict[str, Any], key: str) -> E:
    """The field ``key`` as a member of ``enum`` (required), or a RecordError naming
    the known values."""
    try:
        return enum(data[key])
    except (KeyError, ValueError):
        value = read_required(data, key)
        shown = repr(value) if isinstance(value, str) and len(value) <= 40 else kind_of(value)
        known = ", ".join(member.value for member in enum)
        raise RecordError(f"{key!r} is {shown}, not one of {known}") from None


def read_texts(data: dict[str, Any], key: str) -> tuple[str, ...]:
    """The list-of-text field ``key`` as a tuple (absent or null: empty)."""
    value = data.get(key) or ()
    if isinstance(value, list | tuple):
        for item in value:
            if not isinstance(item, str):
                break
        else:
            return tuple(value)
    raise RecordError(f"{key!r} is {kind_of(value)}, not a list of text")


#: Types written as they are (checked first: most fields are text, numbers or null).
_AS_IS = frozenset({str, int, float, bool, type(None)})


def plain_value(value: object) -> Any:
    """``value`` as JSON-ready plain data: a time as an ISO-8601 ``Z`` string, a day as
    ``YYYY-MM-DD``, an enum as its value, a tuple as a list, a dict as a shallow copy,
    a model through its own ``to_dict``; anything else as it is."""
    if type(value) in _AS_IS:
        return value
    if isinstance(value, datetime):
        return to_iso(value)
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, StrEnum):
        return value.value
    if isinstance(value, tuple | list):
        return [plain_value(item) for item in value]
    if isinstance(value, dict):
        return dict(value)
    to_dict = getattr(value, "to_dict", None)
    return to_dict() if callable(to_dict) else value


def plain_fields(record: msgspec.Struct) -> dict[str, Any]:
    """Every field of ``record``, in declaration order, as plain data (see
    :func:`plain_value`; ``None`` stays ``None``)."""
    return {name: plain_value(getattr(record, name)) for name in record.__struct_fields__}


def text_or(default: str) -> FieldReader:
    """A reader of a text field whose absence or null means ``default``."""

    def read(data: dict[str, Any], key: str) -> str:
        value = read_opt_text(data, key, default)
        return default if value is None else value

    return read


def whole_or(default: int) -> FieldReader:
    """A reader of a whole-number field whose absence means ``default``."""
    return lambda data, key: read_whole(data, key, default)


def _flag_or(default: bool) -> FieldReader:
    """A reader of a true/false field whose absence means ``default`` (any value counts
    by its truth, as records have always been read)."""
    return lambda data, key: bool(data.get(key, default))


def _reader_for(record_type: type, spec: FieldInfo, hint: Any) -> FieldReader:
    """The reader a field's declared type calls for; a TypeError for a type no reader
    knows (a field of a new kind needs a reader named in :func:`read_record`)."""
    args = get_args(hint) if isinstance(hint, types.UnionType) else ()
    optional = type(None) in args
    base = next((arg for arg in args if arg is not type(None)), hint) if args else hint
    default = spec.default
    if base is str:
        if optional:
            return read_opt_text
        return read_text if default is NODEFAULT else text_or(str(default))
    if base is datetime:
        return read_opt_time if optional else read_time
    if base is int and not optional:
        return read_whole if default is NODEFAULT else whole_or(int(default))
    if base is bool and not optional and isinstance(default, bool):
        return _flag_or(default)
    if base == tuple[str, ...] and not optional:
        return read_texts
    if isinstance(base, type) and issubclass(base, StrEnum) and not optional:
        return partial(read_choice, base)
    raise TypeError(f"no reader for {record_type.__name__}.{spec.name} ({hint})")


class _Plan(msgspec.Struct, frozen=True):
    """How one record type is read: each field with its reader."""

    readers: Mapping[str, FieldReader]
    """The readers named by the caller (the plan holds while they are the same)."""
    fields: tuple[tuple[str, FieldReader], ...]
    """Each field with its reader, in declaration order."""


_PLANS: dict[type, _Plan] = {}
_NO_READERS: Mapping[str, FieldReader] = MappingProxyType({})


def _plan(record_type: type, readers: Mapping[str, FieldReader]) -> _Plan:
    """How a record type is read, worked out once per type and set of ``readers``."""
    hints = get_type_hints(record_type)
    plan = _Plan(
        readers,
        tuple(
            (spec.name, readers.get(spec.name) or _reader_for(record_type, spec, hints[spec.name]))
            for spec in fields(record_type)
        ),
    )
    _PLANS[record_type] = plan
    return plan


def read_record(
    record_type: type[M], data: object, readers: Mapping[str, FieldReader] = _NO_READERS
) -> M:
    """An instance of the record type ``record_type`` read from the stored record ``data``.

    Each field is read in declaration order by the reader its declared type calls for:
    text, timestamps, whole numbers, lists of text, enum values and flags, each required
    unless optional (``| None``) or given a default. ``readers`` names the fields read
    another way. A record of the wrong shape raises a RecordError naming the first
    field that is wrong."""
    record = read_object(data)
    plan = _PLANS.get(record_type)
    if plan is None or (plan.readers is not readers and plan.readers != readers):
        plan = _plan(record_type, readers)
    return record_type(**{name: read(record, name) for name, read in plan.fields})


class StoredRecord(msgspec.Struct, frozen=True):
    """A record kept as a plain dict: :meth:`to_dict` writes every field
    (:func:`plain_fields`), :meth:`from_dict` reads each by its declared type
    (:func:`read_record`, with :attr:`field_readers` for the fields read another way)."""

    field_readers: ClassVar[Mapping[str, FieldReader]] = _NO_READERS
    """Readers of the fields whose declared type does not say how they are read."""

    def to_dict(self) -> dict[str, Any]:
        """Plain-dict form."""
        return plain_fields(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Self:
        """Build from a plain dict (a RecordError naming the field when it is of the
        wrong shape)."""
        return read_record(cls, data, cls.field_readers)
