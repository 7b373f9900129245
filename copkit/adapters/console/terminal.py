"""The interactive console's terminal: lines are read in a thread of their own (timers fire
while a person types, in a form's field as at the prompt), with readline's editing and a history
kept between sessions; output that arrives meanwhile is printed above the line being typed,
which is then drawn again. Saved pictures and files open in the system's viewer."""

from __future__ import annotations

import asyncio
import contextlib
import os
import queue
import shutil
import subprocess
import sys
import threading
from pathlib import Path
from types import ModuleType
from typing import Any, TextIO

HISTORY_LENGTH = 1000
CLEAR_LINE = "\r\x1b[K"


def history_path() -> Path:
    """``$COPKIT_HOME/console_history``, else ``~/.copkit_history``."""
    home = os.environ.get("COPKIT_HOME")
    if home:
        return Path(home) / "console_history"
    return Path.home() / ".copkit_history"


def viewer() -> list[str] | None:
    """The command that opens a file with its usual application here, or ``None``."""
    names = ["open"] if sys.platform == "darwin" else ["xdg-open"]
    for name in names:
        found = shutil.which(name)
        if found:
            return [found]
    return None


def open_file(path: Path) -> list[str] | None:
    """Open ``path`` in the system's viewer without waiting for it; the command used, or ``None``
    when there is no viewer."""
    command = viewer()
    if command is None:
        return None
    subprocess.Popen(  # the viewer lives on its own: the console does not wait for it
        [*command, str(path)],
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    return command


class Terminal:
    """Reads lines without blocking the event loop; writes without overwriting the prompt."""

    def __init__(self, stdin: TextIO | None = None, stdout: TextIO | None = None) -> None:
        self.stdin = stdin or sys.stdin
        self.stdout = stdout or sys.stdout
        self.prompt: str | None = None
        """The prompt on screen while a line is being typed, else ``None``."""
        self._asks: queue.Queue[tuple[str, bool, asyncio.Future[str]]] = queue.Queue()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        self._tty = _isatty(self.stdin) and _isatty(self.stdout)
        self._readline: ModuleType | None = None
        self._saved_mode: Any = None
        self.history: Path | None = None

    def start(self) -> None:
        self._loop = asyncio.get_running_loop()
        if self._tty:
            self._readline = _import_readline()
            self._saved_mode = _terminal_mode(self.stdin)
        if self._readline is not None:
            self.history = history_path()
            self._readline.set_history_length(HISTORY_LENGTH)
            with contextlib.suppress(OSError):
                self._readline.read_history_file(str(self.history))
        # A daemon thread: a person who quits mid-line (Ctrl-C) is not kept waiting for it.
        self._thread = threading.Thread(target=self._reader, name="copkit-console", daemon=True)
        self._thread.start()

    def close(self) -> None:
        if self._readline is not None and self.history is not None:
            with contextlib.suppress(OSError):
                self.history.parent.mkdir(parents=True, exist_ok=True)
                self._readline.write_history_file(str(self.history))
        if self._saved_mode is not None:  # left mid-line: give the terminal back as it was
            _restore_mode(self.stdin, self._saved_mode)

    async def read(self, prompt: str, *, remember: bool = True) -> str:
        """The next line typed after ``prompt``; ``EOFError`` at the end of input. A line not
        to ``remember`` (a form's answer) stays out of the history."""
        assert self._loop is not None, "start() first"
        answer: asyncio.Future[str] = self._loop.create_future()
        self.prompt = prompt
        self._asks.put((prompt, remember, answer))
        try:
            return await answer
        finally:
            self.prompt = None

    def write(self, text: str) -> None:
        """Print ``text``; while a line is being typed, above it, and draw that line again."""
        if self.prompt is None or not self._tty:
            print(text, file=self.stdout, flush=True)
            return
        typed = self._readline.get_line_buffer() if self._readline is not None else ""
        self.stdout.write(f"{CLEAR_LINE}{text}\n{self.prompt}{typed}")
        self.stdout.flush()

    def _reader(self) -> None:
        while True:
            prompt, remember, answer = self._asks.get()
            try:
                line = self._input(prompt)
                if not remember and line and self._readline is not None:
                    last = self._readline.get_current_history_length()
                    if last:
                        self._readline.remove_history_item(last - 1)
            except BaseException as exc:  # EOFError (Ctrl-D), or the input closed
                self.prompt = None
                self._settle(answer, None, exc if isinstance(exc, Exception) else EOFError())
                continue
            self.prompt = None  # the line is done: what comes next prints as it is
            self._settle(answer, line, None)

    def _input(self, prompt: str) -> str:
        if self.stdin is sys.stdin and self.stdout is sys.stdout:
            return input(prompt)  # readline's editing and history when both are a terminal
        self.stdout.write(prompt)
        self.stdout.flush()
        line = self.stdin.readline()
        if not line:
            raise EOFError
        return line.rstrip("\n")

    def _settle(
        self, answer: asyncio.Future[str], line: str | None, exc: BaseException | None
    ) -> None:
        def settle() -> None:
            if answer.done():
                return
            if exc is not None:
                answer.set_exception(exc)
            else:
                answer.set_result(line or "")

        assert self._loop is not None
        with contextlib.suppress(RuntimeError):  # the loop closed while a line was typed
            self._loop.call_soon_threadsafe(settle)


def _isatty(stream: TextIO) -> bool:
    try:
        return stream.isatty()
    except (AttributeError, ValueError):
        return False


def _import_readline() -> ModuleType | None:
    try:
        import readline
    except ImportError:  # e.g. Windows without pyreadline: plain lines, no history
        return None
    return readline


def _terminal_mode(stream: TextIO) -> Any:
    try:
        import termios

        return termios.tcgetattr(stream.fileno())
    except (ImportError, OSError, ValueError):
        return None


def _restore_mode(stream: TextIO, mode: Any) -> None:
    try:
        import termios

        termios.tcsetattr(stream.fileno(), termios.TCSADRAIN, mode)
    except (ImportError, OSError, ValueError):
        pass
