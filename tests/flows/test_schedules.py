"""Schedules from configuration: cron and intervals in the configured zone, and their groups."""

from __future__ import annotations

import itertools
import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from typer.testing import CliRunner

from ingest.config import load_settings
from ingest.errors import ConfigError
from ingest.schedules import parse_schedule, schedule_groups

WITA = "Asia/Makassar"


def _config(tmp_path: Path, sources: str, settings: str = "") -> Path:
    (tmp_path / "sources.toml").write_text(sources)
    (tmp_path / "settings.toml").write_text(settings)
    return tmp_path


SOURCES = """
[[sources]]
name = "kukarkab"
kind = "rss"
url = "https://kukarkab.go.id/feed"
schedule = "0 6 * * *"

[[sources]]
name = "eksposisi"
kind = "rss"
url = "https://eksposisi.com/feed"
schedule = "morning"

[[sources]]
name = "mediaetam"
kind = "sitemap"
url = "https://mediaetam.com/sitemap.xml"
schedule = "morning"

[[sources]]
name = "saved"
kind = "html_dir"
path = "saved"

[[sources]]
name = "off"
kind = "rss"
url = "https://off.example/feed"
schedule = "*/5 * * * *"
enabled = false
"""

GROUPS = """
[schedule.groups]
morning = "30m"
"""


def test_cron_at_six_wita_is_ten_pm_utc_the_day_before() -> None:
    spec = parse_schedule("0 6 * * *", WITA)
    first = spec.next_runs(1, after=datetime(2024, 11, 1, 12, tzinfo=UTC))[0]
    assert first.astimezone(UTC) == datetime(2024, 11, 1, 22, tzinfo=UTC)
    assert (first.day, first.hour, first.utcoffset()) == (2, 6, timedelta(hours=8))


def test_next_runs_are_consecutive_and_after_the_given_time() -> None:
    after = datetime(2024, 9, 3, 7, 10, tzinfo=UTC)
    runs = parse_schedule("*/30 * * * *", WITA).next_runs(3, after=after)
    assert all(run > after for run in runs)
    assert [b - a for a, b in itertools.pairwise(runs)] == [timedelta(minutes=30)] * 2
    assert runs[0].minute in (0, 30)


def test_the_zone_changes_when_a_cron_fires() -> None:
    after = datetime(2024, 1, 1, tzinfo=UTC)
    wita = parse_schedule("0 6 * * *", WITA).next_runs(1, after=after)[0]
    wib = parse_schedule("0 6 * * *", "Asia/Jakarta").next_runs(1, after=after)[0]
    assert wib - wita == timedelta(hours=1)


@pytest.mark.parametrize(
    ("text", "step"),
    [("30m", timedelta(minutes=30)), ("2h", timedelta(hours=2)), ("every 1 day", timedelta(1))],
)
def test_intervals_are_anchored_at_local_midnight(text: str, step: timedelta) -> None:
    spec = parse_schedule(text, WITA)
    assert spec.interval == step
    runs = spec.next_runs(3, after=datetime(2024, 9, 3, 1, 17, tzinfo=UTC))
    local = runs[0].astimezone(spec.anchor.tzinfo)
    midnight = local.replace(hour=0, minute=0, second=0, microsecond=0)
    assert (local - midnight) % step == timedelta(0)
    assert runs[1] - runs[0] == step


@pytest.mark.parametrize("text", ["0 6 * *", "61 * * * *", "0 25 * * *", "every now and then"])
def test_invalid_schedules_say_what_is_accepted(text: str) -> None:
    with pytest.raises(ConfigError, match=repr(text).replace("*", r"\*")):
        parse_schedule(text, WITA)


def test_an_unknown_zone_is_a_config_error() -> None:
    with pytest.raises(ConfigError, match="Mars/Olympus"):
        parse_schedule("0 6 * * *", "Mars/Olympus")


def test_groups_share_a_deployment_and_disabled_sources_have_none(tmp_path: Path) -> None:
    settings = load_settings(_config(tmp_path, SOURCES, GROUPS))
    groups = {g.name: g for g in schedule_groups(settings)}
    assert set(groups) == {"kukarkab", "morning", "saved"}
    assert groups["morning"].sources == ("eksposisi", "mediaetam")
    assert groups["morning"].schedule is not None
    assert groups["morning"].schedule.interval == timedelta(minutes=30)
    assert groups["saved"].schedule is None
    assert groups["kukarkab"].schedule is not None
    assert groups["kukarkab"].schedule.cron == "0 6 * * *"


def test_an_unknown_group_name_is_read_as_a_bad_schedule(tmp_path: Path) -> None:
    expected = r"sources\.toml: sources\[1\] \(eksposisi\)\.schedule: .*'morning'"
    with pytest.raises(ConfigError, match=expected):  # no [schedule.groups]: at load time
        load_settings(_config(tmp_path, SOURCES))


def test_a_group_named_like_a_source_is_refused(tmp_path: Path) -> None:
    settings = load_settings(_config(tmp_path, SOURCES, GROUPS + 'kukarkab = "1h"\n'))
    settings = settings.model_copy(
        update={
            "sources": (
                settings.source("eksposisi").model_copy(update={"schedule": "kukarkab"}),
                settings.source("kukarkab"),
            )
        }
    )
    with pytest.raises(ConfigError, match="same name as a source"):
        schedule_groups(settings)


def test_schedules_command_lists_next_three_runs_in_local_time(tmp_path: Path) -> None:
    from ingest.cli import app

    config = _config(tmp_path, SOURCES, GROUPS)
    result = CliRunner().invoke(app, ["--config", str(config), "schedules", "--format", "json"])
    assert result.exit_code == 0, result.output
    rows = {row["deployment"]: row for row in json.loads(result.output)}
    assert set(rows) == {"ingest/kukarkab", "ingest/morning", "ingest/saved"}
    kukarkab = rows["ingest/kukarkab"]
    times = [kukarkab[f"next_{i}"] for i in (1, 2, 3)]
    assert all(t.endswith("T06:00:00+08:00") for t in times)  # ISO 8601, WITA's offset
    assert len(set(times)) == 3
    assert rows["ingest/saved"]["schedule"] == "manual only"
    assert rows["ingest/morning"]["sources"] == "eksposisi, mediaetam"
