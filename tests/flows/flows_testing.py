"""Config folders for the flow tests: a local JSONL source and, optionally, an RSS feed; and
waiting for a deployment to appear on a Prefect server."""

from __future__ import annotations

import json
import time
from pathlib import Path

import httpx

BODY = (
    "Rapat koordinasi lintas sektoral digelar di Gedung PKM Tenggarong Seberang, Selasa (3/9). "
    "Camat bersama unsur Forkopimcam membahas kesiapan pengamanan tahapan Pilkada serentak, "
    "mulai dari kampanye hingga pemungutan suara, serta pembagian tugas antarinstansi. "
)


def write_local_source(folder: Path, count: int = 3) -> None:
    """A JSONL file of ``count`` distinct articles, the kind ``jsonl`` reads."""
    lines = []
    for i in range(count):
        text = f"Berita {i}: agenda nomor {i * 7919} di desa ke-{i}. " + BODY * 3
        lines.append(
            {
                "url": f"https://kukar.example/berita/{i}",
                "title": f"Rakor {i}",
                "text": text.replace("Camat", f"Camat wilayah {i}"),
                "outlet": "kukar.example",
                "published_at": f"2024-09-0{i + 1}T10:00:00+08:00",
            }
        )
    (folder / "docs.jsonl").write_text("\n".join(json.dumps(x) for x in lines) + "\n")


def make_config(folder: Path, feed_url: str | None, *, schedule: str | None = None) -> Path:
    """A config folder with a local source and, optionally, an RSS source at ``feed_url``."""
    write_local_source(folder)
    when = f'schedule = "{schedule}"\n' if schedule else ""
    sources = f'[[sources]]\nname = "local"\nkind = "jsonl"\npath = "docs.jsonl"\n{when}'
    if feed_url:
        sources += f'\n[[sources]]\nname = "feed"\nkind = "rss"\nurl = "{feed_url}"\n'
    (folder / "sources.toml").write_text(sources)
    (folder / "settings.toml").write_text(
        "[fetch]\nretries = 0\nper_host_delay = 0\nrespect_robots = false\n"
        'allow_private = ["127.0.0.1"]\n\n'
        "[schedule]\nsource_retries = 2\nretry_delay = 0\n"
    )
    return folder


def wait_for_deployment(api_url: str, name: str, timeout: float = 90.0) -> dict[str, object]:
    """The deployment ``ingest/<name>`` once the server at ``api_url`` has it."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        response = httpx.get(f"{api_url}/deployments/name/ingest/{name}", timeout=5)
        if response.status_code == 200:
            return dict(response.json())
        time.sleep(0.5)
    raise AssertionError(f"deployment ingest/{name} was not created within {timeout} s")
