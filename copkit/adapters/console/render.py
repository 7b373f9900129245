"""Views as plain text for a terminal."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from typing import NamedTuple

from copkit.core.i18n import _, ngettext
from copkit.core.usertext import render_text
from copkit.core.views import Button, Choice, Poll, View

_LINK = re.compile(r"\[([^\]]+)\]\(([^)]+)\)")


def _own_markup(text: str) -> str:
    if "](" in text:  # (no link without it: the common case skips the expression)
        text = _LINK.sub(r"\1 <\2>", text)
    return text.replace("**", "").replace("`", "")


def escape_user(text: str) -> str:
    """User text as a terminal shows it: as typed, but no control character reaches the
    terminal (an escape sequence could recolour, retitle or clear it): each is shown as its
    ``\\x..`` code instead. Line breaks, tabs and the joiner inside emoji stay."""
    if text.isprintable():  # (no control, format or line separator character: as it is)
        return text
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


class Saved(NamedTuple):
    """Where the console saved a picture or file, and its number for ``/open N``."""

    path: str
    number: int


def render(
    view: View,
    handle: Callable[[object], int],
    header: str = "",
    files: dict[str, Saved] | None = None,
) -> str:
    """Render ``view``; ``handle`` gives each button, choice or poll a number to press;
    ``files`` says where each of the view's pictures and files was saved."""
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
        lines.append(
            "│ " + _saved(True, img.filename, len(img.png), (files or {}).get(img.filename))
        )
    for att in view.attachments:
        where = (files or {}).get(att.filename)
        lines.append("│ " + _saved(False, att.filename, len(att.data), where))
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


def _saved(picture: bool, name: str, size: int, where: Saved | None) -> str:
    """``[picture chart.png, 1234 bytes, saved to copkit-files/chart.png] /open 2``."""
    amount = ngettext("{n} byte", "{n} bytes", size).format(n=size)
    if where is None:
        text = _("[picture {name}, {size}]") if picture else _("[file {name}, {size}]")
        return text.format(name=name, size=amount)
    text = (
        _("[picture {name}, {size}, saved to {path}]")
        if picture
        else _("[file {name}, {size}, saved to {path}]")
    )
    return text.format(name=name, size=amount, path=where.path) + f" /open {where.number}"


def _button(b: Button, handle: Callable[[object], int]) -> str:
    if b.disabled:
        return f"[–] {flat(b.label)}"
    return f"[{handle(b)}] {flat(b.label)}" + ("…" if b.form else "")


def _choice(c: Choice, handle: Callable[[object], int]) -> str:
    n = handle(c)
    opts = ", ".join(f"{i + 1}={flat(o.label)}" for i, o in enumerate(c.options))
    many = (
        " " + _("(pick {least}–{most})").format(least=c.min_values, most=c.max_values)
        if c.max_values > 1
        else ""
    )
    return f"[{n}] {flat(c.placeholder) or _('Choose')}{many}: {opts}"


def _poll(p: Poll, handle: Callable[[object], int]) -> str:
    n = handle(p)
    opts = ", ".join(f"{i + 1}={flat(o)}" for i, o in enumerate(p.options))
    return f"[{n}] " + _("poll: {question} — {options}").format(
        question=markdown_to_text(p.question), options=opts
    )
