"""Worker processes driven by the event loop: results, errors, dead workers, shutdown."""

from __future__ import annotations

import asyncio
import logging
import multiprocessing
import operator
import os
import threading
import time
from pathlib import Path

import pytest

from ingest.errors import NotAnArticle, WorkerError
from ingest.workers import ProcessPool

CONTEXT = multiprocessing.get_context("forkserver")


async def _run(pool: ProcessPool, *calls: tuple[object, ...]) -> list[object]:
    try:
        return list(
            await asyncio.gather(*(pool.call(*call) for call in calls), return_exceptions=True)  # type: ignore[arg-type]
        )
    finally:
        await pool.close()


def test_results_come_back_to_their_callers_from_every_process() -> None:
    pool = ProcessPool(CONTEXT, size=2)
    calls = [(operator.mul, n, 3) for n in range(200)] + [(os.getpid,)] * 20
    results = asyncio.run(_run(pool, *calls))
    assert results[:200] == [n * 3 for n in range(200)]
    pids = set(results[200:])
    assert len(pids) == 2 and os.getpid() not in pids


def test_a_jobs_exception_is_raised_to_its_caller_only() -> None:
    pool = ProcessPool(CONTEXT, size=1)
    results = asyncio.run(
        _run(pool, (operator.truediv, 1, 0), (NotAnArticle, "http://x/", "listing"), (abs, -4))
    )
    assert isinstance(results[0], ZeroDivisionError)
    assert isinstance(results[1], NotAnArticle) and results[1].reason == "listing"
    assert results[2] == 4


def test_a_result_that_cannot_be_pickled_fails_that_job_with_a_worker_error() -> None:
    pool = ProcessPool(CONTEXT, size=1)
    results = asyncio.run(_run(pool, (threading.Lock,), (abs, -2)))
    assert isinstance(results[0], WorkerError) and "unpicklable" in str(results[0])
    assert results[1] == 2


def test_the_initializer_runs_in_every_process_before_its_jobs(tmp_path: Path) -> None:
    pool = ProcessPool(CONTEXT, size=2, initializer=os.chdir, initargs=(str(tmp_path),))
    results = asyncio.run(_run(pool, *[(os.getcwd,)] * 10))
    assert results == [str(tmp_path)] * 10


def test_a_dead_process_fails_its_jobs_and_the_others_carry_on() -> None:
    async def scenario() -> tuple[object, object, list[int]]:
        pool = ProcessPool(CONTEXT, size=2)
        try:
            await pool.start()
            died = await asyncio.gather(pool.call(os._exit, 3), return_exceptions=True)
            after = await asyncio.gather(*(pool.call(abs, -n) for n in range(10)))
            return (
                died[0],
                await asyncio.gather(pool.call(os._exit, 4), return_exceptions=True),
                after,
            )
        finally:
            await pool.close()

    died, second, after = asyncio.run(scenario())
    assert isinstance(died, WorkerError) and "exit code 3" in str(died)
    assert after == list(range(10))
    assert isinstance(second[0], WorkerError)  # type: ignore[index]


def test_every_process_dead_is_a_worker_error() -> None:
    async def scenario() -> None:
        pool = ProcessPool(CONTEXT, size=1)
        try:
            with pytest.raises(WorkerError):
                await pool.call(os._exit, 1)
            with pytest.raises(WorkerError, match="every worker process has died"):
                await pool.call(abs, -1)
        finally:
            await pool.close()

    asyncio.run(scenario())


def test_close_lets_queued_jobs_finish_and_stops_the_processes() -> None:
    async def scenario() -> tuple[list[int], list[multiprocessing.process.BaseProcess]]:
        pool = ProcessPool(CONTEXT, size=2)
        jobs = [asyncio.ensure_future(pool.call(abs, -n)) for n in range(50)]
        await pool.start()
        processes = [lane.process for lane in pool._lanes]
        await asyncio.sleep(0)
        results = await asyncio.gather(*jobs)
        await pool.close()
        return results, processes

    results, processes = asyncio.run(scenario())
    assert results == list(range(50))
    assert processes and not any(p.is_alive() for p in processes)
    assert all(p.exitcode == 0 for p in processes)


def test_size_must_be_positive() -> None:
    with pytest.raises(ValueError, match="at least 1"):
        ProcessPool(CONTEXT, size=0)


class _Marker:
    """An async context manager for the initializer: writes ``entered`` and ``left`` into
    ``folder`` (the parent reads them after the pool has closed)."""

    def __init__(self, folder: str) -> None:
        self.folder = Path(folder)

    async def __aenter__(self) -> None:
        (self.folder / f"entered-{os.getpid()}").touch()

    async def __aexit__(self, *exc: object) -> None:
        await asyncio.sleep(0.05)  # the loop still runs: async clean-up works
        (self.folder / f"left-{os.getpid()}").touch()


async def _entered(folder: str) -> bool:
    """A coroutine job: was the initializer's context entered in this process?"""
    return (Path(folder) / f"entered-{os.getpid()}").exists()


def test_coroutine_jobs_run_at_once_and_come_back_as_they_finish() -> None:
    async def scenario() -> tuple[list[str], float]:
        pool = ProcessPool(CONTEXT, size=1)
        try:
            await pool.call(abs, -1)  # the process is up and serving
            started = time.perf_counter()
            jobs = [pool.call(asyncio.sleep, delay, f"{delay}") for delay in (0.6, 0.3, 0.0)]
            order = [await job for job in asyncio.as_completed(jobs)]
            return order, time.perf_counter() - started
        finally:
            await pool.close()

    order, took = asyncio.run(scenario())
    assert order == ["0.0", "0.3", "0.6"]  # one process, yet the later jobs finished first
    assert took < 0.6 + 0.3  # concurrent: not one after the other


def test_call_on_runs_in_the_chosen_process_every_time() -> None:
    async def scenario() -> list[list[int]]:
        pool = ProcessPool(CONTEXT, size=2)
        try:
            return [
                list(await asyncio.gather(*(pool.call_on(n, os.getpid) for _ in range(10))))
                for n in (0, 1)
            ]
        finally:
            await pool.close()

    first, second = asyncio.run(scenario())
    assert len(set(first)) == len(set(second)) == 1
    assert first[0] != second[0]
    with pytest.raises(ValueError, match="no process 2"):
        asyncio.run(ProcessPool(CONTEXT, size=2).call_on(2, os.getpid))


def test_an_initializers_context_is_entered_before_jobs_and_left_after_them(
    tmp_path: Path,
) -> None:
    pool = ProcessPool(CONTEXT, size=2, initializer=_Marker, initargs=(str(tmp_path),))
    results = asyncio.run(_run(pool, *[(_entered, str(tmp_path))] * 6))
    assert results == [True] * 6
    entered = sorted(p.name.split("-")[1] for p in tmp_path.glob("entered-*"))
    left = sorted(p.name.split("-")[1] for p in tmp_path.glob("left-*"))
    assert len(entered) == 2 and left == entered


def test_least_busy_is_the_process_with_the_fewest_jobs_waiting() -> None:
    async def scenario() -> tuple[int, int, int]:
        pool = ProcessPool(CONTEXT, size=2)
        try:
            await pool.start()
            idle = pool.least_busy()
            slow = [asyncio.ensure_future(pool.call_on(0, asyncio.sleep, 0.3)) for _ in range(3)]
            await asyncio.sleep(0)
            busy_first = pool.least_busy()
            await asyncio.gather(*slow)
            return idle, busy_first, pool.least_busy()
        finally:
            await pool.close()

    idle, while_busy, after = asyncio.run(scenario())
    assert (idle, while_busy, after) == (0, 1, 0)


def test_a_failed_initializer_is_each_jobs_error_not_a_dead_process(tmp_path: Path) -> None:
    """The reason reaches the caller (a store that cannot be opened, say), with no traceback
    printed by the process."""
    missing = str(tmp_path / "missing")
    pool = ProcessPool(CONTEXT, size=1, initializer=os.chdir, initargs=(missing,))
    results = asyncio.run(_run(pool, (abs, -1), (abs, -2)))
    assert all(isinstance(r, FileNotFoundError) and missing in str(r) for r in results)


def test_what_a_process_logs_is_handled_here_at_the_level_set_here(
    caplog: pytest.LogCaptureFixture,
) -> None:
    """A worker's log lines reach this process's handlers (the terminal, the structured log),
    with the worker's name; records below this process's level are not even sent."""
    logger = logging.getLogger("ingest.tests.worker")
    caplog.set_level(logging.WARNING, logger="ingest")
    pool = ProcessPool(CONTEXT, size=1, logs="ingest")
    asyncio.run(
        _run(pool, (logger.info, "quiet %s", "page"), (logger.warning, "retry %d of %s", 2, "x"))
    )
    forwarded = [r for r in caplog.records if r.name == "ingest.tests.worker"]
    assert [(r.levelname, r.getMessage()) for r in forwarded] == [("WARNING", "retry 2 of x")]
    assert forwarded[0].processName == "ingest-worker-0"
