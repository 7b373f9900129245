"""Builds a community worth a site through the test kit (no tests here): a lean coffee with
minutes (one topic's title is a script), a brown bag given and one planned, a brown-bag series,
and a closed health check. And an aiohttp app serving the site for it."""

from __future__ import annotations

from datetime import timedelta

from aiohttp import web
from test_healthcheck_helpers import answer, close, start

from copkit.adapters.calendar_http import add_calendar_routes
from copkit.adapters.web import setup_site
from copkit.testing import Harness

SCRIPT_TOPIC = "<script>alert(1)</script>"
TAKEAWAY = "Overlap hours beat tools"
EMOJI_TOPIC = "Career ladders 🚀"  # shown with an emoji font, never as an empty box
MEMBERS = ("ann", "bob", "cid", "dan")
SERIES_TITLE = "Monthly tech talk"


async def lean_coffee(h: Harness) -> None:
    await h.say("leader", "leancoffee start --timebox 5m")
    await h.say("ann", "leancoffee propose Pairing across time zones")
    await h.say("bob", f"leancoffee propose {SCRIPT_TOPIC}")
    await h.say("cid", f"leancoffee propose {EMOJI_TOPIC}")
    await h.say("leader", "leancoffee voting open")
    for who in ("ann", "bob", "cid"):
        await h.say(who, "leancoffee vote 1")
    await h.say("dan", "leancoffee vote 2")
    await h.say("leader", "leancoffee voting close")
    await h.say("ann", f"leancoffee takeaway {TAKEAWAY}")
    await h.say("ann", "leancoffee action Write a pairing guide --owner @ann --due 2026-01-19")
    await h.advance(minutes=6)
    await h.advance(minutes=2)
    await h.say("leader", "leancoffee end")


async def brown_bags(h: Harness) -> None:
    await h.say(
        "leader",
        'brownbag schedule "Property testing" --speaker @bob --at "2026-01-06 12:30"'
        ' --where "Room Ada"',
    )
    await h.advance(hours=30)
    await h.say("ann", "brownbag feedback 1 5 One property test per bug fix")
    await h.say("cid", "brownbag feedback 1 4 Try Hypothesis")
    await h.say(
        "bob",
        "brownbag links 1 --recording https://video.example/bb-1 --slides https://slides.example/bb-1",
    )
    await h.say(
        "leader",
        'brownbag schedule "Kubernetes for developers" --speaker @cid --at "2026-02-03 12:30"',
    )
    # A series: its first session is made a week ahead of its first date (brownbag-3).
    await h.say(
        "leader",
        f'brownbag schedule "{SERIES_TITLE}" --speaker @dan --every "2nd tuesday 12:30"',
    )


async def health_check(h: Harness) -> None:
    rid = await start(h, "--min-responses 3")
    for who, colour in zip(MEMBERS, ("green", "green", "amber", "red"), strict=True):
        await answer(
            h, who, rid, colour, "same", {0: "We know why we meet"} if who == "bob" else {}
        )
    await close(h)
    await h.advance(timedelta(seconds=1))


async def build(h: Harness) -> None:
    """The whole community; its site public."""
    for who in MEMBERS:
        await h.say(who, "help")
    await lean_coffee(h)
    await brown_bags(h)
    await health_check(h)
    await h.say("leader", "site public")


def site_app(h: Harness) -> web.Application:
    """The site and the calendar feeds it links, as ``copkit run`` serves them."""
    app = web.Application()
    setup_site(app, h.rt, base_url="http://127.0.0.1")
    add_calendar_routes(app, h.rt)
    return app
