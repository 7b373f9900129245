"""The Teams meeting tab's address (``/events?teams_chat={chatId}&teams_meeting={meetingId}``,
from the app package's manifest) is a real page: the Events page of the meeting chat's
community when its site is public, a short page in the browser's (or community's) language
otherwise; an id that is not one, or a placeholder Teams left unfilled, changes nothing."""

from __future__ import annotations

from urllib.parse import urlencode

import pytest
from aiohttp.test_utils import TestClient, TestServer
from site_kit import site_app

from copkit.adapters.teams.manifest import TAB_PATH
from copkit.core.events import CommunityRef
from copkit.testing import Harness

CHAT = "19:meeting_NTg0OGRhYjQtOGI2Zi00@thread.v2"
MEETING = "MCMxOTptZWV0aW5nX05UZzBP"


def tab(chat: str, meeting: str = MEETING) -> str:
    """The tab's address as Teams fills it in."""
    path, _, query = TAB_PATH.partition("?")
    filled = query.replace("{chatId}", "CHAT").replace("{meetingId}", "MEETING")
    params = dict(p.split("=") for p in filled.split("&"))
    values = {k: {"CHAT": chat, "MEETING": meeting}[v] for k, v in params.items()}
    return f"{path}?{urlencode(values)}"


@pytest.fixture
async def teams(db_url):
    async with Harness(db_url) as h:
        await h.say("leader", "help")  # a first community (id 1), on the test platform
        h.community_ref = CommunityRef("teams", f"tenant-1/{CHAT}", "Meeting", owner_id="leader")
        await h.say("leader", "leancoffee start")
        await h.say("leader", "leancoffee end")
        async with TestClient(TestServer(site_app(h))) as client:
            yield h, client


async def test_the_meeting_tab_opens_the_chats_events_page(teams):
    h, client = teams
    url = tab(CHAT)
    assert url.startswith("/events?teams_chat=")
    # Site off (the default): a short page, no community named.
    r = await client.get(url, headers={"Accept-Language": "de-DE"})
    body = await r.text()
    assert r.status == 404 and "Diesem Chat ist noch keine Community-Website" in body
    assert "Meeting" not in body and '<html lang="de">' in body
    await h.say("leader", "site members")
    r = await client.get(url)
    assert r.status == 403 and "type “site” in the chat" in await r.text()
    await h.say("leader", "site public")
    r = await client.get(url, allow_redirects=False)
    assert r.status == 302 and r.headers["Location"] == "/c/2/events"
    page = await client.get(url)  # followed: the community's Events page
    body = await page.text()
    assert page.status == 200 and "<h1>Events</h1>" in body and "Lean coffee" in body
    # A channel thread's id (";messageid=…") is the same chat.
    r = await client.get(tab(CHAT + ";messageid=1700000000000"), allow_redirects=False)
    assert r.headers.get("Location") == "/c/2/events"


@pytest.mark.parametrize(
    "query",
    [
        "",
        "teams_chat={chatId}&teams_meeting={meetingId}",  # placeholders left unfilled
        "teams_chat=19:other@thread.v2",
        "teams_chat=" + "x" * 5000,
        "teams_chat=%00%3Cscript%3E",
        "teams_chat=tenant-1/" + CHAT,
        "teams_chat=%",
    ],
)
async def test_a_tab_address_naming_no_site_is_a_short_404(teams, query):
    h, client = teams
    await h.say("leader", "site public")
    r = await client.get("/events?" + query if query else "/events", allow_redirects=False)
    body = await r.text()
    assert r.status == 404 and "no community site yet" in body, body[:300]
    assert "<script" not in body
