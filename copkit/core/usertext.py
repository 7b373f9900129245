"""User text that stays marked through formatting, and what to do with it at either end.

Text a user wrote is wrapped in :class:`UserText`. Its value carries two Unicode noncharacters
(U+FDD0 before, U+FDD1 after: reserved by Unicode for a program's internal use, never
exchanged) around the text, so the mark survives everything plugins do with strings:
``_("Added {title}").format(title=UserText(t))``, f-strings, ``+`` and ``", ".join(...)``.
An adapter then escapes what lies between the marks for its platform (:func:`render_text`) or
drops the marks where text is shown plain (:func:`plain_text`), so a title such as
``**FREE** [login](https://evil.example)`` is shown as typed, never as bold or a masked link.

At the other end, :func:`clean_input` normalises what people type before the core or a plugin
sees it: NFC, without zero-width and bidirectional control characters (and without the marks).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterator
from dataclasses import replace
from typing import Any, TypeVar

from .events import CommunityRef, Person, RoomRef
from .moments import Moment, has_moments, replace_moments

START = "\ufdd0"  # opens user text
END = "\ufdd1"  # closes user text
_MARKS = re.compile("[\ufdd0\ufdd1]")
_PLACEHOLDER = re.compile("\ufdd0(\\d+)\ufdd1")

# Invisible characters that make equal-looking text differ or reorder what is shown.
# A zero-width joiner between two emoji is kept (it builds one emoji out of several).
_INVISIBLE = re.compile(
    "[\u200b\u200c\u2060\ufeff\u202a-\u202e\u2066-\u2069\ufdd0-\ufdef]"
    "|(?<![\u2600-\u27bf\ufe0f\U0001f000-\U0001faff])\u200d"
    "|\u200d(?![\u2600-\u27bf\U0001f000-\U0001faff])"
)


def strip_marks(text: str) -> str:
    """``text`` without user-text marks, each moment as its text."""
    if has_moments(text):
        text = replace_moments(text)
    return _MARKS.sub("", text)


class UserText(str):
    """Text written by a user: rendered literally, never as markup or a mention.

    The value is the text between the two marks (an empty text stays empty, so
    ``UserText(x) or "—"`` still works). Wrapping twice marks once."""

    __slots__ = ()

    def __new__(cls, text: object = "") -> UserText:
        raw = strip_marks(str(text))
        return super().__new__(cls, f"{START}{raw}{END}" if raw else "")

    @property
    def raw(self) -> str:
        """The text as the user wrote it."""
        return strip_marks(self)


def segments(text: str) -> Iterator[tuple[bool, str]]:
    """``(is_user_text, chunk)`` pieces of ``text`` in order. Marks cut by slicing err on the
    safe side: an unclosed start runs to the end, a lone end closes everything before it."""
    if START not in text and END not in text:
        if text:
            yield False, text
        return
    user = False
    buf: list[str] = []
    for ch in text:
        if ch == START or ch == END:
            if buf:
                yield user or ch == END, "".join(buf)
                buf = []
            user = ch == START
            continue
        buf.append(ch)
    if buf:
        yield user, "".join(buf)


def has_user_text(text: str) -> bool:
    return START in text or END in text


def plain_text(text: str) -> str:
    """``text`` without the marks: for places that show text as it is (button labels, thread
    names, notification summaries, files)."""
    return strip_marks(text) if has_user_text(text) or has_moments(text) else text


def render_text(
    text: str,
    escape: Callable[[str], str],
    convert: Callable[[str], str] | None = None,
    moment: Callable[[Moment], str] | None = None,
) -> str:
    """``text`` for a platform: copkit's own markup through ``convert`` (user texts stand in
    as placeholders meanwhile, so markup around them still applies), each user text through
    ``escape``, each moment (a time, :mod:`copkit.core.moments`) through ``moment`` (default:
    its text in the community's zone)."""
    if has_moments(text):
        if moment is None:
            text = replace_moments(text)
        else:
            shown: list[str] = []

            def hold(m: Moment) -> str:
                shown.append(moment(m))
                return f"\ufdd5{len(shown) - 1}\ufdd5"

            done = render_text(replace_moments(text, hold), escape, convert)
            return re.sub("\ufdd5(\\d+)\ufdd5", lambda m: shown[int(m.group(1))], done)
    if not has_user_text(text):
        return convert(text) if convert else text
    users: list[str] = []
    template: list[str] = []
    for is_user, chunk in segments(text):
        if is_user:
            template.append(f"{START}{len(users)}{END}")
            users.append(chunk)
        else:
            template.append(chunk)
    done = "".join(template)
    if convert:
        done = convert(done)

    def put(m: re.Match[str]) -> str:
        n = int(m.group(1))
        return escape(users[n]) if n < len(users) else ""

    return strip_marks(_PLACEHOLDER.sub(put, done))


def split_lines(text: str) -> list[str]:
    """``text.splitlines()`` with user text that spans lines marked on each of its lines."""
    if not has_user_text(text):
        return text.splitlines()
    lines: list[str] = [""]
    for is_user, chunk in segments(text):
        parts = chunk.splitlines()
        if chunk.endswith(("\n", "\r")):
            parts.append("")
        for i, part in enumerate(parts or [""]):
            if i:
                lines.append("")
            if part:
                lines[-1] += f"{START}{part}{END}" if is_user else part
    if text.endswith(("\n", "\r")) and lines[-1] == "":
        lines.pop()
    return lines


# Escaping ------------------------------------------------------------------------------------

# A bare web address is left as it is (platforms turn it into a visible link; escaping inside
# it would break it). It stops at the characters Markdown gives meaning to.
URL = re.compile(r"https?://[A-Za-z0-9\-._~:/?#@!$&'+,;=%]+")
_LIST_NUMBER = re.compile(r"(?m)^(\s*\d+)([.)])")


def backslash_escape(text: str, specials: str) -> str:
    """Every character of ``specials`` in ``text`` preceded by a backslash (outside web
    addresses), and numbered-list starts escaped."""
    table = {ord(c): "\\" + c for c in specials}
    out: list[str] = []
    pos = 0
    for m in URL.finditer(text):
        out.append(_LIST_NUMBER.sub(r"\1\\\2", text[pos : m.start()].translate(table)))
        out.append(m.group())
        pos = m.end()
    out.append(_LIST_NUMBER.sub(r"\1\\\2", text[pos:].translate(table)))
    return "".join(out)


_INLINE_SPECIALS = "\\`*_[]()<>|~&"  # what Markdown reads anywhere in a line
_LINE_START = re.compile(r"^(\s*)([#>+=-])")  # what it reads only at the start of one
_NEWLINES = re.compile("\r\n|[\n\r\v\f\x85\u2028\u2029]")


def fold_lines(text: str) -> str:
    """``text`` on one line (line breaks become spaces)."""
    return _NEWLINES.sub(" ", text)


def escape_markdown(text: str) -> str:
    """``text`` shown literally inside a Markdown document (CommonMark, GitHub's), on one line:
    a user's line break can start no heading, list, quote or fence of its own."""
    one_line = fold_lines(strip_marks(text))
    return _LINE_START.sub(r"\1\\\2", backslash_escape(one_line, _INLINE_SPECIALS))


# Input ---------------------------------------------------------------------------------------


_SURROGATE = re.compile("[\ud800-\udfff]")


def storable(text: str) -> str:
    """``text`` without NUL bytes and with each lone surrogate replaced by U+FFFD: neither
    can be stored (PostgreSQL refuses NUL, SQLite's driver refuses surrogates)."""
    if "\x00" in text:
        text = text.replace("\x00", "")
    if text.isascii():  # (fast: most text is) a surrogate is not ASCII
        return text
    if _SURROGATE.search(text):
        text = _SURROGATE.sub("\ufffd", text)
    return text


# Control characters other than tab and line breaks: nobody types them, and a terminal obeys
# them (ESC starts a sequence that recolours, retitles or clears the screen).
_CONTROLS = re.compile("[\x01-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")


def clean_input(text: str) -> str:
    """What a person typed, as the core keeps it: storable (:func:`storable`), NFC, without
    zero-width characters, bidi controls, terminal control characters or copkit's marks (so
    "Yes" and "Yes\\u200b" are the same answer)."""
    text = storable(text)
    if _CONTROLS.search(text):
        text = _CONTROLS.sub("", text)
    if text.isascii():
        return text
    return unicodedata.normalize("NFC", _INVISIBLE.sub("", text))


def clean_value(value: object) -> object:
    """:func:`clean_input` through the strings, lists and dicts of an argument or form value."""
    if isinstance(value, str):
        return clean_input(value)
    if isinstance(value, list):
        return [clean_value(v) for v in value]
    if isinstance(value, tuple):
        return tuple(clean_value(v) for v in value)
    if isinstance(value, dict):
        return {k: clean_value(v) for k, v in value.items()}
    return value


def clean_person(person: Person) -> Person:
    """``person`` with their display name cleaned (a bidi override in a name would reorder
    everything shown after it)."""
    name = clean_input(person.name)
    return person if name == person.name else replace(person, name=name)


def clean_mentions(mentions: dict[str, Person] | None) -> dict[str, Person] | None:
    if not mentions:
        return mentions
    return {clean_input(k): clean_person(p) for k, p in mentions.items()}


_T = TypeVar("_T", CommunityRef, RoomRef, Person)


def _storable_fields(obj: _T, *names: str) -> _T:
    changes: dict[str, Any] = {}
    for n in names:
        value = getattr(obj, n)
        if isinstance(value, str) and (cleaned := storable(value)) != value:
            changes[n] = cleaned
    return replace(obj, **changes) if changes else obj


def clean_event(
    community: CommunityRef,
    room: RoomRef,
    person: Person,
    mentions: dict[str, Person] | None = None,
) -> tuple[CommunityRef, RoomRef, Person, dict[str, Person] | None]:
    """The platform's names and ids of an event, cleaned: every one storable (a display name
    with a lone surrogate or a NUL byte must not lock a person out), display names also as
    typed text (:func:`clean_person`). Plain printable ASCII, the common case, is checked at C
    speed and passed through."""
    probe = f"{community.external_id}{community.name}{room.id}{room.name}{person.id}{person.name}"
    probe += community.owner_id or ""
    if probe.isascii() and probe.isprintable() and not mentions:
        return community, room, person, mentions
    community = _storable_fields(community, "external_id", "name", "owner_id")
    room = _storable_fields(room, "id", "name")
    person = clean_person(_storable_fields(person, "id", "name"))
    return community, room, person, clean_mentions(mentions)


# Files ---------------------------------------------------------------------------------------

# What makes a spreadsheet read a cell as a formula (=HYPERLINK(…), +cmd|…, -…, @SUM(…)), also
# in full width, and the tab and carriage return that shift it into another cell.
_FORMULA_START = tuple("=+-@\t\r\uff1d\uff0b\uff0d\uff20")


def spreadsheet_safe(value: object) -> object:
    """A CSV cell a spreadsheet shows as text: a string that a spreadsheet would evaluate gets a
    leading apostrophe. Numbers are left as they are."""
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return value


def no_fence(text: str) -> str:
    """``text`` for inside a code block: a run of three backticks (which would end the block
    and let the rest be read as Markdown) is broken by zero-width spaces."""
    return text.replace("```", "`\u200b`\u200b`")
