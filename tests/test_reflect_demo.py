"""``copkit console --demo reflect`` plays three months on the fake clock: goals on the
scorecard, events, a health check on the seed's deck, the coach's nudges and the digests."""

from __future__ import annotations

from copkit.cli import DEMOS, main


def test_copkit_console_demo_reflect(tmp_path, monkeypatch, capsys):
    assert "reflect" in DEMOS
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("COPKIT_CONFIG", raising=False)
    assert main(["console", "--demo", "reflect"]) == 0
    captured = capsys.readouterr()
    out = captured.out
    assert "Traceback" not in out + captured.err
    assert "went wrong" not in out
    story = [
        "│ Goal 1 added: Two events a month. copkit measures it (events_held).",
        "│ Goal 4 added: Blog posts about our practice. Enter its value with “goals value 4 <value>”.",
        "┌ (#general) Scorecard\n│ ✅ 1. Two events a month — this month: 2 (target 2) ↑ before: 0",
        "│ ⏳ 2. Most events run by someone other than the leader — this month: 0% (target 50%)",
        "┌ (only you see this) Monthly digest: 2026-01\n│ 2 events held (leancoffee 2).",
        "┌ (only sam sees this) Monthly digest: 2026-01",
        "┌ (only you see this) A nudge from your coach\n│ No event has happened for 4 weeks.",
        "│ A next step: Pick a light format",
        "│ The deck is now the seed deck; earlier dimensions are retired, results kept.",
        "┌ (only you see this) Health check #1 · 1/3 · Safety",
        "┌ (#general) Health check #1: results\n│ 3 of 5 members answered (60%).",
        "│ 🟢 Safety:\n│   🟢 2 · 🟡 1 · 🔴 0 · score 83",
        "┌ (only you see this) Monthly digest: 2026-02\n│ 1 event held (leancoffee 1).",
        "│ Health trend: 2026-02: 78",
        "│ ✅ 3. Feeling safe stays green — this quarter: 83 (target 75) · measured: health:safe",
        "│ ⏳ 4. Blog posts about our practice — this month: 1 (target 2) · entered by the core team",
        "┌ (#general) Participation\n│ Core: 0 (0%) · before: 0\n│ Active: 5",
        "Counts only — never names.",
        "ann@general> me\n┌ (only you see this) Your history",
        "│ What you did: topic 3",
        "┌ (only you see this)\n│ You are left out of the statistics from now on",
        "┌ (only you see this) A nudge from your coach\n│ The last 4 events were all leancoffee.",
        "┌ (only you see this) Monthly digest: 2026-03",
        "┌ (only you see this) Your coach",
    ]
    positions = [out.index(line) for line in story]
    assert positions == sorted(positions), "the story is told in order"
    assert out.count("A nudge from your coach") == 2  # a week apart at the very least
    assert out.count("[picture digest.png") == 6  # three months, to you and to sam
    assert out.count("[picture scorecard.png") == 2
