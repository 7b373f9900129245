"""The console's messenger: keeps messages as a chat would, saves their pictures and files to a
folder, and prints what changed after each step."""

from __future__ import annotations

import itertools
import os
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

from copkit.core.events import Person
from copkit.core.i18n import _, current_locale, use_locale
from copkit.core.messenger import MessageRef
from copkit.core.models import Community
from copkit.core.views import Private, Target, ToThread, View, plain_text

from .render import Saved, flat, render


class ConsoleMessenger:
    """Keeps messages like a chat would, and prints what changed after each step."""

    platform = "console"
    platform_title = "the terminal"
    themes = (("light", "#ffffff"), ("dark", "#1e1e1e"))
    """The backgrounds of the platform's themes: a brand's accent must stand out on each."""

    def __init__(self, out: Callable[[str], None], files_dir: Path | None = None) -> None:
        self.out = out
        self.files_dir = files_dir or default_files_dir()
        self.saved: dict[tuple[str, str], Saved] = {}  # (message, file name) -> where, number
        self.files: list[Path] = []
        """Every picture and file saved, in order (``/open N`` opens number N)."""
        self.messages: dict[str, tuple[str, Target, View]] = {}
        self._locales: dict[str, str] = {}  # message -> its community's language
        self._ids = itertools.count(1)
        self._new: list[str] = []
        self._edited: list[str] = []
        self.handles: dict[int, tuple[object, str]] = {}
        self._handle_ids = itertools.count(1)
        self.pinned: set[str] = set()
        self.acting = ""
        """Who types now: a private message to them reads "(only you see this)"."""

    async def send(
        self, community: Community, room_id: str, target: Target, view: View, request: Any
    ) -> MessageRef:
        mid = f"c{next(self._ids)}"
        if isinstance(target, ToThread):
            room_id = plain_text(target.name)
        self.messages[mid] = (room_id, target, view)
        self._locales[mid] = community.locale
        self._save(mid, view)
        self._new.append(mid)
        return {"room_id": room_id, "message_id": mid}

    def _save(self, mid: str, view: View) -> None:
        """Write the view's pictures and files to the files folder: a name already holding other
        bytes gets a number (``brownbag-1-2.ics``), so an earlier file is never overwritten."""
        items = [(img.filename, img.png) for img in view.images]
        items += [(att.filename, att.data) for att in view.attachments]
        for filename, data in items:
            key = (mid, filename)
            path = _free_path(self.files_dir, filename, data)
            if not path.exists():
                self.files_dir.mkdir(parents=True, exist_ok=True)
                path.write_bytes(data)
            known = self.saved.get(key)
            if known is None or known.path != str(path):
                self.files.append(path)
                self.saved[key] = Saved(str(path), len(self.files))

    async def edit(
        self, community: Community, ref: MessageRef, view: View, request: Any = None
    ) -> None:
        mid = ref["message_id"]
        if mid not in self.messages:  # posted before a restart of the console itself
            self.messages[mid] = (ref.get("room_id", ""), ToThread(""), view)
        room_id, target, _old = self.messages[mid]
        self.messages[mid] = (room_id, target, view)
        self._locales[mid] = community.locale
        self._save(mid, view)
        if mid not in self._new and mid not in self._edited:
            self._edited.append(mid)

    async def pin(self, community: Community, ref: MessageRef) -> bool:
        mid = ref["message_id"]
        self.pinned.add(mid)
        if mid in self.messages and mid not in self._new and mid not in self._edited:
            self._edited.append(mid)
        return True

    async def find_person(self, community: Community, token: str, request: Any) -> Person | None:
        """Anyone can be named in the console (people are their names, as with ``/as``)."""
        name = token.strip()
        if not name or len(name) > 64 or any(c.isspace() for c in name):
            return None
        return Person(id=name, name=name)

    def _handle(self, mid: str) -> Callable[[object], int]:
        def give(item: object) -> int:
            n = next(self._handle_ids)
            self.handles[n] = (item, mid)
            return n

        return give

    def find(self, token: str) -> object | None:
        """The item with handle ``token`` (a number), or the latest one whose label, placeholder
        or question starts with ``token`` (so scripts need not count buttons)."""
        if token.isascii() and token.isdigit():
            found = self.handles.get(int(token[:9]))
            return found[0] if found else None
        want = token.casefold().rstrip("…")
        for n in sorted(self.handles, reverse=True):
            item = self.handles[n][0]
            label = getattr(item, "label", None) or getattr(item, "placeholder", None)
            label = label or getattr(item, "question", "")
            if want and plain_text(str(label)).casefold().startswith(want):
                return item
        return None

    def flush(self) -> None:
        """Print the messages posted or changed since the last flush, each in its community's
        language (the console's own words around it too)."""
        for mid in self._new + self._edited:
            with use_locale(self._locales.get(mid) or current_locale()):
                self.out(self._render(mid))
        self._new.clear()
        self._edited.clear()

    def _render(self, mid: str) -> str:
        room_id, target, view = self.messages[mid]
        if isinstance(target, Private):
            # (the console's default person is called "you": "only you see this" too)
            if target.person_id in (self.acting, "you"):
                header = _("(only you see this)") + " "
            else:
                header = _("(only {name} sees this)").format(name=target.person_id) + " "
        elif isinstance(target, ToThread):
            header = _("(new thread «{name}»)").format(name=flat(target.name)) + " "
        else:
            header = f"(#{room_id}) " if room_id else ""
        if mid in self._edited:
            header = _("(updated)") + " " + header
        if mid in self.pinned:
            header = _("(pinned)") + " " + header
        files = {name: saved for (m, name), saved in self.saved.items() if m == mid}
        return render(view, self._handle(mid), header, files)


def default_files_dir() -> Path:
    """Where the console saves the pictures and files views carry: ``$COPKIT_FILES_DIR`` or
    ``./copkit-files``."""
    return Path(os.environ.get("COPKIT_FILES_DIR") or "copkit-files")


def _free_path(folder: Path, filename: str, data: bytes) -> Path:
    """``folder/<name>``, or ``<stem>-2<ext>``… when that name holds other bytes already."""
    name = re.sub(r"[^A-Za-z0-9_.-]", "_", filename).lstrip(".") or "file"
    stem, dot, ext = name.rpartition(".")
    if not dot:
        stem, ext = name, ""
    n = 1
    while True:
        path = folder / (name if n == 1 else f"{stem}-{n}{dot}{ext}")
        if not path.exists() or path.read_bytes() == data:
            return path
        n += 1
