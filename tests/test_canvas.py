"""The community canvas through the core: the view, the picture, Markdown, edits with versions,
history and log, the pinned copy, the workshop's outcome, the Community Canvas themes, and bad
input (SQLite, and PostgreSQL when COPKIT_TEST_POSTGRES_URL is set)."""

from __future__ import annotations

import asyncio
import io

import pytest
from PIL import Image as PILImage

from copkit.core.models import LogEntry
from copkit.plugins.workshop import canvas_picture
from copkit.plugins.workshop.canvas_commands import ADD, PINNED, store_outcome
from copkit.plugins.workshop.canvas_model import Canvas
from copkit.plugins.workshop.canvas_models import CanvasVersion
from copkit.plugins.workshop.canvas_picture import GAP, HEAD_H, MARGIN, ROW_H, layout
from copkit.plugins.workshop.outcome import WorkshopOutcome
from copkit.testing import Harness

PLUGINS = ["copkit.plugins.core_commands", "copkit.plugins.workshop.canvas"]


@pytest.fixture
async def h(db_url):
    async with Harness(db_url, plugins=PLUGINS) as h:
        await h.say("ann", "help")
        await h.say("leader", "roles core add ann")
        yield h


def outcome(community_id: int, **changes) -> WorkshopOutcome:
    base = WorkshopOutcome(
        community_id=community_id,
        workshop_id=7,
        name="Python Guild",
        leader="Ann",
        date="2026-12-02",
        participants=["Ann", "Bob", "Cy", "Dee"],
        boxes={
            "vision": ["Everyone writes better Python, together"],
            "importance": ["We keep rewriting the same helpers"],
            "how": ["Monthly talks", "Pairing sessions"],
            "measures": ["one event a month", "half of us have presented once this year"],
            "impact": ["new hires", "the ops team"],
            "communication": ["#python channel"],
            "resources": ["a room", "pizza"],
        },
        force_field=[("management support", "support", 4), ("no time", "slow", None)],
    )
    for k, v in changes.items():
        setattr(base, k, v)
    return base


async def community_id(h: Harness) -> int:
    return (await h._community()).id


def decode(png: bytes) -> PILImage.Image:
    img = PILImage.open(io.BytesIO(png))
    img.load()
    return img


def pictures(h: Harness) -> list[bytes]:
    return [i.png for m in h.messenger.log for i in m.view.images]


async def finish_workshop(h: Harness, **changes) -> None:
    """What the workshop does at its end: hand its outcome to the canvas (the seam)."""
    rt = h.rt
    community = await h._community()
    from copkit.core.context import JobContext

    ctx = JobContext(rt.services, community, "general", 0, "workshop.finish")
    await store_outcome(ctx, outcome(community.id, **changes))


async def test_an_empty_canvas_gets_a_short_answer(h):
    await h.say("ann", "canvas")
    assert "no canvas yet" in h.last().text
    await h.say("ann", "canvas --markdown")
    assert "no canvas yet" in h.last().text
    await h.say("ann", "canvas history")
    assert "no history" in h.last().text
    await h.say("ann", "canvas extend")
    assert "no canvas yet" in h.last().text
    await h.say("ann", "canvas pin")
    assert "no canvas yet" in h.last().text
    assert await CanvasVersion.all().count() == 0


async def test_the_workshop_outcome_becomes_the_pinned_canvas(h):
    await finish_workshop(h)
    row = await CanvasVersion.get(version=1)
    assert row.data["name"] == "Python Guild" and row.change["op"] == "workshop"
    ref = await h.rt.view_ref(await h._community(), PINNED)
    pinned = h.messenger.messages[ref["message_id"]]
    assert pinned.pinned and pinned.room_id == "general"
    assert pinned.view.title == "Python Guild"
    assert "1. Monthly talks" in pinned.view.text and "▲ management support (4)" in pinned.view.text
    assert (
        "Leader: Ann" in pinned.view.text and "4 took part: Ann, Bob, Cy, Dee" in pinned.view.text
    )
    img = decode(pinned.view.images[0].png)
    assert img.format == "PNG" and img.size[0] == canvas_picture.WIDTH
    assert await LogEntry.filter(kind="canvas.workshop").count() == 1

    # A change re-renders the pinned copy: same message, a new picture.
    before = pinned.view.images[0].png
    await h.say("ann", "canvas edit how add Code reviews across teams")
    assert "version 2" in h.last().text
    pinned = h.messenger.messages[ref["message_id"]]
    assert "3. Code reviews across teams" in pinned.view.text
    assert pinned.view.images[0].png != before and pinned.edits == 1


async def test_the_view_the_picture_and_markdown(h):
    await finish_workshop(h)
    await h.say("bob", "canvas")
    view = h.last()
    assert view.title == "Python Guild" and view.images and view.buttons
    png = view.images[0].png
    img = decode(png).convert("RGB")
    assert img.size == (canvas_picture.WIDTH, canvas_picture._height(3))
    colours = img.getcolors(maxcolors=1_000_000) or []
    assert len(colours) > 50  # text, bands and borders: not a blank page
    # The title is drawn large in the header: dark pixels there.
    header = img.crop((MARGIN, 20, MARGIN + 600, HEAD_H - 100))
    assert min(header.getdata()) < (80, 80, 80)

    await h.say("bob", "canvas --markdown")
    md = h.last().text
    assert md.startswith("```markdown\n# Python Guild")
    assert "## Measures\n\n- one event a month" in md
    assert "- slows down: no time" in md


async def test_user_text_is_literal_everywhere(h):
    await h.say("ann", "canvas edit vision add **FREE** [login](https://evil.example) @everyone")
    await h.say("ann", "canvas edit name change ```end``` # heading")
    await h.say("bob", "canvas")
    marked = h.messenger.log[-1].marked
    assert marked is not None and "\ufdd0**FREE**" in marked.text  # kept as user text
    await h.say("bob", "canvas --markdown")
    md = h.last().text
    assert r"\*\*FREE\*\* \[login\]\(https://evil.example\) @everyone" in md
    assert md.count("```") == 2  # the user's fence cannot close the block


async def test_edits_make_versions_history_and_log(h):
    await h.say("ann", "canvas edit how add Monthly talks")
    await h.say("ann", "canvas edit how add Pairing")
    await h.say("ann", "canvas edit how move 2 1")
    await h.say("ann", "canvas edit how change 2 Monthly lightning talks")
    await h.say("ann", "canvas edit how remove 1")
    await h.say("ann", "canvas edit name change The Guild")
    rows = await CanvasVersion.all().order_by("version")
    assert [r.version for r in rows] == [1, 2, 3, 4, 5, 6]
    assert rows[2].data["boxes"]["how"] == ["Pairing", "Monthly talks"]
    assert rows[-1].data["boxes"]["how"] == ["Monthly lightning talks"]
    assert rows[-1].data["name"] == "The Guild" and rows[-1].member == "ann"
    log = await LogEntry.filter(kind="canvas").order_by("id")
    assert [e.ref for e in log] == [f"canvas:v{n}" for n in range(1, 7)]
    assert log[2].text == "moved item 2 of How to 1" and log[2].member == "ann"
    await h.say("bob", "canvas history")
    text = h.last().text
    assert text.index("v6") < text.index("v1")
    assert "removed item 1 from How" in text and "ann" in text


@pytest.mark.parametrize(
    ("command", "answer"),
    [
        ("canvas edit nothing add x", "no box “nothing”"),
        ("canvas edit purpose add x", "“canvas extend” adds it"),
        ("canvas edit how change 1 x", "“How” is empty"),
        ("canvas edit how add", "Write what goes in the box"),
        ("canvas edit how add " + "x" * 201, "at most 200"),
        ("canvas edit how wiggle 1", "add, change, remove, move"),
        ("canvas edit name add x", "one value"),
        ("canvas edit name change", "Write what goes in the box"),
    ],
)
async def test_bad_edits_get_a_short_answer_and_change_nothing(h, command, answer):
    await h.say("ann", command)
    assert answer in h.last("ann").text, h.last("ann").text
    assert await CanvasVersion.all().count() == 0


async def test_bad_item_numbers(h):
    await h.say("ann", "canvas edit how add one")
    for command in (
        "canvas edit how change 2 x",
        "canvas edit how remove ²",
        "canvas edit how remove 0",
        "canvas edit how remove 99999999999999",
        "canvas edit how move 1",
        "canvas edit how move 1 5",
        "canvas edit how remove",
    ):
        await h.say("ann", command)
        assert h.last("ann").tone == "error" or "item" in h.last("ann").text, command
    assert await CanvasVersion.all().count() == 1


async def test_only_the_core_team_edits_by_command_and_by_button(h):
    await h.say("bob", "canvas edit how add bob was here")
    assert "Only" in h.last("bob").text
    await h.click("bob", ADD.build(), {"box": "how", "text": "by the button"})
    assert "Only" in h.last("bob").text
    await h.say("bob", "canvas extend")
    assert "Only" in h.last("bob").text
    await h.say("bob", "canvas pin")
    assert "Only" in h.last("bob").text
    assert await CanvasVersion.all().count() == 0
    await h.click("ann", ADD.build(), {"box": "Measures", "text": "one event a month"})
    assert (await CanvasVersion.get(version=1)).data["boxes"]["measures"] == ["one event a month"]
    await h.click("ann", ADD.build(), {"box": "nowhere", "text": "x"})
    assert "no box" in h.last("ann").text
    await h.click("ann", ADD.build() + ":5", {"box": "how", "text": "x"})
    assert "out of date" in h.last("ann").text
    assert await CanvasVersion.all().count() == 1


async def test_extend_adds_the_community_canvas_themes(h):
    await finish_workshop(h)
    await h.say("ann", "canvas extend")
    data = (await CanvasVersion.get(version=2)).data
    assert data["extended"]
    assert data["boxes"]["purpose"] == [
        "Everyone writes better Python, together",
        "We keep rewriting the same helpers",
    ]
    assert data["boxes"]["success"] == data["boxes"]["measures"]
    assert data["boxes"]["channels"] == ["#python channel"]
    assert data["boxes"]["roles"] == ["Leader: Ann"]
    await h.say("ann", "canvas extend")
    assert "already" in h.last("ann").text
    await h.say("ann", "canvas edit values add Curiosity")
    await h.say("bob", "canvas")
    view = h.last()
    assert "**Values** (values)" in view.text or "Values (values)" in view.text
    img = decode(view.images[0].png)
    assert img.size[1] == canvas_picture._height(6)


async def test_two_edits_at_the_same_moment_both_land(h):
    await h.say("ann", "canvas edit how add zero")
    await asyncio.gather(
        *(h.say("ann", f"canvas edit how add item {n}") for n in range(6)),
        h.say("leader", "canvas edit measures add one"),
    )
    rows = await CanvasVersion.all().order_by("version")
    assert [r.version for r in rows] == list(range(1, 9))
    last = rows[-1].data["boxes"]
    assert sorted(last["how"]) == sorted(["zero", *(f"item {n}" for n in range(6))])
    assert last["measures"] == ["one"]


async def test_the_canvas_hook_gives_other_plugins_the_canvas(h):
    cid = await community_id(h)
    assert await h.rt.services.hooks.canvas(cid) is None
    await finish_workshop(h)
    summary = await h.rt.services.hooks.canvas(cid)
    assert summary is not None and summary.version == 1 and summary.name == "Python Guild"
    assert summary.boxes["measures"][1] == "half of us have presented once this year"


# The picture --------------------------------------------------------------------------------


def _long_canvas() -> Canvas:
    word = "Supercalifragilisticexpialidocious" * 3
    return Canvas(
        name="A community with a very long name " * 5,
        leader="Ann",
        date="2026-12-02",
        participants=[f"person {n}" for n in range(40)],
        boxes={
            "vision": ["A long vision statement that goes on and on " * 12],
            "importance": [word, "short"],
            "how": [f"Activity number {n} with a few words" for n in range(30)],
            "measures": [
                "🎉🚀 one event a month ✅",
                "𝐁𝐨𝐥𝐝 math letters",
                "中文 and ｆｕｌｌ width",
            ],
            "impact": ["x" * 200] * 5,
        },
        force_field=[("idea " * 40, "support", 5)] * 12,
    )


def test_long_text_stays_inside_its_box():
    canvas = _long_canvas()
    img, pic = layout(canvas, name=canvas.name, footer="Version 1")
    assert img.size == pic.size
    for placed in pic.texts:
        assert placed.area.holds(placed.bbox), (placed.text, placed.area, placed.bbox)
    drawn = [p.text for p in pic.texts]
    assert "…and 22 more" in drawn  # How: 30 items, 8 shown
    assert any(t.endswith("…") for t in drawn)  # the long vision is clipped
    # The gutters between boxes hold nothing but the background: no text leaked out.
    rgb = img.convert("RGB")
    boxes = [rect for _k, rect in pic.boxes]
    for x in range(0, rgb.size[0], 3):
        for y in (HEAD_H - 4, HEAD_H + ROW_H + GAP // 2, HEAD_H + 2 * (ROW_H + GAP) - GAP // 2):
            if not any(r.left <= x <= r.right and r.top <= y <= r.bottom for r in boxes):
                assert rgb.getpixel((x, y)) == canvas_picture.BACKGROUND, (x, y)


def test_glyphs_the_font_lacks_are_never_drawn_as_boxes():
    have = canvas_picture._glyphs()
    for text in ("🎉🚀 one event ✅", "𝐁𝐨𝐥𝐝", "中文", "ｆｕｌｌ", "e\u0301te\u0301", "a\u200db"):
        shown = canvas_picture.drawable(text)
        assert all(ord(c) in have for c in shown), (text, shown)
    assert canvas_picture.drawable("𝐁𝐨𝐥𝐝") == "Bold"
    assert canvas_picture.drawable("ｆｕｌｌ") == "full"
    assert canvas_picture.drawable("🎉🚀 one event") == "one event"
    assert canvas_picture.drawable("中文") == "??"


def test_the_picture_is_a_png_of_a_wall_size():
    png = canvas_picture.canvas_png(_long_canvas(), name="X", footer="v1")
    img = decode(png)
    assert img.format == "PNG" and img.size == (2400, canvas_picture._height(3))
    assert len(png) < 1_500_000


# Measures become goals ------------------------------------------------------------------------


async def test_a_measure_becomes_a_goal_in_the_core(h):
    from copkit.core import goals

    await finish_workshop(h)
    cid = await community_id(h)
    await h.say("ann", "canvas goal 1 --target 1 --cadence month")
    assert "is a goal now (target 1 · per month)" in h.last().text
    (g,) = await goals.goals_of(cid)
    assert (g.text, g.target, g.cadence, g.source) == ("one event a month", 1.0, "month", "canvas")
    assert g.source_ref == "canvas:v1:measures:1"
    # the pinned copy and the view mark it
    ref = await h.rt.view_ref(await h._community(), PINNED)
    assert (
        "1. one event a month ◎ goal: target 1 · per month"
        in h.messenger.messages[ref["message_id"]].view.text
    )
    # again: updated, not a second goal; a target in percent
    await h.say("ann", "canvas goal 1 --target 2")
    assert "was a goal already" in h.last().text
    await h.say("ann", "canvas goal 2 --target 50% --cadence year --signal presenters_share")
    made = await goals.goals_of(cid)
    assert [(x.text, x.target, x.cadence, x.signal) for x in made] == [
        ("one event a month", 2.0, "month", None),
        ("half of us have presented once this year", 50.0, "year", "presenters_share"),
    ]
    assert await LogEntry.filter(kind="canvas.goal").count() == 3
    await h.say("ann", "canvas goal 2 --remove")
    assert "no longer a goal" in h.last().text
    assert len(await goals.goals_of(cid)) == 1


@pytest.mark.parametrize(
    ("command", "answer"),
    [
        ("canvas goal 3", "from 1 to 2"),
        ("canvas goal 0", "from 1 to 2"),
        ("canvas goal 1 --target lots", "is a number"),
        ("canvas goal 1 --target nan", "is a number"),
        ("canvas goal 1 --cadence fortnight", "one of"),
        ("canvas goal 1 --signal vibes", "not a signal"),
        ("canvas goal 2 --remove", "not a goal"),
    ],
)
async def test_bad_goals_get_a_short_answer(h, command, answer):
    from copkit.core import goals

    await finish_workshop(h)
    await h.say("ann", command)
    assert answer in h.last("ann").text, h.last("ann").text
    assert await goals.goals_of(await community_id(h)) == []


async def test_goals_need_a_canvas_measures_and_the_core_team(h):
    await h.say("ann", "canvas goal 1")
    assert "no canvas yet" in h.last("ann").text
    await h.say("ann", "canvas edit vision add x")
    await h.say("ann", "canvas goal 1")
    assert "Measures box is empty" in h.last("ann").text
    await h.say("ann", "canvas edit measures add one event a month")
    await h.say("bob", "canvas goal 1")
    assert "Only" in h.last("bob").text


async def test_two_people_making_the_same_goal_at_once_make_one(h):
    from copkit.core import goals

    await finish_workshop(h)
    await asyncio.gather(
        h.say("ann", "canvas goal 1 --target 1"), h.say("leader", "canvas goal 1 --target 1")
    )
    assert len(await goals.goals_of(await community_id(h))) == 1


async def test_after_a_restart_an_edit_still_re_renders_the_pinned_copy(h):
    await finish_workshop(h)
    ref = await h.rt.view_ref(await h._community(), PINNED)
    await h.restart()
    await h.say("ann", "canvas edit resources add a budget for pizza")
    pinned = h.messenger.messages[ref["message_id"]]
    assert "3. a budget for pizza" in pinned.view.text and pinned.edits == 1
    await h.say("ann", "canvas history")
    assert "v2" in h.last().text and "made by the workshop" in h.last().text
