"""Xtrem Reading: start (the pitfalls shown to the facilitator), picks (a book and what one
hopes to find), groups by the books' themes (or at random), two rounds with a swap inside
each group, key points as notes, sharing, day-to-day ideas and ratings 1–5."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from copkit.core import store
from copkit.core.context import Context, Scope
from copkit.core.errors import UserError
from copkit.core.facilitation import groups, notes, people
from copkit.core.facilitation.models import Group, Phase
from copkit.core.i18n import N_, _, ngettext
from copkit.core.roles import Role
from copkit.core.specs import Arg
from copkit.core.views import UserText, View, notice

from . import books, engine
from . import format as fm
from .commands import rest
from .format import READING, xr
from .ideas import keep_note, write_idea
from .models import Book, Rating, Reading, Session

HOPE_MAX = 300


def _timebox(value: object, low: int, high: int) -> int | None:
    if not isinstance(value, timedelta):
        return None
    seconds = int(value.total_seconds())
    if not low <= seconds <= high:
        raise UserError(
            _("That lasts between {low} and {high} minutes.").format(low=low // 60, high=high // 60)
        )
    return seconds


@xr.command(
    "start",
    help=N_("Start Xtrem Reading here (the facilitator keeps the time)."),
    args=(
        Arg(
            "round",
            N_("how long each reading round lasts (15–25 min, default 20)"),
            type="duration",
        ),
        Arg("share", N_("how long the sharing lasts (default 10 min)"), type="duration"),
        Arg(
            "daytoday",
            N_("how long the day-to-day question lasts (default 5 min)"),
            type="duration",
        ),
        Arg("random", N_("form the groups at random, not by theme"), type="flag"),
        Arg("voice", N_("a voice channel per group (Discord)"), type="flag"),
    ),
    role=Role.CORE,
    words=N_("start Xtrem Reading"),
)
async def start(ctx: Context, args: dict[str, Any]) -> None:
    seconds = {
        "round1": _timebox(args.get("round"), 15 * 60, 25 * 60) or 20 * 60,
        "share": _timebox(args.get("share"), 5 * 60, 30 * 60) or 10 * 60,
        "daytoday": _timebox(args.get("daytoday"), 60, 30 * 60) or 5 * 60,
    }
    seconds["round2"] = seconds["round1"]
    voice = bool(args.get("voice")) or ctx.room.kind == "voice"
    s = await engine.create(
        ctx,
        READING,
        dict(
            step="pick",
            seconds=seconds,
            options={"random": bool(args.get("random")), "voice": voice},
        ),
    )
    n = len(await books.listed(ctx.community.id))
    await engine.say(
        ctx,
        s,
        _(
            "📚 Xtrem Reading: two books in one hour. Pick a book from the list "
            "(“xtremreading pick <number> <what you hope to find>”); groups of 2–3, two rounds "
            "with a swap, then we share."
        ),
    )
    if n < fm.MIN_PEOPLE[READING] + 1:
        await engine.say(ctx, s, few_books(n, fm.MIN_PEOPLE[READING]), "warning")
    pitfalls = "\n".join(f"- {_(p)}" for p in fm.READING_PITFALLS)
    await engine.tell_facilitator(
        ctx, s, View(title=_("Pitfalls to name (for you, the timekeeper)"), text=pitfalls)
    )
    await engine.begin(ctx, s)


def few_books(books_n: int, readers: int) -> str:
    return ngettext(
        "⚠ {n} book on the list for {readers} readers: bring more books than readers.",
        "⚠ {n} books on the list for {readers} readers: bring more books than readers.",
        books_n,
    ).format(n=books_n, readers=readers)


async def readings(s: Session, round_: int) -> list[Reading]:
    return await Reading.filter(session_id=s.id, round=round_).order_by("id")


@xr.command(
    "pick",
    help=N_("Pick a book to read and say what you hope to find in it."),
    args=(
        Arg("number", N_("the book's number on the list"), positional=True, required=True),
        Arg("hope", N_("what you hope to find in it"), type="rest", positional=True),
    ),
)
async def pick(ctx: Context, args: dict[str, Any]) -> None:
    s = await engine.need(ctx, READING)
    await do_pick(ctx, s, args["number"], rest(args, "hope"))


async def do_pick(ctx: Context, s: Session, raw_number: object, raw_hope: str) -> None:
    """``ctx.person`` reads book ``raw_number`` (by command, or the board's choice, which
    brings no hope: a hope given before is kept)."""
    if s.step not in ("pick", "groups", "round1"):
        raise UserError(_("The books were swapped already: picks are closed."))
    book = await books.by_number(ctx.community.id, raw_number)
    hope = books.check_text(raw_hope, HOPE_MAX, _("What you hope to find"))
    taken = await Reading.get_or_none(session_id=s.id, round=1, book_id=book.id)
    if taken is not None and taken.member != ctx.person.id:
        raise UserError(
            _("{name} picked that book already; choose another.").format(name=UserText(taken.name))
        )
    await engine.participate(ctx, s)
    mine = await Reading.get_or_none(session_id=s.id, round=1, member=ctx.person.id)
    if mine is not None:
        hope = hope or mine.hope
        if mine.book_id == book.id and mine.hope == hope:
            await ctx.reply(notice(_("You're reading that book already.")), private=True)
            return
        await Reading.filter(id=mine.id).update(book_id=book.id, hope=hope)
    else:
        await Reading.create(
            session_id=s.id,
            book_id=book.id,
            member=ctx.person.id,
            name=ctx.person.name[:200],
            round=1,
            hope=hope,
        )
    await ctx.contribute("xtremreading.pick", fm.ref(READING, "book", book.id))
    text = _("📖 {name} reads “{title}”.").format(
        name=UserText(ctx.person.name), title=UserText(book.title)
    )
    if hope:
        text += " " + _("Hoping to find: {hope}").format(hope=UserText(hope))
    await engine.say(ctx, s, text)
    readers = len(await readings(s, 1))
    listed = len(await books.listed(ctx.community.id))
    if listed <= readers:
        await engine.say(ctx, s, few_books(listed, readers), "warning")
    await engine.refresh(ctx, s, wait=False)


async def _need_two(scope: Scope, s: Session) -> None:
    picked = await readings(s, 1)
    if len(picked) < fm.MIN_PEOPLE[READING]:
        raise UserError(
            ngettext(
                "Xtrem Reading needs at least two readers: {n} has picked a book so far.",
                "Xtrem Reading needs at least two readers: {n} have picked a book so far.",
                len(picked),
            ).format(n=len(picked))
        )


async def _form(scope: Scope, s: Session) -> None:
    picked = await readings(s, 1)
    themes = {b.id: b.theme for b in await Book.filter(id__in=[r.book_id for r in picked])}
    candidates = [groups.Candidate(r.member, r.name, themes.get(r.book_id, "")) for r in picked]
    by = "random" if s.options.get("random") else "interest"
    formed = await groups.form(
        scope.community.id, engine.key(s), candidates, scope.now(), by=by, seed=s.id
    )
    await engine.say(
        scope,
        s,
        ngettext("👥 {n} group formed:", "👥 {n} groups formed:", len(formed)).format(n=len(formed))
        + "\n"
        + "\n".join(await engine.groups_section(s)),
    )
    await engine.open_places(scope, s)
    for g in formed:
        await engine.to_group(scope, s, g, notice(await _who_reads(s, g, 1)))


async def _who_reads(s: Session, g: Group, round_: int) -> str:
    lines = []
    members = {m.member for m in await groups.members(g.id)}
    for r in await readings(s, round_):
        if r.member in members:
            book = await Book.get(id=r.book_id)
            line = _("📖 {name}: “{title}”").format(
                name=UserText(r.name), title=UserText(book.title)
            )
            if r.hope:
                line += " — " + _("hoping to find: {hope}").format(hope=UserText(r.hope))
            lines.append(f"- {line}")
    return "\n".join(lines) or _("Nobody in this group has picked a book yet.")


async def _round1(scope: Scope, s: Session) -> None:
    techniques = ", ".join(_(t) for t in fm.TECHNIQUES)

    async def text(_g: Group) -> str:
        return _(
            "💡 Techniques: {list}. Post your key points: “xtremreading note <point>”."
        ).format(list=techniques)

    await engine.to_groups(scope, s, text)


async def _swap(scope: Scope, s: Session) -> None:
    """Each group passes its books along: the book of each reader goes to the next one."""
    first = {r.member: r for r in await readings(s, 1)}
    if not await readings(s, 2):
        for g in await groups.groups(engine.key(s)):
            order = [m for m in await groups.members(g.id) if m.member in first]
            for i, m in enumerate(order):
                giver = order[i - 1] if len(order) > 1 else m
                await Reading.create(
                    session_id=s.id,
                    book_id=first[giver.member].book_id,
                    member=m.member,
                    name=m.name,
                    round=2,
                )
    await engine.say(scope, s, _("🔁 Swap: the books change hands inside each group."))
    for g in await groups.groups(engine.key(s)):
        await engine.to_group(scope, s, g, notice(_("🔁 Swap!") + "\n" + await _who_reads(s, g, 2)))
    await _round1(scope, s)


async def _daytoday(scope: Scope, s: Session) -> None:
    await engine.say(
        scope,
        s,
        _("🗣 The whole room: how could we use this day to day? “xtremreading idea <answer>”."),
    )


for _step, _hook in (
    ("groups", _form),
    ("round1", _round1),
    ("round2", _swap),
    ("daytoday", _daytoday),
):
    engine.ENTER[(READING, _step)] = _hook
engine.LEAVE[(READING, "pick")] = _need_two


@xr.command(
    "note",
    help=N_("Post a key point of the book you are reading (your group sees it)."),
    args=(Arg("text", N_("one key point"), type="rest", positional=True, required=True),),
)
async def note(ctx: Context, args: dict[str, Any]) -> None:
    s = await engine.need(ctx, READING)
    if s.step not in ("round1", "round2", "share"):
        raise UserError(_("Key points are posted during the reading rounds."))
    g = await engine.need_group(ctx, s)
    round_ = 2 if s.step != "round1" else 1
    reading = await Reading.get_or_none(session_id=s.id, member=ctx.person.id, round=round_)
    if reading is None:
        raise UserError(_("Pick a book first: “xtremreading pick <number>”."))
    phase = await Phase.get_or_none(owner=engine.key(s), name=f"round{round_}")
    if phase is None:
        raise UserError(_("Key points are posted during the reading rounds."))
    text = notes.check_text(rest(args))
    written = await keep_note(
        phase, ctx.person.id, ctx.person.name, text, ctx.now(), box=str(reading.book_id)
    )
    book = await Book.get(id=reading.book_id)
    await engine.to_group(
        ctx,
        s,
        g,
        notice(
            _("📝 {name} on “{title}”: {text}").format(
                name=UserText(ctx.person.name),
                title=UserText(book.title),
                text=UserText(written.text),
            )
        ),
    )
    await ctx.reply(
        notice(_("Key point #{n} kept for the minutes.").format(n=written.number), "success"),
        private=True,
    )


@xr.command(
    "idea",
    help=N_("How could we use this day to day? Your answer."),
    args=(Arg("text", N_("your answer"), type="rest", positional=True, required=True),),
)
async def idea(ctx: Context, args: dict[str, Any]) -> None:
    s = await engine.need(ctx, READING)
    await write_idea(ctx, s, "daytoday", rest(args))


def _score(raw: object, what: str) -> int:
    text = str(raw or "").strip()
    if text not in {"1", "2", "3", "4", "5"}:
        raise UserError(_("{what} is a whole number from 1 to 5.").format(what=what))
    return int(text)


@xr.command(
    "rate",
    help=N_("Rate a book you read: readability 1–5, recommendation 1–5."),
    args=(
        Arg("readability", N_("how readable, 1–5"), positional=True, required=True),
        Arg("recommendation", N_("how much you recommend it, 1–5"), positional=True, required=True),
        Arg("book", N_("which book (default: the one you read first)")),
    ),
)
async def rate(ctx: Context, args: dict[str, Any]) -> None:
    s = await engine.need(ctx, READING)
    await do_rate(ctx, s, args)


async def do_rate(ctx: Context, s: Session, args: dict[str, Any]) -> None:
    """A rating from ``args`` (``readability``, ``recommendation``, ``book``: by command or
    the board's rating form)."""
    readability = _score(args.get("readability"), _("Readability"))
    recommendation = _score(args.get("recommendation"), _("Recommendation"))
    if s.step not in ("share", "daytoday", "rate"):
        raise UserError(_("Books are rated after the reading."))
    mine = await Reading.filter(session_id=s.id, member=ctx.person.id).order_by("round")
    if not mine:
        raise UserError(_("You rate the books you read in this session."))
    if str(args.get("book") or "").strip():
        book = await books.by_number(ctx.community.id, args["book"])
        if book.id not in {r.book_id for r in mine}:
            raise UserError(_("You rate the books you read in this session."))
    else:
        book = await Book.get(id=mine[0].book_id)
    await people.join(ctx.community.id, engine.key(s), ctx.person.id, ctx.person.name, ctx.now())
    values = dict(readability=readability, recommendation=recommendation)
    mine_rating = Rating.filter(session_id=s.id, member=ctx.person.id, book_id=book.id)
    if not await mine_rating.update(**values):
        await store.upsert(
            Rating,
            {"session_id": s.id, "member": ctx.person.id, "book_id": book.id},
            {**values, "name": ctx.person.name[:200]},
        )
    await ctx.reply(
        notice(
            _("⭐ “{title}”: readability {r}/5, recommendation {c}/5.").format(
                title=UserText(book.title), r=readability, c=recommendation
            ),
            "success",
        ),
        private=True,
    )
    await engine.refresh(ctx, s, wait=False)


async def section(s: Session, scope: Scope) -> list[str]:
    """Xtrem Reading's part of the board."""
    lines: list[str] = []
    if s.step == "pick":
        for r in await readings(s, 1):
            book = await Book.get(id=r.book_id)
            lines.append(f"- {UserText(r.name)}: {UserText(book.title)}")
        listed = len(await books.listed(scope.community.id))
        lines.append(
            ngettext("{n} reader so far", "{n} readers so far", len(lines)).format(n=len(lines))
            + " · "
            + ngettext("{n} book on the list", "{n} books on the list", listed).format(n=listed)
        )
        return lines
    lines += await engine.groups_section(s)
    if s.step == "rate":
        n = await Rating.filter(session_id=s.id).count()
        lines.append(ngettext("⭐ {n} rating", "⭐ {n} ratings", n).format(n=n))
    return lines


engine.SECTION[READING] = section
