"""The shipped lean coffee demo plays end to end; its transcript shows the whole flow."""

from __future__ import annotations

import re
import subprocess
import sys

from copkit.adapters.console import ConsoleSession
from copkit.cli import DEMOS, demo_script
from copkit.core.clock import FakeClock

PLUGINS = ["copkit.plugins.core_commands", "copkit.plugins.leancoffee"]

KEY_LINES = [
    # start, propose by command and by the form, near-duplicate, withdraw, edit, merge
    "│ 2 dots each · 5 min timebox · extensions: 4 min, 2 min",
    "│ Added #1 Testing in production.",
    "  Title: Pairing across time zones",
    "│ Added #2 Pairing across time zones.",
    "It looks like #1; if it is the same, a facilitator can merge them",
    "│ #5 withdrawn.",
    "│ #4 updated.",
    "│ #3 merged into #1: authors and dots combined.",
    # voting: stacked dots, the budget, moving a dot, the board's choice
    "│ ● Dot on #1. That was your last dot.",
    "│ You have used all your 2 dots.",
    "│ Dot taken back from #1.",
    "│ ● Dot on #4. That was your last dot.",
    # the tie goes to the earlier topic; the timebox, heads-up and thumbs vote with a quorum
    "│ ☕ Now discussing #2 Pairing across time zones (●●● 3 dots): 5 min, until 09:05.",
    "│ ⏳ One minute left on #2 Pairing across time zones.",
    "┌ (#general) Keep going on #2 Pairing across time zones?",
    "│ 👍 The room keeps going on #2: 4 min more, until 09:09.",
    "│ 👍 2 · ✋ 1 · 👎 1 → 4 min more",
    # capture, then a restart in the middle of the timebox; the timer carries on
    "│ 💡 Takeaway added on #2.",
    "│ 📌 Action #3 added on #2 for ann, due 2026-01-19.",
    "  … copkit restarted",
    "Closes at 09:10:00 or when everyone here has voted.",
    "│ ☕ Now discussing #4 Career ladders (●●● 3 dots): 5 min, until 09:15.",
    "│ 👍 0 · ✋ 0 · 👎 0 → moving on",
    # skip, pause, resume, extend
    "│ ⏭ #4 skipped; it goes back to the backlog.",
    "│ ☕ Now discussing #1 Testing in production (●● 2 dots): 5 min, until 09:15.",
    "│ ⏸ Timer paused with 5 min left.",
    "│ ▶ Timer running again, until 09:25.",
    "│ ⏱ #1 extended by 2 min, until 09:27.",
    # the minutes, as a view and as Markdown
    "┌ (#general) Minutes: Lean coffee, 2026-01-05",
    "│ 09:00–09:23 · 4 participants: ann, bob, cat, you",
    "│ 1. #2 Pairing across time zones (●●● 3 dots, 9 min, extended once)",
    "│ Thumbs: round 1: 👍 2 ✋ 1 👎 1; round 2: 👍 0 ✋ 0 👎 0.",
    "│ 2. #4 Career ladders (●●● 3 dots, skipped)",
    "│ 3. #1 Testing in production (●● 2 dots, 3 min, extended once)",
    "│ This lean coffee has ended. Thank you! The minutes are posted below.",
    "┌ (only you sees) Minutes of 2026-01-05 (Markdown)",
    "│ # Lean coffee, 2026-01-05",
    "│ - [ ] Write a pairing guide — @ann, due 2026-01-19 (#3)",
    # next time: carried over first, open actions listed and marked done
    "│ - #1 Career ladders · ↻ carried over — *IC and manager tracks*",
    "│ ↻ 1 topic carried over from the backlog is on the board.",
    "┌ (#general) Open action items from earlier sessions",
    "│ - #3 Write a pairing guide · @ann · due 2026-01-19 · from 2026-01-05",
    "│ ✅ Action #3 done: Write a pairing guide",
    "│ 10:23–10:23 · 2 participants: cat, you",
]


def check(out: str) -> None:
    missing = [line for line in KEY_LINES if line not in out]
    assert not missing, missing
    assert "Traceback" not in out and "went wrong" not in out
    assert "There is no button" not in out and "Unknown console command" not in out
    # in order: the transcript tells the story in the order above
    positions = [out.index(line) for line in KEY_LINES]
    assert positions == sorted(positions)
    # heads-ups and thumbs votes fire once each: two timeboxes of #2, none of the others
    assert len(re.findall(r"⏳ One minute left on #2", out)) == 2
    assert out.count("┌ (#general) Keep going on #2") == 2


async def test_leancoffee_demo_transcript(tmp_path):
    lines: list[str] = []
    session = ConsoleSession(
        f"sqlite://{tmp_path / 'demo.db'}", clock=FakeClock(), out=lines.append, plugins=PLUGINS
    )
    await session.start()
    try:
        await session.run_script(demo_script("leancoffee"))
    finally:
        await session.stop()
    check("\n".join(lines))


def test_copkit_console_demo_all_plays_the_leancoffee_demo(tmp_path):
    assert "leancoffee" in DEMOS
    done = subprocess.run(
        [sys.executable, "-m", "copkit", "console", "--demo", "all"],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr
    check(done.stdout)
