"""The hook reference is complete and every hook is documented and prefixed."""

from __future__ import annotations

import inspect
from pathlib import Path

from copkit.core import hookspecs
from copkit.core.hookdoc import hook_names, render

DOC = Path(__file__).resolve().parent.parent / "docs" / "hooks.md"


def test_every_hook_is_prefixed_typed_and_documented():
    names = hook_names()
    assert len(names) >= 12
    for name in names:
        fn = getattr(hookspecs, name)
        assert fn.__doc__ and len(fn.__doc__.strip()) > 40, name
        sig = inspect.signature(fn)
        assert sig.return_annotation is not inspect.Signature.empty, name
        for p in sig.parameters.values():
            assert p.annotation is not inspect.Parameter.empty, (name, p.name)


def test_hook_reference_is_up_to_date():
    assert DOC.read_text(encoding="utf-8") == render(), "run: python -m copkit.core.hookdoc"
