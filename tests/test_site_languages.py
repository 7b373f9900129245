"""The community site speaks the community's language: every page's own words (from the
templates, extracted into the catalogue through babel.cfg), its ``<html lang>``, its dates and
its error pages; a 404 that names no visible community follows the browser's language."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from aiohttp.test_utils import TestClient, TestServer
from babel.messages.extract import extract_from_dir
from site_kit import build, site_app

from copkit.core.i18n import translations
from copkit.testing import Harness

ROOT = Path(__file__).resolve().parent.parent
PAGES = ("", "events", "actions", "health", "log", "search?q=overlap", "export")

# Each page's heading (and a word of its body), in each language.
HEADINGS = {
    "fr": {
        "events": ("<h1>Événements</h1>", "À venir", "Passés"),
        "actions": ("<h1>Actions ouvertes</h1>", "Échéance", "1 action ouverte"),
        "health": ("<h1>Santé</h1>",),
        "log": ("<h1>Journal de la communauté</h1>",),
        "search?q=overlap": ("<h1>Rechercher</h1>", "Résultats pour « overlap »", " résultat"),
        "export": ("<h1>Exporter</h1>", "Télécharger les archives (zip)", "fichiers"),
        "": ("Prochains événements", "Dernier compte rendu :", "Ajouter à mon agenda"),
    },
    "de": {
        "events": ("<h1>Termine</h1>", "Demnächst", "Vergangen"),
        "actions": ("<h1>Offene Aufgaben</h1>", "Fällig", "1 offene Aufgabe"),
        "health": ("<h1>Health-Check</h1>",),
        "log": ("<h1>Community-Protokoll</h1>",),
        "search?q=overlap": ("<h1>Suche</h1>", "Ergebnisse für „overlap“", " Ergebnis"),
        "export": ("<h1>Export</h1>", "Archiv herunterladen (zip)", "Dateien"),
        "": ("Nächste Termine", "Letztes Protokoll:", "Zu meinem Kalender hinzufügen"),
    },
}


def template_words() -> set[str]:
    """Every string the site's templates mark for translation (singular forms)."""
    found: set[str] = set()
    for _f, _l, message, _c, _ctx in extract_from_dir(
        ROOT / "copkit" / "adapters" / "web" / "templates",
        method_map=[("**.html", "jinja2")],
        keywords={"_": None, "gettext": None, "ngettext": (1, 2)},
    ):
        found.add(message if isinstance(message, str) else message[0])
    return found


def english_left(body: str, lang: str) -> list[str]:
    """Template words shown in English as a whole element's text (or an attribute), when the
    language says them differently."""
    said = translations(lang)
    left = []
    for word in template_words():
        if "{" in word or said.gettext(word) == word:
            continue
        if f">{word}<" in body or f'"{word}"' in body:
            left.append(word)
    return left


@pytest.fixture(params=["fr", "de"])
async def localized(request, db_url):
    async with Harness(db_url) as h:
        await build(h)
        await h.say("leader", f"language {request.param}")
        async with TestClient(TestServer(site_app(h))) as client:
            yield request.param, h, client


def test_the_templates_are_in_the_catalogue():
    words = template_words()
    assert {"Skip to the content", "Upcoming", "Nothing found.", "{n} result"} <= words
    for lang in ("fr", "de"):
        assert translations(lang).gettext("Upcoming") != "Upcoming"
        assert translations(lang).ngettext("{n} result", "{n} results", 2) != "{n} results"


async def test_every_page_is_in_the_community_language(localized):
    lang, h, client = localized
    for path in PAGES:
        r = await client.get(f"/c/1/{path}")
        body = await r.text()
        assert r.status == 200, (path, body[:300])
        assert f'<html lang="{lang}">' in body, path
        for heading in HEADINGS[lang][path]:
            assert heading in body, (lang, path, heading)
        assert not english_left(body, lang), (lang, path, english_left(body, lang))
        for english in (">Home<", ">Events<", ">Search<", "Skip to the content", "Made with"):
            assert english not in body, (lang, path, english)
    events = await (await client.get("/c/1/events")).text()
    month = {"fr": "janv.", "de": "Jan."}[lang]  # dates in the language (6 January 2026)
    assert re.search(rf">\w+\.? 6 {re.escape(month)} 2026, 12:30<", events), events
    assert {"fr": "Lean coffee", "de": "Lean Coffee"}[lang] in events  # a name, not an id
    assert '<span class="format">leancoffee</span>' not in events
    actions = await (await client.get("/c/1/actions")).text()
    assert "19 janv. 2026" in actions if lang == "fr" else "19 Jan. 2026" in actions
    search = await (await client.get("/c/1/search?q=overlap")).text()
    assert {"fr": "enseignement", "de": "Erkenntnis"}[lang] in search  # the kind's word
    log = await (await client.get("/c/1/log")).text()
    for raw in ("site.visibility", "series.created", "activity.started", "activity.ended"):
        assert raw not in log, raw  # every line in words
    talk = await (await client.get("/c/1/e/brownbag-1")).text()
    assert "4,5/5" in talk and "4.5/5" not in talk  # numbers in the language too
    event = await (await client.get("/c/1/e/leancoffee-1")).text()
    assert {"fr": "Tous les événements", "de": "Alle Termine"}[lang] in event


async def test_error_pages_speak_the_community_or_browser_language(localized):
    lang, h, client = localized
    missing = await client.get("/c/1/e/leancoffee-99")
    body = await missing.text()
    assert missing.status == 404
    assert f'<html lang="{lang}">' in body
    assert {"fr": "Introuvable", "de": "Nicht gefunden"}[lang] in body and "Not found" not in body
    # A site that is off, or no community at all: the browser's language, never the community's.
    await h.say("leader", "site off")
    for path in ("/c/1/", "/c/424242/"):
        for header, expect, word in (
            ("de-DE,de;q=0.9,en;q=0.5", "de", "Nicht gefunden"),
            ("en-GB;q=0.4, fr-CA;q=0.8", "fr", "Introuvable"),
            ("xx, *;q=0.1", "en", "Not found"),
            ("", "en", "Not found"),
            ("fr;q=abc," * 40, "en", "Not found"),  # malformed: English, no error
        ):
            r = await client.get(path, headers={"Accept-Language": header})
            text = await r.text()
            assert r.status == 404 and f'<html lang="{expect}">' in text and word in text, (
                path,
                header,
            )
    await h.say("leader", "site members")  # a members' site without a link: the community's
    r = await client.get("/c/1/", headers={"Accept-Language": "en"})
    text = await r.text()
    assert r.status == 403 and f'<html lang="{lang}">' in text
    assert {"fr": "Lien non valide", "de": "Link ungültig"}[lang] in text
