"""The lightning-talk format: its declaration, the routes of its buttons and the keys of its
views. Commands, buttons and timers are declared next to their functions, in
:mod:`.signups`, :mod:`.stage` and :mod:`.after`, on the :data:`lt` object below."""

from __future__ import annotations

from copkit.core.formats import Format
from copkit.core.i18n import N_
from copkit.core.specs import Arg

lt = Format(
    "lightning",
    N_("Lightning talks"),
    N_("Five minutes each: sign-ups with a waiting list, a line-up and an on-stage timer."),
)
lt.log_words(
    {
        "lightning.opened": N_("{who} opened sign-ups for the lightning talks “{text}”"),
        "signup@lightning": N_("{who} signed up with “{text}”"),
        "lightning.promoted": N_("{who} moved up from the waiting list"),
        "lightning.withdrawn": N_("{who} withdrew a talk"),
        "lightning.closed": N_("Sign-ups for lightning talks #{number} closed"),
        "lightning.reordered": N_("{who} reordered the line-up"),
        "lightning.shuffled": N_("{who} shuffled the line-up"),
        "lightning.removed": N_("{who} took {text_person} off the line-up"),
        "lightning.start": N_("{who} started the lightning talks"),
        "lightning.next": N_("{who} called the next speaker"),
        "lightning.skip": N_("{who} skipped a speaker"),
        "lightning.done": N_("The lightning talks #{number} are over"),
        "lightning.cancelled": N_("The lightning talks #{number} were cancelled"),
        "lightning.link": N_("{who} shared the slides of a talk"),
        "feedback@lightning": N_("{who} rated lightning talks #{number}"),
    }
)

SIGNUP = lt.route("signup:{event:int}")
"""The sign-up button and its form (the talk's title)."""
WITHDRAW = lt.route("withdraw:{event:int}")
NEXT = lt.route("next:{event:int}:{talk:int}")
"""The talk on stage (``talk``) was given: on to the next. Pressed again, or after another
organiser moved on, it changes nothing."""
SKIP = lt.route("skip:{event:int}:{talk:int}")
"""The talk on stage was not given: on to the next (same guard as :data:`NEXT`)."""
FEEDBACK = lt.route("feedback:{event:int}:{rating:int}")

EVENT = Arg("event", N_("which lightning talks (number; default: the current ones)"))
"""Every command takes it; in the sign-up thread, or without it, the current event is meant."""


def event_key(event_id: int) -> str:
    """The announcement in the room (a live view)."""
    return f"lightning:event:{event_id}"


def lineup_key(event_id: int) -> str:
    """The line-up in the sign-up thread (a live view)."""
    return f"lightning:lineup:{event_id}"


def run_key(event_id: int) -> str:
    """The run of show in the room (a live view)."""
    return f"lightning:run:{event_id}"


def talk_ref(talk_id: int) -> str:
    return f"lightning:talk:{talk_id}"
