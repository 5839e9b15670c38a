"""``kill -9`` of ``ingest import`` while it stores: what was stored stays whole, and running
the same import again stores the rest, with no duplicate and the stories of an import never
interrupted, on SQLite and PostgreSQL."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from sqlalchemy import func, select

from ingest.store import open_store
from ingest.store.models import Document, StoryMember
from tests.e2e.conftest import Cli
from tests.e2e.test_import_lines import _documents

pytestmark = pytest.mark.slow

DOCUMENTS = 1_000


def _partition(db_url: str) -> set[frozenset[str]]:
    """Each story as the set of its members' URLs."""
    with open_store(db_url) as store, store.session() as session:
        rows = session.execute(
            select(StoryMember.story_id, Document.url).join(
                Document, StoryMember.document_id == Document.id
            )
        ).all()
    stories: dict[int, set[str]] = {}
    for story, url in rows:
        stories.setdefault(story, set()).add(url)
    return {frozenset(urls) for urls in stories.values()}


def _stored(db_url: str) -> int:
    with open_store(db_url) as store, store.session() as session:
        return int(session.scalar(select(func.count()).select_from(Document)) or 0)


def _kill_once_storing(cli: Cli, path: Path, at_least: int) -> int:
    """Start the import and ``kill -9`` it once ``at_least`` documents are stored; its exit
    status. Its page workers may still commit the batches they were writing."""
    environ = {k: v for k, v in os.environ.items() if not k.startswith("INGEST_")}
    environ["INGEST_SCHEDULE__SOURCE_LEASE"] = "1"  # the dead run's lease goes quickly
    command = [sys.executable, "-m", "ingest", "--db", cli.db_url, "--config", str(cli.config)]
    process = subprocess.Popen(
        [*command, "import", str(path)],
        cwd=cli.cwd,
        env=environ,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 300
    while process.poll() is None and time.monotonic() < deadline:
        if _stored(cli.db_url) >= at_least:
            break
        time.sleep(0.05)
    process.send_signal(signal.SIGKILL)
    return process.wait(timeout=60)


def test_an_import_killed_while_storing_is_completed_by_running_it_again(
    cli: Cli, tmp_path: Path, sqlite_url: str
) -> None:
    path = tmp_path / "docs.jsonl"
    path.write_text("\n".join(json.dumps(d) for d in _documents(DOCUMENTS)) + "\n")
    reference = Cli(db_url=sqlite_url, config=cli.config, cwd=tmp_path)
    assert reference("import", str(path)).code == 0
    expected = _partition(sqlite_url)

    assert _kill_once_storing(cli, path, at_least=1) == -signal.SIGKILL  # its first batch in
    assert 0 < _stored(cli.db_url) <= DOCUMENTS

    for _ in range(60):  # until the dead run's one-second lease has expired
        again = cli("import", str(path), env={"INGEST_SCHEDULE__SOURCE_LEASE": "1"})
        if "already being ingested" not in again.stderr:
            break
    assert again.code == 0, again.stderr
    assert _stored(cli.db_url) == DOCUMENTS
    assert _partition(cli.db_url) == expected
