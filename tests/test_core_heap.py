"""What exists when a runtime opens is kept out of the garbage collector's passes while any
runtime is open, and handed back when the last one closes (copkit.core.heap)."""

from __future__ import annotations

import gc

import pytest

from copkit.core import heap
from copkit.core.runtime import Copkit


def test_the_first_runtime_to_open_freezes_and_the_last_to_close_hands_back():
    if heap._open or gc.get_freeze_count():
        pytest.skip("another runtime of this process is open")
    heap.opened()
    try:
        frozen = gc.get_freeze_count()
        assert frozen > 0
        heap.opened()  # a second runtime freezes nothing more
        assert gc.get_freeze_count() == frozen
        heap.closed()
        assert gc.get_freeze_count() == frozen  # one is still open
    finally:
        heap.closed()
    assert gc.get_freeze_count() == 0


async def test_a_runtime_freezes_while_open(tmp_path):
    if heap._open or gc.get_freeze_count():
        pytest.skip("another runtime of this process is open")
    rt = Copkit(f"sqlite://{tmp_path}/heap.db")
    await rt.open()
    try:
        assert gc.get_freeze_count() > 0
    finally:
        await rt.close()
    assert gc.get_freeze_count() == 0
    await rt.close()  # closed twice: nothing more handed back
    assert heap._open == 0
