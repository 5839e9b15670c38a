"""Every setting is checked when the configuration loads, whatever the command: one line naming
the file (or environment variable), the key and the problem."""

from __future__ import annotations

from pathlib import Path

import pytest

from ingest.config import MAX_SECONDS, load_settings
from ingest.errors import ConfigError

SOURCES = """
[[sources]]
name = "kukarkab"
kind = "rss"
url = "https://kukarkab.go.id/feed"
schedule = "*/30 * * * *"
"""


def config(tmp_path: Path, sources: str = SOURCES, settings: str | None = None) -> Path:
    (tmp_path / "sources.toml").write_text(sources)
    if settings is not None:
        (tmp_path / "settings.toml").write_text(settings)
    return tmp_path


def problem(folder: Path, environ: dict[str, str] | None = None) -> str:
    with pytest.raises(ConfigError) as caught:
        load_settings(folder, environ=environ or {})
    message = str(caught.value)
    assert "\n" not in message
    return message


@pytest.mark.parametrize(
    ("schedule", "expected"),
    [
        ("61 * * * *", "schedule '61 * * * *': invalid cron expression"),
        ("* * * *", "expected a five-field cron expression"),
        ("0m", "an interval must be at least one minute"),
        ("morning", "schedule 'morning': expected a five-field cron expression"),
    ],
)
def test_a_bad_source_schedule_names_the_source(
    tmp_path: Path, schedule: str, expected: str
) -> None:
    folder = config(tmp_path, SOURCES.replace("*/30 * * * *", schedule))
    message = problem(folder)
    assert message.startswith(f"{folder / 'sources.toml'}: sources[0] (kukarkab).schedule: ")
    assert expected in message


def test_a_disabled_source_schedule_is_checked_too(tmp_path: Path) -> None:
    folder = config(tmp_path, SOURCES.replace("*/30 * * * *", "6 fortnights") + "enabled = false\n")
    assert "sources[0] (kukarkab).schedule" in problem(folder)


def test_a_schedule_group_is_checked_and_a_source_may_name_it(tmp_path: Path) -> None:
    sources = SOURCES.replace("*/30 * * * *", "morning")
    folder = config(tmp_path, sources, '[schedule.groups]\nmorning = "every blue moon"\n')
    message = problem(folder)
    assert message.startswith(f"{folder / 'settings.toml'}: schedule.groups.morning: ")
    assert "'every blue moon'" in message
    config(tmp_path, sources, '[schedule.groups]\nmorning = "0 6 * * *"\n')
    assert load_settings(folder, environ={}).sources[0].schedule == "morning"


@pytest.mark.parametrize(
    ("settings", "key", "expected"),
    [
        ('timezone = "Mars/Olympus"', "timezone", "unknown time zone 'Mars/Olympus'"),
        ('timezone = "Asia"', "timezone", "unknown time zone 'Asia'"),  # a folder of zones
        ('timezone = ""', "timezone", "unknown time zone ''"),
        (
            '[extract]\ndefault_timezone = "WIB"',
            "extract.default_timezone",
            "unknown time zone 'WIB'",
        ),
        ("[fetch]\nretries = true", "fetch.retries", "Input should be a valid integer"),
        ("[fetch]\nretries = 2.5", "fetch.retries", "Input should be a valid integer"),
        ("[fetch]\nrespect_robots = 1", "fetch.respect_robots", "Input should be a valid boolean"),
        ('[fetch]\nrespect_robots = "no"', "fetch.respect_robots", "valid boolean"),
        ('[fetch]\nper_host_delay = "2"', "fetch.per_host_delay", "Input should be a valid number"),
        (
            "[fetch]\nper_host_delay = inf",
            "fetch.per_host_delay",
            "Input should be a finite number",
        ),
        ("[fetch]\nread_timeout = nan", "fetch.read_timeout", "Input should be a finite number"),
        ("[fetch]\ntotal_timeout = 1e300", "fetch.total_timeout", str(int(MAX_SECONDS))),
        ("[schedule]\nsource_lease = 1e12", "schedule.source_lease", "less than or equal"),
        (
            '[fetch]\nuser_agent = "monitor\\r\\nX-Injected: 1"',
            "fetch.user_agent",
            "must not contain control characters",
        ),
        ("[fetch]\nallow_private = [1]", "fetch.allow_private.0", "valid string"),
        ('[fetch]\nsnapshot_dir = "a\\u0000b"', "fetch.snapshot_dir", "NUL"),
        ('db_url = ""', "db_url", "at least 1 character"),
        ("[dedup]\nseed = 4294967296", "dedup.seed", "less than or equal to 4294967295"),
    ],
)
def test_a_bad_setting_names_the_file_and_key(
    tmp_path: Path, settings: str, key: str, expected: str
) -> None:
    folder = config(tmp_path, settings=settings + "\n")
    message = problem(folder)
    assert message.startswith(f"{folder / 'settings.toml'}: {key}: "), message
    assert expected in message


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ('enabled = "yes"', "sources[0] (kukarkab).enabled: Input should be a valid boolean"),
        ("max_pages = true", "sources[0] (kukarkab).max_pages: Input should be a valid integer"),
        ('urls = "https://a.example/"', "sources[0] (kukarkab).urls"),
    ],
)
def test_a_source_value_of_the_wrong_type_is_refused(
    tmp_path: Path, line: str, expected: str
) -> None:
    assert expected in problem(config(tmp_path, SOURCES + line + "\n"))


@pytest.mark.parametrize(
    "content",
    [
        "[fetch]\nretries = 2\n".encode("utf-16"),
        b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\xff\xfe",
    ],
    ids=["utf-16", "binary"],
)
def test_a_settings_file_that_is_not_utf8_text_is_one_line(tmp_path: Path, content: bytes) -> None:
    folder = config(tmp_path)
    (folder / "settings.toml").write_bytes(content)
    assert problem(folder) == f"{folder / 'settings.toml'}: not UTF-8 text (save it as UTF-8)"


def test_a_settings_path_that_is_a_folder_is_one_line(tmp_path: Path) -> None:
    folder = config(tmp_path)
    (folder / "settings.toml").mkdir()
    assert problem(folder).startswith(f"{folder / 'settings.toml'}: cannot read: ")


def test_only_the_environment_given_is_read(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = config(tmp_path)
    monkeypatch.setenv("INGEST_FETCH__PER_HOST_DELAY", "7")
    monkeypatch.setenv("INGEST_DB_URL", "sqlite:///from-the-shell.db")
    settings = load_settings(folder, environ={})
    assert settings.fetch.per_host_delay == 1.0
    assert settings.db_url == "sqlite:///ingest.db"
    given = {"INGEST_FETCH__PER_HOST_DELAY": "0.5", "INGEST_FETCH__RESPECT_ROBOTS": "false"}
    settings = load_settings(folder, environ=given)
    assert (settings.fetch.per_host_delay, settings.fetch.respect_robots) == (0.5, False)
    assert load_settings(folder).fetch.per_host_delay == 7.0  # no mapping: the process's


@pytest.mark.parametrize(
    ("name", "value", "expected"),
    [
        (
            "INGEST_FETCH__ALLOW_PRIVATE",
            "10.0.0.0/8",
            "INGEST_FETCH__ALLOW_PRIVATE: not valid JSON",
        ),
        ("INGEST_SCHEDULE__GROUPS", "morning", "INGEST_SCHEDULE__GROUPS: not valid JSON"),
        ("INGEST_FETCH__RETRIES", "true", "INGEST_FETCH__RETRIES: fetch.retries: "),
        ("INGEST_FETCH__PER_HOST_DELAY", "inf", "INGEST_FETCH__PER_HOST_DELAY: fetch.per_host_"),
        ("INGEST_FETCH__USER_AGENT", "a\r\nb", "INGEST_FETCH__USER_AGENT: fetch.user_agent: "),
        ("INGEST_TIMEZONE", "Mars/Olympus", "INGEST_TIMEZONE: timezone: unknown time zone"),
    ],
)
def test_a_bad_environment_value_is_one_line_naming_it(
    tmp_path: Path, name: str, value: str, expected: str
) -> None:
    message = problem(config(tmp_path), {name: value})
    assert message.startswith("environment ")
    assert expected in message


def test_a_variable_set_to_nothing_is_not_set(tmp_path: Path) -> None:
    environ = {"INGEST_DB_URL": "", "INGEST_FETCH__PER_HOST_DELAY": ""}
    settings = load_settings(config(tmp_path), environ=environ)
    assert (settings.db_url, settings.fetch.per_host_delay) == ("sqlite:///ingest.db", 1.0)


def test_a_list_from_the_environment_is_json(tmp_path: Path) -> None:
    environ = {"INGEST_FETCH__ALLOW_PRIVATE": '["10.0.0.0/8", "intranet.example"]'}
    settings = load_settings(config(tmp_path), environ=environ)
    assert settings.fetch.allow_private == ("10.0.0.0/8", "intranet.example")
