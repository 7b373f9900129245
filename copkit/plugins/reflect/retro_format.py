"""The retro format: its declaration, prompts, routes and view keys. The commands, buttons and
timer sit next to their functions in :mod:`.retro`, :mod:`.retro_writing` and
:mod:`.retro_actions`; the minutes in :mod:`.retro_minutes`.

A retro runs review → writing → revealed (grouping) → voting → actions → done. Buttons that
move it on carry its ``version`` (bumped by every move): pressed twice, or from a board shown
before something moved, they change nothing and say so.
"""

from __future__ import annotations

from copkit.core.facilitation import owner_of
from copkit.core.formats import Format
from copkit.core.i18n import N_
from copkit.core.routes import Route

rt = Format(
    "retro",
    N_("Retrospective"),
    N_(
        "Look back together: review the open actions, write alone (start / stop / continue, "
        "4Ls or mad / sad / glad), reveal, group, dot-vote, agree actions with owners."
    ),
)

rt.log_words(
    {
        "retro.revealed": N_("{who} revealed the retrospective notes"),
        "retro.merged": N_("{who} grouped two retrospective notes"),
        "retro.stage": N_("{who} moved the retrospective on to its next stage"),
        "retro.done": N_("{who} closed the retrospective"),
    }
)

PHASE_JOB = "retro.phase"

PROMPTS: dict[str, tuple[tuple[str, str], ...]] = {
    "ssc": (("start", N_("Start")), ("stop", N_("Stop")), ("continue", N_("Continue"))),
    "4ls": (
        ("liked", N_("Liked")),
        ("learned", N_("Learned")),
        ("lacked", N_("Lacked")),
        ("longed", N_("Longed for")),
    ),
    "msg": (("mad", N_("Mad")), ("sad", N_("Sad")), ("glad", N_("Glad"))),
}
"""The prompt sets: start / stop / continue (the default), the 4Ls, mad / sad / glad."""
PROMPT_ALIASES = {
    "ssc": "ssc",
    "start-stop-continue": "ssc",
    "4ls": "4ls",
    "4l": "4ls",
    "msg": "msg",
    "mad-sad-glad": "msg",
    "madsadglad": "msg",
}
PROMPT_WORDS = {
    "ssc": N_("Start / Stop / Continue"),
    "4ls": N_("4Ls"),
    "msg": N_("Mad / Sad / Glad"),
}

STAGES = ("review", "writing", "revealed", "voting", "actions")

# Members: writing, "I'm done", one's notes, dots, an action.
WRITE = rt.route("write:{retro:int}")
DONE = rt.route("done:{retro:int}")
MINE = rt.route("mine:{retro:int}")
DOT = rt.route("dot:{retro:int}:{note:int}")
ACTION = rt.route("action:{retro:int}")

# The facilitator's buttons, guarded by the retro's version.
NEXT = rt.route("next:{retro:int}:{version:int}")
MORE = rt.route("more:{retro:int}:{version:int}")
PAUSE = rt.route("pause:{retro:int}:{version:int}")
RESUME = rt.route("resume:{retro:int}:{version:int}")
END = rt.route("end:{retro:int}:{version:int}")

# The review of earlier actions: the item's number in the retro's list, and the verdict.
REVIEW = rt.route("review:{retro:int}:{item:int}:{verdict:word}")

_BOARD = Route("retro:board:{retro:int}")
_REF = Route("retro:{kind:word}:{id:int}")


def board_key(retro_id: int) -> str:
    """The retro's board in its room (a live view)."""
    return _BOARD.build(retro=retro_id)


def ref(kind: str, id_: int) -> str:
    """A reference in the community log, e.g. ``retro:retro:3``, ``retro:action:7``."""
    return _REF.build(kind=kind, id=id_)


def owner(retro_id: int) -> str:
    """The owner of the retro's facilitation rows, and the name of its review (``retro:3``)."""
    return owner_of("retro", retro_id)


def prompt_keys(prompts: str) -> tuple[str, ...]:
    return tuple(k for k, _label in PROMPTS[prompts])


def prompt_label(prompts: str, key: str) -> str:
    return dict(PROMPTS[prompts]).get(key, key)
