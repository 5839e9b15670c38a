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
