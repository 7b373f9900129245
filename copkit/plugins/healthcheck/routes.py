"""The health-check format and its action routes: the ids its views build and its handlers parse.

Every id is built here from a template and parsed back by the same template (``²`` or a huge
number is "out of date", never a bug). A member's private cards carry the round and what they
act on (the card's position, the dimension), so a repeated press shows or records the same
thing again; a pulse's vote carries the pulse and the option. The keys of the keyed views and
the references in the community log are built here too, in one place.
"""

from __future__ import annotations

from copkit.core.formats import Format
from copkit.core.i18n import N_
from copkit.core.routes import Route

hc = Format(
    "healthcheck",
    N_("Health check"),
    N_("Members rate the community green, amber or red, anonymously, round after round."),
)
hc.log_words(
    {
        "healthcheck.not_opened": N_("The health check of a series could not open: {text}"),
        "healthcheck.started": N_("{who} started health check #{number}"),
        "healthcheck.closed": N_("Health check #{number} closed: {text}"),
        "healthcheck.moderated": N_("{who} moderated the comments of health check #{number}"),
        "healthcheck.deck": N_("{who} changed the health-check deck"),
        "healthcheck.pulse": N_("{who} asked a pulse question"),
        "healthcheck.pulse_closed": N_("Pulse #{number} closed"),
    }
)
FORMAT = hc.name

# Timer jobs (declared with ``@hc.job`` beside their functions).
CLOSE_JOB = "healthcheck.close"
REMIND_JOB = "healthcheck.remind"
POST_JOB = "healthcheck.post"
PULSE_CLOSE_JOB = "healthcheck.pulse_close"
PULSE_POST_JOB = "healthcheck.pulse_post"

# A member's private cards: the announcement's button, then one card per dimension.
TAKE = hc.route("take:{round:int}")
CARD = hc.route("card:{round:int}:{index:int}")
"""Go to card ``index`` (1-based; one past the deck is "What did we forget?", then the thanks)."""
COLOUR = hc.route("colour:{round:int}:{item:int}")
TREND = hc.route("trend:{round:int}:{item:int}")
COMMENT = hc.route("comment:{round:int}:{item:int}")
FORGET = hc.route("forget:{round:int}")
DONE = hc.route("done:{round:int}")
MINE = hc.route("mine:{round:int}")
"""The announcement as one member sees it: their own answers (its personal part)."""

# A pulse's poll: the platform appends ``:<option>`` to the poll's id (see ``views.Poll``).
VOTE = hc.route("pulse:{pulse:int}:{option:int}")
_POLL = Route("healthcheck:pulse:{pulse:int}")

# Keys of the keyed views (not action ids) and references in the community log.
_ROUND = Route("healthcheck:round:{round:int}")
_RESULTS = Route("healthcheck:results:{round:int}")
_RESULTS_PART = Route("healthcheck:results:{round:int}:{part:int}")
_PULSE = Route("healthcheck:pulse:{pulse:int}")
_PULSE_RESULT = Route("healthcheck:pulse:{pulse:int}:result")
_DIMENSION = Route("healthcheck:dimension:{key:str}")
DECK_REF = "healthcheck:deck"


def poll_id(pulse_id: int) -> str:
    """The id of a pulse's poll; a vote arrives as :data:`VOTE` (``<poll id>:<option>``)."""
    return _POLL.build(pulse=pulse_id)


def round_key(round_id: int) -> str:
    """A round's announcement (a keyed view), also what its log lines are about."""
    return _ROUND.build(round=round_id)


def results_key(round_id: int, part: int = 0) -> str:
    """Part ``part`` of a round's posted results."""
    if part:
        return _RESULTS_PART.build(round=round_id, part=part)
    return _RESULTS.build(round=round_id)


def pulse_key(pulse_id: int) -> str:
    return _PULSE.build(pulse=pulse_id)


def pulse_result_key(pulse_id: int) -> str:
    return _PULSE_RESULT.build(pulse=pulse_id)


def dimension_ref(key: str) -> str:
    return _DIMENSION.build(key=key)
