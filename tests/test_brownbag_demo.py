"""``copkit console --demo brownbag`` plays end to end; its transcript tells the story, and the
calendar entries it prints parse back as one event moved (same UID, higher SEQUENCE)."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from pathlib import Path

from icalendar import Calendar

from copkit.cli import DEMOS, main


def calendars(out: str) -> list[Calendar]:
    """Every .ics file the console saved (the transcript says where), parsed back."""
    found = re.findall(r"\[file brownbag-\d+\.ics, \d+ bytes, saved to (\S+\.ics)\]", out)
    return [Calendar.from_ical(Path(path).read_bytes()) for path in found]


def test_copkit_console_demo_brownbag(tmp_path, monkeypatch, capsys):
    assert "brownbag" in DEMOS
    monkeypatch.chdir(tmp_path)  # no copkit.toml: the default plugins, a temporary database
    monkeypatch.delenv("COPKIT_CONFIG", raising=False)
    assert main(["console", "--demo", "brownbag"]) == 0
    captured = capsys.readouterr()
    out = captured.out
    assert "copkit:" not in captured.err, captured.err
    assert "Traceback" not in out + captured.err

    story = [
        "│ - #1 Property-based testing — 2 votes · could give it: bob",
        "│ - #2 Kubernetes for developers — 1 vote · could give it: cat",
        "┌ (#general) Brown bag #1: Property-based testing",
        "│ When: Tue 6 Jan 2026, 12:30–13:15 (Europe/Paris)",
        "] Going (1)",
        "│ Sun 4 Jan 2026, 13:00 (Europe/Paris) is in the past.",
        "┌ (only cat sees) Brown bag moved",
        "│ Brown bag #1 moved to Tue 6 Jan 2026, 13:00–13:45 (Europe/Paris).",
        "  … copkit restarted",
        "│ You are speaking tomorrow: “Property-based testing”.",
        "│ “Property-based testing” by bob starts tomorrow.",
        "│ You are speaking in 15 minutes: “Property-based testing”.",
        "┌ (only ann sees) How was “Property-based testing”?",
        "┌ (only cat sees) How was “Property-based testing”?",
        "┌ (#general) Record of brown bag #1: Property-based testing",
    ]
    positions = [out.index(line) for line in story]
    assert positions == sorted(positions), "the story is told in order"
    record = out[out.index("┌ (#general) Record of brown bag #1") :]
    for line in [
        "│ Speaker: bob",
        "│ Date: Tue 6 Jan 2026, 13:00 (Europe/Paris)",
        "│ Attendance: 2",
        "│ Average rating: 4.5/5 (2 ratings)",
        "│ Recording: https://video.example/bb-1",
        "│ Slides: https://slides.example/bb-1",
    ]:
        assert line in record, line
    # Each reminder once, to the speaker and to the two going (cat changed "maybe" to going).
    assert out.count("Brown bag reminder") == 6
    # The .ics before and after the move: the same event, updated.
    before, after = [c.walk("VEVENT")[0] for c in calendars(out)]
    assert str(before["UID"]) == str(after["UID"])
    assert (before["SEQUENCE"], after["SEQUENCE"]) == (0, 1)
    assert before.decoded("DTSTART") == datetime(2026, 1, 6, 11, 30, tzinfo=UTC)
    assert after.decoded("DTSTART") == datetime(2026, 1, 6, 12, 0, tzinfo=UTC)
    assert after.decoded("DTEND") == datetime(2026, 1, 6, 12, 45, tzinfo=UTC)
    assert str(after["STATUS"]) == "CONFIRMED" and str(after["LOCATION"]) == "Room Ada"
