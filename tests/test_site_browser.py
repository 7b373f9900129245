"""The community site in a real browser: headless Chromium (Debian's ``/usr/bin/chromium``)
driven by Playwright's Python API, against copkit's site served over loopback.

A community is built through the test kit (a lean coffee with minutes, brown bags, a health
check), then browsed page by page through its links; the search finds a takeaway; a topic
``<script>alert(1)</script>`` is shown as text and never runs (no dialog opens); a tampered link
gets 403; screenshots of home and an event page are saved under ``test-artifacts/`` (or
``$COPKIT_TEST_ARTIFACTS``) and decoded to check they are not blank; axe-core (from the npm
registry, see ``.ci/run``) finds no serious or critical violation on any page.

One browser serves the whole session (``chromium`` fixture). Without Chromium or axe-core the
tests are skipped locally and fail under ``CI=true``.
"""

from __future__ import annotations

import io
import os
import re
import shutil
import subprocess
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
import pytest_asyncio
from aiohttp import web
from site_kit import EMOJI_TOPIC, SCRIPT_TOPIC, SERIES_TITLE, TAKEAWAY, build, site_app

from copkit.testing import Harness

CHROMIUM = Path(os.environ.get("COPKIT_CHROMIUM", "/usr/bin/chromium"))
ROOT = Path(__file__).resolve().parent.parent
ARTIFACTS = Path(os.environ.get("COPKIT_TEST_ARTIFACTS", ROOT / "test-artifacts"))
AXE_DIR = Path(os.environ.get("COPKIT_AXE_DIR", ROOT / ".cache" / "axe"))
AXE = AXE_DIR / "node_modules" / "axe-core" / "axe.min.js"
IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")

pytestmark = pytest.mark.asyncio(loop_scope="session")


def missing(what: str) -> None:
    if IN_CI:
        pytest.fail(f"{what} (CI installs it: see .ci/run)")
    pytest.skip(f"{what}; install it to run the browser tests")


@pytest_asyncio.fixture(scope="session", loop_scope="session")
async def chromium() -> AsyncIterator[Any]:
    if not CHROMIUM.exists():
        missing(f"no Chromium at {CHROMIUM} (apt-get install chromium)")
    try:
        from playwright.async_api import async_playwright
    except ImportError:
        missing("the playwright package is not installed")
    async with async_playwright() as p:
        browser = await p.chromium.launch(
            executable_path=str(CHROMIUM), args=["--no-sandbox", "--disable-gpu"]
        )
        yield browser
        await browser.close()


async def serve(tmp_path: Path) -> AsyncIterator[tuple[Harness, str]]:
    async with Harness(f"sqlite://{tmp_path / 'copkit.db'}") as h:
        await build(h)
        runner = web.AppRunner(site_app(h))
        await runner.setup()
        site = web.TCPSite(runner, "127.0.0.1", 0)
        await site.start()
        port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
        h.rt.services.site.base_url = f"http://127.0.0.1:{port}"
        try:
            yield h, f"http://127.0.0.1:{port}"
        finally:
            await runner.cleanup()


@pytest_asyncio.fixture(loop_scope="session")
async def served(tmp_path: Path) -> AsyncIterator[tuple[Harness, str]]:
    async for pair in serve(tmp_path):
        yield pair


def not_blank(png: bytes) -> None:
    """A real picture: a PNG of a sensible size with many colours (text, header, links)."""
    from PIL import Image

    image = Image.open(io.BytesIO(png))
    image.load()
    assert image.format == "PNG" and image.width >= 800 and image.height >= 400
    colours = image.convert("RGB").getcolors(maxcolors=1 << 20) or []
    assert len(colours) > 50, f"only {len(colours)} colours: blank?"
    commonest = max(n for n, _c in colours)
    assert commonest < 0.97 * image.width * image.height, "one colour fills the page"


async def test_browse_the_site_page_by_page(chromium, served):
    h, base = served
    context = await chromium.new_context(viewport={"width": 1100, "height": 900})
    page = await context.new_page()
    dialogs: list[str] = []
    page.on("dialog", lambda d: dialogs.append(d.message))
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)

    home = await page.goto(f"{base}/c/1/")
    assert home is not None and home.status == 200
    assert await page.locator("h1").inner_text() == "Cop"
    assert "Kubernetes for developers" in await page.locator("#next ~ ul").inner_text()
    calendar = await page.get_by_role("link", name="Add to my calendar").first.get_attribute("href")
    assert calendar == "/c/1/calendar.ics"
    assert await page.get_by_text("Latest minutes").count() == 1
    assert await page.locator('img[alt="Traffic-light grid of the health checks"]').count() == 1
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    shot = await page.screenshot(path=str(ARTIFACTS / "site-home.png"), full_page=True)
    not_blank(shot)

    # Page by page, through the site's own navigation.
    for label, heading in (
        ("Events", "Events"),
        ("Actions", "Open actions"),
        ("Health", "Health"),
        ("Log", "Community log"),
        ("Search", "Search"),
        ("Export", "Export"),
        ("Home", "Cop"),
    ):
        await page.get_by_role("navigation").get_by_role("link", name=label, exact=True).click()
        await page.wait_for_load_state()
        assert await page.locator("h1").inner_text() == heading, label
        current = page.get_by_role("navigation").locator('[aria-current="page"]')
        assert await current.inner_text() == label

    # The lean coffee's minutes: the injected topic is text, and nothing ran.
    await page.get_by_role("navigation").get_by_role("link", name="Events").click()
    await page.get_by_role("link", name="Lean coffee").first.click()
    await page.wait_for_load_state()
    article = await page.locator("article").inner_text()
    assert SCRIPT_TOPIC in article and TAKEAWAY in article
    assert "proposed by bob" in article and "Write a pairing guide" in article
    assert await page.locator("article script").count() == 0
    shot = await page.screenshot(path=str(ARTIFACTS / "site-event.png"), full_page=True)
    not_blank(shot)

    # A brown bag's record: slides and recording links, the feedback average.
    await page.go_back()
    await page.get_by_role("link", name="Property testing").click()
    await page.wait_for_load_state()
    slides = page.get_by_role("link", name="https://slides.example/bb-1")
    assert await slides.get_attribute("href") == "https://slides.example/bb-1"
    assert "4.5" in await page.locator("article").inner_text()

    # The health check round: aggregates and the grid picture, which loads.
    await page.go_back()
    await page.get_by_role("link", name="Health check #1").click()
    await page.wait_for_load_state()
    assert "4 of 5 members answered" in await page.locator("article").inner_text()
    await page.locator("article img").first.scroll_into_view_if_needed()
    await page.wait_for_function(  # the picture (drawn on request) arrives and decodes
        "() => { const i = document.querySelector('article img');"
        " return i && i.complete && i.naturalWidth > 100; }",
        timeout=20000,
    )

    # Search finds the takeaway and leads to its event.
    await page.get_by_role("navigation").get_by_role("link", name="Search").click()
    await page.get_by_label("Search minutes, notes, takeaways and talks").fill("overlap hours")
    await page.get_by_role("button", name="Search").click()
    await page.wait_for_load_state()
    hits = page.locator("ol.hits")
    assert TAKEAWAY in await hits.inner_text()
    await hits.get_by_role("link").first.click()
    await page.wait_for_load_state()
    assert re.search(r"/c/1/e/leancoffee-1$", page.url)

    # The same hostile topic typed into the search box is echoed as text.
    await page.goto(f"{base}/c/1/search?q=" + "%3Cscript%3Ealert(1)%3C/script%3E")
    assert await page.locator("main script").count() == 0
    await page.wait_for_timeout(200)
    assert dialogs == [], dialogs
    assert not [e for e in errors if "Content Security Policy" in e], errors
    await context.close()


async def test_members_links_and_tampering(chromium, served):
    h, base = served
    await h.say("leader", "site members")
    context = await chromium.new_context()
    page = await context.new_page()
    assert (await page.goto(f"{base}/c/1/")).status == 403
    await h.say("ann", "site")
    link = re.search(r"http://\S+/k/\S+/", h.last(private_to="ann").text).group(0)
    ok = await page.goto(link)
    assert ok.status == 200
    await page.get_by_role("navigation").get_by_role("link", name="Events").click()
    assert "/k/" in page.url  # the link's signature travels with every page
    token = link.rstrip("/").rsplit("/", 1)[1]
    tampered = link.replace(token, token[:-2] + ("AA" if not token.endswith("AA") else "BB"))
    denied = await page.goto(tampered)
    assert denied.status == 403
    assert "Ask for a new one" in await page.locator("main").inner_text()
    # In French: the page's language, its heading and its navigation follow the community's.
    await h.say("leader", "language fr")
    assert (await page.goto(link + "events")).status == 200
    assert await page.locator("html").get_attribute("lang") == "fr"
    heading = page.get_by_role("heading", level=1)
    assert await heading.inner_text() == "Événements"
    nav = page.get_by_role("navigation")
    assert await nav.get_by_role("link", name="Accueil").count() == 1
    assert await nav.get_by_role("link", name="Home").count() == 0
    await nav.get_by_role("link", name="Actions").click()
    assert await heading.inner_text() == "Actions ouvertes"
    assert (await page.goto(tampered)).status == 403
    assert await page.locator("html").get_attribute("lang") == "fr"
    assert await heading.inner_text() == "Lien non valide"
    await h.say("leader", "site off")
    assert (await page.goto(link)).status == 404
    await context.close()


async def test_calendar_link_downloads_and_parses(chromium, served):
    h, base = served
    context = await chromium.new_context(accept_downloads=True)
    page = await context.new_page()
    await page.goto(f"{base}/c/1/")
    href = await page.get_by_role("link", name="Add to my calendar").first.get_attribute("href")
    assert href == "/c/1/calendar.ics"  # a public site's feed is public too
    response = await context.request.get(f"{base}{href}")
    from icalendar import Calendar

    assert response.status == 200
    cal = Calendar.from_ical(await response.body())
    titles = [str(e.get("SUMMARY")) for e in cal.walk("VEVENT")]
    assert any("Kubernetes for developers" in t for t in titles), titles
    # The brown-bag series: one VEVENT with its RRULE, in the community's zone.
    [series] = [e for e in cal.walk("VEVENT") if SERIES_TITLE in str(e.get("SUMMARY"))]
    assert series["RRULE"].to_ical().decode() == "FREQ=MONTHLY;BYDAY=+2TU"
    # ... and its first session is on the Events page, upcoming.
    await page.get_by_role("navigation").get_by_role("link", name="Events").click()
    upcoming = page.locator("section", has=page.get_by_role("heading", name="Upcoming"))
    assert await upcoming.get_by_role("link", name=SERIES_TITLE).count() == 1
    await context.close()


EMOJI_FONTS = ("Noto Color Emoji", "Apple Color Emoji", "Segoe UI Emoji", "Symbola")


async def test_emoji_in_titles_are_drawn_with_an_emoji_font(chromium, served):
    """Chromium says which fonts drew a text (DevTools' CSS.getPlatformFontsForNode): the
    rocket of a topic's title is drawn by an emoji font, not as the text font's empty box."""
    if not shutil.which("fc-list"):
        missing("fontconfig (fc-list) is not installed")
    families = subprocess.run(["fc-list", ":", "family"], capture_output=True, text=True).stdout
    if not any(f in families for f in EMOJI_FONTS):
        missing("no emoji font is installed (Debian: fonts-noto-color-emoji)")
    h, base = served
    context = await chromium.new_context()
    page = await context.new_page()
    await page.goto(f"{base}/c/1/e/leancoffee-1")
    item = page.get_by_text(EMOJI_TOPIC).first
    await item.evaluate("e => { e.id = 'emoji-probe'; }")
    cdp = await context.new_cdp_session(page)
    await cdp.send("DOM.enable")
    await cdp.send("CSS.enable")
    root = await cdp.send("DOM.getDocument")
    node = await cdp.send(
        "DOM.querySelector", {"nodeId": root["root"]["nodeId"], "selector": "#emoji-probe"}
    )
    fonts = await cdp.send("CSS.getPlatformFontsForNode", {"nodeId": node["nodeId"]})
    used = [f["familyName"] for f in fonts["fonts"]]
    assert any(f in EMOJI_FONTS for f in used), used
    await context.close()


def axe_script() -> Path:
    if not AXE.exists() and shutil.which("npm"):
        AXE_DIR.mkdir(parents=True, exist_ok=True)
        subprocess.run(
            ["npm", "install", "--no-save", "--prefix", str(AXE_DIR), "axe-core@4"],
            check=False,
            capture_output=True,
            timeout=180,
        )
    if not AXE.exists():
        missing(f"axe-core is not at {AXE} (npm install --no-save --prefix {AXE_DIR} axe-core@4)")
    return AXE


async def test_no_serious_accessibility_violation_on_any_page(chromium, served):
    h, base = served
    axe = axe_script()
    # axe is injected as a script: only this test's context lets it past the site's CSP.
    context = await chromium.new_context(bypass_csp=True)
    page = await context.new_page()
    paths = [
        "",
        "events",
        "actions",
        "health",
        "log",
        "search",
        "search?q=overlap",
        "export",
        "e/leancoffee-1",
        "e/brownbag-1",
        "e/brownbag-2",
        "e/healthcheck-1",
        "e/nothing-1",  # the 404 page
    ]
    report = []
    seen: set[str] = set()
    for path in paths:
        await page.goto(f"{base}/c/1/{path}")
        await page.add_script_tag(path=str(axe))
        result = await page.evaluate(
            "async () => { const r = await axe.run(document);"
            " return {passes: r.passes.length, violations: r.violations.map(v => ({id: v.id,"
            " impact: v.impact, nodes: v.nodes.length, target: v.nodes[0] && v.nodes[0].target}))}; }"
        )
        assert result["passes"] > 10, (path, result)  # axe ran its rules on a real page
        bad = [v for v in result["violations"] if v["impact"] in ("serious", "critical")]
        seen.update(f"{v['id']} ({v['impact']})" for v in result["violations"])
        report += [(path, v) for v in bad]
    assert not report, report
    print("axe: minor or moderate findings:", sorted(seen) or "none")
    await context.close()
