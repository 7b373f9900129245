"""The community site over real HTTP (aiohttp on loopback): visibility and signed links, every
page of a community built through the test kit, escaping, security headers, search (FTS5 on
SQLite, full text on PostgreSQL), the Markdown export and ``copkit export --markdown``."""

from __future__ import annotations

import asyncio
import io
import os
import re
import zipfile
from datetime import timedelta

import pytest
from aiohttp.test_utils import TestClient, TestServer
from site_kit import SCRIPT_TOPIC, TAKEAWAY, build, site_app

from copkit.cli import main
from copkit.core.events import CommunityRef
from copkit.plugins.site import links
from copkit.testing import Harness

PAGES = ("", "events", "actions", "health", "log", "search?q=overlap", "export")


@pytest.fixture
async def built(db_url):
    async with Harness(db_url) as h:
        await build(h)
        async with TestClient(TestServer(site_app(h))) as client:
            yield h, client


def link_of(h: Harness, person: str) -> str:
    text = h.last(private_to=person).text
    found = re.search(r"(/c/\d+/k/[^/\s]+/)", text)
    assert found, text
    return found.group(1)


async def test_every_page_renders_escaped_with_security_headers(built):
    h, client = built
    for path in PAGES:
        r = await client.get(f"/c/1/{path}")
        body = await r.text()
        assert r.status == 200, (path, body[:500])
        assert r.headers["Content-Security-Policy"].startswith("default-src 'none'")
        assert "script-src" not in r.headers["Content-Security-Policy"]  # no script at all
        assert r.headers["X-Content-Type-Options"] == "nosniff"
        assert r.headers["Referrer-Policy"] == "no-referrer"
        assert "<script" not in body.lower()
    minutes = await (await client.get("/c/1/e/leancoffee-1")).text()
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in minutes and SCRIPT_TOPIC not in minutes
    assert TAKEAWAY in minutes and "Write a pairing guide" in minutes
    assert "proposed by bob" in minutes  # who proposed what
    talk = await (await client.get("/c/1/e/brownbag-1")).text()
    assert 'href="https://slides.example/bb-1"' in talk and "4.5" in talk  # links, average
    assert "Try Hypothesis" in talk
    actions = await (await client.get("/c/1/actions")).text()
    assert "Write a pairing guide" in actions and "2026-01-19" in actions
    home = await (await client.get("/c/1/")).text()
    assert "Kubernetes for developers" in home and 'href="/c/1/calendar.ics"' in home
    png = await client.get("/c/1/img/healthcheck-grid.png")
    assert png.status == 200 and (await png.read()).startswith(b"\x89PNG")
    for missing in (
        "/c/1/e/leancoffee-99",
        "/c/1/e/leancoffee-99999999999",
        "/c/99999999999/",
        "/c/123456789/",
        "/c/1/img/healthcheck-trend-99999999999999.png",
        "/c/1/img/nothing.png",
        "/c/1/e/%3Cscript%3E",
        "/c/1/e/leancoffee-²",
        "/c/1/e/brownbag-①",
        "/c/1/e/healthcheck-١٢",
        "/c/1/e/lightning-1_0",
        "/c/1/img/healthcheck-trend-².png",
    ):
        assert (await client.get(missing)).status == 404, missing
    for method in ("POST", "PUT", "DELETE"):
        assert (await client.request(method, "/c/1/")).status == 405  # read-only


async def test_health_shows_aggregates_only(built):
    h, client = built
    body = await (await client.get("/c/1/health")).text()
    assert "4 of 5 members answered" in body and "We know why we meet" in body
    for who in ("ann", "bob", "cid", "dan"):  # no respondent is ever named
        assert f">{who}<" not in body and f" {who} " not in body
    assert 'img src="/c/1/img/healthcheck-grid.png"' in body
    assert re.search(r'img src="/c/1/img/healthcheck-trend-\d+\.png"', body)


async def test_visibility_off_members_public_and_links(built):
    h, client = built
    await h.say("leader", "site off")
    assert (await client.get("/c/1/")).status == 404
    await h.say("ann", "site")
    assert "no site yet" in h.last(private_to="ann").text
    await h.say("ann", "site public")  # only the leader decides
    assert (await client.get("/c/1/")).status == 404
    await h.say("leader", "site members")
    assert (await client.get("/c/1/")).status == 403  # no link
    await h.say("ann", "site")
    link = link_of(h, "ann")
    assert h.last(private_to="ann").text.count("http://127.0.0.1/c/1/k/") == 2  # and the feed
    page = await client.get(link + "events")
    assert page.status == 200
    assert f'href="{link}e/leancoffee-1"' in await page.text()  # links keep the token
    tampered = link.replace("/k/1.", "/k/2.") if "/k/1." in link else link[:-3] + "AA/"
    assert (await client.get(tampered)).status == 403
    cid, epoch, exp, sig = link.split("/")[4].split(".")
    assert (await client.get(f"/c/1/k/{cid}.{epoch}.{int(exp) + 99}.{sig}/")).status == 403
    assert (await client.get(f"/c/1/k/{cid}.{epoch}.{exp}.{sig[:-1]}x/")).status == 403
    h.clock.advance(timedelta(days=links.LINK_DAYS, seconds=1))  # expired
    assert (await client.get(link)).status == 403
    await h.say("bob", "site")
    fresh = link_of(h, "bob")
    assert (await client.get(fresh)).status == 200
    await h.say("leader", "site revoke")
    assert (await client.get(fresh)).status == 403
    await h.say("bob", "site")
    assert (await client.get(link_of(h, "bob"))).status == 200
    # A link of one community never opens another's site.
    mine = h.community_ref
    h.community_ref = CommunityRef("test", "other", "Other", owner_id="leader")
    await h.say("leader", "site members")
    h.community_ref = mine
    assert (await client.get(f"/c/2{fresh[4:]}")).status == 403


def feed_of(h: Harness, person: str) -> str:
    text = h.last(private_to=person).text
    found = re.search(r"(/c/\d+/k/[^/\s]+/calendar\.ics)", text)
    assert found, text
    return found.group(1)


async def test_members_calendar_feed_is_signed_and_revoked_with_the_links(built):
    from icalendar import Calendar

    h, client = built
    public = await client.get("/c/1/calendar.ics")  # a public site: its feed is public
    assert public.status == 200 and public.headers["Cache-Control"].startswith("public")
    await h.say("leader", "site members")
    assert (await client.get("/c/1/calendar.ics")).status == 404  # the feed is not public
    await h.say("ann", "site")
    feed, link = feed_of(h, "ann"), link_of(h, "ann")
    r = await client.get(feed)
    assert r.status == 200 and r.content_type == "text/calendar"
    assert r.headers["Cache-Control"].startswith("private")
    titles = [str(e["SUMMARY"]) for e in Calendar.from_ical(await r.read()).walk("VEVENT")]
    assert any("Kubernetes for developers" in t for t in titles), titles
    home = await (await client.get(link)).text()  # the site's pages link the signed feed
    assert re.search(r'href="/c/1/k/[^"/]+/calendar\.ics"', home), home[:2000]
    assert f'href="{link}calendar.ics"' not in home  # a site link never opens the feed ...
    assert (await client.get(f"{link}calendar.ics")).status == 403
    token = feed.split("/")[4]
    assert (await client.get(f"/c/1/k/{token}/")).status == 403  # ... nor a feed's the site
    cid, epoch, exp, sig = token.split(".")
    for bad in (f"{cid}.{epoch}.{int(exp) + 1}.{sig}", f"{cid}.{epoch}.{exp}.{sig[:-2]}AB", "x"):
        assert (await client.get(f"/c/1/k/{bad}/calendar.ics")).status == 403, bad
    h.clock.advance(timedelta(days=links.LINK_DAYS + 1))  # a feed lasts longer than a link
    assert (await client.get(feed)).status == 200
    await h.say("leader", "site revoke")
    assert (await client.get(feed)).status == 403
    await h.say("ann", "site")
    assert (await client.get(feed_of(h, "ann"))).status == 200
    await h.say("leader", "site off")
    assert (await client.get(feed_of(h, "ann"))).status == 404


async def test_search_finds_takeaways_notes_and_talks(built):
    h, client = built
    body = await (await client.get("/c/1/search?q=overlap+hours")).text()
    assert TAKEAWAY in body and 'href="/c/1/e/leancoffee-1"' in body
    body = await (await client.get("/c/1/search?q=Hypothesis")).text()
    assert 'href="/c/1/e/brownbag-1"' in body
    body = await (await client.get("/c/1/search?q=nothing-like-this")).text()
    assert "Nothing found" in body
    hostile = await client.get("/c/1/search", params={"q": '"<b>x</b> OR * NEAR(' + "a" * 500})
    assert hostile.status == 200 and "<b>x</b>" not in await hostile.text()
    # A takeaway added later is found on the next search.
    await h.say("leader", "leancoffee start")
    await h.say("ann", "leancoffee propose Onboarding")
    await h.say("leader", "leancoffee voting open")
    await h.say("ann", "leancoffee vote 1")
    await h.say("leader", "leancoffee voting close")
    await h.say("cid", "leancoffee takeaway Buddies beat wikis")
    await h.say("leader", "leancoffee end")
    assert "Buddies beat wikis" in await (await client.get("/c/1/search?q=buddies")).text()


async def test_export_zip(built):
    h, client = built
    r = await client.get("/c/1/export.zip")
    assert r.status == 200 and r.headers["Content-Type"] == "application/zip"
    archive = zipfile.ZipFile(io.BytesIO(await r.read()))
    names = archive.namelist()
    assert sorted(names) == [
        "2026-01-05-leancoffee-1.md",
        "2026-01-06-brownbag-1.md",
        "2026-01-06-healthcheck-1.md",
        "index.md",
    ]
    doc = archive.read("2026-01-05-leancoffee-1.md").decode()
    assert doc.startswith('---\ntitle: "Lean coffee"\ndate: 2026-01-05\nformat: leancoffee\n')
    assert "\\<script\\>" in doc  # escaped Markdown: a wiki shows it as text
    talk = archive.read("2026-01-06-brownbag-1.md").decode()
    assert "format: brownbag" in talk and "https://slides.example/bb-1" in talk


def test_copkit_export_markdown(tmp_path, monkeypatch, capsys):
    url = f"sqlite://{tmp_path / 'copkit.db'}"

    async def community() -> None:
        async with Harness(url) as h:
            await build(h)

    asyncio.run(community())
    monkeypatch.setenv("COPKIT_DATABASE_URL", url)
    monkeypatch.chdir(tmp_path)
    assert main(["export", "--markdown", str(tmp_path / "out")]) == 0
    written = sorted(p.name for p in (tmp_path / "out" / "1-cop").iterdir())
    assert "2026-01-05-leancoffee-1.md" in written and "index.md" in written
    assert "3 event files" in capsys.readouterr().out
    assert main(["export", "--markdown", str(tmp_path / "x"), "--community", "9"]) == 1
    assert "no community to export" in capsys.readouterr().err
    assert main(["export"]) == 1


def test_web_settings_are_checked():
    from copkit.adapters.web.settings import WebSettings
    from copkit.core.errors import ConfigError

    assert WebSettings.from_config({}, {}).address(3978) == "http://127.0.0.1:3978"
    s = WebSettings.from_config({"base_url": "https://cop.example.org/"}, {"COPKIT_WEB_PORT": "81"})
    assert s.port == 81 and s.address(81) == "https://cop.example.org"
    for values, env in (
        ({"port": 70000}, {}),
        ({"base_url": "cop.example.org"}, {}),
        ({"base_url": "javascript:alert(1)"}, {}),
        ({}, {"COPKIT_WEB_PORT": "eighty"}),
    ):
        with pytest.raises(ConfigError):
            WebSettings.from_config(values, env)


async def test_copkit_run_serves_the_site_beside_teams_alone_and_on_its_own_port(tmp_path):
    """``copkit run`` says where the site is and serves it from the process's HTTP server (one
    port, with the probes and the Teams endpoint), Teams on or off; with ``[web] port`` set to
    another port, the site and the calendar feeds listen there instead; when that port is
    taken, it says so and runs without the site."""
    import signal
    import socket
    import sys

    import aiohttp

    def free_port() -> int:
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            return s.getsockname()[1]

    env = {**os.environ, "COPKIT_DATABASE_URL": f"sqlite://{tmp_path / 'c.db'}"}
    env.update(PYTHONUNBUFFERED="1", COPKIT_SECRET="s3cret")
    for name in ("COPKIT_CONFIG", "DISCORD_TOKEN", "COPKIT_WEB_PORT"):
        env.pop(name, None)
    taken = socket.socket()
    taken.bind(("127.0.0.1", 0))
    taken.listen()
    busy = taken.getsockname()[1]
    teams_port, alone_port, main_port, web_port = (free_port() for _ in range(4))
    cases = [  # (arguments, [web] port, where the site is: a port, or None)
        ([], None, teams_port, teams_port),
        (["--no-teams"], None, alone_port, alone_port),
        (["--no-teams"], web_port, main_port, web_port),
        (["--no-teams"], busy, main_port, None),
    ]
    try:
        for extra, web, port, site_port in cases:
            env_web = {**env, **({"COPKIT_WEB_PORT": str(web)} if web else {})}
            proc = await asyncio.create_subprocess_exec(
                sys.executable, "-m", "copkit", "run", "--no-discord", "--port", str(port),
                *extra, cwd=tmp_path, env=env_web, stdout=asyncio.subprocess.PIPE,
                stderr=asyncio.subprocess.PIPE,
            )  # fmt: skip
            try:
                said: list[str] = []
                while not any(line.startswith("copkit: ready in") for line in said):
                    line = (await asyncio.wait_for(proc.stdout.readline(), 60)).decode()
                    assert line, said
                    said.append(line)
                text = "".join(said)
                if site_port is None:
                    assert (
                        f"site: not served by this process: cannot listen on 127.0.0.1:{busy}"
                        in text
                    )
                    assert "site: http://" not in text
                else:
                    assert f"site: http://127.0.0.1:{site_port}/c/<community>/" in text, text
                async with aiohttp.ClientSession() as http:
                    if site_port is not None:
                        base = f"http://127.0.0.1:{site_port}"
                        async with http.get(f"{base}/static/site.css") as r:
                            assert (
                                r.status == 200 and r.headers["X-Content-Type-Options"] == "nosniff"
                            )
                        for path in ("/c/1/", "/c/1/calendar.ics"):
                            async with http.get(base + path) as r:
                                assert r.status == 404  # no community, or its site off
                                assert r.content_type != "application/json"  # not "starting"
                        async with http.get(f"{base}/readyz") as r:
                            assert r.status == 200
                    if site_port != port:  # the main port serves no site then
                        async with http.get(f"http://127.0.0.1:{port}/static/site.css") as r:
                            assert r.status == 404, (text, await r.text())
                    async with http.get(f"http://127.0.0.1:{port}/healthz") as r:
                        assert r.status == 200
                    async with http.post(f"http://127.0.0.1:{port}/api/messages", json={}) as r:
                        assert (r.status == 404) == (extra == ["--no-teams"])
            finally:
                proc.send_signal(signal.SIGTERM)
                await asyncio.wait_for(proc.communicate(), 30)
            assert proc.returncode == 0
    finally:
        taken.close()
