"""The console adapter: a local community in the terminal, interactive or scripted."""

from .app import ConsoleSession, run_console

__all__ = ["ConsoleSession", "run_console"]
