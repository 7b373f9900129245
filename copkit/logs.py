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


def hold_payload_loggers() -> None:
    for name in HELD_AT_INFO:
        logger = logging.getLogger(name)
        if logger.level in (logging.NOTSET, logging.DEBUG):
            logger.setLevel(logging.INFO)
