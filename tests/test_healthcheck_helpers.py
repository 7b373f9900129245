"""Helpers for the health-check tests (no tests here): start a round, answer as a member."""

from __future__ import annotations

from copkit.core.views import View
from copkit.plugins.healthcheck import logic
from copkit.plugins.healthcheck import routes as R
from copkit.testing import Harness

PLUGINS = ("copkit.plugins.core_commands", "copkit.plugins.healthcheck")
MEMBERS = ("ann", "bob", "cid", "dan", "eve")


def text_of(view: View) -> str:
    """Everything a person can read in a view (title, text, fields, footer, labels)."""
    parts = [view.title, view.text, view.footer]
    parts += [f"{f.name}: {f.value}" for f in view.fields]
    parts += [b.label for b in view.buttons]
    parts += [o.label for c in view.choices for o in c.options]
    parts += [c.placeholder for c in view.choices]
    if view.poll:
        parts += [view.poll.question, *view.poll.options]
    parts += [i.alt + i.filename for i in view.images]
    parts += [
        f"{a.filename} {a.description}\n" + a.data.decode("utf-8", "replace")
        for a in view.attachments
    ]
    return "\n".join(p for p in parts if p)


async def start(h: Harness, args: str = "", who: str = "leader") -> int:
    """Open a round; returns its id (from the announcement's button)."""
    out = await h.say(who, f"healthcheck start {args}".strip())
    prefix = R.TAKE.prefix + ":"
    take = [b for m in out for b in m.view.buttons if b.action_id.startswith(prefix)]
    assert take, [text_of(m.view) for m in out]
    return int(R.TAKE.parse(take[0].action_id.removeprefix(prefix))["round"])


async def item_ids(rid: int) -> list[int]:
    return [it.id for it in await logic.items(rid)]


async def answer(
    h: Harness,
    who: str,
    rid: int,
    colours: list[str] | str,
    trends: list[str] | str = "same",
    comments: dict[int, str] | None = None,
    note: str | None = None,
) -> None:
    """``who`` rates every dimension (position i gets ``colours[i]``), as the buttons would."""
    ids = await item_ids(rid)
    colours = [colours] * len(ids) if isinstance(colours, str) else colours
    trends = [trends] * len(ids) if isinstance(trends, str) else trends
    await h.click(who, R.TAKE.build(round=rid))
    for i, iid in enumerate(ids):
        if i < len(colours) and colours[i]:
            await h.click(who, R.COLOUR.build(round=rid, item=iid), {"selected": [colours[i]]})
        if i < len(trends) and trends[i]:
            await h.click(who, R.TREND.build(round=rid, item=iid), {"selected": [trends[i]]})
    for pos, text in (comments or {}).items():
        await h.click(who, R.COMMENT.build(round=rid, item=ids[pos]), {"comment": text})
    if note is not None:
        await h.click(who, R.FORGET.build(round=rid), {"text": note})


def field(view: View, name_part: str) -> str:
    """The value of the first field whose name contains ``name_part``."""
    for f in view.fields:
        if name_part in f.name:
            return f.value
    raise AssertionError(f"no field {name_part!r} in {[f.name for f in view.fields]}")


def field_name(view: View, name_part: str) -> str:
    for f in view.fields:
        if name_part in f.name:
            return f.name
    raise AssertionError(f"no field {name_part!r}")


async def close(h: Harness, who: str = "leader") -> list:
    """``who`` closes the open round; returns what was shown, the results included (they are
    posted by their own job, run here as the timer loop would at once)."""
    first = len(h.messenger.log)
    await h.say(who, "healthcheck close")
    await h.advance(seconds=0)
    return h.messenger.log[first:]
