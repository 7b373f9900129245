"""What the health check shows. Builders only: data in, :class:`View` out, no database."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from babel.dates import format_datetime, format_timedelta

from copkit.core.i18n import N_, _, current_locale, ngettext
from copkit.core.views import (
    Button,
    Choice,
    Field,
    Form,
    FormInput,
    Image,
    Option,
    PersonalPart,
    Poll,
    UserText,
    View,
)

from .logic import COMMENT_MAX, Sheet
from .models import DeckChange, Dimension, Pulse, Round, RoundDimension
from .routes import CARD, COLOUR, COMMENT, DONE, FORGET, MINE, TAKE, TREND, poll_id
from .tally import COLOURS, participation

DOT = {"green": "🟢", "amber": "🟡", "red": "🔴", None: "⚪"}
ARROW = {"better": "↗", "same": "→", "worse": "↘"}
FIELD_MAX = 1000


def _locale() -> str:
    return current_locale().replace("-", "_") or "en"


def when(dt: datetime, tz: ZoneInfo) -> str:
    """``Thu 8 Jan, 09:00`` in the community's time zone (``scope.zone``) and language."""
    return format_datetime(dt, "EEE d MMM, HH:mm", tzinfo=tz, locale=_locale())


def day(dt: datetime, tz: ZoneInfo) -> str:
    return format_datetime(dt, "d MMM", tzinfo=tz, locale=_locale())


def span(delta: timedelta) -> str:
    """``3 days``, ``2 hours``."""
    return format_timedelta(delta, threshold=1.5, locale=_locale())


def colour_name(c: str | None) -> str:
    return {"green": _("green"), "amber": _("amber"), "red": _("red")}.get(c or "", _("no colour"))


def trend_name(t: str | None) -> str:
    return {"better": _("better"), "same": _("same"), "worse": _("worse")}.get(t or "", "")


def quote(text: str) -> str:
    return "“" + UserText(text.replace("\n", " ")) + "”"


# The round's announcement and reminder --------------------------------------------------------

STEP = 5  # above the minimum, the public count moves in steps of five


def bucket(n: int, minimum: int) -> int:
    """What the public count shows of ``n`` answers: 0 below ``minimum`` ("fewer than"), then
    the minimum, then multiples of :data:`STEP`, so one person's answer is not seen arriving."""
    if n < minimum:
        return 0
    return max(minimum, n - n % STEP)


def so_far(n: int, minimum: int) -> str:
    b = bucket(n, minimum)
    if not b:
        return _("fewer than {min}").format(min=minimum)
    return _("{n} or more").format(n=b)


def needs(r: Round) -> str:
    return ngettext(
        "Results need at least {min} member other than whoever opens or closes the round.",
        "Results need at least {min} members other than whoever opens or closes the round.",
        r.min_responses,
    ).format(min=r.min_responses)


def take_button(r: Round) -> Button:
    return Button(TAKE.build(round=r.id), _("Take the health check"), "primary")


def announcement(r: Round, dimensions: int, responses: int, tz: ZoneInfo) -> View:
    if r.status != "open":
        return View(
            title=_("Health check #{n} is closed").format(n=r.number),
            text=ngettext("{k} member answered.", "{k} members answered.", r.responses).format(
                k=r.responses
            )
            + " "
            + (
                _("The results are below.")
                if r.enough
                else _("Not enough answers to stay anonymous.")
            ),
            buttons=[Button(TAKE.build(round=r.id), _("Take the health check"), disabled=True)],
        )
    return View(
        title=_("Health check #{n}: how is our community doing?").format(n=r.number),
        text="\n".join(
            [
                ngettext(
                    "Rate {d} dimension green, amber or red, and say where it is heading.",
                    "Rate {d} dimensions green, amber or red, and say where each is heading.",
                    dimensions,
                ).format(d=dimensions),
                _("**Anonymous:** nobody, the leader included, can see who answered what."),
                _("Open until {close}.").format(close=when(r.closes_at, tz)) + " " + needs(r),
            ]
        ),
        fields=[Field(_("Answers so far"), so_far(responses, r.min_responses), inline=True)],
        buttons=[take_button(r)],
        footer=_("You can change your answers until the round closes."),
        personal=PersonalPart(
            MINE.build(round=r.id), _("My answers"), _("“My answers” shows yours, to you alone.")
        ),
    )


def your_answers(its: list[RoundDimension], sheet: Sheet) -> View:
    """The announcement's personal part: this member's own answers (only they see it)."""
    rated = [it for it in its if it.id in sheet.answers and sheet.answers[it.id].colour]
    if not rated:
        return View(text=_("You have not answered yet: “Take the health check” to start."))
    lines = [_("You rated {k} of {n}.").format(k=len(rated), n=len(its))]
    for it in rated:
        mine = _your_answer(sheet, it.id)
        lines.append(f"- **{UserText(it.title)}** · {mine}")
    return View(text="\n".join(lines))


def reminder(r: Round, responses: int, tz: ZoneInfo, left: timedelta) -> View:
    return View(
        title=_("⏰ Health check #{n} closes in {left}").format(n=r.number, left=span(left)),
        text=_("Answers so far: {count}.").format(count=so_far(responses, r.min_responses))
        + " "
        + needs(r),
        buttons=[take_button(r)],
        footer=_("Closes {close}.").format(close=when(r.closes_at, tz)),
        tone="warning",
    )


# The member's private cards -------------------------------------------------------------------


COLOUR_OPTIONS = (
    ("green", "🟢", N_("Green"), N_("closer to awesome")),
    ("amber", "🟡", N_("Amber"), N_("somewhere in between")),
    ("red", "🔴", N_("Red"), N_("closer to crappy")),
)
TREND_OPTIONS = (
    ("better", "↗", N_("Getting better")),
    ("same", "→", N_("About the same")),
    ("worse", "↘", N_("Getting worse")),
)


def _your_answer(sheet: Sheet, item_id: int) -> str:
    a = sheet.answers.get(item_id)
    if a is None:
        return ""
    parts = []
    if a.colour:
        parts.append(f"{DOT[a.colour]} {colour_name(a.colour)}")
    if a.trend:
        parts.append(f"{ARROW[a.trend]} {trend_name(a.trend)}")
    if a.comment:
        parts.append(quote(a.comment))
    return _("Your answer: {answer}").format(answer=" · ".join(parts)) if parts else ""


def private_footer(r: Round, tz: ZoneInfo) -> str:
    return _("Only you see this. Anonymous; you can change it until {close}.").format(
        close=when(r.closes_at, tz)
    )


def card(r: Round, it: RoundDimension, index: int, total: int, sheet: Sheet, tz: ZoneInfo) -> View:
    rid, iid = r.id, it.id
    lines = [
        "🟢 " + _("**Awesome:** {text}").format(text=UserText(it.awesome)),
        "🔴 " + _("**Crappy:** {text}").format(text=UserText(it.crappy)),
    ]
    mine = _your_answer(sheet, iid)
    if mine:
        lines.append(mine)
    comment_form = Form(
        COMMENT.build(round=rid, item=iid),
        _("Comment on {title}").format(title=it.title)[:45],
        (
            FormInput(
                "comment",
                _("New comment (anonymous; empty removes it)"),
                max_length=COMMENT_MAX,
                required=False,
                multiline=True,
                # Never prefilled with the member's comment: a platform may keep the form (Discord
                # stores it for the modal), and with it their answer.
            ),
        ),
    )
    buttons = [Button(comment_form.action_id, _("Comment"), form=comment_form)]
    if index > 1:
        buttons.append(Button(CARD.build(round=rid, index=index - 1), _("‹ Back")))
    done = sheet.done(iid)
    buttons.append(
        Button(CARD.build(round=rid, index=index + 1), _("Next ›") if done else _("Skip ›"))
    )
    return View(
        title=_("Health check #{n} · {i}/{total} · {title}").format(
            n=r.number, i=index, total=total, title=UserText(it.title)
        ),
        text="\n".join(lines),
        choices=[
            Choice(
                COLOUR.build(round=rid, item=iid),
                tuple(
                    Option(v, f"{dot} {_(label)}", _(desc))
                    for v, dot, label, desc in COLOUR_OPTIONS
                ),
                placeholder=_("How is it?"),
            ),
            Choice(
                TREND.build(round=rid, item=iid),
                tuple(Option(v, f"{arrow} {_(label)}") for v, arrow, label in TREND_OPTIONS),
                placeholder=_("Where is it heading?"),
            ),
        ],
        buttons=buttons,
    )


def forget_card(r: Round, total: int, sheet: Sheet, tz: ZoneInfo) -> View:
    form = Form(
        FORGET.build(round=r.id),
        _("What did we forget?"),
        (
            FormInput(
                "text",
                _("New note (anonymous; empty removes it)"),
                max_length=COMMENT_MAX,
                required=False,
                multiline=True,
            ),
        ),
    )
    lines = [_("Is something missing from this deck? Tell us (optional, anonymous).")]
    if sheet.note:
        lines.append(_("Your note: {note}").format(note=quote(sheet.note)))
    return View(
        title=_("Health check #{n} · last one · What did we forget?").format(n=r.number),
        text="\n".join(lines),
        buttons=[
            Button(form.action_id, _("Write"), form=form),
            Button(CARD.build(round=r.id, index=total), _("‹ Back")),
            Button(DONE.build(round=r.id), _("Done"), "success"),
        ],
        footer=private_footer(r, tz),
    )


def thanks(r: Round, answered: int, total: int, tz: ZoneInfo) -> View:
    return View(
        title=_("Thank you!"),
        text="\n".join(
            [
                _("You rated {k} of {total} dimensions in health check #{n}.").format(
                    k=answered, total=total, n=r.number
                ),
                _("Results come when the round closes ({close}), if enough members answer.").format(
                    close=when(r.closes_at, tz)
                ),
            ]
        ),
        buttons=[Button(CARD.build(round=r.id, index=1), _("Review my answers"))],
        footer=private_footer(r, tz),
        tone="success",
    )


def status(r: Round, responses: int, total: int, mine: int, tz: ZoneInfo, now: datetime) -> View:
    lines = [
        _("Health check #{n} is open until {close} ({left} left).").format(
            n=r.number, close=when(r.closes_at, tz), left=span(r.closes_at - now)
        ),
        _("Answers so far: {count}.").format(count=so_far(responses, r.min_responses))
        + " "
        + needs(r),
        _("You have rated {k} of {total} dimensions.").format(k=mine, total=total),
    ]
    return View(title=_("Health check"), text="\n".join(lines), buttons=[take_button(r)])


def history(rows: list[str], png: bytes | None) -> View:
    return View(
        title=_("Health check history"),
        text="\n".join(rows) or _("No health check yet."),
        images=[Image("healthcheck-history.png", png, _("Traffic-light grid of the health checks"))]
        if png
        else [],
    )


def history_line(r: Round, tz: ZoneInfo, dominant: dict[str, int] | None) -> str:
    head = f"**#{r.number}** · {day(r.opened_at, tz)}"
    if r.status == "open":
        return head + " · " + _("open until {close}").format(close=when(r.closes_at, tz))
    pct = participation(r.responses, r.members)
    part = _("{k} of {m} answered ({pct}%)").format(k=r.responses, m=r.members, pct=pct)
    if not r.enough:
        return f"{head} · {part} · " + _("not enough answers to stay anonymous")
    colours = " ".join(f"{DOT[c]} {(dominant or {}).get(c, 0)}" for c in COLOURS)
    return f"{head} · {part} · {colours}"


def trend(title: str, lines: list[str], png: bytes | None) -> View:
    return View(
        title=_("Trend: {title}").format(title=UserText(title)),
        text="\n".join(lines) or _("No results for this dimension yet."),
        images=[Image("healthcheck-trend.png", png, _("Trend of {title}").format(title=title))]
        if png
        else [],
    )


# Deck -------------------------------------------------------------------------------------------


def deck(active: list[Dimension], retired: list[Dimension], open_round: Round | None) -> View:
    lines = []
    for i, d in enumerate(active, 1):
        lines.append(f"**{i}. {UserText(d.title)}** (`{d.key}`)")
        lines.append(f"   🟢 {UserText(d.awesome)}")
        lines.append(f"   🔴 {UserText(d.crappy)}")
    lines.append(_("Last, a free question: What did we forget?"))
    fields = []
    if retired:
        fields.append(
            Field(
                _("Retired (history kept)"),
                ", ".join(f"{UserText(d.title)} (`{d.key}`)" for d in retired),
            )
        )
    footer = ""
    if open_round is not None:
        footer = _(
            "Health check #{n} is open with the deck as it was; changes apply next round."
        ).format(n=open_round.number)
    return View(
        title=_("The health-check deck"), text="\n".join(lines), fields=fields, footer=footer
    )


def deck_change_line(c: DeckChange, tz: ZoneInfo, who: str = "") -> str:
    """One deck change; ``who`` is the member's display name."""
    after = c.after or {}
    before = c.before or {}
    title = UserText(after.get("title") or before.get("title") or "?")
    words = {
        "add": _("added {title}"),
        "edit": _("edited {title}"),
        "move": _("moved {title} to position {pos}"),
        "retire": _("retired {title}"),
        "restore": _("restored {title}"),
        "reset": _("reset {title} to the default"),
        "use": _("switched to the {deck} deck"),
    }.get(c.action, c.action + " {title}")
    text = words.format(
        title=f"“{title}”", pos=after.get("position", "?"), deck=after.get("deck", "?")
    )
    if c.action == "edit":
        changed = [
            f"{k}: {quote(str(before.get(k, '')))} → {quote(str(after.get(k, '')))}"
            for k in ("title", "awesome", "crappy")
            if before.get(k) != after.get(k)
        ]
        if changed:
            text += " (" + "; ".join(changed) + ")"
    if c.action == "reset" and after.get("retired") and not before.get("retired"):
        text = _("retired {title} (reset)").format(title=f"“{title}”")
    return f"- {when(c.at, tz)} · {UserText(who or c.member)} {text}"


# Pulse ------------------------------------------------------------------------------------------


def pulse(p: Pulse, votes: int, tz: ZoneInfo) -> View:
    if p.status != "open":
        return pulse_result(p)
    if p.public:
        text = _("Not anonymous: votes are visible to everyone. Results when it closes ({close}).")
    else:
        text = _("Anonymous; results when it closes ({close}), if at least {min} vote.")
    return View(
        title=_("Pulse check"),
        text=text.format(close=when(p.closes_at, tz), min=p.min_responses),
        poll=Poll(
            poll_id(p.id),
            UserText(p.question),
            tuple(UserText(o) for o in p.options),
            anonymous=not p.public,
            removals=True,
            hours=max(1, min(768, -(-int((p.closes_at - p.opened_at).total_seconds()) // 3600))),
        ),
        fields=[
            Field(
                _("Votes so far"),
                str(votes) if p.public else so_far(votes, p.min_responses),
                inline=True,
            )
        ],
    )


def pulse_result(p: Pulse) -> View:
    title = _("Pulse check: {q}").format(q=UserText(p.question))
    if not p.enough or p.counts is None:
        return View(
            title=title,
            text=ngettext(
                "Only {k} vote: not enough answers to stay anonymous.",
                "Only {k} votes: not enough answers to stay anonymous.",
                p.voters,
            ).format(k=p.voters),
            tone="warning",
        )
    lines = []
    top = max(p.counts)
    for option, n in zip(p.options, p.counts, strict=True):
        pct = round(100 * n / p.voters) if p.voters else 0
        bar = "█" * round(pct / 10)
        mark = " ◀" if n == top and n else ""
        lines.append(f"{UserText(option)}: {bar} {n} ({pct}%){mark}")
    if p.public:
        footer = ngettext("{k} vote.", "{k} votes.", p.voters)
    else:
        footer = ngettext("{k} vote, anonymous.", "{k} votes, anonymous.", p.voters)
    return View(title=title, text="\n".join(lines), footer=footer.format(k=p.voters))
