"""Configuration: TOML with environment overrides; malformed files name the file, line and key."""

from __future__ import annotations

import subprocess
import sys

import pytest

from copkit.core.errors import ConfigError
from copkit.settings import load_settings


def test_file_and_environment_overrides(tmp_path):
    cfg = tmp_path / "copkit.toml"
    cfg.write_text(
        '[database]\nurl = "sqlite://x.db"\n[teams]\nport = 4000\n[discord]\ntoken = "from-file"\n'
    )
    s = load_settings(cfg, env={"DISCORD_TOKEN": "from-env", "MicrosoftAppId": "app"})
    assert s.database_url == "sqlite://x.db"
    assert s.teams.port == 4000 and s.teams.app_id == "app"
    assert s.discord.token == "from-env"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            '[teams]\napp_id = "x"\nport = "eighty"\n',
            "copkit.toml:3: teams.port must be an integer",
        ),
        ('[teams]\ncolour = "red"\n', "copkit.toml:2: unknown key teams.colour"),
        ("[nonsense]\na = 1\n", "unknown section [nonsense]"),
        ('[database]\nurl = "unclosed\n', "line 2"),
    ],
)
def test_malformed_config_names_file_line_and_key(tmp_path, text, expected):
    cfg = tmp_path / "copkit.toml"
    cfg.write_text(text)
    with pytest.raises(ConfigError) as err:
        load_settings(cfg, env={})
    assert expected in str(err.value)


def test_cli_reports_malformed_config_in_one_line(tmp_path):
    (tmp_path / "copkit.toml").write_text('[teams]\nport = "x"\n')
    done = subprocess.run(
        [sys.executable, "-m", "copkit", "plugins"], capture_output=True, text=True, cwd=tmp_path
    )
    assert done.returncode == 1
    assert done.stderr.strip() == "copkit: copkit.toml:2: teams.port must be an integer"


@pytest.mark.parametrize(
    "sub",
    [
        [],
        ["run"],
        ["console"],
        ["plugins"],
        ["db"],
        ["db", "upgrade"],
        ["teams", "manifest"],
        ["version"],
    ],
)
def test_every_command_has_help(sub):
    done = subprocess.run(
        [sys.executable, "-m", "copkit", *sub, "--help"], capture_output=True, text=True
    )
    assert done.returncode == 0
    assert "usage: copkit" in done.stdout


def test_adapters_can_be_switched_off_in_the_file_or_the_environment(tmp_path):
    cfg = tmp_path / "copkit.toml"
    cfg.write_text("[teams]\nenabled = false\n[discord]\nenabled = true\n")
    s = load_settings(cfg, env={"COPKIT_DISCORD_ENABLED": "no"})
    assert s.teams.enabled is False and s.discord.enabled is False
    assert load_settings(None, env={}).teams.enabled is True
    with pytest.raises(ConfigError, match="COPKIT_TEAMS_ENABLED must be true or false"):
        load_settings(None, env={"COPKIT_TEAMS_ENABLED": "maybe"})
    cfg.write_text('[teams]\nenabled = "no"\n')
    with pytest.raises(ConfigError, match="teams.enabled must be true or false"):
        load_settings(cfg, env={})


def test_the_core_keeps_adapter_sections_raw(tmp_path):
    cfg = tmp_path / "copkit.toml"
    cfg.write_text('[discord]\ntoken = "t"\nshard_count = 2\n')
    s = load_settings(cfg, env={})
    assert s.sections["discord"] == {"token": "t", "shard_count": 2}
    assert s.adapters["discord"].shard_count == 2
