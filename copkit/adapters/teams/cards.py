"""Core views as Adaptive Cards 1.5 for Teams: plain functions from a View to card JSON.

Buttons, choices, polls and form submits are ``Action.Execute`` (Universal Actions, answered with
the refreshed card) with ``Action.Submit`` as the fallback for hosts without them. A button with a
form opens an ``Action.ShowCard`` holding the inputs. Every action carries its core action id in
``data["copkit"]``; :func:`values_from_data` turns what comes back into interaction values.
"""

from __future__ import annotations

import base64
import io
import json
import logging
import re
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from copkit.core.i18n import _
from copkit.core.moments import Moment, has_moments
from copkit.core.usertext import backslash_escape, plain_text, render_text, split_lines
from copkit.core.views import Button, Choice, Field, Form, Poll, View, with_personal_button

from .brandcard import brand_header
from .files import files, fits

log = logging.getLogger("copkit.teams.cards")

JSON = dict[str, Any]
Context = JSON | Callable[[str], JSON] | None
"""Merged into every action's data: fixed, or made per action from its id (a signed note)."""
SCHEMA = "http://adaptivecards.io/schemas/adaptive-card.json"
VERSION = "1.5"
CARD_CONTENT_TYPE = "application/vnd.microsoft.card.adaptive"
MAX_CARD_BYTES = 26_000  # Teams refuses messages over about 28 KB
IMAGE_BUDGET = 18_000  # bytes of base64 for all pictures of one card
ROW = 5  # actions per ActionSet row
RESERVED = {"copkit", "_in", "_sel", "c", "r", "u", "e", "s"}

_TONE = {"success": "good", "warning": "warning", "error": "attention"}
_STYLE = {"primary": "positive", "success": "positive", "danger": "destructive"}
_ITALIC = re.compile(r"(?<![*\w])\*(?!\s)([^*\n]+?)(?<!\s)\*(?![*\w])")


# What Adaptive Cards' Markdown (TextBlock, FactSet) gives meaning to: emphasis, links, lists,
# and what fuller Markdown renderers of some hosts also read (code, headings, quotes, tags).
TEAMS_SPECIALS = "\\*_[]()`~<>#-+"


def escape_user(text: str) -> str:
    """User text as a TextBlock shows it literally: Markdown characters backslash-escaped.
    A host that ignored escapes would still show no masked link (``\\]\\(`` is no ``](``).
    ``<at>`` is no mention: a card mentions only through its ``msteams.entities``, which
    copkit never fills from user text."""
    return backslash_escape(text, TEAMS_SPECIALS)


def _convert(text: str) -> str:
    text = text.replace("`", "")
    return _ITALIC.sub(r"_\1_", text)


def card_time(moment: Moment) -> str:
    """A moment as Adaptive Cards' DATE/TIME functions (a TextBlock shows it in the reader's
    zone and language; strict RFC 3339, upper case, no spaces inside the braces)."""
    iso = datetime.fromtimestamp(moment.unix, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    if moment.style == "date":
        return f"{{{{DATE({iso}, SHORT)}}}}"
    if moment.style in ("time", "seconds"):
        return f"{{{{TIME({iso})}}}}"
    return f"{{{{DATE({iso}, SHORT)}}}} {{{{TIME({iso})}}}}"


def markdown(text: str) -> str:
    """The core's Markdown subset in Adaptive Cards' dialect (no inline code; ``_italic_``);
    user text escaped; times through DATE/TIME (only TextBlocks format them)."""
    return render_text(text, escape_user, _convert, card_time)


def _plain(text: str) -> str:
    return re.sub(r"\[([^\]]+)\]\(([^)]+)\)", r"\1 (\2)", text).replace("**", "").replace("`", "")


def plain(text: str) -> str:
    """Text without copkit's markup, for places shown as they are (summaries, fallback
    text); user text kept as typed."""
    return render_text(text, lambda u: u, _plain)


def bare(text: str) -> str:
    """Text for a plain property of a card (action titles, input labels and values)."""
    return plain_text(text)


def _text_blocks(text: str, **extra: Any) -> list[JSON]:
    """One TextBlock per line (clients differ on single newlines); blank lines add space."""
    blocks: list[JSON] = []
    gap = False
    for line in split_lines(text):
        if not line.strip():
            gap = True
            continue
        block: JSON = {"type": "TextBlock", "text": markdown(line), "wrap": True, **extra}
        if blocks:
            block["spacing"] = "medium" if gap else "none"
        blocks.append(block)
        gap = False
    return blocks


def _data(action_id: str, context: Context, **extra: Any) -> JSON:
    note = context(action_id) if callable(context) else context
    return {"copkit": action_id, **extra, **(note or {})}


def _execute(title: str, data: JSON, *, style: str = "secondary", enabled: bool = True) -> JSON:
    action: JSON = {
        "type": "Action.Execute",
        "title": title,
        "verb": data["copkit"],
        "data": data,
        "fallback": {"type": "Action.Submit", "title": title, "data": data},
    }
    if style in _STYLE:
        action["style"] = _STYLE[style]
    if not enabled:
        action["isEnabled"] = False
    return action


def _rows(actions: list[JSON]) -> list[JSON]:
    return [
        {"type": "ActionSet", "actions": actions[i : i + ROW]} for i in range(0, len(actions), ROW)
    ]


def _form_card(form: Form, index: int, context: Context) -> JSON:
    """The inputs of a form in a card shown by its button. Input ids are unique in the whole
    card (``f<index>.<name>``: Teams gathers every input of a card); ``_in`` maps them back."""
    body: list[JSON] = [
        {"type": "TextBlock", "text": markdown(form.title), "weight": "bolder", "wrap": True}
    ]
    names: JSON = {}
    for inp in form.inputs[:5]:
        input_id = f"f{index}.{inp.name}"
        names[inp.name] = [input_id, inp.max_length]
        field: JSON = {
            "type": "Input.Text",
            "id": input_id,
            "label": bare(inp.label),
            "maxLength": inp.max_length,
            "isRequired": inp.required,
            "isMultiline": inp.multiline,
        }
        if inp.required:
            field["errorMessage"] = _("Please fill this in.")
        if inp.placeholder:
            field["placeholder"] = bare(inp.placeholder)
        if inp.default:
            field["value"] = bare(inp.default)
        body.append(field)
    submit = _execute(_("Send"), _data(form.action_id, context, _in=names), style="primary")
    return {"type": "AdaptiveCard", "body": body, "actions": [submit]}


def _button(b: Button, index: int, context: Context) -> JSON:
    if b.form is not None and not b.disabled:
        card = _form_card(b.form, index, context)
        return {"type": "Action.ShowCard", "title": bare(b.label), "card": card}
    return _execute(
        bare(b.label), _data(b.action_id, context), style=b.style, enabled=not b.disabled
    )


def _choice(c: Choice, index: int, context: Context) -> list[JSON]:
    short = all(len(bare(o.label)) <= 24 for o in c.options)
    if c.max_values <= 1 and len(c.options) <= ROW and short:
        buttons = [
            _execute(bare(o.label), _data(c.action_id, context, selected=[o.value]))
            for o in c.options
        ]
        blocks: list[JSON] = []
        if c.placeholder:
            blocks.append(
                {
                    "type": "TextBlock",
                    "text": markdown(c.placeholder),
                    "wrap": True,
                    "isSubtle": True,
                }
            )
        return blocks + _rows(buttons)
    input_id = f"choice{index}"
    choice_set: JSON = {
        "type": "Input.ChoiceSet",
        "id": input_id,
        "choices": [{"title": bare(o.label), "value": o.value} for o in c.options[:25]],
        "isMultiSelect": c.max_values > 1,
        "style": "compact",
    }
    if c.placeholder:
        choice_set["placeholder"] = bare(c.placeholder)
        choice_set["label"] = bare(c.placeholder)
    submit = _execute(_("OK"), _data(c.action_id, context, _sel=input_id), style="primary")
    return [choice_set, {"type": "ActionSet", "actions": [submit]}]


def _poll(p: Poll, context: Context) -> list[JSON]:
    blocks: list[JSON] = [
        {"type": "TextBlock", "text": markdown(p.question), "weight": "bolder", "wrap": True}
    ]
    long = any(len(bare(o)) > 24 for o in p.options)
    if long:
        blocks += [
            {
                "type": "TextBlock",
                "text": f"{i + 1}. {markdown(o)}",
                "wrap": True,
                "spacing": "none",
            }
            for i, o in enumerate(p.options)
        ]
    buttons = [
        _execute(str(i + 1) if long else bare(o), _data(f"{p.action_id}:{i}", context))
        for i, o in enumerate(p.options)
    ]
    hint = _("You can pick several.") if p.multiple else _("Pick one.")
    blocks.append(
        {"type": "TextBlock", "text": hint, "isSubtle": True, "size": "small", "wrap": True}
    )
    return blocks + _rows(buttons)


def _fields(fields: list[Field]) -> list[JSON]:
    blocks: list[JSON] = []
    facts: list[JSON] = []
    for f in fields:
        if "\n" in f.value or len(plain_text(f.value)) > 80 or has_moments(f.value):
            if facts:
                blocks.append({"type": "FactSet", "facts": facts})
                facts = []
            blocks.append(
                {"type": "TextBlock", "text": markdown(f.name), "weight": "bolder", "wrap": True}
            )
            blocks += _text_blocks(f.value)
        else:
            facts.append(
                {"title": render_text(f.name, escape_user, _plain), "value": markdown(f.value)}
            )
    if facts:
        blocks.append({"type": "FactSet", "facts": facts})
    return blocks


def _when(moment: object) -> str:
    if not isinstance(moment, datetime):
        return str(moment)
    iso = moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    return f"{{{{DATE({iso}, SHORT)}}}} {{{{TIME({iso})}}}}"


def _event(view: View) -> list[JSON]:
    """An event's title, time and place. The time is a TextBlock with Teams' DATE/TIME
    functions (each reader sees it in their own time zone; FactSets do not format dates)."""
    ev = view.event
    if ev is None:
        return []
    title = markdown(ev.title) + (" " + _("(cancelled)") if ev.cancelled else "")
    when = _("**When:** {start} – {end}").format(start=_when(ev.start), end=_when(ev.end))
    blocks: list[JSON] = [
        {"type": "TextBlock", "text": title, "weight": "bolder", "wrap": True},
        {"type": "TextBlock", "text": when, "wrap": True, "spacing": "none"},
    ]
    if ev.location:
        where = _("**Where:** {place}").format(place=markdown(ev.location))
        blocks.append({"type": "TextBlock", "text": where, "wrap": True, "spacing": "none"})
    return blocks


def shrink_png(png: bytes, budget: int) -> bytes | None:
    """The picture re-encoded (fewer colours, then smaller) until its base64 fits ``budget``."""
    if len(png) * 4 // 3 + 4 <= budget:
        return png
    try:
        from PIL import Image as PILImage
    except ImportError:  # pragma: no cover - Pillow comes with matplotlib
        return None
    try:
        img: PILImage.Image = PILImage.open(io.BytesIO(png))
        img.load()
    except Exception:
        log.warning("a picture could not be read; left out")
        return None
    img = img.convert("RGBA")
    for scale in (1.0, 0.75, 0.5, 0.35, 0.25):
        size = (max(1, int(img.width * scale)), max(1, int(img.height * scale)))
        candidate = img.resize(size) if scale < 1 else img
        out = io.BytesIO()
        candidate.quantize(colors=64).save(out, format="PNG", optimize=True)
        data = out.getvalue()
        if len(data) * 4 // 3 + 4 <= budget:
            return data
    return None


def _images(view: View) -> list[JSON]:
    blocks: list[JSON] = []
    budget = IMAGE_BUDGET // max(1, len(view.images))
    for img in view.images:
        png = shrink_png(img.png, budget)
        if png is None:
            blocks.append(
                {
                    "type": "TextBlock",
                    "text": markdown(img.alt or img.filename),
                    "isSubtle": True,
                    "wrap": True,
                }
            )
            continue
        uri = "data:image/png;base64," + base64.b64encode(png).decode("ascii")
        blocks.append(
            {
                "type": "Image",
                "url": uri,
                "altText": bare(img.alt or img.filename),
                "size": "stretch",
            }
        )
    return blocks


def fallback_text(view: View) -> str:
    """The card as one line of plain text: notifications and hosts that cannot render it."""
    first = (split_lines(view.text) or [""])[0]
    parts = [plain(view.title), plain(first)]
    return " — ".join(p for p in parts if p)[:300] or _("A card from copkit")


MAX_REFRESH_USERS = 60  # Teams refreshes a card automatically for at most 60 people


def render(
    view: View,
    *,
    context: Context = None,
    heading: str = "",
    note: str = "",
    viewers: list[str] | None = None,
) -> JSON:
    """The Adaptive Card for ``view``. ``context`` is merged into every action's data (private
    cards carry where they belong); ``heading`` names a new post; ``note`` is a line on top only
    the person who acted sees (in an invoke response). A view with a personal part refreshes
    itself for each of ``viewers`` (Universal Actions ``refresh``: each sees their own part in
    place); with no viewers or more than 60, it gets the part's button and note instead. Kept
    under Teams' size limit: pictures are dropped first, then long text is cut."""
    refresh: JSON | None = None
    if view.personal is not None:
        if viewers and len(viewers) <= MAX_REFRESH_USERS:
            data = _data(view.personal.action_id, context)
            action = {
                "type": "Action.Execute",
                "title": bare(view.personal.label),
                "verb": data["copkit"],
                "data": data,
            }
            refresh = {"action": action, "userIds": list(viewers)}
        else:
            view = with_personal_button(view)
    card = _build(view, context, heading, note)
    if refresh is not None:
        card["refresh"] = refresh
    limit = MAX_CARD_BYTES - sum(len(json.dumps(f)) for f in files(view))
    if len(json.dumps(card)) <= limit:
        return card
    if view.images:
        log.warning("card too large; pictures left out")
        view = View(**{**_view_dict(view), "images": []})
        card = {**_build(view, context, heading, note), **({"refresh": refresh} if refresh else {})}
    while len(json.dumps(card)) > limit and len(view.text) > 40:
        log.warning("card too large; text shortened")
        view = View(**{**_view_dict(view), "text": view.text[: len(view.text) // 2] + "\n…"})
        card = {**_build(view, context, heading, note), **({"refresh": refresh} if refresh else {})}
    return card


def _build(view: View, context: Context, heading: str, note: str) -> JSON:
    body: list[JSON] = []
    if note:
        body.append(
            {
                "type": "TextBlock",
                "text": markdown(note),
                "wrap": True,
                "color": "accent",
                "weight": "bolder",
            }
        )
    if heading:
        body.append(
            {
                "type": "TextBlock",
                "text": markdown(heading),
                "size": "large",
                "weight": "bolder",
                "wrap": True,
            }
        )
    if view.title:
        body.append(
            {
                "type": "TextBlock",
                "text": markdown(view.title),
                "size": "medium",
                "weight": "bolder",
                "wrap": True,
            }
        )
    body += _text_blocks(view.text)
    body += _fields(view.fields)
    body += _event(view)
    body += _images(view)
    body += _files(view)
    if view.poll is not None:
        body += _poll(view.poll, context)
    for i, choice in enumerate(view.choices):
        body += _choice(choice, i, context)
    if view.buttons:
        body += _rows([_button(b, i, context) for i, b in enumerate(view.buttons)])
    if view.footer:
        body += _text_blocks(view.footer, isSubtle=True, size="small")
    if not body:
        body.append({"type": "TextBlock", "text": " ", "wrap": True})
    if view.tone in _TONE:
        body = [{"type": "Container", "style": _TONE[view.tone], "bleed": True, "items": body}]
    if view.brand is not None:
        body = brand_header(view.brand, markdown, plain) + body
    return {
        "type": "AdaptiveCard",
        "$schema": SCHEMA,
        "version": VERSION,
        "body": body,
        "fallbackText": fallback_text(view),
        "msteams": {"width": "Full"},
    }


def _view_dict(view: View) -> JSON:
    return {name: getattr(view, name) for name in view.__dataclass_fields__}


def message(card: JSON, view: View) -> JSON:
    """A message activity carrying ``card``, then the view's files (see :func:`files`)."""
    return {
        "type": "message",
        "summary": fallback_text(view),
        "attachments": [{"contentType": CARD_CONTENT_TYPE, "content": card}, *files(view)],
    }


def _files(view: View) -> list[JSON]:
    """A line per file on the card: its name, and why it is missing when it did not fit."""
    blocks: list[JSON] = []
    for att, ok in zip(view.attachments, fits(view), strict=True):
        line = f"📎 {att.filename}" + (f" — {att.description}" if att.description else "")
        if not ok:
            line += " " + _("(too large to send here: {kb} KB)").format(kb=len(att.data) // 1024)
        blocks.append({"type": "TextBlock", "text": bare(line), "wrap": True, "isSubtle": True})
    return blocks


# Coming back ------------------------------------------------------------------------------------


def values_from_data(data: JSON, max_value: int = 4000) -> tuple[str, JSON]:
    """The action id and interaction values from an Action.Execute / Action.Submit payload
    (the action's ``data`` merged with the card's inputs)."""
    action_id = str(data.get("copkit") or "")
    values: JSON = {}
    if isinstance(data.get("_in"), dict):  # a form: only its inputs, cut to their limits
        for name, spec in data["_in"].items():
            input_id, limit = spec if isinstance(spec, list) and len(spec) == 2 else (name, 0)
            raw = data.get(str(input_id))
            text = "" if raw is None else str(raw)
            cut = limit if isinstance(limit, int) and 0 < limit <= max_value else max_value
            values[str(name)] = text[:cut]
    elif isinstance(data.get("_sel"), str):  # a choice set: comma-separated values
        raw = data.get(data["_sel"])
        values["selected"] = [v for v in str(raw or "").split(",") if v]
    elif isinstance(data.get("selected"), list):
        values["selected"] = [str(v)[:200] for v in data["selected"][:25]]
    return action_id, values
