"""``kill -9`` of a run or an import at several moments: no process of the killed run goes on
afterwards, and an immediate rerun (no waiting for a lease) stores exactly what an
uninterrupted run stores, in the same stories; the killed run is then marked interrupted."""

from __future__ import annotations

import json
import random
import signal
import subprocess
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from pytest_httpserver import HTTPServer
from sqlalchemy import func, select
from sqlalchemy.exc import ProgrammingError
from werkzeug import Request, Response

from ingest.errors import StoreError
from ingest.pool import PROCESS_POOL_MIN_PAGES
from ingest.store import open_store
from ingest.store.models import Document, Run, StoryMember
from tests.conftest import fresh_postgres_database
from tests.e2e.test_interrupt import _command, _config, _environ
from tests.e2e.test_pipeline_batches import _sentences
from tests.processes import descendants, needs_proc, wait_until_gone

pytestmark = [pytest.mark.slow, needs_proc]

PAGES = PROCESS_POOL_MIN_PAGES * 3
COPIES = 3  # each text is published under this many URLs: a story of exact copies
HELD = PAGES // 2  # pages from this number on wait for the gate: the run is mid-way for sure
BOUND = 120.0  # seconds any awaited condition gets, at most


def _text(number: int, words: list[str]) -> str:
    """The text of page ``number``: twelve sentences of words drawn at random, the same for
    the ``COPIES`` pages of one story and shared with no other story (so that the stories a
    run makes do not depend on the order its pages come in)."""
    pick = random.Random(number // COPIES)
    sentences = (" ".join(pick.choices(words, k=12)).capitalize() + "." for _ in range(12))
    return "\n\n".join(sentences)


def _html(number: int, words: list[str]) -> bytes:
    title = f"Laporan Daerah Nomor {number // COPIES} dari Kutai Kartanegara"
    body = "".join(f"<p>{p}</p>" for p in _text(number, words).split("\n\n"))
    return (
        f'<html lang="id"><head><meta charset="utf-8"><title>{title}</title></head>'
        f"<body><article><h1>{title}</h1>{body}</article></body></html>"
    ).encode()


def _words() -> list[str]:
    return sorted({w.strip(".,;:()\"'").lower() for s in _sentences() for w in s.split()} - {""})


@dataclass
class Site:
    """The local web of the run: ``asked`` counts requests, ``gate`` holds the later pages."""

    server: HTTPServer
    asked: list[int]
    gate: threading.Event


@pytest.fixture
def site() -> Iterator[Site]:
    server = HTTPServer(threaded=True)
    server.start()
    words, lock, asked, gate = _words(), threading.Lock(), [0], threading.Event()

    def handler(request: Request) -> Response:
        with lock:
            asked[0] += 1
        number = int(request.path.rsplit("/", 1)[1].split(".")[0])
        if number >= HELD:
            gate.wait(BOUND)
        return Response(_html(number, words), headers={"Content-Type": "text/html; charset=utf-8"})

    server.expect_request("/robots.txt").respond_with_data("", status=404)
    for number in range(PAGES):
        server.expect_request(f"/berita/{number:03d}.html").respond_with_handler(handler)
    yield Site(server, asked, gate)
    gate.set()
    server.clear()
    if server.is_running():
        server.stop()


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def fresh_url(request: pytest.FixtureRequest, tmp_path: Path) -> Callable[[str], Iterator[str]]:
    """Makes a fresh, empty store's URL per name (one for the killed run, one for reference)."""

    def make(name: str) -> Iterator[str]:
        if request.param == "sqlite":
            yield f"sqlite:///{tmp_path / f'{name}.db'}"
        else:
            with fresh_postgres_database() as url:
                yield url

    return make


def _wait_for(condition: Callable[[], bool], what: str) -> None:
    deadline = time.monotonic() + BOUND
    while not condition():
        assert time.monotonic() < deadline, f"not in {BOUND:g} s: {what}"
        time.sleep(0.02)


def _stored(db_url: str) -> int:
    """Documents in the store; 0 while the run has not made its tables yet."""
    try:
        with open_store(db_url, upgrade=False) as store, store.read_session() as session:
            return int(session.scalar(select(func.count()).select_from(Document)) or 0)
    except (StoreError, ProgrammingError):  # no tables yet (PostgreSQL says so this way)
        return 0


def _stories(db_url: str) -> set[frozenset[str]]:
    """The partition of the stored URLs into stories."""
    with open_store(db_url) as store, store.read_session() as session:
        rows = session.execute(
            select(StoryMember.story_id, Document.url).join(
                Document, StoryMember.document_id == Document.id
            )
        ).all()
    by_story: dict[int, set[str]] = {}
    for story_id, url in rows:
        by_story.setdefault(story_id, set()).add(url)
    return {frozenset(urls) for urls in by_story.values()}


def _statuses(db_url: str) -> list[tuple[str, str | None]]:
    with open_store(db_url) as store, store.read_session() as session:
        return [(r.status, r.error) for r in session.scalars(select(Run).order_by(Run.id))]


def _kill(command: list[str], ready: Callable[[], bool], what: str) -> None:
    """Start ``command``, kill -9 it once ``ready``; then no process of it may run."""
    started = subprocess.Popen(
        command, env=_environ(), stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True
    )
    try:
        _wait_for(lambda: ready() or started.poll() is not None, what)
        assert started.poll() is None, f"ended before the kill: {started.communicate()[1]}"
        tree = descendants(started.pid)
        started.send_signal(signal.SIGKILL)
        started.wait(BOUND)
        assert wait_until_gone(tree, BOUND) == set()  # page workers, fork server, all of it
    finally:
        started.kill()


def _rerun(command: list[str]) -> None:
    done = subprocess.run(command, env=_environ(), capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr
    assert "busy" not in done.stdout + done.stderr


@pytest.mark.parametrize("moment", ["first request", "documents stored"])
def test_a_run_killed_mid_way_leaves_nothing_running_and_a_rerun_completes_it(
    site: Site, tmp_path: Path, fresh_url: Callable[[str], Iterator[str]], moment: str
) -> None:
    config = _config(tmp_path, site.server)
    for killed_url in fresh_url("killed"):
        command = _command(config, killed_url)
        if moment == "first request":
            _kill(command, lambda: site.asked[0] >= 1, "a page asked for")
        else:
            _kill(command, lambda url=killed_url: _stored(url) >= 1, "a document stored")
        assert _stored(killed_url) < PAGES
        site.gate.set()
        _rerun(command)
        assert _stored(killed_url) == PAGES
        statuses = _statuses(killed_url)
        assert statuses[0][0] == "interrupted" and "is gone" in (statuses[0][1] or "")
        assert statuses[1:] == [("completed", None)]
        partition = _stories(killed_url)
    for reference_url in fresh_url("reference"):
        _rerun(_command(config, reference_url))
        assert _stories(reference_url) == partition
    assert len(partition) == PAGES // COPIES


def _documents(path: Path, count: int) -> Path:
    words = _words()
    with path.open("w") as out:
        for number in range(count):
            url = f"https://kukar.example/berita/{number:04d}.html"
            line = {"url": url, "text": _text(number, words), "outlet": "kukar.example"}
            out.write(json.dumps(line) + "\n")
    return path


def test_an_import_killed_mid_way_leaves_nothing_running_and_a_rerun_completes_it(
    tmp_path: Path, fresh_url: Callable[[str], Iterator[str]]
) -> None:
    lines = 1500
    path = _documents(tmp_path / "documents.jsonl", lines)
    (tmp_path / "sources.toml").write_text("")
    for killed_url in fresh_url("killed"):
        command = [*_command(tmp_path, killed_url)[:-1], "import", str(path)]
        _kill(command, lambda url=killed_url: _stored(url) >= 1, "a document stored")
        assert _stored(killed_url) < lines
        _rerun(command)
        assert _stored(killed_url) == lines
        assert [s for s, _ in _statuses(killed_url)] == ["interrupted", "completed"]
        partition = _stories(killed_url)
    for reference_url in fresh_url("reference"):
        _rerun([*_command(tmp_path, reference_url)[:-1], "import", str(path)])
        assert _stories(reference_url) == partition
    assert len(partition) == lines // COPIES
