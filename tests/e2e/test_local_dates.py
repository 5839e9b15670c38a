"""Publication dates: kept with their precision, filtered and shown in the configured zone."""

from __future__ import annotations

import json
from pathlib import Path

from tests.e2e.conftest import Cli

BODY = (
    "TENGGARONG – Sekretaris Daerah Kutai Kartanegara membuka rapat koordinasi lintas sektoral "
    "yang dihadiri camat, lurah, kepala desa dan unsur Forkopimda se-Kukar di Gedung PKM "
    "Tenggarong Seberang. Rapat membahas kesiapan {what} menjelang pemungutan suara, "
    "termasuk pengamanan gudang logistik, distribusi surat suara dan patroli bersama."
)


def _import(cli: Cli, tmp_path: Path, published: dict[str, str]) -> None:
    lines = [
        json.dumps(
            {
                "url": f"https://kukar.test/{name}",
                "outlet": "kukar.test",
                "published_at": when,
                "text": BODY.format(what=f"{name} " * 3),
            }
        )
        for name, when in published.items()
    ]
    path = tmp_path / "docs.jsonl"
    path.write_text("\n".join(lines) + "\n")
    result = cli("import", str(path))
    assert result.code == 0, result.stderr


def test_documents_json_says_how_precisely_each_date_is_known(cli: Cli, tmp_path: Path) -> None:
    _import(cli, tmp_path, {"day": "2024-09-04", "minute": "2024-09-04T07:00:00+08:00"})
    rows = {d["url"]: d for d in cli("documents", "--format", "jsonl").jsonl()}
    assert rows["https://kukar.test/day"]["published_precision"] == "day"
    assert rows["https://kukar.test/minute"]["published_precision"] == "minute"
    assert {"url", "outlet", "title", "published_at", "event_date", "language", "story_id",
            "text"} <= set(rows["https://kukar.test/day"])  # fmt: skip


def _urls(cli: Cli, *args: str) -> list[str]:
    result = cli("documents", "--format", "jsonl", *args)
    assert result.code == 0, result.stderr
    return sorted(d["url"].rsplit("/", 1)[1] for d in result.jsonl())


def test_days_are_those_of_the_configured_zone_or_tz(cli: Cli, tmp_path: Path) -> None:
    # 07:00 WITA on 4 September is still 3 September in UTC; "day" is known only to its day.
    _import(cli, tmp_path, {"day": "2024-09-04", "morning": "2024-09-04T07:00:00+08:00"})
    assert _urls(cli, "--since", "2024-09-04") == ["day", "morning"]
    assert _urls(cli, "--until", "2024-09-03") == []
    assert _urls(cli, "--since", "2024-09-04", "--tz", "UTC") == ["day"]
    assert _urls(cli, "--until", "2024-09-03", "--tz", "UTC") == ["morning"]
    for zone in ("America/New_York", "Pacific/Kiritimati", "UTC"):
        on_the_day = ["--since", "2024-09-04", "--until", "2024-09-04", "--tz", zone]
        assert "day" in _urls(cli, *on_the_day), zone
    rows = {d["url"].rsplit("/", 1)[1]: d for d in cli("documents").jsonl()}
    assert rows["morning"]["published_at"] == "2024-09-04T07:00:00+08:00"
    assert rows["day"]["published_at"] == "2024-09-04T00:00:00+08:00"
    west = {d["url"].rsplit("/", 1)[1]: d for d in cli("documents", "--tz", "UTC").jsonl()}
    assert west["morning"]["published_at"] == "2024-09-03T23:00:00+00:00"
    assert west["day"]["published_at"] == "2024-09-04T00:00:00+00:00"
    (story,) = [s for s in cli("stories").jsonl() if s["canonical_url"].endswith("/morning")]
    assert story["published_at"] == "2024-09-04T07:00:00+08:00"
    table = cli("stories", "--format", "table")
    assert "2024-09-04" in table.stdout and "2024-09-03" not in table.stdout
    utc = cli("stories", "--format", "table", "--tz", "UTC")
    assert "2024-09-03" in utc.stdout and "2024-09-04" not in utc.stdout


def test_an_unknown_tz_is_one_line(cli: Cli) -> None:
    result = cli("documents", "--tz", "Mars/Olympus")
    assert result.code == 2
    assert result.stderr.strip() == (
        "ingest: error: --tz: unknown time zone 'Mars/Olympus' (e.g. Asia/Makassar)"
    )


def test_why_names_every_document_and_shows_local_times(cli: Cli, tmp_path: Path) -> None:
    _import(cli, tmp_path, {"first": "2024-09-04T07:00:00+08:00", "next": "2024-09-04"})
    (story,) = cli("stories").jsonl()
    why = cli("story", str(story["story_id"]), "--why", "--format", "table")
    assert why.code == 0, why.stderr
    rows = cli("story", str(story["story_id"]), "--why", "--format", "jsonl").jsonl()
    assert all(f"document {row['document_id']}" in why.stdout for row in rows)
    assert "published 2024-09-04 07:00+08:00" in why.stdout
    assert "published 2024-09-04," in why.stdout  # known only to the day
    (joined,) = [row for row in rows if row["relation"] != "canonical"]
    assert joined["dates"]["published"] == ["2024-09-04", "2024-09-04T07:00:00+08:00"]
    assert f"matched document {joined['matched_document_id']}" in why.stdout
    utc = cli("story", str(story["story_id"]), "--why", "--format", "table", "--tz", "UTC")
    assert "published 2024-09-03 23:00+00:00" in utc.stdout


def test_json_logs_carry_the_configured_offset(cli: Cli, tmp_path: Path) -> None:
    path = tmp_path / "one.jsonl"
    path.write_text(json.dumps({"url": "https://kukar.test/1", "text": BODY.format(what="x")}))
    result = cli("-v", "import", str(path))
    times = [json.loads(line)["time"] for line in result.stderr.splitlines() if line[:1] == "{"]
    assert times and all(t.endswith("+08:00") for t in times), result.stderr


def test_a_day_only_date_never_beats_a_precise_time_of_its_day(cli: Cli, tmp_path: Path) -> None:
    # Stored first, "a-day" has the lower id and URL; 15:00 WITA is after 00:00 UTC that day.
    _import(cli, tmp_path, {"a-day": "2024-09-04", "b-afternoon": "2024-09-04T15:00:00+08:00"})
    for _ in range(2):  # as stored, and after a rebuild
        (story,) = cli("stories").jsonl()
        assert story["canonical_url"] == "https://kukar.test/b-afternoon"
        assert [m["relation"] == "canonical" for m in story["members"]] == [True, False]
        assert cli("dedup", "rebuild").code == 0


def test_ties_go_to_the_first_url_whatever_the_order_stored(cli: Cli, tmp_path: Path) -> None:
    _import(cli, tmp_path, {"z-copy": "2024-09-04T15:00:00+08:00"})
    _import(cli, tmp_path, {"a-copy": "2024-09-04T15:00:00+08:00"})
    (story,) = cli("stories").jsonl()
    assert story["canonical_url"] == "https://kukar.test/a-copy"


def test_runs_and_schedules_show_times_in_the_zone(cli: Cli, tmp_path: Path) -> None:
    _import(cli, tmp_path, {"one": "2024-09-04T07:00:00+08:00"})
    (run,) = cli("runs", "--format", "jsonl").jsonl()
    assert run["started_at"].endswith("+08:00")
    (tokyo,) = cli("runs", "--format", "jsonl", "--tz", "Asia/Tokyo").jsonl()
    assert tokyo["started_at"].endswith("+09:00")
    for zone, offset in ((None, "+08:00"), ("UTC", "+00:00")):
        args = ["schedules", "--format", "jsonl", *(["--tz", zone] if zone else [])]
        rows = cli(*args).jsonl()
        assert rows and all(r["next_1"].endswith(offset) for r in rows if r["next_1"]), rows
    table = cli("schedules", "--format", "table", "--tz", "UTC")
    assert " UTC" in table.stdout


def test_a_page_dated_only_by_its_day_keeps_that_day(cli: Cli, tmp_path: Path) -> None:
    paragraphs = "".join(f"<p>{BODY.format(what=f'halaman {i}')}</p>" for i in range(3))
    html = (
        "<html lang='id'><head><title>Rakor Lintas Sektoral</title>"
        '<meta property="article:published_time" content="2024-09-04"></head><body><article>'
        f"<h1>Rakor Lintas Sektoral</h1>{paragraphs}</article></body></html>"
    )
    path = tmp_path / "page.jsonl"
    url = "https://kukar.test/berita/rakor-lintas-sektoral"
    path.write_text(json.dumps({"url": url, "html": html}) + "\n")
    assert cli("import", str(path)).code == 0
    for zone in ("Asia/Jakarta", "UTC", "America/Los_Angeles"):
        (document,) = cli("documents", "--tz", zone, "--since", "2024-09-04").jsonl()
        assert document["published_precision"] == "day"
        assert document["published_at"].startswith("2024-09-04T00:00:00"), zone
