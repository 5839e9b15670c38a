"""Worker processes die with the process that started them: killed outright (``kill -9``), a
run leaves no worker behind going on with its jobs."""

from __future__ import annotations

import os
import signal
import subprocess
import sys

from tests.processes import descendants, needs_proc, wait_until_gone

OWNER = """
import asyncio, multiprocessing, os, sys, time
from ingest.workers import ProcessPool

async def main():
    pool = ProcessPool(multiprocessing.get_context("forkserver"), size=2)
    pids = await asyncio.gather(pool.call_on(0, os.getpid), pool.call_on(1, os.getpid))
    asyncio.ensure_future(pool.call_on(0, time.sleep, 3600))  # blocks that worker's loop
    asyncio.ensure_future(pool.call_on(1, asyncio.sleep, 3600))  # a job of its loop
    await asyncio.sleep(0)
    print(*pids, flush=True)
    await asyncio.sleep(3600)

asyncio.run(main())
"""


@needs_proc
def test_workers_die_when_the_process_that_started_them_is_killed() -> None:
    owner = subprocess.Popen(
        [sys.executable, "-c", OWNER], stdout=subprocess.PIPE, text=True, cwd=os.getcwd()
    )
    try:
        assert owner.stdout is not None
        workers = {int(pid) for pid in owner.stdout.readline().split()}
        tree = descendants(owner.pid)
        assert len(workers) == 2 and workers <= tree
        owner.send_signal(signal.SIGKILL)
        owner.wait(timeout=60)
        assert wait_until_gone(tree) == set()  # the workers, the fork server, all of it
    finally:
        owner.kill()
