"""Core views as Discord messages: embeds, buttons, selects, polls, files and modals.

Everything here is pure (no network): a :class:`~copkit.core.views.View` goes in, the keyword
arguments for discord.py's ``send``/``edit`` come out. Discord's size limits are enforced here, so
a plugin that shows too much gets a shortened message instead of an HTTP 400.
"""

from __future__ import annotations

import hashlib
import io
import logging
import re
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

import discord

from copkit.core.moments import Moment
from copkit.core.usertext import backslash_escape, plain_text, render_text
from copkit.core.views import Button, Choice, Form, Poll, View

log = logging.getLogger("copkit.discord")

# Discord's limits (https://discord.com/developers/docs/resources/message, …/interactions).
CONTENT_MAX = 2000
EMBED_TITLE_MAX = 256
EMBED_TEXT_MAX = 4096
EMBED_FIELDS_MAX = 25
FIELD_NAME_MAX = 256
FIELD_VALUE_MAX = 1024
FOOTER_MAX = 2048
EMBED_TOTAL_MAX = 6000
CUSTOM_ID_MAX = 100
BUTTON_LABEL_MAX = 80
ROWS_MAX = 5
BUTTONS_PER_ROW = 5
SELECT_OPTIONS_MAX = 25
SELECT_TEXT_MAX = 100
PLACEHOLDER_MAX = 150
MODAL_TITLE_MAX = 45
MODAL_INPUTS_MAX = 5
INPUT_LABEL_MAX = 45
INPUT_VALUE_MAX = 4000
INPUT_PLACEHOLDER_MAX = 100
POLL_QUESTION_MAX = 300
POLL_ANSWER_MAX = 55
POLL_ANSWERS_MAX = 10
POLL_HOURS_MAX = 32 * 24
FILES_MAX = 10

COLOURS = {"info": 0x5865F2, "success": 0x57F287, "warning": 0xFEE75C, "error": 0xED4245}
STYLES = {
    "primary": discord.ButtonStyle.primary,
    "secondary": discord.ButtonStyle.secondary,
    "success": discord.ButtonStyle.success,
    "danger": discord.ButtonStyle.danger,
}

_MASS_MENTION = re.compile(r"@(everyone|here)")
FORM_MARK = "~f"  # ends the id of a button that opens a form
_DUPLICATE = re.compile(r"(~\d+)?(~f)?$")


def cut(text: str, limit: int) -> str:
    """``text`` shortened to ``limit`` characters, with an ellipsis when cut."""
    return text if len(text) <= limit else text[: limit - 1] + "…"


def literal(text: str) -> str:
    """Text that shows ``@everyone``/``@here`` as typed instead of as a mention (belt and braces:
    allowed mentions are off everywhere anyway)."""
    return _MASS_MENTION.sub("@\u200b\\1", text)


# What Discord's Markdown gives meaning to: emphasis, strike, code, spoilers, quotes, headings,
# lists, masked links, and ``<@…>``/``<#…>``/``<t:…>`` mentions and tags.
DISCORD_SPECIALS = "\\*_~`|<>#-+[]()"


def escape_user(text: str) -> str:
    """User text as Discord shows it literally: every Markdown character backslash-escaped
    (bare web addresses stay links, visible as they are)."""
    return backslash_escape(text, DISCORD_SPECIALS)


_TIMESTAMP = {"full": "F", "date": "D", "time": "t", "seconds": "T", "relative": "R"}


def timestamp(moment: Moment) -> str:
    """A moment as Discord's timestamp markup: each reader sees it in their own zone."""
    return f"<t:{moment.unix}:{_TIMESTAMP.get(moment.style, 'F')}>"


def shown(text: str, *, times: bool = True) -> str:
    """Text of a view for a place where Discord renders Markdown (content, embed title,
    description, field names and values): copkit's markup kept, user text escaped; times as
    timestamp markup (``times=False`` where Discord shows it raw: titles, field names)."""
    return literal(render_text(text, escape_user, None, timestamp if times else None))


def flat(text: str) -> str:
    """Text for a place Discord shows without Markdown (labels, footers, thread names, polls)."""
    return literal(plain_text(text))


def strip_duplicate_suffix(custom_id: str) -> str:
    """The action id behind a component id (a repeated id in one message gets ``~2``, ``~3``;
    a button that opens a form ends in ``~f``)."""
    return _DUPLICATE.sub("", custom_id)


def opens_form(custom_id: str) -> bool:
    return custom_id.endswith(FORM_MARK)


def native_poll_ok(poll: Poll) -> bool:
    """Whether Discord's own poll can carry ``poll``: not anonymous (Discord shows who voted) and
    within its limits."""
    return (
        not poll.anonymous
        and 2 <= len(poll.options) <= POLL_ANSWERS_MAX
        and all(0 < len(plain_text(o)) <= POLL_ANSWER_MAX for o in poll.options)
        and 0 < len(plain_text(poll.question)) <= POLL_QUESTION_MAX
        and 1 <= poll.hours <= POLL_HOURS_MAX
    )


class ActionItem(discord.ui.DynamicItem[discord.ui.Item], template=r"(?P<action>.+)"):
    """Every button and select copkit posts. Its ``custom_id`` is the core's action id, so a click
    still works after a restart or on another process: the state lives in the database."""

    def __init__(self, item: discord.ui.Item) -> None:
        super().__init__(item)

    @classmethod
    async def from_custom_id(
        cls,
        interaction: discord.Interaction,
        item: discord.ui.Item,
        match: re.Match[str],
        /,
    ) -> ActionItem:
        return cls(item)

    async def callback(self, interaction: discord.Interaction) -> None:  # pragma: no cover - wired
        handler = getattr(interaction.client, "copkit_component", None)
        if handler is not None:
            await handler(interaction, self.item)


class FormModal(discord.ui.Modal):
    """A core form. Its submission is handled in ``on_interaction`` (so it also works when the
    modal was opened by another process), not here."""

    async def on_submit(self, interaction: discord.Interaction, /) -> None:
        return None


@dataclass
class Rendered:
    """The parts of a Discord message for one view."""

    content: str | None = None
    embeds: list[discord.Embed] = field(default_factory=list)
    components: discord.ui.View | None = None
    images: list[tuple[str, bytes]] = field(default_factory=list)
    attachments: list[tuple[str, bytes]] = field(default_factory=list)  # files, not shown inline
    poll: discord.Poll | None = None
    poll_action: str = ""  # the core action id of the native poll
    poll_removals: bool = False  # the plugin takes withdrawn votes
    forms: dict[str, Form] = field(default_factory=dict)  # component id -> form it opens
    dropped: list[str] = field(default_factory=list)  # what did not fit (logged)
    mention_role: str = ""  # the one role this message may ping (copkit's opt-in role)

    def mentions(self) -> dict[str, Any]:
        """Who the message may ping: nobody, or the opt-in role alone."""
        if not self.mention_role:
            return {}
        only = discord.Object(int(self.mention_role))
        allowed = discord.AllowedMentions(
            everyone=False, users=False, replied_user=False, roles=[only]
        )
        return {"allowed_mentions": allowed}

    def files(self) -> list[discord.File]:
        """Fresh file objects (discord.py consumes them on each request)."""
        return [
            discord.File(io.BytesIO(data), filename=name)
            for name, data in self.images + self.attachments
        ]

    @property
    def image_digest(self) -> str:
        h = hashlib.sha256()
        for name, data in self.images + self.attachments:
            h.update(name.encode() + b"\0" + data)
        return h.hexdigest()[:16]

    def message_kwargs(self, *, with_files: bool = True) -> dict[str, Any]:
        """Keyword arguments for ``send``."""
        kw: dict[str, Any] = {"content": self.content, "embeds": self.embeds, **self.mentions()}
        if self.components is not None:
            kw["view"] = self.components
        if with_files and (self.images or self.attachments):
            kw["files"] = self.files()
        return kw

    def edit_kwargs(self, *, files_changed: bool) -> dict[str, Any]:
        """Keyword arguments for ``edit``: everything replaced, files only when they changed."""
        kw: dict[str, Any] = {
            "content": self.content,
            "embeds": self.embeds,
            "view": self.components,
        }
        if files_changed:
            kw["attachments"] = self.files()
        return kw


def _filename(name: str, n: int, ext: str = ".png") -> str:
    base = re.sub(r"[^A-Za-z0-9_.-]", "_", name).lstrip(".") or f"file{n}{ext}"
    return base if not ext or base.lower().endswith(ext) else base + ext


def render(view: View, *, native_poll: bool = True, note: str = "") -> Rendered:
    """Turn ``view`` into message parts. ``native_poll=False`` renders a poll as buttons.
    ``note`` is an extra line from the adapter (e.g. why no scheduled event was created)."""
    out = Rendered()
    title = shown(view.title, times=False)
    text = shown(view.text)
    footer = flat(view.footer)
    if note:
        footer = f"{footer}\n{note}".strip()
    images = view.images[:FILES_MAX]
    if len(view.images) > FILES_MAX:
        out.dropped.append(f"{len(view.images) - FILES_MAX} image(s)")
    used_names: set[str] = set()
    for n, img in enumerate(images, 1):
        name = _filename(img.filename, n)
        while name in used_names:
            name = f"{n}_{name}"
        used_names.add(name)
        out.images.append((name, img.png))
    room = FILES_MAX - len(images)
    for n, att in enumerate(view.attachments[:room], len(images) + 1):
        name = _filename(att.filename, n, ext="")
        while name in used_names:
            name = f"{n}_{name}"
        used_names.add(name)
        out.attachments.append((name, att.data))
    if len(view.attachments) > room:
        out.dropped.append(f"{len(view.attachments) - room} file(s)")

    poll = view.poll
    buttons: list[Button] = list(view.buttons)
    if poll is not None and native_poll and native_poll_ok(poll):
        p = discord.Poll(
            question=flat(poll.question),
            duration=timedelta(hours=poll.hours),
            multiple=poll.multiple,
        )
        for option in poll.options:
            p.add_answer(text=flat(option))
        out.poll = p
        out.poll_action = poll.action_id
        out.poll_removals = poll.removals
    elif poll is not None:
        # Anonymous or beyond Discord's limits: one button per option, same action ids as votes.
        vote_buttons = [
            Button(f"{poll.action_id}:{i}", f"{i + 1}. {plain_text(option)}")
            for i, option in enumerate(poll.options)
        ]
        buttons = vote_buttons + buttons
        text = (f"**{shown(poll.question)}**\n" + text).strip()

    plain = not (title or view.fields or footer or out.images) and len(text) <= CONTENT_MAX
    if plain and (text or not (buttons or view.choices or out.poll)):
        out.content = text or "\u200b"
    elif title or text or view.fields or footer or out.images:
        out.embeds = [_embed(view, title, text, footer, out)]

    if view.notify.isdigit():
        out.mention_role = view.notify
        out.content = f"<@&{view.notify}> {out.content or ''}".strip()
    out.components = _components(buttons, view.choices, out)
    if out.dropped:
        log.warning(
            "view %r shortened for Discord: %s",
            view.title or view.text[:40],
            "; ".join(out.dropped),
        )
    return out


def _embed(view: View, title: str, text: str, footer: str, out: Rendered) -> discord.Embed:
    colour = COLOURS.get(view.tone)
    if view.brand is not None:  # the community's brand: its accent (warnings keep theirs)
        footer = "\n".join(x for x in (footer, flat(view.brand.line())) if x)
        if view.tone in ("info", "success"):
            colour = view.brand.accent_int
    budget = EMBED_TOTAL_MAX
    title = cut(title, EMBED_TITLE_MAX)
    budget -= len(title)
    footer = cut(footer, FOOTER_MAX)
    budget -= len(footer)
    text = cut(text, min(EMBED_TEXT_MAX, max(budget - 200, 1)))
    if len(view.text) > EMBED_TEXT_MAX:
        out.dropped.append("end of the text")
    budget -= len(text)
    embed = discord.Embed(title=title or None, description=text or None, colour=colour)
    for n, f in enumerate(view.fields):
        name = cut(shown(f.name, times=False) or "\u200b", FIELD_NAME_MAX)
        value = cut(shown(f.value) or "\u200b", FIELD_VALUE_MAX)
        if n >= EMBED_FIELDS_MAX or len(name) + len(value) > budget:
            out.dropped.append(f"{len(view.fields) - n} field(s)")
            break
        budget -= len(name) + len(value)
        embed.add_field(name=name, value=value, inline=f.inline)
    if footer:
        embed.set_footer(text=footer)
    if out.images:
        embed.set_image(url=f"attachment://{out.images[0][0]}")
    return embed


def _unique(custom_id: str, seen: dict[str, int]) -> str:
    n = seen.get(custom_id, 0) + 1
    seen[custom_id] = n
    return custom_id if n == 1 else f"{custom_id}~{n}"


def _components(
    buttons: list[Button], choices: list[Choice], out: Rendered
) -> discord.ui.View | None:
    if not buttons and not choices:
        return None
    ui = discord.ui.View(timeout=None)
    seen: dict[str, int] = {}
    row = 0
    for choice in choices:
        if row >= ROWS_MAX:
            out.dropped.append(f"choice {choice.action_id}")
            continue
        custom_id = _unique(choice.action_id, seen)
        if len(custom_id) > CUSTOM_ID_MAX or not choice.options:
            out.dropped.append(
                f"choice {choice.action_id[:40]} (id over {CUSTOM_ID_MAX} characters or no options)"
            )
            continue
        options = [
            discord.SelectOption(
                label=cut(flat(o.label or o.value), SELECT_TEXT_MAX),
                value=plain_text(o.value)[:SELECT_TEXT_MAX],
                description=cut(flat(o.description), SELECT_TEXT_MAX) or None,
            )
            for o in choice.options[:SELECT_OPTIONS_MAX]
        ]
        if len(choice.options) > SELECT_OPTIONS_MAX:
            out.dropped.append(
                f"{len(choice.options) - SELECT_OPTIONS_MAX} option(s) of {choice.action_id}"
            )
        n = len(options)
        select: discord.ui.Select = discord.ui.Select(
            custom_id=custom_id,
            placeholder=cut(flat(choice.placeholder), PLACEHOLDER_MAX) or None,
            min_values=max(0, min(choice.min_values, n)),
            max_values=max(1, min(choice.max_values, n)),
            options=options,
            row=row,
        )
        ui.add_item(ActionItem(select))
        row += 1
    in_row = 0
    for b in buttons:
        custom_id = _unique(b.action_id, seen) + (FORM_MARK if b.form is not None else "")
        if len(custom_id) > CUSTOM_ID_MAX:
            out.dropped.append(f"button {b.label!r} (id over {CUSTOM_ID_MAX} characters)")
            continue
        if in_row == BUTTONS_PER_ROW:
            row += 1
            in_row = 0
        if row >= ROWS_MAX:
            out.dropped.append(f"button {b.label!r}")
            continue
        label = cut(flat(b.label), BUTTON_LABEL_MAX) or "\u200b"
        if b.form is not None and not label.endswith("…"):
            label = cut(label + "…", BUTTON_LABEL_MAX)
        button: discord.ui.Button = discord.ui.Button(
            custom_id=custom_id,
            label=label,
            style=STYLES.get(b.style, discord.ButtonStyle.secondary),
            disabled=b.disabled,
            row=row,
        )
        ui.add_item(ActionItem(button))
        if b.form is not None:
            out.forms[custom_id] = b.form
        in_row += 1
    if not ui.children:
        return None
    # Only used to serialise components: dispatch goes through the registered ActionItem
    # template, so discord.py must not track (and later time out) this view per message.
    ui.stop()
    return ui


def modal_for(form: Form) -> discord.ui.Modal:
    """A modal for ``form``; its ``custom_id`` is the form's action id."""
    modal = FormModal(
        title=cut(flat(form.title), MODAL_TITLE_MAX) or "…",
        custom_id=form.action_id[:CUSTOM_ID_MAX],
        timeout=900,
    )
    for inp in form.inputs[:MODAL_INPUTS_MAX]:
        modal.add_item(
            discord.ui.TextInput(
                label=cut(flat(inp.label), INPUT_LABEL_MAX) or inp.name[:INPUT_LABEL_MAX],
                custom_id=inp.name[:CUSTOM_ID_MAX],
                style=discord.TextStyle.paragraph if inp.multiline else discord.TextStyle.short,
                placeholder=cut(flat(inp.placeholder), INPUT_PLACEHOLDER_MAX) or None,
                default=plain_text(inp.default)[:INPUT_VALUE_MAX] or None,
                required=inp.required,
                max_length=max(1, min(inp.max_length, INPUT_VALUE_MAX)),
            )
        )
    return modal


def form_to_json(form: Form) -> dict[str, Any]:
    return {
        "action_id": form.action_id,
        "title": form.title,
        "inputs": [
            {
                "name": i.name,
                "label": i.label,
                "max_length": i.max_length,
                "required": i.required,
                "multiline": i.multiline,
                "placeholder": i.placeholder,
                "default": i.default,
            }
            for i in form.inputs
        ],
    }


def form_from_json(data: dict[str, Any]) -> Form:
    from copkit.core.views import FormInput

    return Form(data["action_id"], data["title"], tuple(FormInput(**i) for i in data["inputs"]))


def modal_values(components: list[dict[str, Any]]) -> dict[str, str]:
    """The values of a modal submission: input id -> text (action rows or labels)."""
    values: dict[str, str] = {}

    def walk(items: list[dict[str, Any]]) -> None:
        for c in items:
            if "components" in c:
                walk(c["components"])
            if "component" in c:
                walk([c["component"]])
            if c.get("type") == 4 and "custom_id" in c:
                values[c["custom_id"]] = c.get("value") or ""

    walk(components)
    return values
