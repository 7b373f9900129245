"""Issue 17 item 14: the interactive console, driven through a real pseudo-terminal as a person
types: ``/wait`` moves the clock at once, a timer fires while a form's field waits for an answer
(and while a line is half typed) and its output comes above the line, which is drawn again;
readline keeps a history (form answers stay out of it); ``/as`` alone explains itself."""

from __future__ import annotations

import os
import pty
import re
import select
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="needs a pseudo-terminal")

PROMPT = r"you@general> "


class Typist:
    """A person at a terminal: types keys, reads what the screen shows."""

    def __init__(self, tmp_path: Path, *args: str, **env: str) -> None:
        environ = {**os.environ, "HOME": str(tmp_path), "TERM": "xterm", **env}
        environ.pop("COPKIT_CONFIG", None)
        environ.setdefault("COPKIT_FILES_DIR", str(tmp_path / "files"))
        self.master, slave = pty.openpty()
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "copkit", "console", *args],
            stdin=slave,
            stdout=slave,
            stderr=slave,
            cwd=tmp_path,
            env=environ,
            start_new_session=True,
        )
        os.close(slave)
        self.buf = b""
        self.seen = ""

    def expect(self, pattern: str, timeout: float = 30) -> str:
        """Everything up to and including ``pattern``, once the screen shows it."""
        end = time.monotonic() + timeout
        while True:
            m = re.search(pattern.encode(), self.buf)
            if m:
                shown, self.buf = self.buf[: m.end()], self.buf[m.end() :]
                text = shown.decode(errors="replace")
                self.seen += text
                return text
            left = end - time.monotonic()
            assert left > 0, f"no {pattern!r} on screen; last: {self.buf[-1500:]!r}"
            ready, _w, _x = select.select([self.master], [], [], min(left, 0.2))
            if ready:
                try:
                    self.buf += os.read(self.master, 65536)
                except OSError:  # the program ended
                    time.sleep(0.05)

    def type(self, keys: str) -> None:
        os.write(self.master, keys.encode())

    def line(self, text: str, then: str = PROMPT) -> str:
        self.type(text + "\r")
        return self.expect(then)

    def quit(self) -> int:
        self.type("/quit\r")
        try:
            return self.proc.wait(20)
        finally:
            os.close(self.master)


@pytest.fixture
def typist(tmp_path):
    t = Typist(tmp_path, "--database", f"sqlite://{tmp_path / 'c.db'}")
    yield t
    if t.proc.poll() is None:
        t.proc.kill()
        t.proc.wait(5)


def test_wait_moves_the_clock_and_timers_fire_while_a_form_waits(typist, tmp_path):
    typist.expect(PROMPT)
    typist.line("leancoffee start --timebox 1m")
    typist.line("leancoffee propose Alpha")
    typist.line("leancoffee voting open")
    typist.line("leancoffee vote 1")
    typist.line("leancoffee voting close")
    started = time.monotonic()
    typist.line("/wait 57s")  # three seconds before the timebox ends, at once
    assert time.monotonic() - started < 5
    typist.line("/press Propose", then=r"Title: ")
    # The form's field waits for an answer; the timebox ends meanwhile (in real time) and its
    # thumbs vote is printed over a cleared line, then the field's prompt is drawn again.
    shown = typist.expect(r"Keep going on #1 Alpha\?[\s\S]*?Title: ", timeout=20)
    assert shown.startswith("\r\x1b[K┌ (#general) Keep going on #1 Alpha?"), shown[:80]
    typist.line("Beta", then=r"Pitch \(optional\): ")
    assert "Added #2 Beta." in typist.line("")
    # A half-typed line survives output arriving meanwhile: it is drawn again after it.
    typist.line("leancoffee next")
    typist.line("/wait 55s")  # the next timebox ends in about five seconds
    typist.type("lean")
    shown = typist.expect(r"Keep going on #2 Beta\?[\s\S]*?you@general> lean", timeout=20)
    assert "\r\x1b[K" in shown
    assert "☕ Lean coffee" in typist.line("coffee board")  # what ran is the whole line
    assert typist.quit() == 0
    history = (tmp_path / ".copkit_history").read_text(encoding="utf-8").splitlines()
    assert history[:2] == ["leancoffee start --timebox 1m", "leancoffee propose Alpha"]
    assert "leancoffee board" in history and "/wait 57s" in history
    assert "Beta" not in history, "a form's answer is not a command to recall"


def test_history_is_recalled_with_the_arrow_key(tmp_path):
    (tmp_path / "home").mkdir()
    (tmp_path / "home" / "console_history").write_text("roles\n", encoding="utf-8")
    typist = Typist(
        tmp_path, "--database", f"sqlite://{tmp_path / 'c.db'}", COPKIT_HOME=str(tmp_path / "home")
    )
    try:
        typist.expect(PROMPT)
        typist.type("\x1b[A")  # up: the last line of an earlier session
        typist.expect("roles")
        assert "You: leader" in typist.line("")
        assert "/as NAME acts as someone else" in typist.line("/as")
        assert typist.quit() == 0
    finally:
        if typist.proc.poll() is None:
            typist.proc.kill()
    saved = (tmp_path / "home" / "console_history").read_text(encoding="utf-8")
    assert saved.splitlines()[-3:] == ["roles", "/as", "/quit"]


async def test_pictures_are_saved_numbered_and_opened_with_the_viewer(tmp_path, monkeypatch):
    from copkit.adapters.console import ConsoleSession
    from copkit.core.clock import FakeClock

    bin_dir, opened = tmp_path / "bin", tmp_path / "opened.txt"
    bin_dir.mkdir()
    for name in ("xdg-open", "open"):  # whichever this system's viewer command is
        viewer = bin_dir / name
        viewer.write_text(f'#!/bin/sh\necho "$1" >> {opened}\n', encoding="utf-8")
        viewer.chmod(0o755)
    monkeypatch.setenv("PATH", str(bin_dir))
    lines: list[str] = []
    session = ConsoleSession(
        f"sqlite://{tmp_path / 'c.db'}",
        clock=FakeClock(),
        out=lines.append,
        files_dir=tmp_path / "files",
    )
    await session.start()
    try:
        await session.run_script(
            [
                "/open",
                'brownbag schedule "Files" --speaker me --at "2026-01-08 12:30"',
                "brownbag ics 1",
                "/open 9",
                "/open",
            ]
        )
        text = "\n".join(lines)
        assert "No picture or file has been saved yet." in text
        ics = tmp_path / "files" / "brownbag-1.ics"
        assert f"saved to {ics}] /open 1" in text
        assert "Open a saved file by its number, from 1 to 1." in text
        assert f"Opening {ics}." in text
        for _ in range(100):  # the viewer runs on its own
            if opened.exists() and opened.read_text().strip():
                break
            time.sleep(0.05)
        assert opened.read_text().split() == [str(ics)]
        monkeypatch.setenv("PATH", str(tmp_path / "nowhere"))
        lines.clear()
        await session.run_script(["/open 1", "/as", "/as bob", "/as"])
        text = "\n".join(lines)
        assert (
            f"I found no viewer to open it here (xdg-open or open); it is saved at {ics}." in text
        )
        assert "You are you now. People so far: you." in text
        assert "You are bob now. People so far: you, bob." in text
    finally:
        await session.stop()


async def test_pictures_are_saved_with_their_path(tmp_path):
    from types import SimpleNamespace

    from copkit.adapters.console import ConsoleMessenger
    from copkit.core.views import Image, ToRoom, View

    lines: list[str] = []
    messenger = ConsoleMessenger(lines.append, tmp_path / "files")
    png = b"\x89PNG\r\n\x1a\n" + bytes(20)
    community: Any = SimpleNamespace(locale="fr")
    for data in (png, png + b"!"):  # a later chart of the same name does not overwrite it
        view = View(title="Chart", images=[Image("chart.png", data)])
        await messenger.send(community, "general", ToRoom(), view, None)
    messenger.flush()
    first, second = tmp_path / "files" / "chart.png", tmp_path / "files" / "chart-2.png"
    assert first.read_bytes() == png and second.read_bytes() == png + b"!"
    assert f"│ [image chart.png, 28 octets, enregistrée dans {first}] /open 1" in lines[0]
    assert f"│ [image chart.png, 29 octets, enregistrée dans {second}] /open 2" in lines[1]
    assert messenger.files == [first, second]
