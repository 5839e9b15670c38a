"""Worker processes driven by the event loop itself, with no helper threads::

    pool = ProcessPool(multiprocessing.get_context("forkserver"), size=2)
    await pool.start()
    article = await pool.call(extract_article_job, page, settings)
    outcome = await pool.call_on(1, async_page_job, job)  # a coroutine function: concurrent
    await pool.close()

``concurrent.futures.ProcessPoolExecutor`` feeds its processes from two threads of the calling
process (a queue feeder and a result manager). In a pipeline whose event loop makes thousands of
short system calls, those threads take the interpreter lock at every call and the loop waits
for it again each time, often for a whole switch interval. Here the loop writes jobs to each
process's pipe and reads their results through its own non-blocking pipe transports.

Each process runs an event loop of its own. A plain function runs in that loop, one job at a
time in order; a coroutine function's jobs run concurrently as tasks of it, and their results
come back in the order they finish (each job carries a number). ``call`` sends a job to the
process with the fewest jobs waiting, ``call_on`` to a chosen one (a host's pages to the
process that keeps that host's limits, say). A job's exception is raised again by the call.
A process that dies fails its waiting jobs with :class:`~ingest.errors.WorkerError`.

The initializer runs in each process inside its loop before any job. When it returns an async
context manager, the process enters it first and leaves it once its last job is done, after
the stop frame: where a process opens and closes what its jobs share (a client, a store). A
process whose initializer fails answers each of its jobs with that exception.

With ``logs="ingest"``, what the processes log under that logger (at the level it has here when
they start) comes back down the results pipe and is handled here, by this process's handlers:
a worker's log lines reach the terminal or the structured log like the caller's own.
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
import inspect
import itertools
import logging
import multiprocessing
import pickle
import signal
import struct
from collections.abc import Callable, Coroutine
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass
from multiprocessing.connection import Connection
from multiprocessing.context import ForkContext, ForkServerContext, SpawnContext
from multiprocessing.process import BaseProcess
from typing import Any, TypeVar, overload

from ingest.errors import WorkerError
from ingest.lifeline import die_with_parent, hold_lifeline

__all__ = ["Context", "ProcessPool"]

log = logging.getLogger(__name__)

T = TypeVar("T")
Initializer = Callable[..., object]  # None, or an async context manager to enter
Context = ForkServerContext | SpawnContext | ForkContext

_HEADER = struct.Struct("!i")  # the framing of multiprocessing.Connection.send_bytes
_LONG = struct.Struct("!Q")
_STOP = b""
_ABORT = b"abort"
_LOG = b"log:"


class ProcessPool:
    """``size`` processes from ``context``; each runs ``initializer(*initargs)`` first."""

    def __init__(
        self,
        context: Context,
        *,
        size: int,
        initializer: Initializer | None = None,
        initargs: tuple[object, ...] = (),
        logs: str | None = None,
    ) -> None:
        if size < 1:
            raise ValueError(f"size must be at least 1, not {size}")
        self._context = context
        self._size = size
        self._initializer = initializer
        self._initargs = initargs
        self._logs = logs
        self._lanes: list[_Lane] = []
        self._launched: list[_Launch] = []
        self._lifeline: tuple[Connection, Connection] | None = None  # (their end, ours)
        self._starting = asyncio.Lock()  # bound to a loop on first use

    async def start(self) -> None:
        """Start the processes (once, however many callers ask at the same time)."""
        if self._lanes:
            return
        async with self._starting:
            if not self._lanes:
                self.launch()
                lanes = await asyncio.gather(*(launch.connect() for launch in self._launched))
                self._lanes = list(lanes)
                if self._lifeline is not None:
                    self._lifeline[0].close()  # every process has its copy

    def launch(self) -> None:
        """Start the processes without waiting for them: each starts (a fork in the fork
        server) in a thread while the caller's loop goes on; :meth:`start` waits for them."""
        if not self._launched:
            self._lifeline = self._context.Pipe(duplex=False)
            self._launched = [self._launch(number) for number in range(self._size)]

    @overload
    async def call(self, func: Callable[..., Coroutine[Any, Any, T]], *args: object) -> T: ...
    @overload
    async def call(self, func: Callable[..., T], *args: object) -> T: ...
    async def call(self, func: Callable[..., Any], *args: object) -> Any:
        """Run ``func(*args)`` in the least busy process; its result, or its exception."""
        await self.start()
        return await self._lanes[self.least_busy()].call(func, args)

    def alive(self) -> list[int]:
        """The numbers of the processes still alive (once started); WorkerError if none is."""
        alive = [n for n, lane in enumerate(self._lanes) if lane.dead is None]
        if not alive:
            raise WorkerError("every worker process has died")
        return alive

    def least_busy(self) -> int:
        """The number of the live process with the fewest jobs waiting (once started)."""
        return min(self.alive(), key=lambda n: len(self._lanes[n].waiting))

    @overload
    async def call_on(
        self, number: int, func: Callable[..., Coroutine[Any, Any, T]], *args: object
    ) -> T: ...
    @overload
    async def call_on(self, number: int, func: Callable[..., T], *args: object) -> T: ...
    async def call_on(self, number: int, func: Callable[..., Any], *args: object) -> Any:
        """Run ``func(*args)`` in process ``number`` (0 to size - 1), dead or alive: a job
        that must run where its kind of job always runs fails with its process."""
        if not 0 <= number < self._size:
            raise ValueError(f"no process {number} in a pool of {self._size}")
        await self.start()
        return await self._lanes[number].call(func, args)

    async def close(self, *, abort: bool = False) -> None:
        """Let every process finish its jobs and stop; wait for them. With ``abort``, the
        coroutine jobs still running are cancelled instead (the caller has given up on them:
        a failed or interrupted run); each process still leaves its context as usual."""
        if self._launched and not self._lanes:
            await self.start()  # launched, not yet connected
        lanes, self._lanes, self._launched = self._lanes, [], []
        for lane in lanes:
            lane.stop(abort=abort)
        for lane in lanes:
            await asyncio.to_thread(lane.join)
        if self._lifeline is not None:
            self._lifeline[1].close()
            self._lifeline = None

    def _log_level(self) -> tuple[str, int] | None:
        if self._logs is None:
            return None
        return self._logs, logging.getLogger(self._logs).getEffectiveLevel()

    def _launch(self, number: int) -> _Launch:
        jobs_out, jobs_in = self._context.Pipe(duplex=False)
        results_out, results_in = self._context.Pipe(duplex=False)
        process = self._context.Process(
            target=_serve,
            args=(
                jobs_out,
                results_in,
                self._lifeline[0] if self._lifeline else None,
                self._initializer,
                self._initargs,
                self._log_level(),
            ),
            name=f"ingest-worker-{number}",
            daemon=True,
        )
        started = asyncio.get_running_loop().run_in_executor(None, process.start)
        return _Launch(process, started, (jobs_out, jobs_in), (results_out, results_in))


@dataclass(slots=True)
class _Launch:
    """A process being started, and the pipes it will be reached by."""

    process: BaseProcess
    started: asyncio.Future[None]
    jobs: tuple[Connection, Connection]  # (its end, ours)
    results: tuple[Connection, Connection]  # (ours, its end)

    async def connect(self) -> _Lane:
        """Once the process has started: our ends of its pipes, in the loop."""
        await self.started
        self.jobs[0].close()
        self.results[1].close()
        loop = asyncio.get_running_loop()
        lane = _Lane(self.process)
        await loop.connect_read_pipe(lambda: _Results(lane), self.results[0])
        lane.transport, _ = await loop.connect_write_pipe(asyncio.Protocol, self.jobs[1])
        return lane


class _Lane:
    """One process: the pipe its jobs go down and the futures waiting for its results."""

    def __init__(self, process: BaseProcess) -> None:
        self.process = process
        self.transport: asyncio.WriteTransport | None = None
        self.waiting: dict[int, asyncio.Future[Any]] = {}
        self.dead: str | None = None
        self._numbers = itertools.count()

    def call(self, func: Callable[..., Any], args: tuple[object, ...]) -> asyncio.Future[Any]:
        future: asyncio.Future[Any] = asyncio.get_running_loop().create_future()
        if self.dead is not None or self.transport is None:
            future.set_exception(WorkerError(f"{self.process.name} stopped: {self.dead}"))
            return future
        number = next(self._numbers)
        job = pickle.dumps((number, func, args), pickle.HIGHEST_PROTOCOL)
        self.transport.write(_frame(job))
        self.waiting[number] = future
        return future

    def result(self, payload: bytes) -> None:
        if payload.startswith(_LOG):
            record = logging.makeLogRecord(pickle.loads(payload[len(_LOG) :]))
            logging.getLogger(record.name).handle(record)
            return
        number, _, _ = payload.partition(b":")
        future = self.waiting.pop(int(number))
        if future.cancelled():
            return
        try:
            ok, value = pickle.loads(payload[len(number) + 1 :])
        except Exception as exc:  # a result that cannot be read is that job's failure
            future.set_exception(WorkerError(f"unreadable result: {exc}"))
            return
        if ok:
            future.set_result(value)
        else:
            future.set_exception(value)

    def lost(self, reason: str) -> None:
        self.dead = reason
        waiting, self.waiting = self.waiting, {}
        for future in waiting.values():
            if not future.done():
                future.set_exception(WorkerError(f"{self.process.name} died: {reason}"))

    def stop(self, *, abort: bool = False) -> None:
        if self.transport is not None and not self.transport.is_closing():
            self.transport.write(_frame(_ABORT if abort else _STOP))
            self.transport.close()

    def join(self) -> None:
        self.process.join(timeout=30)
        if self.process.is_alive():
            log.warning("%s did not stop; terminating it", self.process.name)
            self.process.terminate()
            self.process.join()


class _Frames(asyncio.Protocol):
    """Reads length-prefixed frames off a pipe and hands each to ``received``."""

    def __init__(self, received: Callable[[bytes], None]) -> None:
        self.received = received
        self.buffer = bytearray()

    def data_received(self, data: bytes) -> None:
        self.buffer += data
        while True:
            frame = _unframe(self.buffer)
            if frame is None:
                return
            payload, used = frame
            del self.buffer[:used]
            self.received(payload)


class _Results(_Frames):
    """The results of one process's jobs."""

    def __init__(self, lane: _Lane) -> None:
        super().__init__(lane.result)
        self.lane = lane

    def connection_lost(self, exc: Exception | None) -> None:
        if not self.lane.waiting:
            self.lane.lost("stopped")
            return
        self.lane.process.join(timeout=1)  # it has closed its pipe: it is gone or going
        code = self.lane.process.exitcode
        self.lane.lost(f"exit code {code}" if code is not None else "pipe closed")


def _frame(payload: bytes) -> bytes:
    if len(payload) < 0x7FFFFFFF:
        return _HEADER.pack(len(payload)) + payload
    return _HEADER.pack(-1) + _LONG.pack(len(payload)) + payload


def _unframe(buffer: bytearray) -> tuple[bytes, int] | None:
    """The first whole frame in ``buffer`` and the bytes it takes, or None."""
    if len(buffer) < _HEADER.size:
        return None
    (size,) = _HEADER.unpack_from(buffer)
    start = _HEADER.size
    if size == -1:
        if len(buffer) < start + _LONG.size:
            return None
        (size,) = _LONG.unpack_from(buffer, start)
        start += _LONG.size
    if len(buffer) < start + size:
        return None
    return bytes(buffer[start : start + size]), start + size


def _serve(
    jobs: Connection,
    results: Connection,
    lifeline: Connection | None,
    initializer: Initializer | None,
    initargs: tuple[object, ...],
    logs: tuple[str, int] | None = None,
) -> None:
    """A worker process: run jobs until the stop frame or the end of the pipe. It dies with
    the process that started it (:mod:`ingest.lifeline`)."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the parent's to handle
    die_with_parent()
    if lifeline is not None:
        hold_lifeline(lifeline)
    # What the process inherited (the fork server's modules) lives as long as it does: out of
    # the collector's sight, its first full collection does not scan it (0.1 s) nor write to
    # its memory pages, which stay shared with the fork server.
    gc.freeze()
    asyncio.run(_Worker(jobs, results, logs).serve(initializer, initargs))


class _Worker:
    """The loop of a worker process: jobs in off one pipe, results out down the other."""

    def __init__(self, jobs: Connection, results: Connection, logs: tuple[str, int] | None) -> None:
        self.logs = logs
        self.jobs = jobs
        self.results = results
        self.out: asyncio.WriteTransport | None = None
        self.running: set[asyncio.Task[None]] = set()
        self.stopped = asyncio.Event()
        self.told = False  # a stop or abort frame came
        self.broken: Exception | None = None

    async def serve(self, initializer: Initializer | None, initargs: tuple[object, ...]) -> None:
        loop = asyncio.get_running_loop()
        closed = loop.create_future()
        self.out, _ = await loop.connect_write_pipe(lambda: _Closing(closed), self.results)
        if self.logs is not None:
            name, level = self.logs
            logger = logging.getLogger(name)
            logger.addHandler(_Forward(self.out, loop, level))
            logger.setLevel(level)
        try:
            shared = initializer(*initargs) if initializer is not None else None
            if isinstance(shared, AbstractAsyncContextManager):
                await shared.__aenter__()
        except Exception as exc:  # no traceback on the terminal: each job gets the reason
            self.broken = exc
            shared = None
        try:
            await self._run_jobs()
        finally:
            if isinstance(shared, AbstractAsyncContextManager):
                await shared.__aexit__(None, None, None)
        await asyncio.sleep(0)  # the log records sent from other threads, written first
        self.out.close()
        await closed

    async def _run_jobs(self) -> None:
        loop = asyncio.get_running_loop()
        reader, _ = await loop.connect_read_pipe(lambda: _JobFrames(self), self.jobs)
        await self.stopped.wait()
        reader.close()
        while self.running:
            await asyncio.gather(*self.running, return_exceptions=True)

    def job(self, data: bytes) -> None:
        if data in (_STOP, _ABORT):
            self.told = True
            self.stop(abort=data == _ABORT)
            return
        number, func, args = pickle.loads(data)
        if self.broken is not None:
            self._reply(number, (False, self.broken))
            return
        if inspect.iscoroutinefunction(func):
            task = asyncio.get_running_loop().create_task(self._await(number, func(*args)))
            self.running.add(task)
            task.add_done_callback(self.running.discard)
            return
        try:
            reply: tuple[bool, object] = (True, func(*args))
        except Exception as exc:
            reply = (False, exc)
        self._reply(number, reply)

    def stop(self, *, abort: bool) -> None:
        """Take no more jobs; with ``abort``, cancel the coroutine jobs still running."""
        if abort:
            for task in self.running:
                task.cancel()
        self.stopped.set()

    async def _await(self, number: int, job: Any) -> None:
        try:
            reply: tuple[bool, object] = (True, await job)
        except Exception as exc:
            reply = (False, exc)
        self._reply(number, reply)

    def _reply(self, number: int, reply: tuple[bool, object]) -> None:
        try:
            payload = pickle.dumps(reply, pickle.HIGHEST_PROTOCOL)
        except Exception as exc:
            payload = pickle.dumps((False, WorkerError(f"unpicklable result: {exc}")))
        assert self.out is not None
        self.out.write(_frame(b"%d:" % number + payload))


class _Forward(logging.Handler):
    """Sends each record down the results pipe, its message formatted here (its arguments
    may not pickle): the caller's process handles it."""

    def __init__(
        self, out: asyncio.WriteTransport, loop: asyncio.AbstractEventLoop, level: int
    ) -> None:
        super().__init__(level)
        self.out = out
        self.loop = loop

    def emit(self, record: logging.LogRecord) -> None:
        attrs = {
            "name": record.name,
            "levelno": record.levelno,
            "levelname": record.levelname,
            "msg": record.getMessage(),
            "created": record.created,
            "msecs": record.msecs,
            "processName": multiprocessing.current_process().name,
            "process": record.process,
            "exc_text": self.formatted_exception(record),
        }
        frame = _frame(_LOG + pickle.dumps(attrs, pickle.HIGHEST_PROTOCOL))
        with contextlib.suppress(RuntimeError):  # the loop has closed: the process is stopping
            self.loop.call_soon_threadsafe(self._write, frame)

    def _write(self, frame: bytes) -> None:
        if not self.out.is_closing():
            self.out.write(frame)

    @staticmethod
    def formatted_exception(record: logging.LogRecord) -> str | None:
        if record.exc_info:
            return logging.Formatter().formatException(record.exc_info)
        return record.exc_text


class _JobFrames(_Frames):
    def __init__(self, worker: _Worker) -> None:
        super().__init__(worker.job)
        self.worker = worker

    def connection_lost(self, exc: Exception | None) -> None:
        # Closed without a stop frame: the parent has gone, and nobody waits for the results
        # of what runs; stop it (where the kernel kills the process with its parent, it is
        # dead before this).
        self.worker.stop(abort=not self.worker.told)


class _Closing(asyncio.Protocol):
    """Resolves ``closed`` once the results pipe is closed (its buffer written out)."""

    def __init__(self, closed: asyncio.Future[None]) -> None:
        self.closed = closed

    def connection_lost(self, exc: Exception | None) -> None:
        if not self.closed.done():
            self.closed.set_result(None)
