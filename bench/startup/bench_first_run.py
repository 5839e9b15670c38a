"""The first ``ingest run`` of the demo after a fresh install, for one or more revisions.

    .venv/bin/python bench/startup/bench_first_run.py [--rounds 3] REV [REV ...]

Each round and revision: the revision's files (``git archive``) in a new folder, a new venv,
``pip install -e .`` as the README says, then ``ingest run`` of the bundled demo twice on a new
SQLite store each time, right after one another: the first run pays what a fresh install
pays (numba's kernels, Python's bytecode), the second what is left of it. Revisions alternate
within a round, so the machine's load falls on each alike. Prints the median wall times.
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


def install(rev: str, folder: Path) -> Path:
    """``rev`` installed in a new venv under ``folder``; returns the venv's ``ingest``."""
    source = folder / "src"
    source.mkdir(parents=True)
    archive = subprocess.run(
        ["git", "-C", str(REPO), "archive", rev], check=True, capture_output=True
    ).stdout
    subprocess.run(["tar", "-x", "-C", str(source)], input=archive, check=True)
    venv = folder / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    subprocess.run(
        [str(venv / "bin" / "pip"), "install", "-q", "-e", str(source)],
        check=True, capture_output=True,
    )  # fmt: skip
    return venv / "bin" / "ingest"


def demo_run(ingest: Path, folder: Path, name: str) -> float:
    """Seconds for one ``ingest run`` of the demo on a new store."""
    config = ingest.parents[2] / "src" / "config"
    env = {k: v for k, v in os.environ.items() if not k.startswith(("NUMBA_", "PREFECT_API"))}
    env["INGEST_DB_URL"] = f"sqlite:///{folder / name}.db"
    start = time.perf_counter()
    done = subprocess.run(
        [str(ingest), "--config", str(config), "run"], env=env, capture_output=True, text=True
    )
    elapsed = time.perf_counter() - start
    if done.returncode != 0:
        raise SystemExit(f"ingest run failed ({done.returncode}):\n{done.stderr[-2000:]}")
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("revs", nargs="+")
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    first: dict[str, list[float]] = {rev: [] for rev in args.revs}
    second: dict[str, list[float]] = {rev: [] for rev in args.revs}
    with tempfile.TemporaryDirectory(prefix="ingest-first-run-") as tmp:
        for round_ in range(args.rounds):
            for rev in args.revs:
                folder = Path(tmp) / f"{round_}-{rev}"
                ingest = install(rev, folder)
                first[rev].append(demo_run(ingest, folder, "first"))
                second[rev].append(demo_run(ingest, folder, "second"))
                times = f"{first[rev][-1]:.1f} s, then {second[rev][-1]:.1f} s"
                print(f"round {round_ + 1} {rev}: {times}", flush=True)
    cores = os.cpu_count()
    print(f"ingest run of the demo after a fresh install ({cores} cores), median wall time")
    for rev in args.revs:
        each = ", ".join(f"{t:.1f}" for t in first[rev])
        again = ", ".join(f"{t:.1f}" for t in second[rev])
        print(
            f"{rev:<12} first run {statistics.median(first[rev]):5.1f} s ({each}); "
            f"second {statistics.median(second[rev]):5.1f} s ({again})"
        )
    print(f"(load average at the end: {', '.join(f'{x:.1f}' for x in os.getloadavg())})")


if __name__ == "__main__":
    main()
