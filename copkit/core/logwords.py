"""The community log in human words: "Ann handed the leadership to Bob".

A log row (:class:`copkit.core.models.LogEntry`) holds a ``kind`` (``role.changed``), who did
it (``member``, a person id), what it is about (``ref``) and a short ``text``. :func:`describe`
turns one row into a sentence in the active language; every place that shows the log (the
``log`` command, the community web site) uses it, so the words are the same everywhere.

The sentences are templates (marked with ``N_``, translated when shown). The core's own kinds
are below in :data:`CORE_WORDS`; a format adds its own with ``Format.log_words({...})`` (they
travel on its :class:`~copkit.core.specs.FormatInfo`). A template may use:

``{who}``          the name of the person who did it (``member``), shown literally;
``{person}``       the name of the person ``ref`` names (when ``ref`` is a person id);
``{text_person}``  the name of the person ``text`` names;
``{text}``         the row's text, shown literally;
``{number}``       the last number in ``ref`` (``leancoffee:topic:12`` → ``12``);
``{ref}``          the ref as it is.

A kind may have variants: ``role.changed/leader`` (by text) is tried first, then
``vote@brownbag`` (by the ref's first part: contributions such as ``vote`` are shared by
formats), then ``role.changed``.
An unknown kind still reads as a line ("Ann: lightning.custom 12"), never an error.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from .i18n import N_, _
from .usertext import UserText

if TYPE_CHECKING:
    from .models import LogEntry
    from .specs import Registry

CORE_WORDS: dict[str, str] = {
    "community.created": N_("copkit joined the community “{text}”"),
    "format.enabled": N_("{who} enabled the format {ref}"),
    "format.disabled": N_("{who} disabled the format {ref}"),
    "role.changed/leader": N_("{who} handed the leadership to {person}"),
    "role.changed/core": N_("{who} added {person} to the core team"),
    "role.changed/member": N_("{who} made {person} a member (no longer core team)"),
    "role.changed": N_("{who} changed the role of {person} to {text}"),
    "role.required": N_("{who} set who may run “{ref}”: {text}"),
    "language.changed": N_("{who} set the language to {text}"),
    "timezone.changed": N_("{who} set the time zone to {text}"),
    "brand.name": N_("{who} named the community “{text}”"),
    "brand.name/": N_("{who} gave the community back its default name"),
    "brand.tagline": N_("{who} set the tagline to “{text}”"),
    "brand.tagline/": N_("{who} removed the tagline"),
    "brand.colour": N_("{who} set the accent colour to {text}"),
    "brand.colour/": N_("{who} set the accent colour back to copkit's"),
    "brand.logo/uploaded": N_("{who} uploaded a new logo"),
    "brand.logo/removed": N_("{who} removed the logo"),
    "activity.started": N_("{who} started “{text}”"),
    "activity.ended": N_("“{text}” ended"),
    "announce.channel": N_("{who} chose “{text}” for the announcements"),
    "announce.before": N_("{who} set the reminders to {text} minutes before each event"),
    "announce.off": N_("{who} switched the announcements off"),
    "announce.role": N_("{who} chose the role “{text}” to be notified of announcements"),
    "announce.role_off": N_("{who} stopped notifying a role of announcements"),
    "announce.notify_on": N_("{who} asked to be notified of every announcement"),
    "announce.notify_off": N_("{who} stopped being notified of announcements"),
    "site.visibility/public": N_("{who} made the community site public"),
    "site.visibility/members": N_("{who} opened the community site to members (private links)"),
    "site.visibility/off": N_("{who} switched the community site off"),
    "site.visibility": N_("{who} set the community site to “{text}”"),
    "site.revoked": N_("{who} revoked every link to the community site"),
    "calendar.public": N_("{who} made the calendar feed public"),
    "calendar.off": N_("{who} made the calendar feed private"),
    "series.created": N_("{who} started series #{number}, every “{text}”"),
    "series.opened": N_("Series #{number} opened its next date"),
    "series.skipped": N_("{who} skipped a date of series #{number}"),
    "series.moved": N_("{who} moved a date of series #{number}"),
    "series.paused": N_("{who} paused series #{number}"),
    "series.resumed": N_("{who} resumed series #{number}"),
    "series.ended": N_("{who} ended series #{number}"),
    "announce.whatson": N_("copkit posted the week's what's on ({text})"),
    "announce.whatson_skipped": N_("Nothing on this week ({text}): no what's on posted"),
    "announce.whatson_every": N_("{who} set the what's on to every {text}"),
    "announce.whatson_off": N_("{who} switched the weekly what's on off"),
    "announce.stopped": N_("copkit stopped posting announcements: {text}"),
}

_NUMBER = re.compile(r"(\d+)\D*$")


@dataclass(frozen=True, slots=True)
class Line:
    """What :func:`describe` needs of a log row (a ``LogEntry`` has these attributes)."""

    kind: str
    member: str = ""
    ref: str = ""
    text: str = ""


def words_of(registry: Registry | None) -> dict[str, str]:
    """Every template known: the core's and those of the registered formats."""
    words = dict(CORE_WORDS)
    if registry is not None:
        for info in registry.formats.values():
            words.update(dict(info.log_words))
    return words


class _Fill(dict[str, Any]):
    def __missing__(self, key: str) -> str:
        return "?"


def describe(entry: Line | LogEntry, names: Mapping[str, str], words: Mapping[str, str]) -> str:
    """One log row as a sentence in the active language.

    ``names`` maps person ids to display names (unknown ids are shown as they are); ``words``
    is :func:`words_of` the registry. Names and texts are user text (never markup or a ping)."""
    kind, member, ref, text = entry.kind, entry.member or "", entry.ref or "", entry.text or ""
    prefix = ref.partition(":")[0]
    template = words.get(f"{kind}/{text}") or words.get(f"{kind}@{prefix}") or words.get(kind)
    someone = UserText(names.get(member) or member) if member else _("copkit")
    if template is None:
        tail = " ".join(p for p in (kind, UserText(ref), UserText(text)) if p)
        return f"{someone}: {tail}"
    number = _NUMBER.search(ref)
    fill = _Fill(
        who=someone,
        person=UserText(names.get(ref) or ref),
        text_person=UserText(names.get(text) or text),
        text=UserText(text),
        number=number.group(1) if number else UserText(ref),
        ref=UserText(ref),
    )
    try:
        sentence = _(template).format_map(fill)
    except (ValueError, IndexError, AttributeError):  # a broken translation: the English one
        sentence = template.format_map(fill)
    return sentence


def people_in(entries: Iterable[Line | LogEntry]) -> set[str]:
    """Every id a set of rows may name (to load their display names in one query)."""
    ids: set[str] = set()
    for e in entries:
        ids.update(x for x in (e.member, e.ref, e.text) if x and len(x) <= 200)
    return ids


async def names_for(community_id: int, ids: Iterable[str]) -> dict[str, str]:
    """The display names the community knows for ``ids``."""
    from .models import Membership

    wanted = [i for i in set(ids) if i]
    if not wanted:
        return {}
    rows = await Membership.filter(community_id=community_id, person_id__in=wanted).values_list(
        "person_id", "name"
    )
    return {str(pid): str(name) for pid, name in rows if name}


async def describe_all(
    community_id: int, entries: list[LogEntry], registry: Registry | None
) -> list[str]:
    """Each of ``entries`` as a sentence (names loaded once for all)."""
    names = await names_for(community_id, people_in(entries))
    words = words_of(registry)
    return [describe(e, names, words) for e in entries]
