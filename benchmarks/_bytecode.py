"""Shared by the start-up benchmarks: copkit's modules compiled to bytecode first, as they are
when copkit is installed from its wheel (pip writes the bytecode at install). In an editable
checkout with ``PYTHONDONTWRITEBYTECODE`` set (as on this machine), Python would otherwise
compile every one of copkit's modules again at each start, which is not copkit's start-up."""

from __future__ import annotations

import compileall
from pathlib import Path

import copkit


def compile_copkit() -> None:
    compileall.compile_dir(str(Path(copkit.__file__).parent), quiet=1)
