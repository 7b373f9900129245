"""Turning a line of text into a command and typed arguments. Never raises anything but UsageError.

Every value that leaves here fits the database: whole numbers are ASCII digits within the
range of a 32-bit integer column, durations are bounded, text carries no NUL byte and no lone
surrogate (PostgreSQL and SQLite refuse them) and has a bounded length. Plugins that read
numbers out of action ids use :func:`to_int` for the same guarantee."""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable
from datetime import timedelta
from typing import Any, TypeVar

from .errors import UsageError
from .events import Upload
from .i18n import _
from .specs import Arg, Command
from .usertext import storable as clean_text

_QUOTES = {'"': '"', "'": "'", "“": "”", "„": "“", "«": "»", "‘": "’"}
_DURATION = re.compile(
    r"([0-9]{1,9})\s*(weeks?|w|days?|d|hours?|hrs?|h|minutes?|mins?|m|seconds?|secs?|s)", re.I
)
C = TypeVar("C")
R = TypeVar("R")
P = TypeVar("P")
_UNIT = {"w": 604800, "d": 86400, "h": 3600, "m": 60, "s": 1}
_INT = re.compile(r"[+-]?[0-9]+")

INT_MIN, INT_MAX = -(2**31), 2**31 - 1
"""The range of the databases' integer columns (PostgreSQL ``integer``)."""
DURATION_MAX = timedelta(days=366)
TEXT_MAX = 4000
"""The longest text argument accepted when a command declares no ``max_length``."""
PERSON_MAX = 200
"""The longest person argument (an id, a mention or a name)."""


FORM_VALUE_MAX = 10_000
"""The longest form value kept (plugins check their own, shorter, limits)."""


def interaction_values(values: dict[str, Any]) -> dict[str, Any]:
    """An interaction's values in the shape plugins expect, whatever the platform sent (a Teams
    card's data is JSON anyone can write): ``selected`` a list of at most 25 strings; every
    other value a string, a list of strings, a bool or ``None``; text cleaned and bounded."""

    def one(v: Any) -> str | bool | None:
        if v is None or isinstance(v, bool):
            return v
        return clean_text(v if isinstance(v, str) else str(v))[:FORM_VALUE_MAX]

    out: dict[str, Any] = {}
    for key, value in values.items():
        key = clean_text(str(key))[:100]
        if key == "selected":
            items = value if isinstance(value, list | tuple) else [] if value is None else [value]
            out[key] = [clean_text(str(v))[:200] for v in items[:25] if v is not None]
        elif isinstance(value, list | tuple):
            out[key] = [one(v) for v in value[:100] if not isinstance(v, dict | list)]
        elif isinstance(value, dict):
            continue
        else:
            out[key] = one(value)
    return out


def to_int(text: Any, low: int = INT_MIN, high: int = INT_MAX) -> int | None:
    """``text`` as a whole number between ``low`` and ``high``, or ``None``.

    Only ASCII digits count: ``"²"`` and ``"①"`` pass ``str.isdigit()`` but are no numbers, and
    ``int()`` would take ``"١٢"`` or ``"1_000"``. Numbers out of the range never reach the
    database (PostgreSQL refuses them beyond 32 bits, SQLite beyond 64)."""
    if isinstance(text, bool):
        return None
    if isinstance(text, int):
        value = text
    elif isinstance(text, str) and _INT.fullmatch(text.strip()):
        if len(text.strip()) > 20:  # far out of any range: not worth converting
            return None
        value = int(text.strip())
    else:
        return None
    return value if low <= value <= high else None


def tokenize(text: str) -> list[str]:
    """Split on whitespace, keeping quoted parts (straight or typographic quotes) together."""
    text = clean_text(text)
    if '"' not in text and "'" not in text and text.isascii():  # no quote of any kind
        return text.split()
    if not any(q in text for q in _QUOTES):
        return text.split()
    tokens: list[str] = []
    buf: list[str] = []
    closing: str | None = None
    had_quote = False
    for ch in text:
        if closing is not None:
            if ch == closing:
                closing = None
            else:
                buf.append(ch)
        elif ch in _QUOTES and not buf:
            closing = _QUOTES[ch]
            had_quote = True
        elif ch.isspace():
            if buf or had_quote:
                tokens.append("".join(buf))
                buf, had_quote = [], False
        else:
            buf.append(ch)
    if closing is not None:
        raise UsageError(_("A quote is not closed."))
    if buf or had_quote:
        tokens.append("".join(buf))
    return tokens


def parse_duration(text: str) -> timedelta:
    """``90s``, ``8m``, ``1h30m``, ``3d``; a bare number means minutes."""
    text = clean_text(text).strip().lower()
    bare = to_int(text, 0, DURATION_MAX.days * 1440) if text[:1].isdigit() else None
    if bare is not None:
        return timedelta(minutes=bare)
    pos, seconds = 0, 0
    for m in _DURATION.finditer(text):
        if text[pos : m.start()].strip():
            break
        seconds += int(m.group(1)) * _UNIT[m.group(2)[0].lower()]
        pos = m.end()
    if pos != len(text) or not seconds or seconds > DURATION_MAX.total_seconds():
        raise UsageError(
            _("“{value}” is not a duration (try 90s, 8m, 2h or 3d).").format(value=text[:40])
        )
    return timedelta(seconds=seconds)


def _too_long(arg: Arg, raw: str, most: int) -> UsageError:
    return UsageError(
        _("{name} is too long ({n} characters, at most {max}).").format(
            name=arg.name, n=len(raw), max=most
        )
    )


def _convert(cmd: Command, arg: Arg, raw: str) -> Any:
    raw = clean_text(raw)
    if arg.choices and raw not in arg.choices:
        folded = raw.strip().casefold()
        raw = next((c for c in arg.choices if c.casefold() == folded), raw)
        if raw not in arg.choices and arg.normalize is not None:
            raw = arg.normalize(raw) or raw
    if arg.choices and raw not in arg.choices:
        raise UsageError(
            _("{name} must be one of: {choices}.").format(
                name=arg.name, choices=", ".join(arg.choices)
            )
            + "\n"
            + usage_line(cmd)
        )
    if arg.type == "int":
        if not _INT.fullmatch(raw.strip()):
            raise UsageError(
                _("{name} must be a whole number.").format(name=arg.name) + "\n" + usage_line(cmd)
            )
        value = to_int(raw, -(10**9) + 1, 10**9 - 1)
        if value is None:
            raise UsageError(_("{name} is out of range.").format(name=arg.name))
        return value
    if arg.type == "duration":
        return parse_duration(raw)
    most = arg.max_length if arg.max_length is not None else TEXT_MAX
    if arg.type == "person":
        most = min(most, PERSON_MAX)
    if len(raw) > most:
        raise _too_long(arg, raw, most)
    if arg.type == "list":
        return [p.strip() for p in raw.split(",") if p.strip()]
    if arg.type == "person":
        return raw.removeprefix("@")
    return raw


def _rest(cmd: Command, arg: Arg, words: list[str]) -> list[str]:
    """The words of a ``rest`` argument, their total length bounded."""
    words = [clean_text(w) for w in words]
    most = arg.max_length if arg.max_length is not None else TEXT_MAX
    joined = " ".join(words)
    if len(joined) > most:
        raise _too_long(arg, joined, most)
    return words


def usage_line(cmd: Command) -> str:
    return _("Usage: {usage}").format(usage=cmd.usage())


def bind(cmd: Command, words: list[str]) -> dict[str, Any]:
    """Match the words after the command name to its declared arguments."""
    values: dict[str, Any] = {}
    by_option = {a.name: a for a in cmd.args if not a.positional}
    positionals = [a for a in cmd.args if a.positional]
    rest: list[str] = []
    # Words right after a text option's value ("--title Friday café"): text of several words
    # typed without quotes, when no positional argument can take them unambiguously.
    strays: dict[int, list[int]] = {}  # index of the option's value -> indexes of the strays
    rest_before: dict[int, int] = {}  # index of the option's value -> positional words before
    last_value: int | None = None
    i = 0
    while i < len(words):
        word = words[i]
        if word.startswith("--") and len(word) > 2:
            last_value = None
            name, eq, inline = word[2:].partition("=")
            arg = by_option.get(name) or by_option.get(name.replace("-", "_"))
            if arg is None:
                raise UsageError(
                    _("Unknown option --{name}.").format(name=name) + "\n" + usage_line(cmd)
                )
            if arg.type == "flag":
                values[arg.name] = True
                i += 1
                continue
            if arg.type == "file":  # a file comes with the message, never as text
                raise UsageError(
                    _("Attach the file to your message instead of typing --{name}.").format(
                        name=name
                    )
                )
            if eq:
                raw = inline
            elif i + 1 < len(words):
                raw = words[i + 1]
                i += 1
            else:
                raise UsageError(
                    _("--{name} needs a value.").format(name=name) + "\n" + usage_line(cmd)
                )
            values[arg.name] = _convert(cmd, arg, raw)
            if arg.type == "text" and not arg.choices and not eq:
                last_value = i
                strays[i], rest_before[i] = [], len(rest)
            i += 1
            continue
        if last_value is not None:
            strays[last_value].append(i)
        rest.append(word)
        i += 1
    _unquoted(cmd, words, strays, rest_before, positionals, len(rest))
    for n, arg in enumerate(positionals):
        if arg.type == "rest":
            values[arg.name] = _rest(cmd, arg, rest)
            rest = []
            break
        if rest:
            last_text = n == len(positionals) - 1 and arg.type == "text"
            # The last text argument takes the remaining words, so quotes are optional.
            raw = " ".join(rest) if last_text else rest[0]
            rest = [] if last_text else rest[1:]
            values[arg.name] = _convert(cmd, arg, raw)
    if rest:
        raise UsageError(_("Too many words.") + "\n" + usage_line(cmd))
    for arg in cmd.args:
        if arg.name not in values:
            if arg.required and not (arg.type == "rest" and not arg.required):
                raise UsageError(
                    _("{name} is missing.").format(name=arg.name) + "\n" + usage_line(cmd)
                )
            values[arg.name] = False if arg.type == "flag" else arg.default
    return values


def _unquoted(
    cmd: Command,
    words: list[str],
    strays: dict[int, list[int]],
    rest_before: dict[int, int],
    positionals: list[Arg],
    n_rest: int,
) -> None:
    """Refuse text of several words typed without quotes after an option, when the words
    would otherwise be lost or land in another argument; answer with the line to copy."""
    if not strays:  # (no text option typed: nothing can be ambiguous)
        return
    takes_all = any(
        a.type == "rest" or (a.type == "text" and n == len(positionals) - 1)
        for n, a in enumerate(positionals)
    )
    room = len(positionals) if not takes_all else n_rest
    groups = {value: after for value, after in strays.items() if after}
    ambiguous = n_rest > room or any(rest_before[v] > 0 and takes_all for v in groups)
    if not groups or not ambiguous:
        return
    joined = {k for after in groups.values() for k in after}
    fixed: list[str] = []
    for n, w in enumerate(words):
        if n in joined:
            continue
        if n in groups:
            fixed.append(quote(" ".join([w, *(words[k] for k in groups[n])])))
        else:
            fixed.append(quote(w) if " " in w else w)
    raise UsageError(
        _("Put text of several words in quotes, e.g.: {line}").format(
            line=f"`{cmd.name} {' '.join(fixed)}`"
        )
    )


def quote(text: str) -> str:
    """``text`` in straight quotes (typographic ones if it holds a straight one)."""
    return f"“{text}”" if '"' in text else f'"{text}"'


def question_and_options(first: str, rest: list[str]) -> tuple[str, list[str]]:
    """A question typed without quotes ("Move to Thursdays? yes no"): the words up to the one
    ending in ``?`` are the question. Otherwise the first word is, as typed."""
    if first.rstrip().endswith("?"):
        return first, rest
    for n, word in enumerate(rest):
        if word.endswith("?"):
            return " ".join([first, *rest[: n + 1]]), rest[n + 1 :]
    return first, rest


def convert_structured(cmd: Command, given: dict[str, Any]) -> dict[str, Any]:
    """Check arguments that arrive already split (e.g. Discord slash options), as text would be."""
    values: dict[str, Any] = {}
    known = {a.name: a for a in cmd.args}
    for name in given:
        if name not in known:
            raise UsageError(
                _("Unknown option --{name}.").format(name=name) + "\n" + usage_line(cmd)
            )
    for arg in cmd.args:
        raw = given.get(arg.name)
        if raw is None or raw == "":
            if arg.required:
                raise UsageError(
                    _("{name} is missing.").format(name=arg.name) + "\n" + usage_line(cmd)
                )
            values[arg.name] = False if arg.type == "flag" else arg.default
        elif arg.type == "flag":
            values[arg.name] = bool(raw)
        elif arg.type == "file":
            values[arg.name] = raw if isinstance(raw, Upload) else None
        elif arg.type == "rest":
            words = [str(w) for w in raw] if isinstance(raw, list | tuple) else tokenize(str(raw))
            values[arg.name] = _rest(cmd, arg, words)
        else:
            values[arg.name] = _convert(cmd, arg, str(raw))
    return values


def resolve(
    commands: dict[tuple[str, ...], Command], words: list[str]
) -> tuple[Command, list[str]]:
    """Find the longest command path at the start of ``words``; else an 'unknown command' error."""
    lowered = [w.lower() for w in words[:3]]
    for n in (3, 2, 1):
        if len(lowered) >= n:
            cmd = commands.get(tuple(lowered[:n]))
            if cmd is not None:
                return cmd, words[n:]
    typed = " ".join(lowered[:2]) if lowered else ""
    names = [c.name for c in commands.values()]
    close = closest(words, names)
    if not close and lowered:
        close = [n for n in names if n.split()[0] == lowered[0]][:5]
    msg = _("Unknown command “{typed}”.").format(typed=typed[:60])
    if close:
        msg += " " + _("Did you mean: {names}?").format(names=", ".join(close))
    else:
        msg += " " + _("Type “help” for the list.")
    raise UsageError(msg)


def _squash(text: str) -> str:
    return "".join(text.lower().split()).replace("-", "").replace("_", "")


def closest(typed_words: list[str], names: Iterable[str], n: int = 3) -> list[str]:
    """The command names nearest to what was typed, best first: spaces and dashes ignored
    (``lean coffee start`` → ``leancoffee start``), a shared first word counts."""
    names = list(names)
    typed = [w.lower() for w in typed_words[:4]]
    scored: list[tuple[float, str]] = []
    for name in names:
        words = name.split()
        best = 0.0
        for k in range(1, len(typed) + 1):
            ratio = difflib.SequenceMatcher(None, _squash(" ".join(typed[:k])), _squash(name))
            best = max(best, ratio.ratio())
        if typed and words[0] == typed[0]:
            best += 0.15
        scored.append((best, name))
    scored.sort(key=lambda s: (-s[0], len(s[1]), s[1]))
    return [name for score, name in scored[:n] if score >= 0.6]


def join_words(value: object) -> str:
    """A text typed as several words (a ``rest`` argument) or as one string, spaces tidied."""
    if isinstance(value, (list, tuple)):
        value = " ".join(str(w) for w in value)
    return " ".join(str(value or "").split())


def words(value: object) -> str:
    """The text of a ``rest`` argument typed as several words (joined by single spaces), or of a
    form field (a string, kept as it is: a note may have several lines); ``""`` for nothing."""
    if isinstance(value, (list, tuple)):
        return " ".join(str(w) for w in value)
    return "" if value is None else str(value)
