"""What a community's web site shows, as plain data: the core knows no format, so each format
hands its events, minutes, actions and documents to the site through the ``copkit_site_*``
collector hooks (see :mod:`.hookspecs`), as these small dataclasses.

Everything here is public to whoever may open the site: a plugin returns only what its chat
shows the whole community (never private answers, health-check answers, unrevealed notes or
direct messages). Text a user wrote stays plain text (or wrapped in :class:`~.usertext.UserText`
inside a :class:`~.views.View`); the site escapes it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Literal

from .usertext import escape_markdown, render_text
from .views import View

Status = Literal["upcoming", "done", "cancelled", "running"]
Visibility = Literal["off", "members", "public"]
VISIBILITIES: tuple[Visibility, ...] = ("off", "members", "public")


@dataclass(slots=True)
class SiteOptions:
    """How this process serves the site: its public address (``[web] base_url``, for the links
    the ``site`` command gives) and the links' signing key (read once, see the site plugin)."""

    base_url: str = ""
    secret: bytes | None = None


_REF = re.compile(r"^[a-z][a-z0-9]*-[0-9]{1,9}$")


def is_ref(text: str) -> bool:
    """Whether ``text`` has the shape of an event reference (``leancoffee-12``)."""
    return bool(_REF.match(text))


@dataclass(frozen=True, slots=True)
class SiteEvent:
    """One event of a community, as the Events page lists it.

    ``ref`` names it in URLs and must be ``<format>-<number>`` (``brownbag-3``)."""

    ref: str
    format: str
    title: str
    starts_at: datetime
    status: Status = "done"
    summary: str = ""
    where: str = ""
    minutes: bool = False
    """Its page holds minutes or a record (the Home page shows the latest such)."""


@dataclass(frozen=True, slots=True)
class SiteImage:
    """A picture on a panel, fetched separately by ``name`` through ``copkit_site_image``
    (so a page renders without drawing it)."""

    name: str
    alt: str


@dataclass(slots=True)
class SitePage:
    """An event's own page: what the chat shows of it (minutes, a record, a line-up)."""

    event: SiteEvent
    views: list[View] = field(default_factory=list)
    images: list[SiteImage] = field(default_factory=list)


@dataclass(slots=True)
class SitePanel:
    """A block of the Home or Health page (a health trend, a canvas, a scorecard)."""

    title: str
    views: list[View] = field(default_factory=list)
    images: list[SiteImage] = field(default_factory=list)
    order: int = 100


@dataclass(frozen=True, slots=True)
class SiteAction:
    """An open action item, from any format."""

    text: str
    event_ref: str
    format: str
    owner: str = ""
    due: date | None = None


@dataclass(frozen=True, slots=True)
class SiteDocument:
    """A piece of the archive, for search and the Markdown export: minutes, a talk, a takeaway.

    ``key`` is unique in the community (``leancoffee-12``, ``leancoffee-note-40``); ``text`` is
    Markdown whose user text is escaped (as the chat's Markdown minutes are)."""

    key: str
    event_ref: str
    format: str
    kind: str
    title: str
    day: date
    text: str
    whole: bool = False
    """The whole record of an event (exported as its file); otherwise a part (searched only)."""


def view_markdown(view: View) -> str:
    """A chat view as Markdown (for the archive): its title as a heading, its text and fields;
    user text escaped, so it reads as typed."""

    def md(text: str) -> str:
        return render_text(text, escape_markdown)

    out = [f"## {md(view.title)}", ""] if view.title else []
    if view.text:
        out += [md(view.text), ""]
    for f in view.fields:
        out += [f"**{md(f.name)}**: {md(f.value)}" if "\n" not in f.value else f"**{md(f.name)}**"]
        if "\n" in f.value:
            out += [md(f.value)]
        out.append("")
    return "\n".join(out).rstrip() + "\n"
