"""Brown bags: one speaker, one topic, over lunch — backlog, schedule, RSVP, reminders, calendar,
feedback and a record. The logic lives in :mod:`.handlers`; this module only declares it."""

from __future__ import annotations

from copkit.core.hookspecs import hookimpl
from copkit.core.i18n import N_
from copkit.core.roles import Role
from copkit.core.specs import Action, Arg, Command, FormatInfo, JobType, Models

from . import handlers as h

FORMAT = "brownbag"


@hookimpl
def copkit_register_formats() -> list[FormatInfo]:
    return [
        FormatInfo(
            FORMAT,
            N_("Brown bags"),
            N_(
                "One speaker, one topic, over lunch: a talk backlog, RSVPs, reminders and a record."
            ),
        )
    ]


@hookimpl
def copkit_register_models() -> list[Models]:
    return [
        Models(
            app="brownbag",
            module="copkit.plugins.brownbag.models",
            migrations="copkit.plugins.brownbag.migrations",
        )
    ]


def _cmd(
    words: str, help: str, handler, args=(), role: Role = Role.MEMBER, action: str = ""
) -> Command:  # type: ignore[no-untyped-def]
    return Command(
        tuple(["brownbag", *words.split()]), help, handler, tuple(args), role, FORMAT, action
    )


@hookimpl
def copkit_register_commands() -> list[Command]:
    session = Arg("session", N_("the brown bag's number"), positional=True, required=True)
    talk = Arg("talk", N_("the backlog talk's number"), positional=True, required=True)
    title = Arg("title", N_("the talk's title"), type="rest", positional=True)
    at = Arg("at", N_('date and time, e.g. "2026-12-03 12:30"'), required=True)
    tz = Arg("tz", N_("a time zone for --at, e.g. Europe/Paris (default: the community's)"))
    return [
        _cmd(
            "propose",
            N_("Propose a talk you could give or would like to hear."),
            h.propose,
            (title, Arg("speaker", N_("me, or who could give it (@name)"), type="person")),
        ),
        _cmd("backlog", N_("Show proposed talks, votes and who could give them."), h.backlog),
        _cmd("upvote", N_("Upvote a proposed talk."), h.upvote, (talk,)),
        _cmd("volunteer", N_("Offer to give a proposed talk."), h.volunteer, (talk,)),
        _cmd(
            "drop",
            N_("Remove a talk from the backlog."),
            h.drop,
            (talk,),
            Role.CORE,
            N_("change the backlog"),
        ),
        _cmd(
            "schedule",
            N_("Schedule a brown bag."),
            h.schedule,
            (
                title,
                Arg("speaker", N_("who speaks (@name)"), type="person", required=True),
                at,
                Arg("duration", N_("how long, e.g. 45 or 1h"), type="duration"),
                Arg("where", N_("a link or a room")),
                tz,
                Arg("talk", N_("the backlog talk it comes from")),
            ),
            Role.CORE,
            N_("schedule brown bags"),
        ),
        _cmd("list", N_("Show upcoming brown bags."), h.upcoming),
        _cmd(
            "rsvp",
            N_("Say whether you're coming."),
            h.rsvp,
            (
                session,
                Arg(
                    "answer",
                    N_("going, maybe or no"),
                    positional=True,
                    required=True,
                    choices=("going", "maybe", "no"),
                ),
            ),
        ),
        _cmd(
            "reschedule",
            N_("Move a brown bag."),
            h.reschedule,
            (
                session,
                at,
                Arg("duration", N_("how long"), type="duration"),
                Arg("where", N_("a link or a room")),
                tz,
            ),
            Role.CORE,
            N_("reschedule brown bags"),
        ),
        _cmd(
            "cancel",
            N_("Cancel a brown bag (everyone who answered is told)."),
            h.cancel,
            (session,),
            Role.CORE,
            N_("cancel brown bags"),
        ),
        _cmd(
            "speaker",
            N_("Change a brown bag's speaker."),
            h.change_speaker,
            (
                session,
                Arg(
                    "person",
                    N_("the new speaker (@name)"),
                    type="person",
                    positional=True,
                    required=True,
                ),
            ),
            Role.CORE,
            N_("change speakers"),
        ),
        _cmd("ics", N_("Get a brown bag's calendar entry (.ics)."), h.ics, (session,)),
        _cmd(
            "done",
            N_("Mark a brown bag done and ask for feedback."),
            h.done,
            (session, Arg("attendance", N_("how many came"), type="int")),
        ),
        _cmd(
            "feedback",
            N_("Rate a brown bag 1–5 and say one thing you'll apply."),
            h.feedback,
            (
                session,
                Arg("rating", N_("1 to 5"), positional=True, required=True),
                Arg("apply", N_("one thing you'll apply"), type="rest", positional=True),
            ),
        ),
        _cmd(
            "links",
            N_("Add the recording and slides links."),
            h.links,
            (
                session,
                Arg("recording", N_("link to the recording")),
                Arg("slides", N_("link to the slides")),
            ),
        ),
        _cmd(
            "record",
            N_("Show a brown bag's record, or all past ones."),
            h.record,
            (Arg("session", N_("the brown bag's number"), positional=True),),
        ),
    ]


@hookimpl
def copkit_register_actions() -> list[Action]:
    return [
        Action("brownbag:rsvp", h.rsvp_action, FORMAT),
        Action("brownbag:ics", h.ics, FORMAT),
        Action("brownbag:feedback", h.feedback_action, FORMAT),
        Action("brownbag:upvote", h.upvote_action, FORMAT),
        Action("brownbag:volunteer", h.volunteer_action, FORMAT),
    ]


@hookimpl
def copkit_register_jobs() -> list[JobType]:
    return [JobType("brownbag.remind", h.remind_job), JobType("brownbag.end", h.end_job)]
