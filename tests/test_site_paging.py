"""The Events page in pages: 50 past events a page, newest first, with "Older" and "Newer"
links; the upcoming ones on the first page; a page number that is not a page answers a short
404 page (never an error)."""

from __future__ import annotations

import re

import pytest
from aiohttp.test_utils import TestClient, TestServer
from site_kit import site_app

from copkit.adapters.web.pages import PAST_PER_PAGE
from copkit.testing import Harness

COFFEES = PAST_PER_PAGE + 7  # two pages of past events (with the brown bag: 58)


@pytest.fixture
async def many(db_url):
    async with Harness(db_url) as h:
        for n in range(COFFEES):
            await h.say("leader", f'leancoffee start --title "Coffee {n:02d}"')
            await h.advance(minutes=30)
            await h.say("leader", "leancoffee end")
            await h.advance(hours=20)
        await h.say("leader", 'brownbag schedule "Ahead" --speaker @leader --at "2027-06-01 12:30"')
        await h.say("leader", "site public")
        async with TestClient(TestServer(site_app(h))) as client:
            yield h, client


def titles(body: str) -> list[str]:
    return re.findall(r'<a href="/c/1/e/[a-z]+-\d+">(Coffee \d\d|Ahead)</a>', body)


async def test_past_events_come_fifty_a_page(many):
    h, client = many
    first = await client.get("/c/1/events")
    body = await first.text()
    assert first.status == 200
    shown = titles(body)
    assert shown[0] == "Ahead"  # upcoming first, on page 1 only
    past = shown[1:]
    assert len(past) == PAST_PER_PAGE
    assert past[0] == f"Coffee {COFFEES - 1:02d}" and past[-1] == f"Coffee {COFFEES - 50:02d}"
    assert f"{COFFEES} past events · page 1 of 2" in body
    assert 'rel="next" href="/c/1/events?page=2"' in body and 'rel="prev"' not in body

    second = await client.get("/c/1/events?page=2")
    body = await second.text()
    assert second.status == 200
    assert titles(body) == [f"Coffee {n:02d}" for n in range(COFFEES - 51, -1, -1)]
    assert 'rel="prev" href="/c/1/events"' in body and 'rel="next"' not in body
    assert "page 2 of 2" in body and "Ahead" not in body
    assert (await client.get("/c/1/events?page=1")).status == 200
    assert (await client.get("/c/1/events?page= 2 ")).status == 200

    for bad in ("3", "0", "-1", "abc", "1.5", "²", "99999999999999999999", "%00", "", "1e3"):
        r = await client.get("/c/1/events", params={"page": bad})
        text = await r.text()
        assert r.status == 404, bad
        assert "Not found" in text and "Traceback" not in text, bad
    # A members' link keeps its token in the page links.
    await h.say("leader", "site members")
    await h.say("ann", "site")
    link = re.search(r"(/c/1/k/[^/\s]+/)", h.last(private_to="ann").text).group(1)
    body = await (await client.get(link + "events")).text()
    assert f'rel="next" href="{link}events?page=2"' in body


async def test_a_community_with_few_events_has_one_page(db_url):
    async with Harness(db_url) as h:
        await h.say("leader", "site public")
        async with TestClient(TestServer(site_app(h))) as client:
            body = await (await client.get("/c/1/events")).text()
            assert "No event yet." in body and 'rel="next"' not in body
            assert (await client.get("/c/1/events?page=1")).status == 200
            assert (await client.get("/c/1/events?page=2")).status == 404
