"""The lean coffee format and its action routes: the ids its views build and its handlers parse.

Every id is built here from a template and parsed back by the same template (``²`` or a huge
number is "out of date", never a bug). The buttons that move a session on carry the session's
``step`` (its version, bumped by every transition, see :mod:`.sessions`): pressed twice, or from
a board shown before something moved, they change nothing and say so. Thumbs buttons carry
their round; the board's choices carry nothing but their page (the topic is the option).
"""

from __future__ import annotations

from copkit.core.formats import Format
from copkit.core.i18n import N_
from copkit.core.routes import Route

lc = Format(
    "leancoffee",
    N_("Lean coffee"),
    N_("Everyone proposes topics, dot-votes, and discusses them in timeboxes."),
)
lc.log_words(
    {
        "leancoffee.started": N_("{who} started a lean coffee"),
        "leancoffee.backlog_dropped": N_("{who} dropped a topic from the backlog"),
        "leancoffee.not_opened": N_("The lean coffee of a series could not open: {text}"),
        "leancoffee.voting": N_("{who} opened the dot voting"),
        "leancoffee.next": N_("{who} moved the discussion on to the next topic"),
        "leancoffee.skip": N_("{who} skipped a topic"),
        "leancoffee.extend": N_("{who} gave the topic more time"),
        "leancoffee.merged": N_("{who} merged topic #{text} into another one"),
        "leancoffee.removed": N_("{who} removed a topic from the board"),
        "leancoffee.ended": N_("The lean coffee ended"),
        "leancoffee.backlog_trimmed": N_(
            "The backlog kept its newest topics; the {text} that waited longest left it"
        ),
        "topic@leancoffee": N_("{who} proposed “{text}”"),
        "vote@leancoffee": N_("{who} gave a topic a dot"),
        "note@leancoffee": N_("{who} noted “{text}”"),
        "takeaway@leancoffee": N_("{who} wrote down the takeaway “{text}”"),
        "action@leancoffee": N_("{who} took down the action “{text}”"),
        "action.done@leancoffee": N_("{who} marked an action as done"),
    }
)

TIMER = "leancoffee.timer"

# Forms: they add something to a session (no version: proposing does not move it on).
PROPOSE = lc.route("propose:{session:int}")
NOTE = lc.route("note:{session:int}")
TAKEAWAY = lc.route("takeaway:{session:int}")
ACTION = lc.route("action:{session:int}")

# Dots: a choice per page of topics (the topic is the option picked), or a button per topic.
VOTE = lc.route("vote:{topic_id:int}")
VOTE_PICK = lc.route("vote:page:{page:int}")
UNVOTE = lc.route("unvote:{topic_id:int}")
UNVOTE_PICK = lc.route("unvote:pick")
MY_DOTS = lc.route("mydots:{session:int}")
"""The board as one person sees it: their dots (the board's personal part)."""

# What moves the session on: the session and its version (and the topic it is about).
VOTING_OPEN = lc.route("voting:open:{session:int}:{step:int}")
VOTING_CLOSE = lc.route("voting:close:{session:int}:{step:int}")
NEXT = lc.route("next:{session:int}:{topic:int}:{step:int}")
SKIP = lc.route("skip:{session:int}:{topic:int}:{step:int}")
EXTEND = lc.route("extend:{session:int}:{topic:int}:{step:int}")
PAUSE = lc.route("pause:{session:int}:{step:int}")
RESUME = lc.route("resume:{session:int}:{step:int}")
END = lc.route("end:{session:int}:{step:int}")
THUMBS = lc.route("thumbs:{session:int}:{round:int}:{vote:word}")

# Beside a session.
DONE = lc.route("done:{action:int}")
MINUTES = lc.route("minutes:{session:int}")

# Keys of the live views (not action ids) and references in the community log.
_BOARD_VIEW = Route("leancoffee:board:{session:int}")
_THUMBS_VIEW = Route("leancoffee:thumbs:{session:int}:{round:int}")
_REF = Route("leancoffee:{kind:word}:{id:int}")


def board_key(session_id: int) -> str:
    return _BOARD_VIEW.build(session=session_id)


def thumbs_key(session_id: int, round_: int) -> str:
    return _THUMBS_VIEW.build(session=session_id, round=round_)


def ref(kind: str, id_: int) -> str:
    """What a log line or a contribution is about: ``leancoffee:topic:12``."""
    return _REF.build(kind=kind, id=id_)
