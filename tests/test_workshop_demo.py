"""``copkit console --demo workshop`` plays a whole vision workshop with four people through a
restart in the middle: private notes, a heads-up and a nudge, the reveal (once), a merge, a
dot vote, a late joiner, pause and resume, a skipped step, the force field, a name with a
run-off, and a leader who accepts — then the outcome."""

from __future__ import annotations

from copkit.cli import DEMOS, main


def test_copkit_console_demo_workshop(tmp_path, monkeypatch, capsys):
    assert "workshop" in DEMOS
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("COPKIT_CONFIG", raising=False)
    assert main(["console", "--demo", "workshop"]) == 0
    captured = capsys.readouterr()
    out = captured.out
    assert "Traceback" not in out + captured.err
    assert "Sorry, something went wrong" not in out
    story = [
        "│ 🌱 Vision workshop: 7 steps",
        "┌ (#general) Vision workshop · 1/7 Vision and importance",
        "│ Note #1 saved: only you see it until the reveal.",
        "│ Notes #2, #3 saved: only you see them until the reveal.",
        "│ 📝 5 notes from 2 people · ✋ 1 of 3 done",
        "│ Write something first: one idea per note.",
        "│ ⏱ 1 min more: until 10:06.",
        "│ ⏱ One minute left.",
        "│ ⏰ Time's up: writing is closed.",
        "│ 👀 Revealed: 6 notes.",
        "│ The notes are already revealed.",
        "│ #5 merged into #1: authors and dots combined.",
        "│ - #1 [Vision / Mission] Learn testing together, across teams — ann, bob",
        "│ 🗳 Dot vote: 2 dots each",
        "│ ● Dot on #1. 1 dot left.",
        "│ You have used all your 2 dots.",
        "│ 📌 On the canvas: #1 Learn testing together, across teams; #4 Break the silos",
        "┌ (updated) (#general) Vision workshop · 2/7 How and measures",
        "  … copkit restarted",
        "│ Note #3 saved: only you see it until the reveal.",
        "│ Writing is closed for this step.",
        "│ Welcome to the workshop! We are at “Impact”",
        "│ ⏸ Paused, 2:00 left.",
        "│ ▶ Resumed: 2:00 left.",
        "│ ⏭ Skipped: Resources and communication.",
        "┌ (only dan sees)\n│ A minute left and no note from you yet",
        "│ - ➕ #1 Management asks for it (strength 4)",
        "│ That one is already proposed.",
        "│ You can give it only 1 vote.",
        "│ Tie between “Craft Guild”, “Test Pilots”, “Quality Circle”: a run-off",
        "│ 🏷 Our name: “Craft Guild”.",
        "│ dan isn't taking part in the workshop.",
        "│ 🎉 ann is elected.",
        "│ Only the person elected can answer.",
        "│ 🧭 ann accepts: ann is now the community's leader.",
        "┌ (#general) Our community: Craft Guild",
        "│ Leader: ann · 2026-01-05 · 5 people: you, ann, bob, cat, dan",
        "│ Leader: ann\n│ Core team: you",
    ]
    at = 0
    for line in story:
        found = out.find(line, at)
        assert found >= 0, f"not found after position {at}: {line!r}"
        at = found
    summary = out[out.index("┌ (#general) Our community: Craft Guild") :]
    assert "│   - We grow our craft together" not in summary  # no dot: not on the canvas
    assert "│ Communication: —" in summary  # the skipped step
    assert "│   ➖ No time in our sprints (5)" in summary
    # before the reveal, no note's text is shown anywhere but privately to its author
    before = out[: out.index("│ 👀 Revealed: 6 notes.")]
    for block in before.split("┌ ")[1:]:
        shown = block.split("\n└")[0]  # (what follows is the next typed line)
        if "Break the silos" in shown and not shown.startswith("(only bob sees)"):
            raise AssertionError(shown)
