"""copkit's logging set-up: ``-v`` logs more, but never what people answered.

Some libraries log whole payloads at DEBUG: discord.py every gateway event (an INTERACTION_CREATE
holds the button's custom id, the chosen values, a form's text and the user's id) and every HTTP
request body (our answers, interaction tokens); tortoise, asyncpg and aiosqlite every SQL
statement with its values; msrest (Teams) every request and response body. Those loggers are
held at INFO whatever the level asked for, so no line at any level carries an answer.
"""

from __future__ import annotations

import logging

from .core.storage import hide_password

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
        if isinstance(exc, NETWORK_ERRORS):
            reason = str(exc).splitlines()[0] if str(exc) else ""
            record.msg = (
                f"{record.getMessage()} ({type(exc).__name__}{': ' if reason else ''}{reason})"
            )
            record.args, record.exc_info, record.exc_text = None, None, None
        return True


NETWORK_ERRORS: tuple[type[BaseException], ...] = (OSError, TimeoutError)
ONE_LINE = ("discord.shard", "discord.client", "discord.gateway", "discord.http")


def configure_logging(verbose: bool = False) -> None:
    """Log to stderr (DEBUG with ``verbose``, else WARNING), payload-heavy loggers held at INFO."""
    logging.basicConfig(
        level=logging.DEBUG if verbose else logging.WARNING,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    hold_payload_loggers()
    for handler in logging.getLogger().handlers:
        if not any(isinstance(f, HidePasswords) for f in handler.filters):
            handler.addFilter(HidePasswords())
    try:
        import aiohttp

        global NETWORK_ERRORS
        NETWORK_ERRORS = (OSError, TimeoutError, aiohttp.ClientError)
    except ImportError:  # pragma: no cover
        pass
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
