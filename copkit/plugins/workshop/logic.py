"""The workshop's steps and its plain rules: the order of steps, timeboxes, what goes on the
canvas from a step's notes and dots, names folded for comparison."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

from copkit.core.errors import UserError
from copkit.core.i18n import N_, _

Kind = Literal["writing", "force", "name", "leader"]

BOXES = ("vision", "importance", "how", "measures", "impact", "communication", "resources")
"""The canvas's seven boxes, in the order the seed's canvas shows them."""

BOX_TITLES = {
    "vision": N_("Vision / Mission"),
    "importance": N_("Importance"),
    "how": N_("How"),
    "measures": N_("Measures"),
    "impact": N_("Who / What (impact)"),
    "communication": N_("Communication"),
    "resources": N_("Resources"),
}

SUPPORT, SLOW = "support", "slow"
NAME_MAX = 60
"""The longest community name proposed."""


@dataclass(frozen=True, slots=True)
class Step:
    name: str
    title: str
    prompt: str
    kind: Kind
    minutes: int = 0
    boxes: tuple[str, ...] = ()
    labels: tuple[str, ...] = ()  # the form's inputs, one per box


STEPS: tuple[Step, ...] = (
    Step(
        "vision",
        N_("Vision and importance"),
        N_(
            "What is our vision for this community? What do we want to reach? "
            "Why is it important now?"
        ),
        "writing",
        5,
        ("vision", "importance"),
        (N_("Our vision (one idea)"), N_("Why it matters now (one idea)")),
    ),
    Step(
        "how",
        N_("How and measures"),
        N_("Which key activities would get us there? How could we measure that we are on our way?"),
        "writing",
        5,
        ("how", "measures"),
        (N_("A key activity (one idea)"), N_("A measure (one idea)")),
    ),
    Step(
        "impact",
        N_("Impact"),
        N_("Who or what could be impacted?"),
        "writing",
        3,
        ("impact",),
        (N_("Who or what is impacted (one idea)"),),
    ),
    Step(
        "resources",
        N_("Resources and communication"),
        N_("Which resources do we need? Which channels could help us?"),
        "writing",
        2,
        ("resources", "communication"),
        (N_("A resource we need (one idea)"), N_("A channel that helps (one idea)")),
    ),
    Step(
        "forcefield",
        N_("Force field"),
        N_("What will support our vision, and what will slow it down? (strength 1–5)"),
        "force",
        2,
    ),
    Step("name", N_("A name"), N_("Propose names for the community: two thumbs each."), "name"),
    Step(
        "leader",
        N_("The leader"),
        N_("One and only one leader: nominate someone (yourself too), then vote."),
        "leader",
    ),
)
BY_NAME = {s.name: s for s in STEPS}
TIMED = tuple(s.name for s in STEPS if s.minutes)
"""The steps with a timebox, whose length ``workshop start --<step> 5m`` changes."""


def step(name: str) -> Step:
    return BY_NAME[name]


def steps_of(forcefield: bool) -> list[Step]:
    """The steps a workshop runs (the force field is optional)."""
    return [s for s in STEPS if forcefield or s.kind != "force"]


def next_step(current: str, forcefield: bool) -> Step | None:
    order = steps_of(forcefield)
    names = [s.name for s in order]
    i = names.index(current) if current in names else -1
    return order[i + 1] if i + 1 < len(order) else None


def number_of(current: str, forcefield: bool) -> tuple[int, int]:
    """The step's position and how many steps there are: (2, 7)."""
    names = [s.name for s in steps_of(forcefield)]
    return (names.index(current) + 1 if current in names else len(names), len(names))


def timeboxes(given: dict[str, int | None]) -> dict[str, int]:
    """Seconds per timed step: the defaults, with the ones given (between 30 s and 2 h)."""
    out = {}
    for name in TIMED:
        seconds = given.get(name)
        if seconds is None:
            seconds = step(name).minutes * 60
        if not 30 <= seconds <= 7200:
            raise UserError(_("A step lasts between 30 seconds and 2 hours."))
        out[name] = seconds
    return out


def fold(text: str) -> str:
    """A name as compared for duplicates: case and spaces ignored."""
    return " ".join(text.casefold().split())


def check_name(text: str) -> str:
    text = " ".join(text.split())
    if not text:
        raise UserError(_("Propose a name: “workshop propose <name>”."))
    if len(text) > NAME_MAX:
        raise UserError(
            _("A name has at most {max} characters (this one has {n}).").format(
                max=NAME_MAX, n=len(text)
            )
        )
    return text


@dataclass(frozen=True, slots=True)
class Voted:
    """A note of a step with the dots it got."""

    number: int
    box: str
    text: str
    dots: int


def chosen(notes: Sequence[Voted], voted: bool) -> list[Voted]:
    """The notes that go on the canvas: after a dot vote, those with at least one dot, most
    dots first (in their order on a tie); without a vote, or when nobody placed a dot, all."""
    if voted and any(n.dots for n in notes):
        kept = [n for n in notes if n.dots > 0]
        return sorted(kept, key=lambda n: (-n.dots, n.number))
    return sorted(notes, key=lambda n: n.number)


def boxes_of(notes: Sequence[Voted]) -> dict[str, list[str]]:
    """The seven boxes filled from the chosen notes (empty lists for boxes without any)."""
    out: dict[str, list[str]] = {b: [] for b in BOXES}
    for n in notes:
        if n.box in out:
            out[n.box].append(n.text)
    return out


def parse_strength(raw: object) -> int | None:
    """A strength typed (1–5) or nothing."""
    text = str(raw if raw is not None else "").strip()
    if not text:
        return None
    if text not in {"1", "2", "3", "4", "5"}:
        raise UserError(_("A strength is a whole number from 1 to 5."))
    return int(text)
