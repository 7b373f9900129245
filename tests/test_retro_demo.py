"""``copkit console --demo retro`` plays a retro after a lean coffee: the review of its open
actions (done by button, a repeated press refused, carried by command, a member refused),
private writing by command and by the board's form, +time, a restart, the heads-up, the
reveal, a merge, dots within the budget, actions with owners and due dates that join the open
actions, and the minutes."""

from __future__ import annotations

from copkit.cli import DEMOS, main


def test_copkit_console_demo_retro(tmp_path, monkeypatch, capsys):
    assert "retro" in DEMOS
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("COPKIT_CONFIG", raising=False)
    assert main(["console", "--demo", "retro"]) == 0
    captured = capsys.readouterr()
    out = captured.out
    assert "Traceback" not in out + captured.err
    assert "Sorry, something went wrong" not in out
    story = [
        "│ - 1. Write a pairing guide · @ann · due 2026-01-12 · from leancoffee",
        "│ 1. Write a pairing guide — done ✅",
        "│ Action 1 was reviewed already: done ✅.",
        "│ 2. Book a bigger room — carried ↪",
        "│ Only the leader or core team can review actions.",
        "│ Note #1 saved: only you see it until the reveal.",
        "│ Write something first: one idea per note.",
        "│ Notes #2, #3 saved: only you see them until the reveal.",
        "│ 📝 4 notes · 1 done",
        "│ ⏱ 1 min more.",
        "  … copkit restarted",
        "│ ⏱ One minute left.",
        "│ ⏰ Time's up: writing is closed.",
        "│ 👀 Revealed: 4 notes.",
        "│ #4 grouped into #3.",
        "│ ● Dot on #3. 1 dot left.",
        "│ You have used all your 2 dots.",
        "│ - #3 [Continue] Monthly talks — bob, cat ●●",
        "│ 📌 Action A1 added.",
        "│ - 1. Book a bigger room · due 2026-01-19 · from leancoffee",
        "│ - 2. Book two pairing slots a month · @ann · due 2026-01-19 · from retro",
        "┌ (#general) Retro minutes — 2026-01-05 (Start / Stop / Continue)",
        "│   - 1. Write a pairing guide · @ann · due 2026-01-12 · from leancoffee · done ✅",
        "│   - A2 Record the monthly talks · @bob · due 2026-02-01",
    ]
    at = 0
    for line in story:
        found = out.find(line, at)
        assert found >= 0, (line, out[at : at + 2000])
        at = found + len(line)
    # before the reveal, only the writer saw a note (the input lines aside)
    before = out[: out.find("👀 Revealed")]
    for block in before.split("┌")[1:]:
        head, _sep, body = block.partition("\n")
        shown = body.split("└", 1)[0]
        for secret in ("Demo what we learned", "The monthly talks"):
            if secret in shown:
                assert head.lstrip().startswith("(only"), block
