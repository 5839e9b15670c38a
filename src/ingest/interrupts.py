"""Ctrl-C and SIGTERM during a run: the run stops at once and says it was interrupted::

    signals = StopSignals()
    summaries = asyncio.run(signals.around(work()))   # Interrupted if a signal came
    signals.check()                                    # the same, had the work ended anyway

The first signal cancels the run's main task (its sources, and through them its page workers,
stop); a second one ends the process's loop at once. The signal is remembered, not inferred
from how the work ended: a run that a signal reached is never reported as completed, even if
a cancellation got lost on the way. Outside the main thread (a Prefect task) signals are not
this code's to handle.
"""

from __future__ import annotations

import asyncio
import logging
import signal
import threading
from collections.abc import Coroutine
from typing import Any, TypeVar

from ingest.errors import Interrupted

__all__ = ["StopSignals"]

log = logging.getLogger(__name__)

T = TypeVar("T")

SIGNALS = (signal.SIGINT, signal.SIGTERM)


class StopSignals:
    """The signals that stop a run, while :meth:`around` runs its work."""

    def __init__(self) -> None:
        self.signum: int | None = None

    async def around(self, work: Coroutine[Any, Any, T]) -> T:
        """Await ``work``, stopping it on SIGINT or SIGTERM; Interrupted then."""
        loop = asyncio.get_running_loop()
        task = asyncio.current_task()
        installed = []
        if threading.current_thread() is threading.main_thread() and task is not None:
            for sig in SIGNALS:
                try:
                    loop.add_signal_handler(sig, self._received, sig, task)
                except (NotImplementedError, RuntimeError, ValueError):  # not on this platform
                    continue
                installed.append(sig)
        try:
            result = await work
        except asyncio.CancelledError:
            self.check()
            raise
        finally:
            for sig in installed:
                loop.remove_signal_handler(sig)
        self.check()
        return result

    def check(self) -> None:
        """Raise Interrupted if a signal came."""
        if self.signum is not None:
            raise Interrupted(self.signum)

    def _received(self, sig: signal.Signals, task: asyncio.Task[Any]) -> None:
        if self.signum is not None:
            raise KeyboardInterrupt  # the second one: stop now
        self.signum = sig
        log.warning("%s received: stopping the run", sig.name)
        task.cancel()
