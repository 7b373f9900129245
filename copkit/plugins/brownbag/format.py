"""The brown-bag format: its declaration, the routes of its buttons and the keys of its views.

Commands, buttons and timers are declared next to their functions, in :mod:`.backlog`,
:mod:`.sessions` and :mod:`.after`, on the :data:`bb` object below.
"""

from __future__ import annotations

from copkit.core.formats import Format
from copkit.core.i18n import N_

bb = Format(
    "brownbag",
    N_("Brown bags"),
    N_("One speaker, one topic, over lunch: a talk backlog, RSVPs, reminders and a record."),
)
bb.log_words(
    {
        "brownbag.scheduled": N_("{who} scheduled the brown bag “{text}”"),
        "brownbag.rsvp/going": N_("{who} is going to brown bag #{number}"),
        "brownbag.rsvp/maybe": N_("{who} might come to brown bag #{number}"),
        "brownbag.rsvp/no": N_("{who} can't come to brown bag #{number}"),
        "brownbag.rsvp": N_("{who} answered brown bag #{number}: {text}"),
        "brownbag.rescheduled": N_("{who} moved brown bag #{number} to another time"),
        "brownbag.cancelled": N_("{who} cancelled brown bag #{number}"),
        "brownbag.speaker": N_("{who} made {text_person} the speaker of brown bag #{number}"),
        "brownbag.done": N_("Brown bag #{number} took place"),
        "brownbag.links": N_("{who} shared the links of brown bag #{number}"),
        "brownbag.talk.dropped": N_("{who} dropped talk idea #{number} from the backlog"),
        "talk@brownbag": N_("{who} suggested the talk “{text}”"),
        "vote@brownbag": N_("{who} voted for talk idea #{number}"),
        "volunteer@brownbag": N_("{who} volunteered to give talk #{number}"),
        "feedback@brownbag": N_("{who} rated brown bag #{number}"),
    }
)

RSVP = bb.route("rsvp:{session:int}:{answer:word}")
"""Going, maybe or not going to a session (the announcement's buttons)."""
ICS = bb.route("ics:{session:int}")
"""A session's calendar entry, for the person who asks."""
FEEDBACK = bb.route("feedback:{session:int}:{rating:int}")
"""A rating of a session that is done, with a form for "one thing I'll apply"."""
UPVOTE = bb.route("upvote")
"""The backlog's choice of talks to upvote (the talk is the value selected)."""
VOLUNTEER = bb.route("volunteer")
"""The backlog's choice of talks one could give."""


def session_key(session_id: int) -> str:
    """The key of a session's announcement (a live view)."""
    return f"brownbag:session:{session_id}"


def talk_ref(talk_id: int) -> str:
    return f"brownbag:talk:{talk_id}"
