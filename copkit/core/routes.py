"""Typed action routes: one template both builds an action id and parses it back.

A route is declared once, next to the function it calls::

    NEXT = lc.route("next:{session:int}:{topic:int}")   # → "leancoffee:next:12:3"
    NEXT.build(session=12, topic=3)
    NEXT.parse("12:3")                                  # → {"session": 12, "topic": 3}

Values that do not convert (``²``, ``①``, a number beyond what the database stores, a missing
part) are refused with :class:`StaleAction` — "this button is out of date" — never a bug
apology. An id longer than the strictest platform allows is refused when it is *built*, in
the plugin's own code, where the mistake is.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from .errors import UserError
from .i18n import _
from .parsing import INT_MAX, to_int

ACTION_ID_MAX = 100
"""The strictest platform limit on an action id (Discord's ``custom_id``; Teams allows more)."""


class StaleAction(UserError):
    """An action id that no longer (or never did) name something: an old or forged button."""

    def __init__(self, message: str | None = None) -> None:
        super().__init__(message or _("This button is out of date. Use the latest message."))


def _to_int(text: str) -> int:
    value = int(text)
    if value > INT_MAX:
        raise ValueError(text)
    return value


@dataclass(frozen=True, slots=True)
class Convertor:
    """How one placeholder type matches (a regex over ASCII), converts and is written back."""

    pattern: str
    convert: Callable[[str], Any]
    write: Callable[[Any], str]


CONVERTORS: dict[str, Convertor] = {
    # ASCII digits only: str.isdigit() accepts "²" and "①", int() does not.
    "int": Convertor(r"[0-9]{1,10}", _to_int, lambda v: str(int(v))),
    # a short word: letters, digits, dash, underscore, dot (never the separator ":")
    "word": Convertor(r"[A-Za-z0-9_.\-]{1,40}", str, str),
    # anything without the separator, e.g. a page token
    "str": Convertor(r"[^:]{1,60}", str, str),
}

BUILT_KEPT = 512  # ids remembered per route

_PLACEHOLDER = re.compile(r"\{(\w+)(?::(\w+))?\}")


class Route:
    """An action id template: ``<prefix>:<literal or {name:type}>:…``.

    ``prefix`` is the static start (what the registry dispatches on); the rest is matched by a
    regex built from the placeholders. Types: ``int`` (0 … 2³¹−1, ASCII digits), ``word``,
    ``str`` (default).
    """

    def __init__(self, template: str) -> None:
        self.template = template
        head, brace, _tail = template.partition("{")
        self.prefix = head.rstrip(":") if brace else template
        if not self.prefix:
            raise ValueError(f"route {template!r} has no static prefix")
        rest = template[len(self.prefix) :].removeprefix(":")
        self.fields: dict[str, Convertor] = {}
        pattern, pos = [], 0
        for m in _PLACEHOLDER.finditer(rest):
            name, kind = m.group(1), m.group(2) or "str"
            if kind not in CONVERTORS:
                raise ValueError(f"route {template!r}: unknown type {kind!r}")
            if name in self.fields:
                raise ValueError(f"route {template!r}: {name!r} twice")
            self.fields[name] = CONVERTORS[kind]
            pattern.append(re.escape(rest[pos : m.start()]))
            pattern.append(f"(?P<{name}>{CONVERTORS[kind].pattern})")
            pos = m.end()
        pattern.append(re.escape(rest[pos:]))
        self._rest = rest
        self._regex = re.compile("".join(pattern))
        self._built: dict[tuple[tuple[str, Any], ...], str] = {}
        """Ids built before (the same board's buttons are built for every vote)."""

    def __repr__(self) -> str:
        return f"Route({self.template!r})"

    def build(self, **values: Any) -> str:
        """The action id for ``values``; raises ``ValueError`` (a bug) when a value is missing,
        does not round-trip, or the id is longer than :data:`ACTION_ID_MAX`."""
        try:
            key = tuple(values.items())
            found = self._built.get(key)
        except TypeError:  # a value that cannot be a key: built every time
            key, found = None, None
        if found is not None:
            return found
        missing = set(self.fields) - set(values)
        extra = set(values) - set(self.fields)
        if missing or extra:
            raise ValueError(f"{self!r}: missing {sorted(missing)}, unexpected {sorted(extra)}")

        def fill(m: re.Match[str]) -> str:
            return self.fields[m.group(1)].write(values[m.group(1)])

        rest = _PLACEHOLDER.sub(fill, self._rest)
        action_id = f"{self.prefix}:{rest}" if rest else self.prefix
        if len(action_id) > ACTION_ID_MAX:
            raise ValueError(f"{self!r}: id {action_id!r} is over {ACTION_ID_MAX} characters")
        try:
            back = self.parse(rest)
            ok = back == {k: self.fields[k].convert(str(values[k])) for k in self.fields}
        except (StaleAction, ValueError):
            ok = False
        if not ok:
            raise ValueError(f"{self!r}: {values!r} does not round-trip")
        if key is not None:
            if len(self._built) >= BUILT_KEPT:
                self._built.clear()
            self._built[key] = action_id
        return action_id

    def parse(self, rest: str) -> dict[str, Any]:
        """The typed values of the id's part after the prefix; :class:`StaleAction` otherwise."""
        m = self._regex.fullmatch(rest or "")
        if m is None:
            raise StaleAction()
        try:
            return {name: conv.convert(m.group(name)) for name, conv in self.fields.items()}
        except ValueError:
            raise StaleAction() from None


def parse_int(raw: object, *, lo: int = 0, hi: int = INT_MAX) -> int | None:
    """``raw`` (``3`` or ``#3``) as a whole number in ``lo … hi``, else ``None``."""
    return to_int(str(raw if raw is not None else "").strip().removeprefix("#"), lo, hi)
