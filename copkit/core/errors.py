"""A small error hierarchy: errors meant for the user, and everything else (bugs)."""

from __future__ import annotations


class CopkitError(Exception):
    """Base class of copkit's own errors."""


class UserError(CopkitError):
    """Something the user can fix; ``message`` is shown to them (already translated)."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class UsageError(UserError):
    """Wrong or missing command arguments; the message carries the usage line."""


class PermissionDenied(UserError):
    """The member lacks the role an action needs."""


class NotEnabled(UserError):
    """The format is not enabled in this community."""


class Unavailable(CopkitError):
    """A dependency (the database) is unreachable for now; the user should try again soon."""


class Redelivered(BaseException):  # noqa: N818 - not an error: the event was answered already
    """Raised inside a request whose inbound event another delivery has claimed (answered, or
    being answered by another process): what the request wrote is rolled back, nothing more is
    sent (:mod:`.deliveries`). A ``BaseException``, like ``CancelledError``, so that no
    ``except Exception`` on the way stops it."""


class PlatformError(CopkitError):
    """A chat platform refused or failed a call. Adapters raise it (or a subclass) so that a
    network error inside it is never mistaken for the database being unreachable."""


class ConfigError(CopkitError):
    """The configuration file or environment is malformed."""


class StartupError(CopkitError):
    """copkit cannot start; the message is one line for the operator."""
