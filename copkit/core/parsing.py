"""Turning a line of text into a command and typed arguments. Never raises anything but UsageError."""

from __future__ import annotations

import difflib
import re
from datetime import timedelta
from typing import Any

from .errors import UsageError
from .i18n import _
from .specs import Arg, Command

_QUOTES = {'"': '"', "'": "'", "“": "”", "„": "“", "«": "»", "‘": "’"}
_DURATION = re.compile(r"(\d+)\s*(d|h|m|s|min|mins|minutes?|hours?|days?|sec|secs|seconds?)", re.I)
_UNIT = {"d": 86400, "h": 3600, "m": 60, "s": 1}


def tokenize(text: str) -> list[str]:
    """Split on whitespace, keeping quoted parts (straight or typographic quotes) together."""
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
    text = text.strip().lower()
    if text.isdigit():
        return timedelta(minutes=int(text))
    pos, seconds = 0, 0
    for m in _DURATION.finditer(text):
        if text[pos : m.start()].strip():
            break
        seconds += int(m.group(1)) * _UNIT[m.group(2)[0]]
        pos = m.end()
    if pos != len(text) or not seconds or seconds > 366 * 86400:
        raise UsageError(
            _("“{value}” is not a duration (try 90s, 8m, 2h or 3d).").format(value=text)
        )
    return timedelta(seconds=seconds)


def _convert(cmd: Command, arg: Arg, raw: str) -> Any:
    if arg.choices and raw not in arg.choices:
        raise UsageError(
            _("{name} must be one of: {choices}.").format(
                name=arg.name, choices=", ".join(arg.choices)
            )
            + "\n"
            + usage_line(cmd)
        )
    if arg.type == "int":
        try:
            value = int(raw)
        except ValueError:
            raise UsageError(
                _("{name} must be a whole number.").format(name=arg.name) + "\n" + usage_line(cmd)
            ) from None
        if not -(10**9) < value < 10**9:
            raise UsageError(_("{name} is out of range.").format(name=arg.name))
        return value
    if arg.type == "duration":
        return parse_duration(raw)
    if arg.type == "list":
        return [p.strip() for p in raw.split(",") if p.strip()]
    if arg.type == "person":
        return raw.removeprefix("@")
    if arg.max_length is not None and len(raw) > arg.max_length:
        raise UsageError(
            _("{name} is too long ({n} characters, at most {max}).").format(
                name=arg.name, n=len(raw), max=arg.max_length
            )
        )
    return raw


def usage_line(cmd: Command) -> str:
    return _("Usage: {usage}").format(usage=cmd.usage())


def bind(cmd: Command, words: list[str]) -> dict[str, Any]:
    """Match the words after the command name to its declared arguments."""
    values: dict[str, Any] = {}
    by_option = {a.name: a for a in cmd.args if not a.positional}
    positionals = [a for a in cmd.args if a.positional]
    rest: list[str] = []
    i = 0
    while i < len(words):
        word = words[i]
        if word.startswith("--") and len(word) > 2:
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
            i += 1
            continue
        rest.append(word)
        i += 1
    for n, arg in enumerate(positionals):
        if arg.type == "rest":
            values[arg.name] = rest
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
        elif arg.type == "rest":
            values[arg.name] = tokenize(raw) if isinstance(raw, str) else list(raw)
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
    close = difflib.get_close_matches(typed, names, n=3, cutoff=0.5)
    if not close and lowered:
        close = [n for n in names if n.split()[0] == lowered[0]][:5]
    msg = _("Unknown command “{typed}”.").format(typed=typed[:60])
    if close:
        msg += " " + _("Did you mean: {names}?").format(names=", ".join(close))
    else:
        msg += " " + _("Type “help” for the list.")
    raise UsageError(msg)


def join_words(value: object) -> str:
    """A text typed as several words (a ``rest`` argument) or as one string, spaces tidied."""
    if isinstance(value, (list, tuple)):
        value = " ".join(str(w) for w in value)
    return " ".join(str(value or "").split())
