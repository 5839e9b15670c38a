"""Build the bundled demo from the seed texts: ``python demo/build_demo.py [--out DIR]``.

Writes ``web/<host>/...`` (pages, feeds, sitemaps, robots.txt of six outlets) and ``seeds.jsonl``
into ``DIR`` (default: this folder). Standard library only; the output is byte-for-byte the same
on every run, so the committed files can be checked against a fresh build.
"""

from __future__ import annotations

import argparse
import logging
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from builder import build_site  # noqa: E402

logger = logging.getLogger("build_demo")


def main(argv: list[str] | None = None) -> int:
    """Parse the command line, build the demo, report what was written."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--out", type=Path, default=HERE, help="output folder (default: %(default)s)"
    )
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    written = build_site(HERE, args.out)
    logger.info("wrote %d files under %s", len(written), args.out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
