"""Views as plain text for a terminal."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable

from copkit.core.usertext import render_text
from copkit.core.views import Button, Choice, Poll, View

_LINK = re.compile(r"\[([^\]]+)\]\(([^)]+)\)")


def _own_markup(text: str) -> str:
    text = _LINK.sub(r"\1 <\2>", text)
    return text.replace("**", "").replace("`", "")


def escape_user(text: str) -> str:
    """User text as a terminal shows it: as typed, but no control character reaches the
    terminal (an escape sequence could recolour, retitle or clear it): each is shown as its
    ``\\x..`` code instead. Line breaks, tabs and the joiner inside emoji stay."""
    return "".join(
        c
        if c in "\n\t\u200d" or unicodedata.category(c) not in ("Cc", "Cf", "Zl", "Zp")
        else f"\\x{ord(c):02x}"
        if ord(c) < 0x100
        else f"\\u{ord(c):04x}"
        for c in text
    )


def markdown_to_text(text: str) -> str:
    """A view's text for the terminal: copkit's markup made plain, user text as typed."""
    return render_text(text, escape_user, _own_markup)


def flat(text: str) -> str:
    """Text of a label (no markup of copkit's own), user text as typed."""
    return render_text(text, escape_user)


def render(
    view: View,
    handle: Callable[[object], int],
    header: str = "",
    files: dict[str, str] | None = None,
) -> str:
    """Render ``view``; ``handle`` gives each button, choice or poll a number to press;
    ``files`` says where each of the view's files was saved."""
    lines: list[str] = []
    title = markdown_to_text(view.title)
    if view.brand is not None:  # the community's brand, as a terminal can show it
        header = f"[{flat(view.brand.name)}] {header}"
    lines.append(f"┌ {header}{title}".rstrip())
    for line in markdown_to_text(view.text).splitlines():
        lines.append(f"│ {line}")
    for f in view.fields:
        value = markdown_to_text(f.value).replace("\n", "\n│   ")
        lines.append(
            f"│ {markdown_to_text(f.name)}: {value}"
            if "\n" not in value
            else f"│ {markdown_to_text(f.name)}:\n│   {value}"
        )
    for img in view.images:
        lines.append(f"│ [picture {img.filename}, {len(img.png)} bytes]")
    for att in view.attachments:
        where = (files or {}).get(att.filename, "")
        saved = f", saved to {where}" if where else ""
        lines.append(f"│ [file {att.filename}, {len(att.data)} bytes{saved}]")
    if view.poll:
        lines.append(f"│ {_poll(view.poll, handle)}")
    for choice in view.choices:
        lines.append(f"│ {_choice(choice, handle)}")
    if view.buttons:
        lines.append("│ " + "  ".join(_button(b, handle) for b in view.buttons))
    if view.footer:
        lines.append(f"│ {markdown_to_text(view.footer)}")
    lines.append("└")
    return "\n".join(lines)


def _button(b: Button, handle: Callable[[object], int]) -> str:
    if b.disabled:
        return f"[–] {flat(b.label)}"
    return f"[{handle(b)}] {flat(b.label)}" + ("…" if b.form else "")


def _choice(c: Choice, handle: Callable[[object], int]) -> str:
    n = handle(c)
    opts = ", ".join(f"{i + 1}={flat(o.label)}" for i, o in enumerate(c.options))
    many = f" (pick {c.min_values}–{c.max_values})" if c.max_values > 1 else ""
    return f"[{n}] {flat(c.placeholder) or 'Choose'}{many}: {opts}"


def _poll(p: Poll, handle: Callable[[object], int]) -> str:
    n = handle(p)
    opts = ", ".join(f"{i + 1}={flat(o)}" for i, o in enumerate(p.options))
    return f"[{n}] poll: {markdown_to_text(p.question)} — {opts}"
