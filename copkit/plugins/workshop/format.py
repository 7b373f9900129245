"""The vision workshop format: its declaration, the routes of its buttons and the keys of its
views. Commands, buttons and the timer are declared next to their functions in
:mod:`.flow`, :mod:`.writing`, :mod:`.choosing` and :mod:`.steps`.

Buttons that move the workshop on carry its ``version`` (bumped by every move): pressed
twice, or from a board shown before something moved, they change nothing and say so. Forms
and "I'm done" carry the step they were shown for: after that step closed, they are refused.
"""

from __future__ import annotations

from copkit.core.facilitation import owner_of
from copkit.core.formats import Format
from copkit.core.i18n import N_
from copkit.core.routes import Route

ws = Format(
    "workshop",
    N_("Vision workshop"),
    N_(
        "Bootstrap a community: write ideas alone, reveal, cluster and dot-vote them, "
        "choose a name and a leader; the outcome is the community's canvas."
    ),
)

ws.log_words(
    {
        "workshop.started": N_("{who} started a vision workshop"),
        "workshop.step": N_("The vision workshop moved on to its next step"),
        "workshop.stopped": N_("{who} stopped the vision workshop"),
        "workshop.done": N_("The vision workshop ended"),
        "workshop.merged": N_("{who} grouped two workshop notes"),
        "workshop.revealed": N_("{who} revealed the workshop notes"),
        "workshop.vote": N_("{who} opened the dot vote on the workshop notes"),
        "workshop.nominated": N_("{who} nominated {text_person} to lead the community"),
        "workshop.named": N_("The community chose its name: “{text}”"),
    }
)

PHASE_JOB = "workshop.phase"

# Writing: the step a form or button was shown for.
WRITE = ws.route("write:{workshop:int}:{step:word}")
FORCE = ws.route("force:{workshop:int}")
DONE = ws.route("done:{workshop:int}:{step:word}")
MINE = ws.route("mine:{workshop:int}")
JOIN = ws.route("join:{workshop:int}")
PROPOSE = ws.route("propose:{workshop:int}")

# Votes: a choice per ballot (the option picked is the value).
PICK = ws.route("pick:{workshop:int}:{ballot:int}")

# The facilitator's buttons, guarded by the workshop's version.
NEXT = ws.route("next:{workshop:int}:{version:int}")
REVEAL = ws.route("reveal:{workshop:int}:{version:int}")
ALIGN = ws.route("align:{workshop:int}:{version:int}")
MORE = ws.route("more:{workshop:int}:{version:int}")
PAUSE = ws.route("pause:{workshop:int}:{version:int}")
RESUME = ws.route("resume:{workshop:int}:{version:int}")

# The elected person's answer.
ACCEPT = ws.route("accept:{workshop:int}")
DECLINE = ws.route("decline:{workshop:int}")

_BOARD = Route("workshop:board:{workshop:int}")
_REF = Route("workshop:{kind:word}:{id:int}")


def board_key(workshop_id: int) -> str:
    """The workshop's board in its room (a live view)."""
    return _BOARD.build(workshop=workshop_id)


def ref(kind: str, id_: int) -> str:
    """A reference in the community log, e.g. ``workshop:workshop:3``."""
    return _REF.build(kind=kind, id=id_)


def owner(workshop_id: int) -> str:
    """The owner of the workshop's facilitation rows."""
    return owner_of("workshop", workshop_id)
