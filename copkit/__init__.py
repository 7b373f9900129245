"""copkit: run a Community of Practice inside the chat people already use."""

__version__ = "0.1.0"
