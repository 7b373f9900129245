"""The shipped health-check demo plays end to end: five members, results, the picture, round two."""

from __future__ import annotations

from copkit.cli import DEMOS, main

KEY_LINES = [
    # the deck, adapted; the threshold refused below 3; the round opens
    "│ Retired “Rhythm”; its results stay in the history.",
    "│ Moved “Energy” to position 3.",
    "│ Retired (history kept): Rhythm (rhythm), Open door (open-door)",
    "│ min-responses must be at least 3: fewer answers could not stay anonymous.",
    "┌ (#general) Health check #1: how is our community doing?",
    "│ Anonymous: nobody, the leader included, can see who answered what.",
    # private answering, a comment, the forgotten question, a change of mind
    "┌ (only ann sees) Health check #1 · 1/4 · Purpose",
    "│ Your answer: 🔴 red · “Same format every week, and it feels like a chore.”",
    "  New note (anonymous; empty removes it) (optional): How we welcome newcomers.",
    "┌ (only ann sees) Thank you!",
    "│ Your answer: 🟡 amber · → same",
    "│ Answers so far: 5 or more",
    "│ You have rated 2 of 4 dimensions.",
    # nothing before the close; the reminder and the close on timers
    "│ Health check #1 is still open: results come at the close (Mon 5 Jan, 11:00).",
    "┌ (#general) ⏰ Health check #1 closes in 60 minutes",
    "┌ (#general) Health check #1: results",
    "│ 5 of 6 members answered (83%).",
    "│ Dimensions by main colour: 🟢 2 · 🟡 0 · 🔴 2",
    "│   🟢 5 · 🟡 0 · 🔴 0 · score 100 · first time asked",
    "│   🟢 0 · 🟡 1 · 🔴 3 · score 12 · first time asked",
    "│   Heading: ↗ 0 · → 2 · ↘ 2",
    "│   - “Same format every week, and it feels like a chore.”",
    "│   - “Hard to disagree when the seniors are in the room.”",
    "│ What did we forget?: - “How we welcome newcomers.”",
    "│ [picture healthcheck-1.png,",
    "┌ (updated) (#general) Health check #1 is closed",
    "│ This health check is closed: answers are no longer taken.",
    # trend, history, export, log
    "│ #1 · 5 Jan · 🔴 · 🟢 0 🟡 1 🔴 3 · score 12",
    "│ [picture healthcheck-trend.png,",
    "│ #1 · 5 Jan · 5 of 6 answered (83%) · 🟢 2 🟡 0 🔴 2",
    "┌ (only you sees) Health-check export (CSV, aggregates only)",
    "│ [file healthcheck-export.csv, ",
    ", saved to copkit-files/healthcheck-export.csv]",
    # the pulse
    "│ Votes so far: 3 or more",
    "│ yes: ███████ 2 (67%) ◀",
    "│ 3 votes, anonymous.",
    # round two, across a restart: change since #1, red two rounds running
    "┌ (#general) Health check #2: how is our community doing?",
    "  … copkit restarted",
    "┌ (#general) Health check #2: results",
    "│ 3 of 6 members answered (50%).",
    "│ ⚠ Red two rounds running: Safe to speak",
    "│   🟢 3 · 🟡 0 · 🔴 0 · score 100 · unchanged since #1 (was 🟢 100)",
    "│   🟢 1 · 🟡 2 · 🔴 0 · score 67 · ▲ +55 since #1 (was 🔴 12)",
    "│ 🔴 Safe to speak — ⚠ red two rounds running:",
    "│   🟢 0 · 🟡 0 · 🔴 3 · score 0 · ▼ -25 since #1 (was 🔴 25)",
    "│ [picture healthcheck-2.png,",
    "│ #2 · 5 Jan · 🔴 · 🟢 0 🟡 0 🔴 3 · score 0",
]


def check(out: str) -> None:
    missing = [line for line in KEY_LINES if line not in out]
    assert not missing, missing
    assert "Traceback" not in out and "went wrong" not in out
    assert "There is no button" not in out and "Unknown console command" not in out
    positions = [out.index(line) for line in KEY_LINES]
    assert positions == sorted(positions), "the story is told in order"
    assert out.count("┌ (#general) Health check #1: results") == 1
    # The comments come out only in the results, never next to a name.
    for line in out.splitlines():
        if "Hard to disagree" in line and not line.startswith("  Your comment"):
            assert "bob" not in line


def test_copkit_console_demo_healthcheck(tmp_path, monkeypatch, capsys):
    """``copkit console --demo healthcheck``, in this process (the CLI path, minus a fork)."""
    assert "healthcheck" in DEMOS  # so --demo all plays it too
    monkeypatch.chdir(tmp_path)  # no copkit.toml: the default plugins, a temporary database
    monkeypatch.delenv("COPKIT_CONFIG", raising=False)
    assert main(["console", "--demo", "healthcheck"]) == 0
    captured = capsys.readouterr()
    assert "copkit:" not in captured.err, captured.err
    check(captured.out)
    # The export is a file the console saved, with the aggregates of the round.
    saved = (tmp_path / "copkit-files" / "healthcheck-export.csv").read_bytes()
    assert b",3,5,6,83,True,energy,Energy,3,4,0,1,3,0,2,2,red,12\r\n" in saved
