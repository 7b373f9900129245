"""What exists once a runtime has opened, kept out of the cyclic garbage collector's passes.

The modules, plugins, registry, catalogues and the ORM's model metadata live as long as the
process, yet Python's collector walks all of them in every full collection; under a burst of
requests those come often (each request keeps objects alive across its awaits, so they age into
the oldest generation), tens of milliseconds each. The first runtime to open freezes what
exists (``gc.freeze``): the collector then walks only what was made since. When the last open
runtime closes, it all goes back to the collector (``gc.unfreeze``), so nothing frozen outlives
the runtimes (a test run opening many keeps nothing of theirs for good, and runtimes opened
while one is open freeze nothing more). Reference counting frees frozen objects as ever; only a
cycle among them waits for the unfreeze."""

from __future__ import annotations

import gc

_open = 0


def opened() -> None:
    """A runtime opened: if it is the only one, what exists now is long-lived."""
    global _open
    _open += 1
    if _open == 1:
        gc.freeze()


def closed() -> None:
    """A runtime that :func:`opened` closed; the last one hands everything back."""
    global _open
    _open = max(0, _open - 1)
    if not _open:
        gc.unfreeze()
