"""A row's values as the database takes them (for :mod:`copkit.core.writer`): what tortoise's
``Field.to_db_value`` gives, without its cost for a value that is already of the field's own
type and passes its checks (a ``str`` within its length, an ``int``, an aware ``datetime``).
Every other value still goes through ``to_db_value``: the same result, the same errors."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from datetime import UTC, datetime
from typing import Any

from tortoise.fields.base import Field
from tortoise.fields.data import DatetimeField
from tortoise.models import Model
from tortoise.validators import MaxLengthValidator

Convert = Callable[[Any], Any]
Step = tuple[str, int, Any]
"""(field name, what to do, its argument): one column of a row's values."""

_GIVEN, _NOW, _DEFAULT, _NULL, _REQUIRED = range(5)


def converter(model: type[Model], f: Field[Any]) -> Convert:
    """``value → f.to_db_value(value, model)``, quicker for the plain cases."""
    slow = f.to_db_value

    def convert(value: Any) -> Any:
        return slow(value, model)

    kind = type(f).to_db_value
    if kind is Field.to_db_value and f.field_type in (int, str, float, bool, bytes):
        checks = [v for v in f.validators if isinstance(v, MaxLengthValidator)]
        if len(checks) != len(f.validators):
            return convert
        own = f.field_type
        limit = min((v.max_length for v in checks), default=None)
        if limit is None:

            def plain(value: Any) -> Any:
                return value if type(value) is own else slow(value, model)

            return plain

        def within(value: Any) -> Any:
            return value if type(value) is own and len(value) <= limit else slow(value, model)

        return within
    if kind is DatetimeField.to_db_value and not f.validators:

        def aware(value: Any) -> Any:
            if type(value) is datetime and value.utcoffset() is not None:
                return value
            return slow(value, model)

        return aware
    return convert


def plan(model: type[Model], names: Sequence[str], given: frozenset[str]) -> tuple[Step, ...]:
    """How each of ``names`` gets its value when ``given`` are the fields the row names."""
    fields_map = model._meta.fields_map
    steps: list[Step] = []
    for name in names:
        f = fields_map[name]
        if name in given:
            steps.append((name, _GIVEN, converter(model, f)))
        elif getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False):
            steps.append((name, _NOW, None))
        elif f.default is not None:
            steps.append((name, _DEFAULT, (converter(model, f), f.default)))
        elif f.null:
            steps.append((name, _NULL, None))
        else:
            steps.append((name, _REQUIRED, f"{model.__name__}.{name} is required"))
    return tuple(steps)


def row_values(steps: tuple[Step, ...], values: Mapping[str, Any]) -> list[Any]:
    """The row's values in column order (the fields it does not name at their defaults)."""
    out: list[Any] = []
    now: datetime | None = None
    for name, what, arg in steps:
        if what == _GIVEN:
            out.append(arg(values[name]))
        elif what == _NOW:
            now = now or datetime.now(UTC)
            out.append(now)
        elif what == _DEFAULT:
            convert, default = arg
            out.append(convert(default() if callable(default) else default))
        elif what == _NULL:
            out.append(None)
        else:
            raise TypeError(arg)
    return out
