"""The site's language: which one a request gets, and the words and dates its pages show.

A page of a community is in the community's language (set by :func:`.pages.open_site`). A
page that names no community it may show (a 404) follows the browser's ``Accept-Language``,
so an unknown or switched-off site says nothing about the community's language.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from copkit.core.i18n import N_, _, current_locale, normalize_locale
from copkit.core.timezones import show, show_day

# What a piece of the archive is (``SiteDocument.kind``), as the Search page says it.
KINDS = {
    "minutes": N_("minutes"),
    "talk": N_("talk"),
    "health": N_("health check"),
    "note": N_("note"),
    "takeaway": N_("takeaway"),
    "action": N_("action"),
}

ERROR_TITLES = {
    403: N_("Link not valid"),
    404: N_("Not found"),
    500: N_("Something went wrong"),
    503: N_("Unavailable"),
}


def asked_locale(accept_language: str | None) -> str:
    """The first language of ``Accept-Language`` copkit speaks (by the listed weights), else
    English. A header too long or malformed is English."""
    if not accept_language or len(accept_language) > 500:
        return "en"
    ranked: list[tuple[float, int, str]] = []
    for i, part in enumerate(accept_language.split(",")[:20]):
        tag, _sep, params = part.strip().partition(";")
        weight = 1.0
        if params.strip().startswith("q="):
            try:
                weight = float(params.strip()[2:])
            except ValueError:
                weight = 0.0
        ranked.append((-weight, i, tag.strip()))
    for neg_weight, _i, tag in sorted(ranked):
        found = normalize_locale(tag) if neg_weight < 0 else None
        if found:
            return found
    return "en"


def html_lang(locale: str | None) -> str:
    """The ``<html lang>`` value of a copkit locale (``fr``, ``pt_BR`` → ``pt-BR``)."""
    return (locale or "en").replace("_", "-")


def helpers(tz: ZoneInfo, format_title: Callable[[str], str]) -> dict[str, Any]:
    """The functions templates call to show dates and format and kind names, in the active
    language (babel's patterns, as the chat shows them)."""

    def format_name(name: str) -> str:
        return format_title(name) or name

    def kind_name(kind: str) -> str:
        return _(KINDS[kind]) if kind in KINDS else kind

    def short(dt: datetime) -> str:
        return show(dt, tz, with_zone=False)

    def day(d: date) -> str:
        return show_day(d)

    return {
        "when": lambda dt: show(dt, tz),
        "short": short,
        "day": day,
        "format_name": format_name,
        "kind_name": kind_name,
        "lang": html_lang(current_locale()),
    }
