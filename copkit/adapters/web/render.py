"""A core view as HTML: the chat's small Markdown subset (``**bold**``, ``*italic*``,
```code```, ``- `` list items, ``[label](https://…)`` links) turned into tags, and every user
text escaped and shown literally (never markup, never a link). Buttons, choices and polls are
left out: the site is read-only."""

from __future__ import annotations

import html
import re

from markupsafe import Markup

from copkit.core.usertext import render_text
from copkit.core.views import View

_BOLD = re.compile(r"\*\*(.+?)\*\*")
_ITALIC = re.compile(r"(?<![\w*])\*(?!\s)(.+?)(?<!\s)\*(?![\w*])")
_CODE = re.compile(r"`([^`]+)`")
_LINK = re.compile(r"\[([^\]]+)\]\((https?://[^\s)]+)\)")


def _inline(escaped: str) -> str:
    """Markup of copkit's own (already HTML-escaped) text."""
    out = escaped
    if "`" in out:
        out = _CODE.sub(lambda m: f"<code>{m.group(1)}</code>", out)
    if "](" in out:
        out = _LINK.sub(
            lambda m: f'<a href="{m.group(2)}" rel="nofollow noopener">{m.group(1)}</a>', out
        )
    if "*" in out:
        out = _BOLD.sub(lambda m: f"<strong>{m.group(1)}</strong>", out)
        out = _ITALIC.sub(lambda m: f"<em>{m.group(1)}</em>", out)
    return out


def _convert(template: str) -> str:
    lines = template.replace("```", "").split("\n")
    out: list[str] = []
    in_list = False
    for raw in lines:
        line = html.escape(raw, quote=True)
        item = line.startswith("- ") or line.startswith("• ")
        if item and not in_list:
            out.append("<ul>")
            in_list = True
        elif not item and in_list:
            out.append("</ul>")
            in_list = False
        if item:
            out.append(f"<li>{_inline(line[2:])}</li>")
        elif line.strip():
            out.append(f"<p>{_inline(line)}</p>")
    if in_list:
        out.append("</ul>")
    return "\n".join(out)


_WHOLE_URL = re.compile(r"https?://[^\s\"'<>`]+")


def _escape_user(text: str) -> str:
    """User text, literally; a text that is one web address alone (a talk's slides or
    recording, checked when given) becomes a link to it."""
    escaped = html.escape(text, quote=True).replace("\n", " ")
    if _WHOLE_URL.fullmatch(text) and len(text) <= 500:
        return f'<a href="{escaped}" rel="nofollow noopener ugc">{escaped}</a>'
    return escaped


def text_html(text: str) -> Markup:
    """Text of a view as HTML paragraphs and lists; user text escaped."""
    return Markup(render_text(text, _escape_user, _convert))


def inline_html(text: str) -> Markup:
    """A one-line text (a title, a field's name) as HTML; user text escaped."""
    done = render_text(text, _escape_user, lambda t: _inline(html.escape(t, quote=True)))
    return Markup(done.replace("\n", " "))


def view_html(view: View, *, level: int = 3) -> Markup:
    """A whole view: its title as a heading, text, fields as a description list, footer."""
    parts: list[str] = ['<section class="view">']
    if view.title:
        parts.append(f"<h{level}>{inline_html(view.title)}</h{level}>")
    if view.text:
        parts.append(str(text_html(view.text)))
    if view.fields:
        parts.append("<dl>")
        for f in view.fields:
            parts.append(f"<dt>{inline_html(f.name)}</dt><dd>{text_html(f.value)}</dd>")
        parts.append("</dl>")
    if view.footer:
        parts.append(f'<p class="footer">{inline_html(view.footer)}</p>')
    parts.append("</section>")
    return Markup("\n".join(parts))
