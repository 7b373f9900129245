"""The two Xtrem formats, their steps and the routes of their buttons.

Both are the same engine (:mod:`.engine`): timed group rounds. Xtrem Reading: readers pick a
book from the list, groups of 2–3, two reading rounds with a swap, sharing, day-to-day ideas,
ratings. Xtrem Watch: topics brainstormed alone, pitched in turn, dot-voted, groups on the
top topics that dive, sync, deep dive and prepare, then present in turn.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from copkit.core.facilitation import owner_of
from copkit.core.formats import Format
from copkit.core.i18n import N_
from copkit.core.routes import Route

xr = Format(
    "xtremreading",
    N_("Xtrem Reading"),
    N_(
        "Read two books in one hour: pick a book from the list, read in groups of 2–3 in two "
        "rounds with a swap, share, and say how to use it day to day."
    ),
)
xw = Format(
    "xtremwatch",
    N_("Xtrem Watch"),
    N_(
        "A collective technology watch: brainstorm topics alone, pitch them, dot-vote, dive "
        "into the top topics in groups of 2–3 and present what you found."
    ),
)
FORMATS = {xr.name: xr, xw.name: xw}
READING, WATCH = xr.name, xw.name

Kind = Literal["open", "timed", "turns"]
"""A step without a clock, with one shared clock, or one clock per turn (pitches, talks)."""


@dataclass(frozen=True, slots=True)
class Step:
    name: str
    title: str
    prompt: str
    kind: Kind = "open"
    minutes: float = 0
    in_groups: bool = False  # the groups' threads are told about this step


READING_STEPS: tuple[Step, ...] = (
    Step("pick", N_("Pick a book"), N_("Pick a book from the list and say what you hope to find.")),
    Step("groups", N_("Groups"), N_("Groups of 2–3 around the books' themes.")),
    Step(
        "round1",
        N_("Reading, round 1"),
        N_("Skim your book for its main points; post your key points as notes."),
        "timed",
        20,
        True,
    ),
    Step(
        "round2",
        N_("Reading, round 2"),
        N_("The books are swapped inside each group: skim the other one."),
        "timed",
        20,
        True,
    ),
    Step(
        "share",
        N_("Sharing"),
        N_("In your group, share each book's main points (about 5 minutes per book)."),
        "timed",
        10,
        True,
    ),
    Step(
        "daytoday",
        N_("Day to day"),
        N_("How could we use this day to day? Answer with an idea."),
        "timed",
        5,
    ),
    Step(
        "rate",
        N_("Ratings"),
        N_("Rate the books you read, 1–5 for readability and 1–5 for recommendation."),
    ),
)
WATCH_STEPS: tuple[Step, ...] = (
    Step(
        "brainstorm",
        N_("Brainstorm alone"),
        N_("Which topics do I want to discover? Write them alone, one per note."),
        "timed",
        5,
    ),
    Step("pitch", N_("Pitch"), N_("One minute each to pitch your topics."), "turns", 1),
    Step("vote", N_("Prioritise"), N_("Put your dots on the topics you want to dive into.")),
    Step("groups", N_("Groups"), N_("Groups of 2–3 around the top topics.")),
    Step(
        "dive",
        N_("Dive alone"),
        N_("Gather sources alone: post the links you find in your group's thread."),
        "timed",
        5,
        True,
    ),
    Step(
        "sync",
        N_("Sync in the group"),
        N_("What did we find, what do we dig into, who takes what?"),
        "timed",
        5,
        True,
    ),
    Step(
        "deepdive",
        N_("Deep dive alone"),
        N_("Dig into your part; keep posting your sources."),
        "timed",
        5,
        True,
    ),
    Step(
        "prepare",
        N_("Prepare the share-out"),
        N_("Prepare together what your group will present (about 5 minutes)."),
        "timed",
        10,
        True,
    ),
    Step("present", N_("Presentations"), N_("Each group presents in turn."), "turns", 5),
    Step(
        "discuss",
        N_("Daily work"),
        N_("What can we do with this in our daily work? Answer with an idea."),
        "timed",
        10,
    ),
)
STEPS = {READING: READING_STEPS, WATCH: WATCH_STEPS}
MIN_PEOPLE = {READING: 2, WATCH: 4}

TECHNIQUES = (
    N_("the table of contents"),
    N_("the back cover"),
    N_("the foreword"),
    N_("find the key chapter"),
    N_("take mind-map notes"),
)
READING_PITFALLS = (
    N_("It is skimming, not reading: nobody really reads two books in an hour, by design."),
    N_("Mix people: groups of like minds confirm what they already believe."),
    N_("Nobody is an expert after one hour: stay humble about what you took away."),
)
WATCH_PITFALLS = (
    N_("This skims topics: it is a first look, not a study."),
    N_("Sources cannot be checked in the time: treat them as leads."),
    N_("The facilitator may join a group (“join <number>”)."),
)


def steps(fmt: str) -> tuple[Step, ...]:
    return STEPS[fmt]


def step(fmt: str, name: str) -> Step:
    return next(s for s in STEPS[fmt] if s.name == name)


def next_step(fmt: str, name: str) -> Step | None:
    names = [s.name for s in STEPS[fmt]]
    i = names.index(name)
    return STEPS[fmt][i + 1] if i + 1 < len(names) else None


def position(fmt: str, name: str) -> tuple[int, int]:
    names = [s.name for s in STEPS[fmt]]
    return names.index(name) + 1, len(names)


def routes(f: Format) -> dict[str, Route]:
    """The buttons of a format's board (each carries the session's version where it moves
    the session on: a second press, or one on an old board, changes nothing)."""
    return {
        "next": f.route("next:{session:int}:{version:int}"),
        "more": f.route("more:{session:int}:{version:int}"),
        "join": f.route("join:{session:int}"),
    }


ROUTES = {name: routes(f) for name, f in FORMATS.items()}

# The board's controls of one format (no version: they add to a session, they do not move it
# on; a press after their step is refused by the step's own check).
PICK = xr.route("pick:{session:int}")
"""Xtrem Reading: the book picked in the board's choice."""
RATE = xr.route("rate:{session:int}")
"""Xtrem Reading: the rating form (readability, recommendation, the book)."""
TOPIC = xw.route("topic:{session:int}")
"""Xtrem Watch: the private topic form of the brainstorm."""
VOTE = xw.route("vote:{session:int}")
"""Xtrem Watch: the dot given in the board's choice."""
PRESENT = xw.route("present:{session:int}")
"""Xtrem Watch: "we start" of the group whose turn it is."""


def owner(fmt: str, session_id: int) -> str:
    """The owner of a session's facilitation rows (``xtremreading:3``)."""
    return owner_of(fmt, session_id)


def board_key(fmt: str, session_id: int) -> str:
    return f"{fmt}:board:{session_id}"


def group_key(fmt: str, session_id: int, number: int) -> str:
    """The place (thread, voice room) of a group: ``xtremreading:3:group:1``."""
    return f"{fmt}:{session_id}:group:{number}"


def ref(fmt: str, kind: str, id_: int) -> str:
    return f"{fmt}:{kind}:{id_}"
