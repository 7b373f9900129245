"""Declarative views: what plugins show, and adapters render for their platform.

A view is plain data. Text uses a small Markdown subset (``**bold**``, ``*italic*``, ```code```,
``- `` list items and ``[label](url)`` links). Text a user wrote is wrapped in :class:`UserText`: it
stays marked through ``str.format``, f-strings, ``+`` and ``join``, and adapters show it literally
(never as markup, a link or a mention; see :mod:`copkit.core.usertext`). A view with a ``key`` is
shown once and updated in place later.
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields, is_dataclass, replace
from datetime import datetime, tzinfo
from typing import Literal
from zoneinfo import ZoneInfo

from .moments import Style as WhenStyle
from .moments import encode
from .usertext import UserText, plain_text  # noqa: F401  (part of the views API)

Style = Literal["primary", "secondary", "success", "danger"]
Tone = Literal["info", "success", "warning", "error"]

# The interaction model's limits: what every adapter can render (the strictest platform's).
# Plugins size their views by these, not by any one platform's numbers.
TEXT_MAX = 3800  # characters of a view's text
CHOICE_OPTIONS_MAX = 25  # options in one Choice
POLL_OPTIONS_MAX = 10  # options in one Poll
POLL_OPTION_TEXT_MAX = 55  # characters of one poll option


@dataclass(frozen=True, slots=True)
class Field:
    """A name/value pair shown under the text (an embed field, a FactSet row)."""

    name: str
    value: str
    inline: bool = False


@dataclass(frozen=True, slots=True)
class FormInput:
    """One text input of a form."""

    name: str
    label: str
    max_length: int = 200
    required: bool = True
    multiline: bool = False
    placeholder: str = ""
    default: str = ""


@dataclass(frozen=True, slots=True)
class Form:
    """A short form (at most five inputs). Submitting it sends an interaction with ``action_id``."""

    action_id: str
    title: str
    inputs: tuple[FormInput, ...]


@dataclass(frozen=True, slots=True)
class Button:
    """A button; pressing it sends ``action_id``. With ``form`` it opens that form instead."""

    action_id: str
    label: str
    style: Style = "secondary"
    form: Form | None = None
    disabled: bool = False


@dataclass(frozen=True, slots=True)
class Option:
    value: str
    label: str
    description: str = ""


@dataclass(frozen=True, slots=True)
class Choice:
    """A single or multiple choice; the interaction carries ``values["selected"]`` as a list."""

    action_id: str
    options: tuple[Option, ...]
    placeholder: str = ""
    min_values: int = 1
    max_values: int = 1


@dataclass(frozen=True, slots=True)
class Poll:
    """A poll with up to ``POLL_OPTIONS_MAX`` options, lasting whole ``hours``. A vote arrives as action ``f"{action_id}:{index}"``.

    ``anonymous`` polls must never be rendered with a platform feature that shows who voted.
    With ``removals`` the plugin also takes back votes: where the platform reports a vote
    withdrawn (on a Discord poll), it arrives as the same action with ``{"removed": True}``.
    """

    action_id: str
    question: str
    options: tuple[str, ...]
    multiple: bool = False
    anonymous: bool = False
    hours: int = 24
    removals: bool = False

    def __post_init__(self) -> None:
        if not 2 <= len(self.options) <= POLL_OPTIONS_MAX:
            raise ValueError("a poll has 2 to 10 options")


@dataclass(frozen=True, slots=True)
class Image:
    """A PNG picture attached to the view."""

    filename: str
    png: bytes
    alt: str = ""
    unbranded: bool = False
    """Shown as it is: no band of the community's brand on top (see :class:`Brand`)."""


@dataclass(frozen=True, slots=True)
class Attachment:
    """A file sent with the view (any MIME type: an .ics, a .csv, a .md, a .png).

    Discord uploads it as a file of the message, Teams sends it as a file attachment of the
    activity, the console saves it to its files folder and prints the path. ``description``
    is a short line shown where a platform cannot show the file itself."""

    filename: str
    mime_type: str
    data: bytes
    description: str = ""

    def __post_init__(self) -> None:
        if not self.filename or "/" in self.filename or "\\" in self.filename:
            raise ValueError("an attachment needs a plain file name")


ATTACHMENTS_MAX = 5  # files on one view (every platform takes at least this many)


@dataclass(frozen=True, slots=True)
class ScheduledEvent:
    """An intent to put an event in the platform's calendar (e.g. a Discord scheduled event)."""

    uid: str
    title: str
    start: object  # aware datetime
    end: object  # aware datetime
    location: str = ""
    description: str = ""
    cancelled: bool = False


@dataclass(frozen=True, slots=True)
class PersonalPart:
    """A part of a shared view that depends on who looks: your dots left, your answers.

    ``action_id`` (a route of the format, declared with ``@f.button``) renders the view as the
    person asking sees it, with :meth:`copkit.core.context.Context.show_personal`. Where the
    platform renders one card differently per person (Teams' Universal Actions ``refresh``) each
    person sees their own part in place; elsewhere a ``label`` button asks for it (Discord: an
    ephemeral answer; the console: the person's own render). ``note`` says so under the view
    where it cannot be in place."""

    action_id: str
    label: str
    note: str = ""


@dataclass(frozen=True, slots=True)
class Brand:
    """A community's look, put on each of its views by the core (never by a format; see
    :mod:`copkit.core.brand`) once the community chose a part of it. Adapters show it the same
    way everywhere: the accent as the embed's or card's colour, the name (and tagline) in the
    header or footer; pictures already carry it in a band on top.

    ``name`` and ``tagline`` are user text (shown literally); ``accent`` and ``ink`` (black or
    white, whichever reads on the accent) are ``#rrggbb``; ``icon`` a small square PNG (the
    logo, else a monogram in the accent)."""

    name: str
    tagline: str = ""
    accent: str = "#3b82f6"
    ink: str = "#ffffff"
    icon: bytes = b""

    @property
    def accent_int(self) -> int:
        """The accent as one number (``0x3b82f6``), as Discord takes colours."""
        return int(self.accent.lstrip("#"), 16)

    def line(self) -> str:
        """``Name · tagline`` (user text), for a footer or a header."""
        return " · ".join(UserText(x) for x in (self.name, self.tagline) if x)


@dataclass(slots=True)
class View:
    """What a plugin shows. Only ``title`` or ``text`` is needed."""

    title: str = ""
    text: str = ""
    fields: list[Field] = field(default_factory=list)
    buttons: list[Button] = field(default_factory=list)
    choices: list[Choice] = field(default_factory=list)
    poll: Poll | None = None
    images: list[Image] = field(default_factory=list)
    attachments: list[Attachment] = field(default_factory=list)
    footer: str = ""
    tone: Tone = "info"
    event: ScheduledEvent | None = None
    personal: PersonalPart | None = None
    brand: Brand | None = None
    """The community's brand, filled in by the core when the view is shown."""

    notify: str = ""
    """A platform role to mention (Discord): only copkit's own opt-in role, whose members
    asked for it (``notify me``); nobody else is ever pinged."""

    def actions(self) -> list[str]:
        """Every action id this view can send back."""
        ids = [b.action_id for b in self.buttons] + [c.action_id for c in self.choices]
        if self.personal is not None:
            ids.append(self.personal.action_id)
        ids += [b.form.action_id for b in self.buttons if b.form]
        if self.poll:
            ids += [f"{self.poll.action_id}:{i}" for i in range(len(self.poll.options))]
        return ids


def When(  # noqa: N802  (a value like UserText, named as one)
    instant: datetime,
    tz: tzinfo,
    style: WhenStyle = "full",
    *,
    now: datetime | None = None,
    with_zone: bool | None = None,
) -> str:
    """A time inside a view's text or fields, shown to each member in their own zone where the
    platform can (Discord ``<t:…>``, Teams ``{{DATE()}}``/``{{TIME()}}``), else in ``tz``.

    ``style``: ``full`` (day, date and time), ``date``, ``time``, ``seconds`` (a time with its
    seconds) or ``relative`` ("in 2
    hours"; give ``now``). ``with_zone`` names the zone in the text shown where the platform
    cannot show the reader's own (default: for ``full`` only). It survives ``str.format`` like :class:`UserText`::

        _("Starts {when}.").format(when=When(s.starts_at, ctx.zone))
    """
    from .timezones import show, show_date, show_relative, show_time

    if not isinstance(tz, ZoneInfo):
        tz = ZoneInfo(getattr(tz, "key", None) or "UTC")
    if style == "seconds":
        fallback = show_time(instant, tz, seconds=True)
    elif style == "date":
        fallback = show_date(instant, tz)
    elif style == "time":
        fallback = show_time(instant, tz)
    elif style == "relative" and now is not None:
        fallback = show_relative(instant, now)
    else:
        fallback = show(instant, tz, with_zone=False)
    if with_zone or (with_zone is None and style == "full"):
        fallback += f" ({tz.key})"
    return encode(int(instant.timestamp()), style, fallback)


# Targets -------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ToRoom:
    """The room the request came from (or the activity's room)."""

    room_id: str | None = None


@dataclass(frozen=True, slots=True)
class ToThread:
    """A new thread (Discord) or a new post (Teams) named ``name`` in the room.

    With a ``key`` it is a named place, created once: the first view opens the thread and
    the core remembers it (:mod:`copkit.core.places`); every later view with the same key goes
    into that same thread (a group's room), after a restart too."""

    name: str
    room_id: str | None = None
    key: str = ""


@dataclass(frozen=True, slots=True)
class Reply:
    """A reply to the message that triggered the request, visible to the room."""


@dataclass(frozen=True, slots=True)
class Private:
    """Only ``person_id`` sees it (ephemeral reply, DM or a personal card)."""

    person_id: str


@dataclass(frozen=True, slots=True)
class AsSeenBy:
    """A shared view as ``person_id`` sees it (their :class:`PersonalPart` filled in), in place
    and for them alone; ``part`` is that part on its own, sent privately where a platform cannot
    show one card differently per person."""

    person_id: str
    part: View


Target = ToRoom | ToThread | Reply | Private | AsSeenBy


def with_personal_button(view: View) -> View:
    """``view`` with its personal part asked for by a button (platforms without per-person
    rendering of one card)."""
    part = view.personal
    if part is None or any(b.action_id == part.action_id for b in view.buttons):
        return view
    footer = "\n".join(x for x in (view.footer, part.note) if x)
    return replace(view, buttons=[*view.buttons, Button(part.action_id, part.label)], footer=footer)


def seen_by(shared: View, part: View) -> View:
    """``shared`` with a person's ``part`` on top (its title and text)."""
    lines = [x for x in (f"**{part.title}**" if part.title else "", part.text) if x]
    text = "\n".join(lines + ([shared.text] if shared.text else []))
    return replace(shared, text=text)


def notice(text: str, tone: Tone = "info") -> View:
    """A one-line view, e.g. an answer to a command."""
    return View(text=text, tone=tone)


def plain_view(view: View) -> View:
    """A copy of ``view`` with every text shown as it is (user-text marks dropped), as a
    platform without markup would hold it: for test kits and logs."""
    plain = _plain(view)
    assert isinstance(plain, View)
    return plain


def _plain(value: object) -> object:
    if isinstance(value, str):
        return plain_text(value)
    if isinstance(value, list):
        return [_plain(v) for v in value]
    if isinstance(value, tuple):
        return tuple(_plain(v) for v in value)
    if is_dataclass(value) and not isinstance(value, type):
        changes = {f.name: _plain(getattr(value, f.name)) for f in fields(value) if f.init}
        return replace(value, **changes)
    return value
