"""Writes the hook reference (docs/hooks.md) from the hookspecs: ``python -m copkit.core.hookdoc``."""

from __future__ import annotations

import inspect
import sys
from pathlib import Path

from . import hookspecs


def hook_names() -> list[str]:
    return [n for n, f in vars(hookspecs).items() if n.startswith("copkit_") and callable(f)]


def render() -> str:
    out = [
        "# copkit hook reference",
        "",
        "Generated from `copkit/core/hookspecs.py` by `python -m copkit.core.hookdoc`; a test keeps it complete.",
        "Implement hooks in a module or class with `@hookimpl` (`from copkit.core.hookspecs import hookimpl`).",
        "",
        inspect.cleandoc(hookspecs.__doc__ or ""),
        "",
    ]
    for name in hook_names():
        fn = getattr(hookspecs, name)
        opts = getattr(fn, "copkit_spec", {}) or {}
        sig = str(inspect.signature(fn)).replace("'", "")
        out += [f"## `{name}{sig}`", ""]
        if opts.get("firstresult"):
            out += ["*Decision hook: the first non-`None` result wins; synchronous only.*", ""]
        out += [inspect.cleandoc(fn.__doc__ or ""), ""]
    return "\n".join(out)


if __name__ == "__main__":
    target = Path(sys.argv[1]) if len(sys.argv) > 1 else Path("docs/hooks.md")
    target.write_text(render(), encoding="utf-8")
    print(f"wrote {target}")
