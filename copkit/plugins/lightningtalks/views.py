"""What lightning talks look like: the announcement, the line-up, the run of show, the record."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from copkit.core.i18n import _, ngettext
from copkit.core.ratings import rating_buttons, rating_text
from copkit.core.views import Button, Field, Form, FormInput, UserText, View, When

from .format import FEEDBACK, NEXT, SIGNUP, SKIP, WITHDRAW
from .logic import TITLE_MAX
from .models import Event, Talk


def thread_name(ev: Event) -> str:
    return _("Lightning talks: {title}").format(title=ev.title)[:100]


def signup_button(ev: Event) -> Button:
    action_id = SIGNUP.build(event=ev.id)
    form = Form(
        action_id=action_id,
        title=_("Sign up for a lightning talk"),
        inputs=(FormInput("title", _("Your talk's title"), max_length=TITLE_MAX),),
    )
    return Button(action_id, _("Sign up"), "primary", form=form)


def talk_line(n: int | str, t: Talk, *, bold: bool = False) -> str:
    name = UserText(t.speaker_name or t.speaker_id)
    who = f"**{name}**" if bold else name
    return f"{n}. {who} — “{UserText(t.title)}”"


def status_line(ev: Event, tz: ZoneInfo) -> str:
    if ev.status == "open":
        if ev.cutoff_at:
            return _("Sign-ups close {when}.").format(when=When(ev.cutoff_at, tz))
        return _("Sign-ups are open until the talks start.")
    return {
        "closed": _("Sign-ups are closed."),
        "running": _("The talks are on now."),
        "done": _("These lightning talks are over. Thank you!"),
        "cancelled": _("These lightning talks are cancelled."),
    }.get(ev.status, "")


def announcement_view(ev: Event, tz: ZoneInfo, taken: int, waiting: int) -> View:
    lines = [
        _("**When:** {when}").format(when=When(ev.starts_at, tz)),
        ngettext(
            "**Talks:** {slots} slot of {minutes} minutes",
            "**Talks:** {slots} slots of {minutes} minutes",
            ev.slots,
        ).format(slots=ev.slots, minutes=ev.minutes),
    ]
    if ev.status == "open":
        lines.append(
            _("Sign up with the button, or with “lightning signup <title>” in the thread.")
        )
    return View(
        title=_("Lightning talks: {title}").format(title=UserText(ev.title)),
        text="\n".join(lines),
        fields=[
            Field(_("Line-up"), f"{taken}/{ev.slots}", inline=True),
            Field(_("Waiting"), str(waiting), inline=True),
        ],
        buttons=[signup_button(ev)] if ev.status == "open" else [],
        footer=status_line(ev, tz),
        tone="success"
        if ev.status == "done"
        else "warning"
        if ev.status == "cancelled"
        else "info",
    )


def lineup_view(ev: Event, tz: ZoneInfo, order: list[Talk], waiting: list[Talk]) -> View:
    lines = [
        talk_line(n, t, bold=t.status == "live") + _marks(t) for n, t in enumerate(order, 1)
    ] or [_("Nobody yet: be the first!")]
    free = ev.slots - sum(1 for t in order if t.status in ("lineup", "live"))
    if ev.status == "open" and free > 0:
        lines.append(ngettext("{n} slot left.", "{n} slots left.", free).format(n=free))
    if waiting:
        lines.append("")
        lines.append(_("**Waiting list**"))
        lines += [talk_line(f"w{n}", t) for n, t in enumerate(waiting, 1)]
    buttons: list[Button] = []
    if ev.status == "open":
        buttons.append(signup_button(ev))
    if ev.status in ("open", "closed"):
        buttons.append(Button(WITHDRAW.build(event=ev.id), _("Withdraw")))
    footer = status_line(ev, tz)
    if ev.shuffle_seed is not None:
        footer += " " + _("Order drawn at random (seed {seed}).").format(seed=ev.shuffle_seed)
    return View(
        title=_("Line-up: {title}").format(title=UserText(ev.title)),
        text="\n".join(lines),
        buttons=buttons,
        footer=footer.strip(),
    )


def _marks(t: Talk) -> str:
    return {
        "live": " " + _("(on stage)"),
        "done": " ✓",
        "skipped": " " + _("(skipped)"),
    }.get(t.status, "")


def run_view(ev: Event, tz: ZoneInfo, order: list[Talk], note: str = "") -> View:
    """The run of show: who is on, who is next, when their time is up."""
    if ev.status == "done":
        given = sum(1 for t in order if t.status == "done")
        return View(
            title=_("Done: {title}").format(title=UserText(ev.title)),
            text=ngettext(
                "{n} talk given. Thank you, everyone!",
                "{n} talks given. Thank you, everyone!",
                given,
            ).format(n=given),
            tone="success",
        )
    live = next((t for t in order if t.status == "live"), None)
    upcoming = [t for t in order if t.status == "lineup"]
    lines = []
    if live is not None:
        n = order.index(live) + 1
        lines.append(
            _("**Now ({n}/{total}):** {name} — “{title}”").format(
                n=n,
                total=len(order),
                name=UserText(live.speaker_name),
                title=UserText(live.title),
            )
        )
    if upcoming:
        nxt = upcoming[0]
        lines.append(
            _("**Next:** {name} — “{title}”").format(
                name=UserText(nxt.speaker_name), title=UserText(nxt.title)
            )
        )
    else:
        lines.append(_("**Next:** nobody, this is the last talk."))
    if ev.talk_ends_at is not None:
        lines.append(
            _("**Time:** {minutes} min, until {end}").format(
                minutes=ev.minutes, end=When(ev.talk_ends_at, tz, "time")
            )
        )
    if note:
        lines.append(note)
    on_stage = live.id if live else 0
    return View(
        title=_("Live: {title}").format(title=UserText(ev.title)),
        text="\n".join(lines),
        buttons=[
            Button(NEXT.build(event=ev.id, talk=on_stage), _("Next"), "primary"),
            Button(SKIP.build(event=ev.id, talk=on_stage), _("Skip")),
        ],
        footer=_("Next: the talk was given. Skip: it was not."),
    )


def feedback_prompt(ev: Event) -> View:
    return View(
        title=_("How were the lightning talks?"),
        text=_("Rate “{title}” from 1 to 5 and tell us one thing you'll apply.").format(
            title=UserText(ev.title)
        ),
        buttons=rating_buttons(FEEDBACK, event=ev.id),
    )


def record_view(
    ev: Event,
    tz: ZoneInfo,
    order: list[Talk],
    average: float | None,
    ratings: int,
    applies: list[str],
) -> View:
    lines = []
    for n, t in enumerate(order, 1):
        line = talk_line(n, t) + _marks(t)
        if t.link:
            line += f" · {UserText(t.link)}"
        lines.append(line)
    fields = [
        Field(_("Date"), When(ev.starts_at, tz), inline=True),
        Field(_("Talks given"), str(sum(1 for t in order if t.status == "done")), inline=True),
        Field(_("Average rating"), rating_text(average, ratings), inline=True),
    ]
    if applies:
        fields.append(
            Field(_("What people will apply"), "\n".join(f"- {UserText(a)}" for a in applies))
        )
    if ev.shuffle_seed is not None:
        fields.append(Field(_("Order"), _("drawn with seed {seed}").format(seed=ev.shuffle_seed)))
    return View(
        title=_("Record of lightning talks #{id}: {title}").format(
            id=ev.id, title=UserText(ev.title)
        ),
        text="\n".join(lines) or _("No talks."),
        fields=fields,
    )
