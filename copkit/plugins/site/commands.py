"""``site``: a member's link to the community's site; ``site public|members|off`` and ``site
revoke`` for the leader."""

from __future__ import annotations

from typing import Any

from copkit.core.context import Context
from copkit.core.i18n import N_, _
from copkit.core.models import Community
from copkit.core.roles import Role
from copkit.core.site import Visibility
from copkit.core.specs import Command
from copkit.core.views import View, notice

from . import links


def site_path(community_id: int, token: str = "") -> str:
    """The path of a community's home page (with a members' token: the signed one)."""
    return f"/c/{community_id}/k/{token}/" if token else f"/c/{community_id}/"


def address(ctx: Context, path: str) -> str:
    return ctx.services.site.base_url.rstrip("/") + path


async def show_link(ctx: Context, args: dict[str, Any]) -> None:
    community = await Community.get(id=ctx.community.id)
    seen = links.visibility(community)
    if seen == "off":
        await ctx.reply(
            notice(
                _("This community has no site yet. The leader can open it with “site members”.")
            ),
            private=True,
        )
        return
    if seen == "public":
        url = address(ctx, site_path(community.id))
        feed = address(ctx, links.calendar_path(community.id))
        text = _("Open to anyone: {url}").format(url=url)
        await ctx.reply(
            View(title=_("The community's site"), text=f"{text}\n{_calendar_line(feed)}"),
            private=True,
        )
        return
    key = await links.secret(ctx.services.site)
    token = links.members_link(key, community, ctx.now())
    url = address(ctx, site_path(community.id, token))
    feed = address(
        ctx, links.calendar_path(community.id, links.calendar_token(key, community, ctx.now()))
    )
    text = _("For you only, valid for {days} days: {url}").format(days=links.LINK_DAYS, url=url)
    await ctx.reply(
        View(
            title=_("Your link to the community's site"),
            text=f"{text}\n{_calendar_line(feed)}",
            footer=_("Please don't share them: the leader can revoke every link at once."),
        ),
        private=True,
    )


def _calendar_line(feed: str) -> str:
    return _("The calendar, to subscribe to in your calendar app: {url}").format(url=feed)


async def _update(ctx: Context, **changes: Any) -> Community:
    community = await Community.get(id=ctx.community.id)
    settings = dict(community.settings or {})
    site = {**links.site_settings(community), **changes}
    settings["site"] = site
    community.settings = settings
    await community.save(update_fields=["settings"])
    await ctx.runtime.refresh(ctx.community)
    return community


async def _set(ctx: Context, seen: Visibility) -> None:
    await _update(ctx, visibility=seen)
    await ctx.log("site.visibility", text=seen, member=ctx.person.id)
    words = {
        "public": _("The site is now public: anyone with its address can read it."),
        "members": _("The site is now open to members: each gets a private link with “site”."),
        "off": _("The site is now off."),
    }[seen]
    await ctx.reply(notice(words, "success"))


async def set_public(ctx: Context, args: dict[str, Any]) -> None:
    await _set(ctx, "public")


async def set_members(ctx: Context, args: dict[str, Any]) -> None:
    await _set(ctx, "members")


async def set_off(ctx: Context, args: dict[str, Any]) -> None:
    await _set(ctx, "off")


async def revoke(ctx: Context, args: dict[str, Any]) -> None:
    community = await Community.get(id=ctx.community.id)
    await _update(ctx, epoch=links.epoch(community) + 1)
    await ctx.log("site.revoked", member=ctx.person.id)
    await ctx.reply(
        notice(
            _(
                "Every link given so far (site and calendar) no longer works. Members ask again "
                "with “site”."
            ),
            "success",
        )
    )


COMMANDS = [
    Command(("site",), N_("Get your link to the community's site."), show_link),
    Command(
        ("site", "public"),
        N_("Open the community's site to anyone with its address."),
        set_public,
        role=Role.LEADER,
        action=N_("change the site"),
    ),
    Command(
        ("site", "members"),
        N_("Open the community's site to members, through private links."),
        set_members,
        role=Role.LEADER,
        action=N_("change the site"),
    ),
    Command(
        ("site", "off"),
        N_("Close the community's site."),
        set_off,
        role=Role.LEADER,
        action=N_("change the site"),
    ),
    Command(
        ("site", "revoke"),
        N_("Make every site link given so far stop working."),
        revoke,
        role=Role.LEADER,
        action=N_("change the site"),
    ),
]
