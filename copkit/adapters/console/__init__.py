"""The console adapter: a local community in the terminal, interactive or scripted."""

from .app import ConsoleSession, run_console
from .messenger import ConsoleMessenger

__all__ = ["ConsoleMessenger", "ConsoleSession", "run_console"]
