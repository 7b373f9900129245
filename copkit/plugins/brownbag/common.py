"""Helpers the talk formats share: references, names, ratings, links and in-place views."""

from __future__ import annotations

import asyncio
import weakref
from collections.abc import Awaitable, Callable
from zoneinfo import ZoneInfo

from copkit.core.context import Scope
from copkit.core.errors import UserError
from copkit.core.i18n import _
from copkit.core.models import Membership
from copkit.core.parsing import to_int
from copkit.core.timezones import zone
from copkit.core.views import Button, Form, FormInput, View

APPLY_MAX = 300


def parse_number(raw: object, what: str) -> int:
    """``3`` or ``#3`` as a number; a short error otherwise."""
    text = str(raw or "").strip().removeprefix("#")
    n = to_int(text, 0, 10**9 - 1) if text.isdigit() else None
    if n is None:
        raise UserError(
            _("“{value}” is not a {what} number.").format(value=str(raw)[:30], what=what)
        )
    return n


def community_zone(scope: Scope) -> ZoneInfo:
    try:
        return zone(scope.community.timezone)
    except UserError:
        return ZoneInfo("UTC")


async def names(community_id: int, ids: list[str] | set[str]) -> dict[str, str]:
    """Display names of members by id (the id when the name is unknown)."""
    ids = [i for i in set(ids) if i]
    found = {
        m.person_id: m.name
        for m in await Membership.filter(community_id=community_id, person_id__in=ids)
    }
    return {i: found.get(i) or i for i in ids}


def parse_rating(raw: object) -> int:
    text = str(raw or "").strip()
    if text not in {"1", "2", "3", "4", "5"}:
        raise UserError(_("A rating is a whole number from 1 to 5."))
    return int(text)


def check_apply(text: str) -> str:
    text = " ".join((text or "").split())
    if len(text) > APPLY_MAX:
        raise UserError(_("Please keep it under {n} characters.").format(n=APPLY_MAX))
    return text


def check_link(url: str | None) -> str:
    url = (url or "").strip()
    if not url.lower().startswith(("https://", "http://")) or len(url) > 500 or " " in url:
        raise UserError(_("“{value}” is not a web link (https://…).").format(value=url[:60]))
    return url


def rating_buttons(action_prefix: str) -> list[Button]:
    """Five buttons, 1 to 5; each opens a short form for "one thing I'll apply"."""
    buttons = []
    for n in range(1, 6):
        form = Form(
            action_id=f"{action_prefix}:{n}",
            title=_("Your feedback: {n}/5").format(n=n),
            inputs=(
                FormInput(
                    "apply",
                    _("One thing I'll apply"),
                    max_length=APPLY_MAX,
                    required=False,
                    multiline=True,
                ),
            ),
        )
        buttons.append(
            Button(f"{action_prefix}:{n}", str(n), "primary" if n >= 4 else "secondary", form=form)
        )
    return buttons


def average(ratings: list[int]) -> float | None:
    return round(sum(ratings) / len(ratings), 1) if ratings else None


_locks: weakref.WeakKeyDictionary[
    asyncio.AbstractEventLoop, dict[tuple[int, str], asyncio.Lock]
] = weakref.WeakKeyDictionary()


async def show_latest(
    scope: Scope, key: str, render: Callable[[], Awaitable[View]], **show_kwargs: object
) -> object:
    """Render and show the keyed view under a lock, so the last update shown is the latest state
    even when many requests change it at once (each renders after its own commit)."""
    locks = _locks.setdefault(asyncio.get_running_loop(), {})
    lock = locks.setdefault((scope.community.id, key), asyncio.Lock())
    async with lock:
        view = await render()
        return await scope.show(view, key=key, **show_kwargs)  # type: ignore[arg-type]
