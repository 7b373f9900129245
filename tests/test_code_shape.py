"""The shape of the code: no import cycles, small files, plugins apart, no platform in the core."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "copkit"
PLATFORM_LIBS = {"discord", "botbuilder", "aiohttp", "microsoft_agents", "msrest"}


def module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts = parts[:-1]
    return ".".join(parts)


def modules() -> dict[str, Path]:
    return {module_name(p): p for p in PACKAGE.rglob("*.py") if "migrations" not in p.parts}


def _type_checking(node: ast.If) -> bool:
    test = node.test
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def imports(name: str, path: Path) -> set[str]:
    """Modules ``name`` imports when it runs (anywhere in it, not under TYPE_CHECKING)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found: set[str] = set()

    def visit(node: ast.AST) -> None:
        if isinstance(node, ast.If) and _type_checking(node):
            for child in node.orelse:
                visit(child)
            return
        if isinstance(node, ast.Import):
            found.update(a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parts = package.split(".")
                parts = parts[: len(parts) - node.level + 1]
                base = ".".join(parts + ([base] if base else []))
            found.add(base)
            found.update(f"{base}.{a.name}" for a in node.names)
        for child in ast.iter_child_nodes(node):
            visit(child)

    visit(tree)
    return found


def graph() -> dict[str, set[str]]:
    mods = modules()
    return {n: {m for m in imports(n, p) if m in mods and m != n} for n, p in mods.items()}


def test_no_import_cycles():
    g = graph()
    # a package's __init__ importing its own submodules is not a cycle with them
    for n in g:
        g[n] = {m for m in g[n] if not n.startswith(m + ".")}
    cycles: list[list[str]] = []
    state: dict[str, int] = {}
    stack: list[str] = []

    def walk(n: str) -> None:
        state[n] = 1
        stack.append(n)
        for m in sorted(g[n]):
            if state.get(m) == 1:
                cycles.append(stack[stack.index(m) :] + [m])
            elif m not in state:
                walk(m)
        stack.pop()
        state[n] = 2

    for n in sorted(g):
        if n not in state:
            walk(n)
    assert not cycles, "import cycles:\n" + "\n".join(" → ".join(c) for c in cycles)


def test_no_product_file_over_500_lines():
    long = {
        str(p.relative_to(ROOT)): n
        for p in PACKAGE.rglob("*.py")
        if "migrations" not in p.parts
        and (n := len(p.read_text(encoding="utf-8").splitlines())) > 500
    }
    assert not long, long


def test_plugins_never_import_each_other():
    crossing = []
    for n, deps in graph().items():
        if n.startswith("copkit.plugins."):
            mine = ".".join(n.split(".")[:3])
            for d in deps:
                if (
                    d.startswith("copkit.plugins.")
                    and not d.startswith(mine)
                    and d != "copkit.plugins"
                ):
                    crossing.append((n, d))
    assert not crossing, crossing


def test_core_and_plugins_import_no_platform_library():
    bad = []
    for n, p in modules().items():
        if n.startswith(("copkit.core", "copkit.plugins")):
            for m in imports(n, p):
                if m.split(".")[0] in PLATFORM_LIBS:
                    bad.append((n, m))
    assert not bad, bad


def test_no_plugin_builds_or_splits_action_ids_by_hand():
    bad = []
    for p in (PACKAGE / "plugins").rglob("*.py"):
        text = p.read_text(encoding="utf-8")
        if 'split(":")' in text:
            bad.append(str(p.relative_to(ROOT)))
    assert not bad, bad
