"""Bounded caches: a process serving thousands of communities for months must not grow without
end. The least recently used entries go first; a forgotten entry only costs a database read.

Both are ordered dicts underneath, so membership tests (the hot path: "seen this person?") run
at C speed."""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Hashable
from typing import Any, TypeVar

K = TypeVar("K", bound=Hashable)
V = TypeVar("V")


class LRUDict(OrderedDict[K, V]):
    """A mapping of at most ``maxsize`` entries; reading or writing an entry makes it recent."""

    def __init__(self, maxsize: int) -> None:
        if maxsize < 1:
            raise ValueError("maxsize must be at least 1")
        super().__init__()
        self.maxsize = maxsize

    def get(self, key: K, default: Any = None) -> Any:  # (reading makes it recent)
        try:
            value = super().__getitem__(key)
        except KeyError:
            return default
        self.move_to_end(key)
        return value

    def __getitem__(self, key: K) -> V:
        value = super().__getitem__(key)
        self.move_to_end(key)
        return value

    def __setitem__(self, key: K, value: V) -> None:
        super().__setitem__(key, value)
        self.move_to_end(key)
        while len(self) > self.maxsize:
            self.popitem(last=False)


class LRUSet(OrderedDict[K, None]):
    """A set of at most ``maxsize`` members ("seen recently"); adding one again makes it recent."""

    def __init__(self, maxsize: int) -> None:
        if maxsize < 1:
            raise ValueError("maxsize must be at least 1")
        super().__init__()
        self.maxsize = maxsize

    def add(self, key: K) -> None:
        self[key] = None
        self.move_to_end(key)
        while len(self) > self.maxsize:
            self.popitem(last=False)

    def discard(self, key: K) -> None:
        self.pop(key, None)
