"""Xtrem Watch: topics brainstormed alone (private until the pitch), a minute's pitch each
with a timer passing the word, a dot vote, groups of 2–3 on the top topics, sources posted in
the groups' threads, presentations in turn (out of turn refused) and daily-work ideas."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from tortoise.exceptions import IntegrityError

from copkit.core import store
from copkit.core.context import Context, Scope
from copkit.core.errors import UserError
from copkit.core.facilitation import dots, groups, notes, people, phases
from copkit.core.facilitation.models import Ballot, Dot, Group, Note, Phase
from copkit.core.i18n import N_, _, ngettext
from copkit.core.roles import Role
from copkit.core.specs import Arg
from copkit.core.views import Button, Form, FormInput, UserText, View, notice

from . import books, engine
from . import format as fm
from .commands import rest
from .format import WATCH, xw
from .ideas import write_idea
from .models import Session, Source

BALLOT = "topics"
TIMED = ("brainstorm", "pitch", "dive", "sync", "deepdive", "prepare", "present", "discuss")


@xw.command(
    "start",
    help=N_("Start Xtrem Watch here (the facilitator)."),
    args=(
        Arg("dots", N_("dots per person in the vote (default 2)"), type="int"),
        *(Arg(n, N_("how long this step lasts, e.g. 5m"), type="duration") for n in TIMED),
        Arg("random", N_("form the groups at random, not by votes"), type="flag"),
        Arg("voice", N_("a voice channel per group (Discord)"), type="flag"),
    ),
    role=Role.CORE,
    words=N_("start Xtrem Watch"),
)
async def start(ctx: Context, args: dict[str, Any]) -> None:
    budget = 2 if args.get("dots") is None else args["dots"]
    if not 1 <= budget <= dots.MAX_DOTS:
        raise UserError(_("Each person has 1 to {n} dots.").format(n=dots.MAX_DOTS))
    seconds = {}
    for name in TIMED:
        value = args.get(name)
        if isinstance(value, timedelta):
            if not 30 <= value.total_seconds() <= 3600:
                raise UserError(_("A step lasts between 30 seconds and an hour."))
            seconds[name] = int(value.total_seconds())
    options = {"random": bool(args.get("random")), "voice": bool(args.get("voice")), "dots": budget}
    options["voice"] = options["voice"] or ctx.room.kind == "voice"
    s = await engine.create(ctx, WATCH, dict(step="brainstorm", seconds=seconds, options=options))
    warnings = "\n".join(f"- {_(p)}" for p in fm.WATCH_PITFALLS)
    await engine.say(
        ctx,
        s,
        _("🔭 Xtrem Watch: a collective technology watch, in about an hour and a half.")
        + "\n"
        + warnings,
    )
    await engine.begin(ctx, s)


def topic_form(s: Session) -> Form:
    return Form(
        fm.TOPIC.build(session=s.id),
        _("A topic I want to discover"),
        (FormInput("text", _("Topic"), max_length=notes.NOTE_MAX),),
    )


async def _brainstorm_phase(s: Session) -> Phase:
    phase = await Phase.get_or_none(owner=engine.key(s), name="brainstorm")
    if phase is None:
        raise UserError(_("That step no longer exists."))
    return phase


@xw.command(
    "topic",
    help=N_("A topic you want to discover (only you see it until the pitch)."),
    args=(Arg("text", N_("one topic"), type="rest", positional=True, required=True),),
)
async def topic(ctx: Context, args: dict[str, Any]) -> None:
    s = await engine.need(ctx, WATCH)
    await do_topic(ctx, s, rest(args))


async def do_topic(ctx: Context, s: Session, raw: str) -> None:
    """A topic of ``ctx.person``'s, private until the pitch (command or the board's form)."""
    if s.step != "brainstorm":
        raise UserError(_("Topics are written in the brainstorm."))
    phase = await _brainstorm_phase(s)
    text = notes.check_text(raw)
    await engine.participate(ctx, s)
    note = await notes.write(phase.id, ctx.person.id, ctx.person.name, text, now=ctx.now())
    await ctx.contribute("xtremwatch.topic", fm.ref(WATCH, "note", note.id))
    kept = notice(
        _("Topic #{n} kept: only you see it until the pitch.").format(n=note.number), "success"
    )
    form = topic_form(s)  # the next one privately (on Teams, in the person's own chat)
    kept.buttons.append(Button(form.action_id, _("Add another topic"), form=form))
    await ctx.reply(kept, private=True)
    await engine.refresh(ctx, s, wait=False)


@xw.command("topics", help=N_("Your own topics (only you see them before the pitch)."))
async def my_topics(ctx: Context, args: dict[str, Any]) -> None:
    s = await engine.need(ctx, WATCH)
    phase = await _brainstorm_phase(s)
    shown = await notes.visible(phase, ctx.person.id)
    if not shown:
        await ctx.reply(notice(_("No topics yet.")), private=True)
        return
    lines = [f"- #{n.number} {UserText(n.text)}" for n in shown]
    await ctx.reply(View(title=_("Topics"), text="\n".join(lines)), private=not phase.revealed)


async def _need_four(scope: Scope, s: Session) -> None:
    n = len([p for p in await people.present(engine.key(s)) if p.member != s.facilitator])
    if n < fm.MIN_PEOPLE[WATCH]:
        raise UserError(
            ngettext(
                "Xtrem Watch needs at least four people: {n} is taking part so far.",
                "Xtrem Watch needs at least four people: {n} are taking part so far.",
                n,
            ).format(n=n)
        )


async def _topics(s: Session) -> list[Note]:
    phase = await _brainstorm_phase(s)
    return await Note.filter(phase_id=phase.id, status="open").order_by("number")


async def _reveal(scope: Scope, s: Session) -> None:
    phase = await _brainstorm_phase(s)
    if not phase.revealed:
        await notes.reveal(phase.id)
    lines = [
        f"- **#{n.number}** {UserText(n.text)} — {UserText(n.author_name)}"
        for n in await _topics(s)
    ]
    await engine.say(scope, s, _("👀 The topics:") + "\n" + ("\n".join(lines) or _("none")))


async def speakers(s: Session) -> list[str]:
    """Who pitches, in the order of their first topic."""
    out: list[str] = []
    for n in await _topics(s):
        if n.author not in out:
            out.append(n.author)
    return out


async def _announce_pitch(scope: Scope, s: Session, turn: int) -> None:
    who = (await speakers(s))[turn]
    mine = [n for n in await _topics(s) if n.author == who]
    name = mine[0].author_name if mine else who
    listed = ", ".join(f"#{n.number} {UserText(n.text)}" for n in mine)
    await engine.say(
        scope,
        s,
        _("🎤 {name}, your minute: {topics}").format(name=UserText(name), topics=listed),
    )


async def _open_vote(scope: Scope, s: Session) -> None:
    ballot = await dots.open_ballot(
        scope.community.id, engine.key(s), BALLOT, budget=int(s.options.get("dots", 2))
    )
    for n in await _topics(s):
        await dots.add_option(ballot.id, str(n.number), n.text, n.author)
    await engine.say(
        scope,
        s,
        ngettext(
            "🗳 {n} dot each: “xtremwatch vote <topic>”.",
            "🗳 {n} dots each: “xtremwatch vote <topic>”.",
            ballot.budget,
        ).format(n=ballot.budget),
    )


async def _ballot(s: Session) -> Ballot:
    ballot = await Ballot.get_or_none(owner=engine.key(s), name=BALLOT)
    if ballot is None:
        raise UserError(_("There is no vote in this step."))
    return ballot


async def _vote(ctx: Context, args: dict[str, Any], back: bool) -> None:
    s = await engine.need(ctx, WATCH)
    await do_vote(ctx, s, args.get("topic"), back=back)


async def do_vote(ctx: Context, s: Session, raw_topic: object, *, back: bool = False) -> None:
    """A dot given to (or taken back from) topic ``raw_topic`` (command or the board's
    choice)."""
    if s.step != "vote":
        raise UserError(_("There is no vote in this step."))
    ballot = await _ballot(s)
    raw = str(raw_topic or "").strip().lstrip("#")[:20]
    opt = await dots.option(ballot.id, raw)
    if opt is None:
        raise UserError(_("There is no topic #{n}.").format(n=raw[:20]))
    await engine.participate(ctx, s)
    if back:
        if not await dots.take_back(opt.id, ctx.person.id):
            raise UserError(_("You have no dot on #{n}.").format(n=raw))
        text = _("Dot taken back from #{n}.").format(n=raw)
    else:
        placed = await dots.place(opt.id, ctx.person.id)
        text = _("● Dot on #{n}.").format(n=raw) + " " + dots.left_text(placed.left)
    await ctx.reply(notice(text, "success"), private=True)
    await engine.refresh(ctx, s, wait=False)


_TOPIC = Arg("topic", N_("the topic's number"), positional=True, required=True)


@xw.command("vote", help=N_("Put a dot on a topic."), args=(_TOPIC,))
async def vote(ctx: Context, args: dict[str, Any]) -> None:
    await _vote(ctx, args, back=False)


@xw.command("unvote", help=N_("Take a dot back."), args=(_TOPIC,))
async def unvote(ctx: Context, args: dict[str, Any]) -> None:
    await _vote(ctx, args, back=True)


async def _form(scope: Scope, s: Session) -> None:
    """Groups on the top topics: each person goes with the top topic they gave most dots."""
    owner = engine.key(s)
    ballot = await _ballot(s)
    await dots.close(ballot.id)
    ranked = [c for c in dots.ranked(await dots.counts(ballot.id)) if c.dots > 0]
    present = [p for p in await people.present(owner) if p.member != s.facilitator]
    count = len(groups.sizes(len(present)))
    top = [c.option.label for c in ranked[:count]]
    liked: dict[str, str] = {}
    for c in ranked[:count]:
        for member in await _voters(c.option.id):
            liked.setdefault(member, c.option.label)
    candidates = [groups.Candidate(p.member, p.name, liked.get(p.member, "")) for p in present]
    by = "random" if s.options.get("random") else "interest"
    formed = await groups.form(scope.community.id, owner, candidates, scope.now(), by=by, seed=s.id)
    used: set[str] = set()
    for g in formed:
        theme = (
            g.theme
            if g.theme and g.theme not in used
            else next((t for t in top if t not in used), g.theme)
        )
        used.add(theme)
        if theme != g.theme:
            await groups.set_theme(owner, g.number, theme)
    await engine.say(
        scope,
        s,
        ngettext("👥 {n} group formed:", "👥 {n} groups formed:", len(formed)).format(n=len(formed))
        + "\n"
        + "\n".join(await engine.groups_section(s)),
    )
    await engine.open_places(scope, s)


async def _voters(option_id: int) -> list[str]:
    rows = await store.column(Dot.filter(option_id=option_id).order_by("id"), "member")
    return list(dict.fromkeys(str(m) for m in rows))


async def _dive(scope: Scope, s: Session) -> None:
    async def text(g: Group) -> str:
        return _(
            "🔗 Post the links you find: “xtremwatch source <link> [what it is]”. Your topic: {topic}"
        ).format(topic=UserText(g.theme) if g.theme else _("your choice"))

    await engine.to_groups(scope, s, text)


@xw.command(
    "source",
    help=N_("Post a source you found (a link) for your group's topic."),
    args=(
        Arg("link", N_("the link"), positional=True, required=True),
        Arg("about", N_("what it is (optional)"), type="rest", positional=True),
    ),
)
async def source(ctx: Context, args: dict[str, Any]) -> None:
    s = await engine.need(ctx, WATCH)
    if s.step not in ("dive", "sync", "deepdive", "prepare", "present"):
        raise UserError(_("Sources are posted once the groups dive into their topics."))
    link = books.check_link(args.get("link"))
    if not link:
        raise UserError(_("A link starts with http:// or https://."))
    about = books.check_text(rest(args, "about"), 300, _("What it is"))
    g = await engine.need_group(ctx, s)
    same = await Source.get_or_none(session_id=s.id, url=link)
    if same is not None:
        raise UserError(
            _("That link is on the list already (#{n}, found by {name}).").format(
                n=same.number, name=UserText(same.finder_name)
            )
        )
    row = None
    for _attempt in range(3):
        number = await Source.filter(session_id=s.id).count() + 1
        try:
            row = await Source.create(
                session_id=s.id,
                number=number,
                group=g.number,
                topic=g.theme,
                url=link,
                about=about,
                finder=ctx.person.id,
                finder_name=ctx.person.name[:200],
                created_at=ctx.now(),
            )
            break
        except IntegrityError:
            if await Source.exists(session_id=s.id, url=link):
                raise UserError(_("That link is on the list already.")) from None
    if row is None:
        raise UserError(_("Someone posted a source at the same moment; try again."))
    await ctx.contribute("xtremwatch.source", fm.ref(WATCH, "source", row.id))
    line = _("🔗 #{n} {name}: {link}").format(
        n=row.number, name=UserText(ctx.person.name), link=UserText(link)
    )
    if about:
        line += f" — {UserText(about)}"
    await engine.to_group(ctx, s, g, notice(line))
    await ctx.reply(
        notice(_("Source #{n} kept for the minutes.").format(n=row.number), "success"), private=True
    )
    await engine.refresh(ctx, s, wait=False)


async def presenters(s: Session) -> list[str]:
    return [str(g.number) for g in await groups.groups(engine.key(s))]


async def _turn_group(s: Session, turn: int) -> Group:
    return await groups.by_number(engine.key(s), (await presenters(s))[turn])


async def _announce_talk(scope: Scope, s: Session, turn: int) -> None:
    g = await _turn_group(s, turn)
    seconds = s.seconds.get("present", 5 * 60)
    text = _(
        "🎤 Group {n}'s turn ({time}): {topic}. Say “xtremwatch present” when you start."
    ).format(
        n=g.number, time=phases.minutes_text(seconds), topic=UserText(g.theme) if g.theme else "—"
    )
    await engine.say(scope, s, text)
    await engine.to_group(scope, s, g, notice(text))


@xw.command("present", help=N_("Your group starts its presentation (in turn)."))
async def present(ctx: Context, args: dict[str, Any]) -> None:
    await do_present(ctx, await engine.need(ctx, WATCH))


async def do_present(ctx: Context, s: Session) -> None:
    """The group whose turn it is starts its presentation (command or the board's button)."""
    if s.step != "present":
        raise UserError(_("The presentations haven't started."))
    g = await _turn_group(s, s.turn)
    mine = await groups.group_of(engine.key(s), ctx.person.id)
    if mine is None or mine.number != g.number:
        raise UserError(_("It's group {n}'s turn: wait for yours.").format(n=g.number))
    phase = await engine.phase_of(s)
    if phase is None or phase.status != "pending":
        raise UserError(_("Your presentation is under way."))
    phase = await phases.start(ctx, phase.id)
    await engine.say(
        ctx,
        s,
        _("🎤 Group {n} presents: {topic} — {time}.").format(
            n=g.number,
            topic=UserText(g.theme) if g.theme else "—",
            time=phases.minutes_text(phase.seconds),
        ),
    )
    await engine.refresh(ctx, s)


async def _discuss(scope: Scope, s: Session) -> None:
    await engine.say(
        scope,
        s,
        _(
            "🗣 The whole room: what can we do with this in our daily work? “xtremwatch idea <answer>”."
        ),
    )


@xw.command(
    "idea",
    help=N_("What can we do with this in our daily work? Your answer."),
    args=(Arg("text", N_("your answer"), type="rest", positional=True, required=True),),
)
async def idea(ctx: Context, args: dict[str, Any]) -> None:
    s = await engine.need(ctx, WATCH)
    await write_idea(ctx, s, "discuss", rest(args))


engine.LEAVE[(WATCH, "brainstorm")] = _need_four
engine.ENTER[(WATCH, "pitch")] = _reveal
engine.TURNS[(WATCH, "pitch")] = speakers
engine.ANNOUNCE_TURN[(WATCH, "pitch")] = _announce_pitch
engine.ENTER[(WATCH, "vote")] = _open_vote
engine.ENTER[(WATCH, "groups")] = _form
engine.ENTER[(WATCH, "dive")] = _dive
engine.TURNS[(WATCH, "present")] = presenters
engine.ANNOUNCE_TURN[(WATCH, "present")] = _announce_talk
engine.ENTER[(WATCH, "discuss")] = _discuss


async def section(s: Session, scope: Scope) -> list[str]:
    """Xtrem Watch's part of the board."""
    if s.step == "brainstorm":
        pr = await notes.progress((await _brainstorm_phase(s)).id)
        return [
            ngettext("📝 {n} topic", "📝 {n} topics", pr.notes).format(n=pr.notes)
            + " "
            + ngettext("from {n} person", "from {n} people", pr.writers).format(n=pr.writers),
            _("Write alone: nobody sees your topics until the pitch."),
        ]
    if s.step in ("pitch", "vote"):
        counted: dict[str, int] = {}
        ballot = await Ballot.get_or_none(owner=engine.key(s), name=BALLOT)
        if ballot is not None:
            counted = {c.option.key: c.dots for c in await dots.counts(ballot.id)}
        lines = []
        for n in await _topics(s):
            line = f"- **#{n.number}** {UserText(n.text)}"
            if s.step == "vote":
                line += f" · ● {counted.get(str(n.number), 0)}"
            lines.append(line)
        return lines
    lines = await engine.groups_section(s)
    found = await Source.filter(session_id=s.id).count()
    if found:
        lines.append(ngettext("🔗 {n} source", "🔗 {n} sources", found).format(n=found))
    return lines


engine.SECTION[WATCH] = section
