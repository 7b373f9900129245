"""The console adapter: the shipped demo runs end to end and its transcript is what we expect."""

from __future__ import annotations

import subprocess
import sys

from copkit.adapters.console import ConsoleSession
from copkit.cli import demo_script
from copkit.core.clock import FakeClock


def test_tour_demo_transcript(tmp_path):
    done = subprocess.run(
        [sys.executable, "-m", "copkit", "console", "--demo", "tour"],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    out = done.stdout
    for expected in [
        "you@general> help",
        "┌ (only you see this) What I can do",
        "bob@general> formats disable leancoffee",
        "│ Only the leader can disable formats.",
        "│ Unknown command “fromats”. Did you mean: formats",
        "│ bob is now core team.",
        "│ Core team: bob",
        "│ I don't speak “xx” yet.",
        "┌ (#general) Community log",
    ]:
        assert expected in out, expected
    assert "Traceback" not in out + done.stderr


def test_script_from_stdin(tmp_path):
    done = subprocess.run(
        [sys.executable, "-m", "copkit", "console", "--script", "-"],
        input="roles\n/as zoe\nroles\n",
        capture_output=True,
        text=True,
        cwd=tmp_path,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    assert "│ You: leader" in done.stdout and "│ You: member" in done.stdout


async def test_session_buttons_forms_and_restart(db_url):
    lines: list[str] = []
    session = ConsoleSession(
        db_url, clock=FakeClock(), out=lines.append, plugins=["copkit.plugins.core_commands"]
    )
    await session.start()
    try:
        await session.run_script(
            [
                "/press 99",
                "/wait 5m",
                "/restart",
                "/presence ann bob",
                "/nonsense",
                "/as ann",
                "roles",
            ]
        )
    finally:
        await session.stop()
    text = "\n".join(lines)
    assert "There is no button 99 on screen." in text
    assert "… copkit restarted" in text
    assert "in #general: ann, bob" in text
    assert "Unknown console command" in text
    assert "│ You: member" in text


def test_every_shipped_demo_is_readable():
    assert demo_script("tour")[0].startswith("#")
