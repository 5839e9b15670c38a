"""A large run at the command line: Ctrl-C stops it at once (its page workers drop the pages not
done yet instead of fetching the rest of the run) and records it interrupted, and the next run
stores every page once; a page worker's log lines reach the command's log."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from pytest_httpserver import HTTPServer
from sqlalchemy import func, select
from werkzeug import Request, Response

from ingest.pool import PROCESS_POOL_MIN_PAGES
from ingest.store import open_store
from ingest.store.models import Document, Run
from tests.e2e.test_pipeline_batches import _page, _sentences
from tests.processes import descendants, needs_proc, wait_until_gone

PAGES = PROCESS_POOL_MIN_PAGES * 3
OPEN = 8  # pages answered at once; the others wait for the gate: the run cannot end by itself
BOUND = 120.0  # seconds any awaited condition gets, at most


@pytest.fixture
def gated_site() -> Iterator[tuple[HTTPServer, list[int], threading.Event]]:
    """A server that answers the first ``OPEN`` article pages at once and the others once the
    gate opens, counting the requests."""
    server = HTTPServer(threaded=True)
    server.start()
    sentences, lock, asked, gate = _sentences(), threading.Lock(), [0], threading.Event()

    def handler(request: Request) -> Response:
        with lock:
            asked[0] += 1
        number = int(request.path.rsplit("/", 1)[1].split(".")[0])
        if number >= OPEN:
            gate.wait(BOUND)
        body = _page(number, sentences)
        return Response(body, headers={"Content-Type": "text/html; charset=utf-8"})

    server.expect_request("/robots.txt").respond_with_data("", status=404)
    for number in range(PAGES):
        server.expect_request(f"/berita/{number:03d}.html").respond_with_handler(handler)
    yield server, asked, gate
    gate.set()
    server.clear()
    if server.is_running():
        server.stop()


def _config(tmp_path: Path, server: HTTPServer) -> Path:
    urls = ", ".join(f'"{server.url_for(f"/berita/{n:03d}.html")}"' for n in range(PAGES))
    (tmp_path / "sources.toml").write_text(
        f'[[sources]]\nname = "slow"\nkind = "urls"\nurls = [{urls}]\n'
    )
    (tmp_path / "settings.toml").write_text(
        '[fetch]\nallow_private = ["127.0.0.0/8"]\nper_host_delay = 0\n'
    )
    return tmp_path


def _command(tmp_path: Path, db_url: str) -> list[str]:
    return [sys.executable, "-m", "ingest", "--db", db_url, "--config", str(tmp_path), "run"]


def _environ() -> dict[str, str]:
    return {k: v for k, v in os.environ.items() if not k.startswith(("INGEST_", "PREFECT_API"))}


#: ``ingest`` started with SIGINT ignored, as a shell without job control starts a command
#: run in the background (``ingest run &`` in a script; a test suite run that way): Python then
#: leaves SIGINT ignored, and so did asyncio.run, so such a run never heard Ctrl-C.
IGNORING_SIGINT = (
    "import runpy, signal, sys; signal.signal(signal.SIGINT, signal.SIG_IGN); "
    "sys.argv = ['ingest', *sys.argv[1:]]; runpy.run_module('ingest', run_name='__main__')"
)


@needs_proc
@pytest.mark.parametrize(
    ("stop", "inherited"),
    [(signal.SIGINT, False), (signal.SIGINT, True), (signal.SIGTERM, False)],
    ids=["SIGINT", "SIGINT-ignored-at-start", "SIGTERM"],
)
def test_ctrl_c_stops_a_large_run_at_once_and_the_next_run_stores_every_page(
    gated_site: tuple[HTTPServer, list[int], threading.Event],
    tmp_path: Path,
    stop: int,
    inherited: bool,
) -> None:
    """Ctrl-C (or SIGTERM) while the run waits on pages the site holds back: the run stops by
    the signal alone (exit 128 + the signal, recorded interrupted, never completed), its page
    workers with it (no request after it has gone), and the next run stores every page."""
    server, asked, gate = gated_site
    config = _config(tmp_path, server)
    db_url = f"sqlite:///{tmp_path / 'ingest.db'}"
    command = _command(config, db_url)
    if inherited:
        command = [sys.executable, "-c", IGNORING_SIGINT, *command[3:]]
    run = subprocess.Popen(
        command,
        env=_environ(),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    deadline = time.monotonic() + BOUND
    while asked[0] < OPEN + 1 and run.poll() is None:  # a held page asked: the workers fetch
        assert time.monotonic() < deadline, "the run's workers asked for no held page"
        time.sleep(0.02)
    tree = descendants(run.pid)
    run.send_signal(stop)
    stdout, stderr = run.communicate(timeout=BOUND)  # the gate is still shut
    assert run.returncode == 128 + stop, stderr
    assert stderr.strip().splitlines()[-1] == "ingest: interrupted"
    assert "completed" not in stdout
    assert wait_until_gone(tree, BOUND) == set()  # page workers and fork server too
    gate.set()
    after = asked[0]
    with open_store(db_url) as store, store.session() as session:
        (status,) = session.scalars(select(Run.status)).all()
    assert status == "interrupted"
    assert after < PAGES  # nobody fetched the rest of the run

    again = subprocess.run(
        _command(config, db_url), env=_environ(), capture_output=True, text=True, timeout=300
    )
    assert again.returncode == 0, again.stderr
    with open_store(db_url) as store, store.session() as session:
        assert session.scalar(select(func.count()).select_from(Document)) == PAGES


def test_a_page_workers_log_lines_reach_the_commands_log(tmp_path: Path) -> None:
    """In a large run the retry of a page happens in a page worker process; with -v its log
    line is in the command's structured log like the run's own lines."""
    server = HTTPServer()
    server.start()
    try:
        sentences, failed = _sentences(), [False]

        def flaky(request: Request) -> Response:
            if not failed[0]:
                failed[0] = True
                return Response("busy", status=503)
            return Response(_page(7, sentences), headers={"Content-Type": "text/html"})

        server.expect_request("/robots.txt").respond_with_data("", status=404)
        server.expect_request("/berita/007.html").respond_with_handler(flaky)
        for number in range(PAGES):
            if number != 7:
                body = _page(number, sentences)
                server.expect_request(f"/berita/{number:03d}.html").respond_with_data(
                    body, content_type="text/html; charset=utf-8"
                )
        config = _config(tmp_path, server)
        with (config / "settings.toml").open("a") as settings:
            settings.write("backoff_base = 0.05\n")
        command = _command(config, f"sqlite:///{tmp_path / 'ingest.db'}")
        done = subprocess.run(
            [*command[:-1], "-v", "run"],
            env=_environ(),
            capture_output=True,
            text=True,
            timeout=300,
        )
    finally:
        server.stop()
    assert done.returncode == 0, done.stderr
    lines = [json.loads(line) for line in done.stderr.splitlines() if line.startswith("{")]
    retries = [
        e for e in lines if e["logger"] == "ingest.fetch.client" and "retry 1" in e["message"]
    ]
    assert len(retries) == 1 and "/berita/007.html: HTTP 503" in retries[0]["message"]
