from __future__ import annotations

import re
from pathlib import Path

import pytest

from ingest.config import load_settings
from ingest.errors import ConfigError

GOOD = """
[[sources]]
name = "kukarkab"
kind = "rss"
url = "https://kukarkab.go.id/feed"
outlet = "kukarkab.go.id"
schedule = "*/30 * * * *"

[[sources]]
name = "saved"
kind = "html_dir"
path = "pages"
"""


def write(tmp_path: Path, sources: str, settings: str | None = None) -> Path:
    (tmp_path / "sources.toml").write_text(sources)
    if settings is not None:
        (tmp_path / "settings.toml").write_text(settings)
    return tmp_path


def test_loads_sources_and_resolves_paths_against_the_file(tmp_path: Path) -> None:
    settings = load_settings(write(tmp_path, GOOD), environ={})
    assert [s.name for s in settings.sources] == ["kukarkab", "saved"]
    assert settings.sources[0].schedule == "*/30 * * * *"
    assert settings.sources[1].path == (tmp_path / "pages").resolve()
    assert settings.timezone == "Asia/Makassar"


@pytest.mark.parametrize(
    ("sources", "expected"),
    [
        (GOOD + 'colour = "red"\n', "sources[1] (saved).colour: unknown key"),
        (
            GOOD.replace('kind = "rss"', 'kind = "atom"'),
            "sources[0] (kukarkab).kind: Input should be",
        ),
        (GOOD.replace('url = "https://kukarkab.go.id/feed"', ""), "kind 'rss' needs 'url'"),
        (GOOD.replace('name = "saved"', 'name = "kukarkab"'), "duplicate name 'kukarkab'"),
        ("[[sources]\nname=", "invalid TOML"),
        (GOOD.replace('path = "pages"', "path = 3"), "sources[1] (saved).path"),
    ],
)
def test_bad_sources_give_one_line_naming_file_key_and_problem(
    tmp_path: Path, sources: str, expected: str
) -> None:
    with pytest.raises(ConfigError) as caught:
        load_settings(write(tmp_path, sources), environ={})
    message = str(caught.value)
    assert "\n" not in message
    assert message.startswith(str(tmp_path / "sources.toml"))
    assert expected in message


def test_bad_settings_name_the_settings_file(tmp_path: Path) -> None:
    write(tmp_path, GOOD, "[fetch]\nper_host_delay = 'soon'\n")
    expected = r"settings\.toml: fetch\.per_host_delay: Input should be"
    with pytest.raises(ConfigError, match=expected):
        load_settings(tmp_path, environ={})
    write(tmp_path, GOOD, "[fetch]\nretry = 3\n")
    with pytest.raises(ConfigError, match=r"settings\.toml: fetch\.retry: unknown key"):
        load_settings(tmp_path, environ={})


def test_missing_files_are_reported(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=r"sources\.toml: file not found"):
        load_settings(tmp_path, environ={})
    with pytest.raises(ConfigError, match="configuration folder not found"):
        load_settings(tmp_path / "nowhere", environ={})


def test_environment_overrides_the_file_and_db_flag_overrides_both(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    write(tmp_path, GOOD, 'db_url = "sqlite:///from-file.db"\n[fetch]\nper_host_delay = 2.0\n')
    assert load_settings(tmp_path).db_url == "sqlite:///from-file.db"
    monkeypatch.setenv("INGEST_FETCH__PER_HOST_DELAY", "0.5")
    monkeypatch.setenv("INGEST_DB_URL", "sqlite:///from-env.db")
    settings = load_settings(tmp_path)
    assert settings.fetch.per_host_delay == 0.5
    assert settings.db_url == "sqlite:///from-env.db"
    assert load_settings(tmp_path, db_url="sqlite:///flag.db").db_url == "sqlite:///flag.db"


def test_a_bad_environment_value_names_the_variable(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    write(tmp_path, GOOD)
    monkeypatch.setenv("INGEST_FETCH__RETRIES", "many")
    with pytest.raises(ConfigError, match=r"INGEST_FETCH__RETRIES: fetch\.retries"):
        load_settings(tmp_path)


def test_unknown_source_name_lists_the_configured_ones(tmp_path: Path) -> None:
    settings = load_settings(write(tmp_path, GOOD), environ={})
    expected = re.escape("unknown source 'nope' (configured: kukarkab, saved)")
    with pytest.raises(ConfigError, match=expected):
        settings.source("nope")


def test_select_sources_names_or_every_enabled_one(tmp_path: Path) -> None:
    disabled = GOOD + "enabled = false\n"
    settings = load_settings(write(tmp_path, disabled), environ={})
    assert [s.name for s in settings.select_sources()] == ["kukarkab"]
    assert [s.name for s in settings.select_sources(["saved"])] == ["saved"]
    with pytest.raises(ConfigError, match="unknown source 'nope'"):
        settings.select_sources(["nope"])
