"""The community health check: anonymous traffic-light rounds on a deck of dimensions, results
with trends and a picture, and quick pulse polls. Hook implementations only; the logic lives in
the modules next to this one."""

from __future__ import annotations

from typing import TypedDict

from copkit.core.hookspecs import hookimpl
from copkit.core.i18n import N_
from copkit.core.roles import Role
from copkit.core.specs import Action, Arg, Command, FormatInfo, JobType, Models

from . import handlers as h
from .deck import STATEMENT_MAX, TITLE_MAX

FMT = h.FORMAT


class _Role(TypedDict):
    """A command's role and format, spread into several ``Command``s (typed, so it is checked)."""

    role: Role
    format: str


class _RoleAction(_Role):
    action: str


@hookimpl
def copkit_register_formats() -> list[FormatInfo]:
    return [
        FormatInfo(
            FMT,
            N_("Health check"),
            N_("Members rate the community green, amber or red, anonymously, round after round."),
        )
    ]


@hookimpl
def copkit_register_models() -> list[Models]:
    return [
        Models(
            app="healthcheck",
            module="copkit.plugins.healthcheck.models",
            migrations="copkit.plugins.healthcheck.migrations",
        )
    ]


@hookimpl
def copkit_register_commands() -> list[Command]:
    dim = Arg(
        "dimension", N_("a dimension: its key, title or number"), positional=True, required=True
    )
    which = Arg("which", N_("comment numbers, or all"), type="rest", positional=True, required=True)
    closes_in = Arg("closes-in", N_("how long it stays open, e.g. 3d"), type="duration")
    awesome = Arg("awesome", N_("the awesome statement"), max_length=STATEMENT_MAX)
    crappy = Arg("crappy", N_("the crappy statement"), max_length=STATEMENT_MAX)
    core: _Role = {"role": Role.CORE, "format": FMT}
    leader: _RoleAction = {
        "role": Role.LEADER,
        "format": FMT,
        "action": N_("change the health-check deck"),
    }
    return [
        Command(
            ("healthcheck", "start"),
            N_("Open a health-check round."),
            h.start,
            (
                closes_in,
                Arg("min-responses", N_("answers needed to show results (3 or more)"), type="int"),
                Arg(
                    "moderate",
                    N_("hold the comments until the leader approves them"),
                    type="flag",
                ),
            ),
            action=N_("start a health check"),
            **core,
        ),
        Command(
            ("healthcheck", "close"),
            N_("Close the open round now and show the results."),
            h.close,
            action=N_("close a health check"),
            **core,
        ),
        Command(
            ("healthcheck", "comments"),
            N_("The comments waiting for your approval (only you see them)."),
            h.comments,
            (Arg("round", N_("the round number"), type="int"),),
            action=N_("moderate health-check comments"),
            **core,
        ),
        Command(
            ("healthcheck", "approve"),
            N_("Show held comments: healthcheck approve 1 3, or all."),
            h.approve,
            (which, Arg("round", N_("the round number"), type="int")),
            action=N_("moderate health-check comments"),
            **core,
        ),
        Command(
            ("healthcheck", "reject"),
            N_("Delete held comments: healthcheck reject 2, or all."),
            h.reject,
            (which, Arg("round", N_("the round number"), type="int")),
            action=N_("moderate health-check comments"),
            **core,
        ),
        Command(
            ("healthcheck", "status"), N_("How the open round is going."), h.status, format=FMT
        ),
        Command(
            ("healthcheck", "results"),
            N_("Show a round's results (the latest by default)."),
            h.results,
            (Arg("round", N_("the round number"), type="int", positional=True),),
            format=FMT,
        ),
        Command(
            ("healthcheck", "history"),
            N_("Every round, with the traffic-light grid."),
            h.history,
            format=FMT,
        ),
        Command(
            ("healthcheck", "trend"),
            N_("One dimension across rounds, with a chart."),
            h.trend,
            (Arg("dimension", N_("a dimension"), type="rest", positional=True, required=True),),
            format=FMT,
        ),
        Command(
            ("healthcheck", "export"),
            N_("Export the results (aggregates only)."),
            h.export,
            (Arg("format", N_("csv or json"), default="csv", choices=("csv", "json")),),
            format=FMT,
        ),
        Command(
            ("healthcheck", "pulse"),
            N_('A quick question, anonymous unless --public: healthcheck pulse "question" option…'),
            h.pulse_start,
            (
                Arg("question", N_("the question"), positional=True, required=True, max_length=300),
                Arg("options", N_("2 to 10 options"), type="rest", positional=True, required=True),
                Arg("closes-in", N_("how long it stays open, e.g. 1d"), type="duration"),
                Arg(
                    "public",
                    N_("not anonymous: a native poll where the platform has one (whole hours)"),
                    type="flag",
                ),
            ),
            action=N_("start a pulse check"),
            **core,
        ),
        Command(
            ("healthcheck", "deck"), N_("Show the deck of dimensions."), h.deck_show, format=FMT
        ),
        Command(
            ("healthcheck", "deck", "add"),
            N_("Add a dimension to the deck."),
            h.deck_add,
            (
                Arg("title", N_("its title"), positional=True, required=True, max_length=TITLE_MAX),
                Arg(awesome.name, awesome.help, required=True, max_length=STATEMENT_MAX),
                Arg(crappy.name, crappy.help, required=True, max_length=STATEMENT_MAX),
            ),
            **leader,
        ),
        Command(
            ("healthcheck", "deck", "edit"),
            N_("Change a dimension's title or statements."),
            h.deck_edit,
            (dim, Arg("title", N_("a new title"), max_length=TITLE_MAX), awesome, crappy),
            **leader,
        ),
        Command(
            ("healthcheck", "deck", "move"),
            N_("Move a dimension to another position."),
            h.deck_move,
            (
                dim,
                Arg("position", N_("the new position"), type="int", positional=True, required=True),
            ),
            **leader,
        ),
        Command(
            ("healthcheck", "deck", "retire"),
            N_("Retire a dimension (its history is kept)."),
            h.deck_retire,
            (dim,),
            **leader,
        ),
        Command(
            ("healthcheck", "deck", "restore"),
            N_("Bring a retired dimension back."),
            h.deck_restore,
            (dim,),
            **leader,
        ),
        Command(
            ("healthcheck", "deck", "reset"),
            N_("Go back to the default deck."),
            h.deck_reset,
            **leader,
        ),
        Command(
            ("healthcheck", "deck", "history"),
            N_("Who changed the deck, and how."),
            h.deck_history,
            format=FMT,
        ),
    ]


@hookimpl
def copkit_register_actions() -> list[Action]:
    return [
        Action("healthcheck:take", h.take, FMT),
        Action("healthcheck:card", h.step, FMT),
        Action("healthcheck:colour", h.pick_colour, FMT),
        Action("healthcheck:trend", h.pick_trend, FMT),
        Action("healthcheck:comment", h.comment, FMT),
        Action("healthcheck:forget", h.forget, FMT),
        Action("healthcheck:done", h.done, FMT),
        Action("healthcheck:pulse", h.pulse_vote, FMT),
    ]


@hookimpl
def copkit_register_jobs() -> list[JobType]:
    return [
        JobType("healthcheck.close", h.job_close),
        JobType("healthcheck.remind", h.job_remind),
        JobType("healthcheck.post", h.job_post),
        JobType("healthcheck.pulse_close", h.job_pulse_close),
        JobType("healthcheck.pulse_post", h.job_pulse_post),
    ]
