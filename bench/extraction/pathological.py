"""CPU time to extract generated pathological pages, with the markup bounds on (the default
``extract.max_elements`` and ``extract.max_attributes``) and off (0)::

    python bench/extraction/pathological.py            # bounds on only: milliseconds
    python bench/extraction/pathological.py --off      # also without bounds: minutes

Each page is an article of two paragraphs plus one of: an element with N attributes, or N
small elements. Figures in this folder's README.
"""

from __future__ import annotations

import argparse
import time

from ingest.config import ExtractSettings
from ingest.page import PageJob, _extract_local
from ingest.records import Candidate

PARAGRAPH = "<p>" + "Rapat koordinasi lintas sektoral digelar di Tenggarong. " * 6 + "</p>"


def attributes(count: int) -> str:
    names = " ".join(f'a{i}="{i}"' for i in range(count))
    return f"<html><body><article><div {names}>x</div>{PARAGRAPH * 2}</article></body></html>"


def elements(count: int) -> str:
    filler = "<div><span>a</span></div>" * (count // 2)
    return f"<html><body><article>{PARAGRAPH * 3}{filler}</article></body></html>"


def cpu_seconds(html: str, settings: ExtractSettings) -> tuple[float, str]:
    url = "https://a.example/x"
    job = PageJob(
        candidate=Candidate(url=url, source="bench", outlet="a.example", html=html),
        url=url,
        outlet="a.example",
        source="bench",
        settings=settings,
        max_bytes=5_000_000,
    )
    started = time.process_time()
    try:
        outcome = f"stored, {len(_extract_local(job).text)} chars"
    except Exception as exc:  # a rejection is the expected outcome of the bounded runs
        outcome = str(exc).split(": ", 1)[1][:70]
    return time.process_time() - started, outcome


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--off", action="store_true", help="also measure without bounds")
    args = parser.parse_args()
    pages = {
        "1 element, 20,000 attributes": attributes(20_000),
        "1 element, 60,000 attributes": attributes(60_000),
        "160,000 elements": elements(160_000),
    }
    modes = {"bounds on": ExtractSettings()}
    if args.off:
        modes["bounds off"] = ExtractSettings(max_elements=0, max_attributes=0)
    for name, html in pages.items():
        for mode, settings in modes.items():
            seconds, outcome = cpu_seconds(html, settings)
            print(f"{name} ({len(html):,} bytes), {mode}: {seconds:.3f} s CPU: {outcome}")


if __name__ == "__main__":
    main()
