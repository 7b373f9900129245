"""What the wheel promises: every third-party module copkit imports is a declared requirement
(not one that happens to come in with another), aiohttp past its advisories, an SPDX licence
with its file, ``py.typed``, ruff pinned, and a constraints file that pins what the
requirements name."""

from __future__ import annotations

import ast
import sys
import tomllib
from importlib.metadata import packages_distributions
from pathlib import Path

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name
from packaging.version import Version

ROOT = Path(__file__).resolve().parent.parent
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
PROJECT = PYPROJECT["project"]
# Modules that only copkit's pytest plugin and test harness import: the ``testing`` extra.
TESTING_MODULES = {"copkit/pytest_plugin.py", "copkit/testing.py", "copkit/testing_databases.py"}


def _names(requirements: list[str]) -> set[str]:
    return {canonicalize_name(Requirement(r).name) for r in requirements}


def third_party_imports() -> dict[str, set[str]]:
    """Top-level module → the files of copkit importing it (anywhere in the file)."""
    found: dict[str, set[str]] = {}
    for path in sorted((ROOT / "copkit").rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                modules = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom) and not node.level and node.module:
                modules = [node.module]
            else:
                continue
            for module in modules:
                top = module.split(".")[0]
                if top in sys.stdlib_module_names or top == "copkit":
                    continue
                found.setdefault(top, set()).add(path.relative_to(ROOT).as_posix())
    return found


def test_every_imported_module_is_a_declared_requirement():
    runtime = _names(PROJECT["dependencies"])
    testing = _names(PROJECT["optional-dependencies"]["testing"])
    distributions = packages_distributions()
    imports = third_party_imports()
    assert {"PIL", "jwt", "aiohttp", "tortoise", "prometheus_client"} <= set(imports)
    missing = []
    for module, files in sorted(imports.items()):
        dists = {canonicalize_name(d) for d in distributions.get(module, [])}
        assert dists, f"{module} (imported by {sorted(files)}) is not installed"
        allowed = runtime | (testing if files <= TESTING_MODULES else set())
        if not dists & allowed:
            missing.append(f"{module} ({'/'.join(sorted(dists))}) imported by {sorted(files)}")
    assert not missing, "imported but not declared in pyproject.toml:\n" + "\n".join(missing)


def test_versions_licence_and_typing_marker():
    requirements = {
        canonicalize_name(Requirement(r).name): Requirement(r) for r in PROJECT["dependencies"]
    }
    aiohttp = requirements["aiohttp"].specifier
    assert not aiohttp.contains("3.14.2") and aiohttp.contains("3.14.3"), aiohttp
    assert PROJECT["license"] == "MIT" and PROJECT["license-files"] == ["LICENSE"]
    assert "MIT License" in (ROOT / "LICENSE").read_text(encoding="utf-8")
    assert (ROOT / "copkit" / "py.typed").is_file()
    assert "py.typed" in PYPROJECT["tool"]["setuptools"]["package-data"]["copkit"]
    setuptools = Requirement(PYPROJECT["build-system"]["requires"][0])
    assert setuptools.specifier.contains("77.0") and not setuptools.specifier.contains("76.0")
    ruff = [
        Requirement(r) for r in PROJECT["optional-dependencies"]["test"] if r.startswith("ruff")
    ]
    assert len(ruff) == 1 and str(ruff[0].specifier).startswith("=="), ruff


def test_the_constraints_file_pins_every_declared_requirement():
    pins: dict[str, Version] = {}
    for line in (ROOT / "constraints.txt").read_text(encoding="utf-8").splitlines():
        line = line.split("#", 1)[0].strip()
        if line:
            req = Requirement(line)
            (spec,) = req.specifier
            assert spec.operator == "==", line
            pins[canonicalize_name(req.name)] = Version(spec.version)
    declared = [*PROJECT["dependencies"], *PROJECT["optional-dependencies"]["test"]]
    for text in declared:
        req = Requirement(text)
        name = canonicalize_name(req.name)
        assert name in pins, f"{name} is not pinned in constraints.txt"
        assert req.specifier.contains(pins[name], prereleases=True), (text, pins[name])


def test_the_sdist_carries_the_docs_and_tests_it_needs():
    manifest = (ROOT / "MANIFEST.in").read_text(encoding="utf-8").split()
    for needed in ("docs", "tests", "LICENSE"):
        assert needed in manifest, manifest
