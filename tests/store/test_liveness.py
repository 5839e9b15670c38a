"""A run that died never blocks the next one: its process gone from this machine, or not heard
from for the lease's length, it is marked interrupted and its sources are taken over at once."""

from __future__ import annotations

import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path

from sqlalchemy import update

from ingest.config import load_settings
from ingest.pipeline import run
from ingest.store import Store
from ingest.store.health import acquire_lease, list_source_health
from ingest.store.liveness import ProcessId, db_now, keep_alive, reap_dead_runs
from ingest.store.models import Run
from ingest.store.runs import create_run
from tests.store.test_leases import write_config

HOUR = timedelta(hours=1)


def _dead_process() -> ProcessId:
    """A process of this machine that ran and has exited."""
    child = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    process = ProcessId(ProcessId.current().host, child.pid, _start_of(child.pid))
    child.kill()
    child.wait()
    return process


def _start_of(pid: int) -> str | None:
    from ingest.store import liveness

    return liveness._process_start(pid)


def _run_of(store: Store, process: ProcessId, *, heard: timedelta = timedelta(0)) -> int:
    """A run left ``running`` by ``process``, last heard from ``heard`` ago, holding 'saved'."""
    with store.session() as session:
        run_id = create_run(session, trigger="manual")
        now = db_now(session)
        session.execute(
            update(Run)
            .where(Run.id == run_id)
            .values(
                host=process.host,
                pid=process.pid,
                process_start=process.start,
                heartbeat_at=now - heard,
            )
        )
        assert acquire_lease(session, "saved", run_id=run_id, now=now, ttl=HOUR) is None
    return run_id


def _status(store: Store, run_id: int) -> Run:
    with store.session() as session:
        found = session.get_one(Run, run_id)
        session.expunge(found)
        return found


def test_a_killed_runs_sources_are_taken_over_at_once(
    store: Store, db_url: str, tmp_path: Path
) -> None:
    settings = load_settings(write_config(tmp_path, db_url), environ={})
    dead = _run_of(store, _dead_process())
    with store.read_session() as session:
        assert [h.held_by for h in list_source_health(session)] == [dead]  # ingest sources

    summary = run(settings)  # no waiting for the hour-long lease

    assert summary.status == "completed", summary.sources
    assert summary.total("new_documents") == 2
    found = _status(store, dead)
    assert found.status == "interrupted"
    assert found.finished_at == found.heartbeat_at  # when it was last heard from
    assert "is gone" in (found.error or "")
    with store.read_session() as session:
        assert [h.held_by for h in list_source_health(session)] == [None]


def test_a_run_elsewhere_holds_its_sources_until_it_is_not_heard_from(store: Store) -> None:
    elsewhere = ProcessId("elsewhere.invalid", 4242, None)
    quiet = _run_of(store, elsewhere, heard=2 * HOUR)
    with store.session() as session:
        assert [d.run_id for d in reap_dead_runs(session, ttl=HOUR.total_seconds())] == [quiet]
    with store.read_session() as session:
        assert [h.held_by for h in list_source_health(session)] == [None]
    assert _status(store, quiet).status == "interrupted"

    heard = _run_of(store, elsewhere, heard=timedelta(minutes=10))
    with store.session() as session:
        assert reap_dead_runs(session, ttl=HOUR.total_seconds()) == []
        now = db_now(session)
        assert acquire_lease(session, "saved", run_id=heard + 1, now=now, ttl=HOUR) == heard
    assert _status(store, heard).status == "running"


def test_a_live_run_of_this_machine_keeps_its_sources(store: Store) -> None:
    live = _run_of(store, ProcessId.current())
    with store.session() as session:
        assert reap_dead_runs(session, ttl=1.0) == []  # heard from just now, and alive
        now = db_now(session)
        assert acquire_lease(session, "saved", run_id=live + 1, now=now, ttl=HOUR) == live


def test_another_process_with_a_dead_runs_process_id_is_not_taken_for_it(store: Store) -> None:
    me = ProcessId.current()
    if me.start is None:
        return  # no /proc: the process id is all there is
    reused = _run_of(store, ProcessId(me.host, me.pid, me.start + "0"))
    with store.session() as session:
        assert [d.run_id for d in reap_dead_runs(session, ttl=HOUR.total_seconds())] == [reused]


def test_the_heartbeat_renews_the_run_and_its_sources(store: Store) -> None:
    live = _run_of(store, ProcessId.current())
    first = _status(store, live).heartbeat_at
    assert first is not None
    with keep_alive(store, live, ttl=0.2):  # a beat every 0.05 s
        deadline = time.monotonic() + 60
        while (_status(store, live).heartbeat_at or first) <= first:
            assert time.monotonic() < deadline, "no heartbeat in 60 s"
            time.sleep(0.05)
    with store.read_session() as session:
        (health,) = list_source_health(session)
    last = _status(store, live).heartbeat_at
    assert last is not None and health.held_until is not None
    assert health.held_until > last  # the lease was renewed from the heartbeat


def test_a_killed_process_not_yet_reaped_by_its_parent_is_gone(store: Store) -> None:
    child = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    try:
        process = ProcessId(ProcessId.current().host, child.pid, _start_of(child.pid))
        child.kill()  # not waited for: a zombie until its parent (this test) reaps it
        deadline = time.monotonic() + 60
        while _start_of(child.pid) is not None:
            assert time.monotonic() < deadline, "the child did not exit"
            time.sleep(0.02)
        if process.start is None:
            return  # no /proc
        zombie = _run_of(store, process)
        with store.session() as session:
            assert [d.run_id for d in reap_dead_runs(session, ttl=3600.0)] == [zombie]
    finally:
        child.kill()
        child.wait()
