"""The community brand through the core: colours in any common form, the contrast check, the
logo's checks, the name from the workshop's vote, the leader's rights by command and button,
the log in human words, and the brand on every format's views (and pictures) once chosen."""

from __future__ import annotations

import dataclasses
import io
import subprocess
import sys
from datetime import date

import pytest
from PIL import Image as PILImage

from copkit.core import brand as core_brand
from copkit.core import brand_picture
from copkit.core.brand_models import BrandRow
from copkit.core.colours import contrast, parse_colour
from copkit.core.context import JobContext
from copkit.core.errors import UserError
from copkit.core.events import Upload
from copkit.plugins.workshop.canvas_commands import store_outcome
from copkit.plugins.workshop.outcome import WorkshopOutcome
from copkit.testing import Harness

PLUGINS = [
    "copkit.plugins.core_commands",
    "copkit.plugins.core_brand",
    "copkit.plugins.leancoffee",
    "copkit.plugins.healthcheck",
    "copkit.plugins.workshop.canvas",
]
THEMES = (("light", "#ffffff"), ("dark", "#1e1e1e"))


def png(width: int, height: int, colour=(200, 30, 30), fmt: str = "PNG") -> bytes:
    buf = io.BytesIO()
    PILImage.new("RGB", (width, height), colour).save(buf, format=fmt)
    return buf.getvalue()


@pytest.mark.parametrize(
    ("typed", "hex_"),
    [
        ("#3b82f6", "#3b82f6"),
        ("3b82f6", "#3b82f6"),
        ("  #3B82F6 ", "#3b82f6"),
        ("#38f", "#3388ff"),
        ("blue", "#0000ff"),
        ("RebeccaPurple", "#663399"),
        ("rgb(59, 130, 246)", "#3b82f6"),
        ("hsl(120, 100%, 25%)", "#008000"),
    ],
)
def test_colours_in_any_common_form(typed, hex_):
    assert parse_colour(typed) == hex_


@pytest.mark.parametrize("typed", ["", "nope", "#12345", "#gggggg", "blue-ish", "#" * 300])
def test_a_colour_nobody_knows_is_refused_with_examples(typed):
    with pytest.raises(UserError) as err:
        parse_colour(typed)
    assert "#3b82f6" in err.value.message and len(err.value.message) < 200


def test_contrast_is_wcag_and_the_check_says_which_theme_and_why():
    assert round(contrast("#000000", "#ffffff"), 1) == 21.0
    assert round(contrast("#777777", "#ffffff"), 2) == 4.48
    with pytest.raises(UserError) as err:
        core_brand.check_accent("yellow", THEMES, "the terminal")
    said = err.value.message
    assert "#ffff00" in said and "light theme of the terminal (#ffffff)" in said
    assert "1.1:1" in said and "3:1" in said
    near = said.split(" is a near colour")[0].rsplit(" ", 1)[-1]
    assert core_brand.readable(near, THEMES)  # the suggestion passes the same check
    with pytest.raises(UserError) as err:
        core_brand.check_accent("navy", THEMES, "the terminal")
    assert "dark theme" in err.value.message
    assert core_brand.check_accent("3b82f6", THEMES, "the terminal") == "#3b82f6"


def test_a_logo_is_square_small_enough_and_a_picture():
    with pytest.raises(UserError, match="not a picture"):
        brand_picture.check_logo(b"GIF89a but not really")
    with pytest.raises(UserError, match="square; this one is 300×200"):
        brand_picture.check_logo(png(300, 200))
    with pytest.raises(UserError, match="2.0 MB|2.1 MB"):
        brand_picture.check_logo(b"\x89PNG" + b"0" * (2 * 1024 * 1024 + 10))
    with pytest.raises(UserError, match="too small"):
        brand_picture.check_logo(png(16, 16))
    logo, icon = brand_picture.check_logo(png(1000, 1000, fmt="JPEG"))  # any picture, kept as PNG
    assert PILImage.open(io.BytesIO(logo)).size == (512, 512)
    assert PILImage.open(io.BytesIO(logo)).format == "PNG"
    assert PILImage.open(io.BytesIO(icon)).size == (48, 48)


def test_the_monogram_has_the_accent_and_initials():
    assert brand_picture.initials("python guild of Lyon") == "PG"
    assert brand_picture.initials("  ") == "•"
    img = PILImage.open(io.BytesIO(brand_picture.monogram("Python Guild", "#3b82f6", 96)))
    assert img.size == (96, 96) and img.convert("RGB").getpixel((10, 48)) == (0x3B, 0x82, 0xF6)


@pytest.fixture
async def h(db_url):
    async with Harness(db_url, plugins=PLUGINS) as h:
        await h.say("ann", "help")
        yield h


async def test_only_the_leader_changes_it_by_command_and_by_button(h):
    await h.say("leader", "roles core add ann")
    await h.say("ann", "brand set colour #3b82f6")
    assert "Only the leader can change the brand." in h.last().text
    await h.say("ann", "brand")
    assert not h.last().buttons  # no button to change it for who may not
    await h.click("ann", "brand:form", {"name": "Pwned", "tagline": "", "colour": ""})
    assert "Only the leader can change the brand." in h.last().text
    assert await BrandRow.all().count() == 0

    await h.say("leader", "brand")
    shown = h.last()
    assert shown.buttons[0].form is not None and shown.brand is None
    await h.click(
        "leader", "brand:form", {"name": "Python Guild", "tagline": "Learn", "colour": "teal"}
    )
    assert h.last().text.splitlines() == [
        "The community is now called “Python Guild”.",
        "The tagline is now “Learn”.",
        "The accent colour is now #008080.",
    ]
    # a stale or repeated press changes nothing more, and says so
    await h.click(
        "leader", "brand:form", {"name": "Python Guild", "tagline": "Learn", "colour": "#008080"}
    )
    assert h.last().text == "Nothing changed."
    # a bad value in the form changes nothing (not even the good ones)
    await h.click("leader", "brand:form", {"name": "Other", "tagline": "Learn", "colour": "yellow"})
    assert "hard to read" in h.last().text
    assert (await core_brand.stored((await h._community()).id)).name == "Python Guild"


async def test_the_log_says_it_in_human_words(h):
    for line in (
        "brand set name Python Guild",
        "brand set tagline Learn together",
        "brand set colour 3b82f6",
        "brand set tagline none",
        "brand set colour default",
        "brand set name default",
    ):
        await h.say("leader", line)
    await h.say("leader", "log")
    text = h.last().text
    for said in (
        "leader named the community “Python Guild”",
        "leader set the tagline to “Learn together”",
        "leader set the accent colour to #3b82f6",
        "leader removed the tagline",
        "leader set the accent colour back to copkit's",
        "leader gave the community back its default name",
    ):
        assert said in text, said


async def test_bad_values_change_nothing(h):
    for line, answer in (
        ("brand set colour nope", "not a colour I know"),
        ("brand set colour yellow", "hard to read"),
        ("brand set name " + "x" * 81, "too long"),
        ("brand set tagline " + "y" * 121, "too long"),
        ("brand set name", "Give the community's name"),
        ("brand set logo", "Attach the logo"),
        ("brand set logo --file x.png", "Attach the file"),
        ("brand set size 3", "must be one of"),
    ):
        await h.say("leader", line)
        assert answer in h.last().text, line
    assert await BrandRow.all().count() == 0


async def test_a_logo_sent_with_the_command(h):
    community = await h._community()
    big = Upload("big.png", 9 * 1024 * 1024)  # too large to download: its size only
    await h.rt.handle_text(
        h.community_ref, h._room(None), _leader(), "brand set logo", uploads=(big,)
    )
    assert "9.0 MB: a logo may be 2 MB at most" in h.last().text
    wide = Upload("w.png", 10, png(64, 32))
    await h.rt.handle_text(
        h.community_ref, h._room(None), _leader(), "brand set logo", uploads=(wide,)
    )
    assert "square" in h.last().text
    good = Upload("logo.png", 10, png(64, 64))
    await h.rt.handle_text(
        h.community_ref, h._room(None), _leader(), "brand set logo", uploads=(good,)
    )
    assert h.last().text == "The logo is updated."
    assert await core_brand.logo_of(community.id) is not None
    await h.say("leader", "brand")
    assert h.last().images[0].png == await core_brand.logo_of(community.id)
    await h.say("leader", "brand set logo none")
    assert await core_brand.logo_of(community.id) is None


def _leader():
    from copkit.core.events import Person

    return Person(id="leader", name="leader")


async def test_the_name_comes_from_the_workshops_vote_else_the_leader(h):
    community = await h._community()
    assert (await h.rt.services.output.brands.of(community))[0].name == "Cop"
    ctx = JobContext(h.rt.services, community, "general", 0, "workshop.finish")
    outcome = WorkshopOutcome(
        community_id=community.id,
        workshop_id=1,
        name="Rustaceans",
        leader="Ann",
        date=date(2026, 12, 2),
        participants=["Ann"],
        boxes={},
    )
    await store_outcome(ctx, outcome)
    await h.say("ann", "brand")
    assert "Rustaceans (from the workshop's name vote)" in h.last().fields[0].value
    await h.say("leader", "brand set name Ferris Club")
    await h.say("ann", "brand")
    assert "Ferris Club (chosen by the leader)" in h.last().fields[0].value
    await store_outcome(ctx, dataclasses.replace(outcome, workshop_id=2, name="Crabs"))
    await h.say("leader", "brand set name default")  # back to what the workshop chose
    await h.say("ann", "brand")
    assert "Crabs (from the workshop's name vote)" in h.last().fields[0].value


async def test_every_formats_views_carry_it_once_chosen(h):
    await h.say("leader", "leancoffee start")
    assert all(m.view.brand is None for m in h.messenger.log)  # no brand chosen: copkit's look
    await h.say("leader", "leancoffee end")
    await h.say("leader", "brand set colour #e8590c")
    await h.say("leader", "brand set tagline Learn together")
    start = len(h.messenger.log)
    await h.say("leader", "leancoffee start")
    await h.say("ann", "leancoffee propose Flaky tests")
    await h.say("leader", "healthcheck start")
    await h.say("ann", "roles")
    shown = h.messenger.log[start:]
    assert len(shown) >= 4
    for m in shown:
        assert m.view.brand is not None
        assert (m.view.brand.name, m.view.brand.accent) == ("Cop", "#e8590c")
        assert m.view.brand.tagline == "Learn together"
    # the canvas's picture (posted by the workshop's outcome) has the band in the accent on top
    community = await h._community()
    ctx = JobContext(h.rt.services, community, "general", 0, "workshop.finish")
    outcome = WorkshopOutcome(community.id, 1, "", None, date(2026, 12, 2), ["Ann"], {})
    start = len(h.messenger.log)
    await store_outcome(ctx, dataclasses.replace(outcome, boxes={"vision": ["Better tests"]}))
    pictures = [i for m in h.messenger.log[start:] for i in m.view.images]
    assert pictures
    img = PILImage.open(io.BytesIO(pictures[0].png)).convert("RGB")
    assert img.getpixel((img.width - 3, 3)) == (0xE8, 0x59, 0x0C)
    # another process sees the change at once (the caches follow the settings)
    await h.restart()
    await h.say("ann", "roles")
    assert h.last().brand is not None and h.last().brand.accent == "#e8590c"


def test_the_console_shows_it_in_the_header_and_takes_a_logo_path(tmp_path):
    (tmp_path / "logo.png").write_bytes(png(64, 64))
    (tmp_path / "notes.txt").write_text("hello")
    script = (
        "brand set logo ./notes.txt\n"
        "brand set logo ./logo.png\n"
        "brand set name Python Guild\n"
        "roles\n"
    )
    done = subprocess.run(
        [sys.executable, "-m", "copkit", "console", "--script", "-"],
        input=script,
        capture_output=True,
        text=True,
        cwd=tmp_path,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    out = done.stdout
    assert "That file is not a picture: send the logo as a PNG." in out
    assert "┌ [Local community] (#general)\n│ The logo is updated." in out
    assert "┌ [Python Guild] (#general) Roles" in out


async def test_the_leader_may_open_it_to_the_core_team(h):
    await h.say("leader", "roles core add ann")
    await h.say("leader", "roles require core brand set")
    await h.say("ann", "brand set tagline Learn together")
    assert h.last().text == "The tagline is now “Learn together”."
    await h.say("ann", "brand")
    assert h.last().buttons  # the form's button too
    await h.click("ann", "brand:form", {"name": "", "tagline": "", "colour": ""})
    assert h.last().text == "The tagline is removed."
    await h.say("bob", "brand set tagline Nope")
    assert "Only" in h.last().text


async def test_the_site_carries_it(db_url):
    from aiohttp.test_utils import TestClient, TestServer
    from site_kit import site_app

    async with Harness(db_url, plugins=[*PLUGINS, "copkit.plugins.site"]) as h:
        await h.say("leader", "site public")
        async with TestClient(TestServer(site_app(h))) as client:
            page = await (await client.get("/c/1/")).text()
            assert "brand.css" not in page and "brand-logo" not in page  # none chosen yet
            assert (await client.get("/c/1/img/brand-logo.png")).status == 404
            await h.say("leader", "brand set name <b>Python</b> Guild")
            await h.say("leader", "brand set colour #e8590c")
            await h.say("leader", "brand set tagline Learn & share")
            page = await (await client.get("/c/1/")).text()
            assert '<link rel="stylesheet" href="/c/1/brand.css">' in page
            assert "&lt;b&gt;Python&lt;/b&gt; Guild" in page and "<b>Python" not in page
            assert "Learn &amp; share" in page
            css = await client.get("/c/1/brand.css")
            assert css.headers["Content-Type"].startswith("text/css")
            assert await css.text() == ":root { --brand: #e8590c; --brand-ink: #000000; }\n"
            logo = await client.get("/c/1/img/brand-logo.png")
            assert logo.status == 200
            assert PILImage.open(io.BytesIO(await logo.read())).size == (48, 48)  # the monogram
