"""Start-up cost of a manual ``ingest run`` of the bundled demo, by execution path.

    .venv/bin/python bench/startup/bench_startup.py [--repeat 2]

Each measurement is the wall time of a fresh ``ingest run`` process on an empty SQLite store:

- fast path: no Prefect server configured, so the pipeline runs in-process and Prefect is never
  imported (``run_mode = "auto"``);
- baseline: the same run as a Prefect flow with no server configured, which is what Prefect does
  by default: it starts an ephemeral API server, first with a fresh ``PREFECT_HOME`` (cold), then
  with the database it left behind (warm);
- a running ``prefect server start`` (``PREFECT_API_URL`` set): the flow is run in-process and
  recorded by the server. The server's own start-up is printed separately.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
CLI = [sys.executable, "-c", "from ingest.cli import main; main()"]
QUIET = {"PREFECT_SERVER_ANALYTICS_ENABLED": "false", "DO_NOT_TRACK": "1",
         "PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS": "120",
         "PREFECT_LOGGING_LEVEL": "WARNING"}  # fmt: skip


def ingest_run(work: Path, env: dict[str, str]) -> float:
    """Seconds for one ``ingest run`` of the demo on a new store."""
    db = work / f"run-{time.monotonic_ns()}.db"
    full = {**os.environ, **QUIET, **env, "INGEST_DB_URL": f"sqlite:///{db}"}
    full.pop("PREFECT_API_URL", None) if "PREFECT_API_URL" not in env else None
    start = time.perf_counter()
    result = subprocess.run(
        [*CLI, "--config", str(REPO / "config"), "run"], env=full, capture_output=True, text=True
    )
    elapsed = time.perf_counter() - start
    if result.returncode not in (0, 1):
        raise SystemExit(f"ingest run failed ({result.returncode}):\n{result.stderr[-2000:]}")
    return elapsed


def start_server(home: Path) -> tuple[subprocess.Popen[bytes], str, float]:
    sys.path.insert(0, str(REPO / "src"))
    from ingest.serving import free_port

    port = free_port()
    url = f"http://127.0.0.1:{port}/api"
    env = {**os.environ, **QUIET, "PREFECT_HOME": str(home)}
    start = time.perf_counter()
    server = subprocess.Popen(
        [sys.executable, "-m", "prefect", "server", "start", "--host", "127.0.0.1",
         "--port", str(port)],
        env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True,
    )  # fmt: skip
    import httpx

    while True:
        try:
            if httpx.get(f"{url}/health", timeout=2).status_code == 200:
                return server, url, time.perf_counter() - start
        except httpx.HTTPError:
            pass
        if server.poll() is not None or time.perf_counter() - start > 180:
            raise SystemExit("prefect server did not start")
        time.sleep(0.5)


def row(name: str, times: list[float], base: float | None) -> str:
    median = statistics.median(times)
    ratio = f"{base / median:5.1f}x" if base else "  1.0x"
    each = ", ".join(f"{t:.1f}" for t in times)
    return f"{name:<46} {median:7.1f} s   {ratio} faster than baseline   ({each})"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=2)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="ingest-bench-") as tmp:
        work = Path(tmp)
        fast_home, eph_home, srv_home = (work / n for n in ("fast", "ephemeral", "server"))
        for home in (fast_home, eph_home, srv_home):
            home.mkdir()
        flow_env = {"PREFECT_HOME": str(eph_home), "INGEST_SCHEDULE__RUN_MODE": "prefect"}
        server, url, server_start = start_server(srv_home)
        served_env = {"PREFECT_HOME": str(srv_home), "PREFECT_API_URL": url}
        fast_env = {"PREFECT_HOME": str(fast_home)}
        fast, warm, served = [], [], []
        try:
            cold = [ingest_run(work, flow_env)]
            # Interleaved rounds, so that load from other processes falls on every path alike.
            for _ in range(args.repeat):
                fast.append(ingest_run(work, fast_env))
                warm.append(ingest_run(work, flow_env))
                served.append(ingest_run(work, served_env))
        finally:
            server.terminate()
            server.wait(timeout=60)
    base = statistics.median(cold)
    print(f"ingest run of the demo ({os.cpu_count()} cores), median wall time per process")
    print(row("baseline: flow, ephemeral server, fresh home", cold, None))
    print(row("baseline: flow, ephemeral server, warm home", warm, base))
    print(row("flow against a running Prefect server", served, base))
    print(row("fast path: in-process, Prefect not imported", fast, base))
    print(f"(prefect server start, fresh database, until healthy: {server_start:.1f} s)")
    print(f"(load average at the end: {', '.join(f'{x:.1f}' for x in os.getloadavg())})")


if __name__ == "__main__":
    main()
