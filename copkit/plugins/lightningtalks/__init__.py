"""Lightning talks: five minutes each — sign-ups with a slot limit and a waiting list, a line-up
in a thread, a run of show with a timer, a record and feedback. Logic in :mod:`.handlers`."""

from __future__ import annotations

from copkit.core.hookspecs import hookimpl
from copkit.core.i18n import N_
from copkit.core.roles import Role
from copkit.core.specs import Action, Arg, Command, FormatInfo, Handler, JobType, Models

from . import handlers as h

FORMAT = "lightning"


@hookimpl
def copkit_register_formats() -> list[FormatInfo]:
    return [
        FormatInfo(
            FORMAT,
            N_("Lightning talks"),
            N_("Five minutes each: sign-ups with a waiting list, a line-up and an on-stage timer."),
        )
    ]


@hookimpl
def copkit_register_models() -> list[Models]:
    return [
        Models(
            app="lightningtalks",
            module="copkit.plugins.lightningtalks.models",
            migrations="copkit.plugins.lightningtalks.migrations",
        )
    ]


def _cmd(
    words: str,
    help: str,
    handler: Handler,
    args: tuple[Arg, ...] = (),
    role: Role = Role.MEMBER,
    action: str = "",
) -> Command:
    event = Arg("event", N_("which lightning talks (number; default: the current ones)"))
    if not any(a.name == "event" for a in args):
        args = (*args, event)
    return Command(("lightning", *words.split()), help, handler, args, role, FORMAT, action)


@hookimpl
def copkit_register_commands() -> list[Command]:
    title = Arg("title", N_("the title"), type="rest", positional=True)
    return [
        _cmd(
            "open",
            N_("Open lightning talks for sign-ups (an announcement and a sign-up thread)."),
            h.open_,
            (
                title,
                Arg("at", N_('when they start, e.g. "2026-12-03 17:00"'), required=True),
                Arg("slots", N_("how many talks (default 8)"), type="int"),
                Arg("minutes", N_("minutes per talk (default 5)"), type="int"),
                Arg("cutoff", N_("when sign-ups close (default: at the start)")),
                Arg("tz", N_("a time zone for the times (default: the community's)")),
            ),
            Role.CORE,
            N_("open lightning talks"),
        ),
        _cmd("signup", N_("Sign up with your talk's title."), h.signup, (title,)),
        _cmd("withdraw", N_("Withdraw your talk (the first person waiting gets it)."), h.withdraw),
        _cmd("lineup", N_("Show the line-up and the waiting list."), h.show_lineup),
        _cmd(
            "reorder",
            N_("Change the running order, e.g. “lightning reorder 3 1 2” (organiser)."),
            h.reorder,
            (Arg("order", N_("line-up numbers in the new order"), type="rest", positional=True),),
        ),
        _cmd(
            "shuffle",
            N_("Draw a random running order; the seed is recorded (organiser)."),
            h.shuffle,
            (Arg("seed", N_("a seed, to repeat a draw")),),
        ),
        _cmd(
            "remove",
            N_("Remove someone's talk; they are told (organiser)."),
            h.remove,
            (
                Arg(
                    "person",
                    N_("whose talk (@name)"),
                    type="person",
                    positional=True,
                    required=True,
                ),
            ),
        ),
        _cmd("run", N_("Start the run of show (organiser)."), h.run),
        _cmd("next", N_("The talk on stage was given: on to the next (organiser)."), h.next_),
        _cmd("skip", N_("The talk on stage was not given: on to the next (organiser)."), h.skip),
        _cmd(
            "link",
            N_("Add a link (slides, recording) to your talk."),
            h.link,
            (
                Arg("url", N_("the link"), positional=True, required=True),
                Arg("speaker", N_("whose talk (organiser)"), type="person"),
            ),
        ),
        _cmd(
            "feedback",
            N_("Rate the lightning talks 1–5 and say one thing you'll apply."),
            h.feedback,
            (
                Arg("rating", N_("1 to 5"), positional=True, required=True),
                Arg("apply", N_("one thing you'll apply"), type="rest", positional=True),
            ),
        ),
        _cmd(
            "record",
            N_("Show the record of lightning talks: talks, speakers, links, feedback."),
            h.record,
            (Arg("event", N_("which lightning talks (number)"), positional=True),),
        ),
    ]


@hookimpl
def copkit_register_actions() -> list[Action]:
    return [
        Action("lightning:signup", h.signup_action, FORMAT),
        Action("lightning:withdraw", h.withdraw_action, FORMAT),
        Action("lightning:next", h.next_action, FORMAT),
        Action("lightning:skip", h.skip_action, FORMAT),
        Action("lightning:feedback", h.feedback_action, FORMAT),
    ]


@hookimpl
def copkit_register_jobs() -> list[JobType]:
    return [
        JobType("lightning.cutoff", h.cutoff_job),
        JobType("lightning.warn", h.warn_job),
        JobType("lightning.time", h.time_job),
    ]
