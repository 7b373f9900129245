"""The canvas in words: the chat view (numbered items, to edit by number), its history, and
Markdown to paste elsewhere (user text literal)."""

from __future__ import annotations

from copkit.core.i18n import _, ngettext
from copkit.core.usertext import escape_markdown, no_fence
from copkit.core.views import TEXT_MAX, UserText, View

from .canvas_model import BOXES, EXTENDED, Canvas, describe
from .canvas_models import CanvasVersion

SHOWN_PER_BOX = 12
ITEM_SHOWN = 160


def _cut(text: str, most: int) -> str:
    return text if len(text) <= most else text[: most - 1] + "…"


def headline(canvas: Canvas) -> str:
    """Leader, date and who took part, on one line."""
    parts = []
    if canvas.leader:
        parts.append(_("Leader: {name}").format(name=UserText(canvas.leader)))
    if canvas.date:
        parts.append(UserText(canvas.date))
    if canvas.participants:
        n = len(canvas.participants)
        parts.append(
            ngettext("{n} took part: {names}", "{n} took part: {names}", n).format(
                n=n, names=", ".join(UserText(p) for p in canvas.participants[:20])
            )
        )
    return " · ".join(parts)


GOAL_MARK = "◎"


def canvas_text(canvas: Canvas, goals: dict[str, str] | None = None) -> str:
    """The boxes with numbered items (``canvas edit <box> change 2 …`` refers to them);
    ``goals`` maps a measure that is a goal to its target and cadence."""
    goals = goals or {}
    blocks: list[str] = []
    for box in canvas.box_list():
        items = canvas.items(box.key)
        lines = [f"**{_(box.title)}** ({box.key})"]
        if not items:
            lines.append("—")
        for n, item in enumerate(items[:SHOWN_PER_BOX], 1):
            line = f"{n}. {UserText(_cut(item, ITEM_SHOWN))}"
            if box.key == "measures" and item in goals:
                how = goals[item]
                line += f" {GOAL_MARK} " + (_("goal: {how}").format(how=how) if how else _("goal"))
            lines.append(line)
        if len(items) > SHOWN_PER_BOX:
            hidden = len(items) - SHOWN_PER_BOX
            lines.append(ngettext("…and {n} more", "…and {n} more", hidden).format(n=hidden))
        blocks.append("\n".join(lines))
    if canvas.force_field:
        lines = [f"**{_('Force field')}**"]
        for idea, side, strength in canvas.force_field[:SHOWN_PER_BOX]:
            mark = "▲" if side == "support" else "▼"
            lines.append(
                f"{mark} {UserText(_cut(idea, ITEM_SHOWN))}"
                + (f" ({strength})" if strength else "")
            )
        blocks.append("\n".join(lines))
    text = "\n\n".join(blocks)
    if len(text) > TEXT_MAX:  # many long items: the picture and the Markdown hold them all
        text = (
            text[: TEXT_MAX - 60].rsplit("\n", 1)[0]
            + "\n"
            + _("…see the picture or “canvas --markdown”.")
        )
    return text


def empty_text() -> str:
    return _(
        "There is no canvas yet. Run the vision workshop, or start one box by box: "
        "“canvas edit vision add …”."
    )


def markdown(canvas: Canvas, name: str, version: int) -> str:
    """The canvas as a Markdown document; everything people wrote is escaped."""
    out = [f"# {escape_markdown(name or _('Our community'))}", ""]
    meta = []
    if canvas.leader:
        meta.append(_("Leader: {name}").format(name=escape_markdown(canvas.leader)))
    if canvas.date:
        meta.append(escape_markdown(canvas.date))
    meta.append(_("version {n}").format(n=version))
    out += ["*" + " · ".join(meta) + "*", ""]
    for box in canvas.box_list():
        out += [f"## {_(box.title)}", ""]
        items = canvas.items(box.key)
        out += [f"- {escape_markdown(i)}" for i in items] or ["—"]
        out.append("")
    if canvas.force_field:
        out += [f"## {_('Force field')}", ""]
        for idea, side, strength in canvas.force_field:
            word = _("supports") if side == "support" else _("slows down")
            extra = f" ({strength})" if strength else ""
            out.append(f"- {word}: {escape_markdown(idea)}{extra}")
        out.append("")
    if canvas.participants:
        out += [f"## {_('Who took part')}", ""]
        out += [", ".join(escape_markdown(p) for p in canvas.participants), ""]
    return "\n".join(out)


def markdown_view(canvas: Canvas, name: str, version: int) -> View:
    body = no_fence(markdown(canvas, name, version))
    if len(body) > TEXT_MAX - 40:
        body = body[: TEXT_MAX - 60].rsplit("\n", 1)[0] + "\n…\n"
    return View(title=_("Canvas (Markdown)"), text=f"```markdown\n{body}```")


def history_view(rows: list[CanvasVersion], names: dict[str, str]) -> View:
    if not rows:
        return View(text=_("The canvas has no history yet."))
    lines = []
    for row in rows:
        who = names.get(row.member) or row.member or _("someone")
        lines.append(
            _("v{n} · {day} · {who}: {what}").format(
                n=row.version,
                day=row.created_at.date().isoformat(),
                who=UserText(who),
                what=describe(dict(row.change)),
            )
        )
    return View(title=_("Canvas history"), text="\n".join(lines))


def box_titles() -> list[str]:
    return [b.key for b in BOXES + EXTENDED]
