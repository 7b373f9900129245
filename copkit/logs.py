"""copkit's logging set-up: ``-v`` logs more, but never what people answered; ``--log-format
json`` (or ``COPKIT_LOG_FORMAT=json``) writes one JSON object per line.

Some libraries log whole payloads at DEBUG: discord.py every gateway event (an INTERACTION_CREATE
holds the button's custom id, the chosen values, a form's text and the user's id) and every HTTP
request body (our answers, interaction tokens); tortoise, asyncpg and aiosqlite every SQL
statement with its values; msrest (Teams) every request and response body. Those loggers are
held at INFO whatever the level asked for, so no line at any level carries an answer.
"""

from __future__ import annotations

import json
import logging
import sys
from datetime import UTC, datetime

from .core import logcontext
from .core.urls import hide_password

FORMATS = ("text", "json")
RUN_LOGGER = "copkit.run"  # what ``copkit run`` tells its operator: ``copkit: …`` on stdout

HELD_AT_INFO = (
    "discord",  # gateway events, HTTP bodies, webhook (interaction) calls
    "tortoise.db_client",
    "asyncpg",
    "aiosqlite",
    "msrest",  # the Bot Framework SDK's HTTP bodies
    "botbuilder",
    "msal",
)


class HidePasswords(logging.Filter):
    """Masks the password of any database URL in a formatted log line."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        hidden = hide_password(message)
        if hidden != message:
            record.msg, record.args = hidden, None
        return True


class OneLineNetworkErrors(logging.Filter):
    """discord.py logs a failed connection with its whole traceback, every few seconds while
    Discord is unreachable: keep it to one line naming the error."""

    def filter(self, record: logging.LogRecord) -> bool:
        exc = record.exc_info[1] if record.exc_info else None
        if isinstance(exc, network_errors()):
            reason = str(exc).splitlines()[0] if str(exc) else ""
            record.msg = (
                f"{record.getMessage()} ({type(exc).__name__}{': ' if reason else ''}{reason})"
            )
            record.args, record.exc_info, record.exc_text = None, None, None
        return True


def network_errors() -> tuple[type[BaseException], ...]:
    """OSError, TimeoutError, and aiohttp's client errors once aiohttp is loaded (not imported
    here: cheap commands do not load it)."""
    aiohttp = sys.modules.get("aiohttp")
    client_error = getattr(aiohttp, "ClientError", None)
    return (OSError, TimeoutError, client_error) if client_error else (OSError, TimeoutError)


ONE_LINE = ("discord.shard", "discord.client", "discord.gateway", "discord.http")


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time, level, logger, message, and (when known) request_id,
    platform and community_id; a traceback as ``exception``."""

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, object] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": record.getMessage(),
        }
        entry.update(logcontext.current())
        if record.exc_info:
            entry["exception"] = hide_password(self.formatException(record.exc_info))
        elif record.exc_text:
            entry["exception"] = hide_password(record.exc_text)
        return json.dumps(entry, ensure_ascii=False, default=str)


def configure_logging(verbose: bool = False, log_format: str = "text") -> None:
    """Log to stderr (DEBUG with ``verbose``, else WARNING), payload-heavy loggers held at INFO;
    ``copkit run``'s lines (:data:`RUN_LOGGER`, INFO) on stdout as ``copkit: …``, or, in the
    JSON format, as JSON lines on stderr with everything else."""
    root = logging.getLogger()
    if log_format == "json":
        err = logging.StreamHandler(sys.stderr)
        err.setFormatter(JsonFormatter())
        for old in list(root.handlers):
            root.removeHandler(old)
        root.addHandler(err)
        root.setLevel(logging.DEBUG if verbose else logging.WARNING)
        logging.captureWarnings(True)
    else:
        logging.basicConfig(
            level=logging.DEBUG if verbose else logging.WARNING,
            format="%(asctime)s %(levelname)s %(name)s: %(message)s",
        )
    run = logging.getLogger(RUN_LOGGER)
    run.setLevel(logging.DEBUG if verbose else logging.INFO)
    for old in list(run.handlers):
        run.removeHandler(old)
    run.propagate = log_format == "json"
    if log_format != "json":
        out = logging.StreamHandler(sys.stdout)
        out.setFormatter(logging.Formatter("copkit: %(message)s"))
        out.addFilter(HidePasswords())
        run.addHandler(out)
    hold_payload_loggers()
    for handler in logging.getLogger().handlers:
        if not any(isinstance(f, HidePasswords) for f in handler.filters):
            handler.addFilter(HidePasswords())
    for name in ONE_LINE:
        logger = logging.getLogger(name)
        if not any(isinstance(f, OneLineNetworkErrors) for f in logger.filters):
            logger.addFilter(OneLineNetworkErrors())


def hold_payload_loggers() -> None:
    """At most INFO for the payload-heavy loggers (and no lower than the root's level)."""
    level = max(logging.INFO, logging.getLogger().getEffectiveLevel())
    for name in HELD_AT_INFO:
        logger = logging.getLogger(name)
        if logger.level < level:
            logger.setLevel(level)
