"""Fixtures of the dedup tests: the five seeds and unrelated real articles."""

from __future__ import annotations

import json

import pytest

from tests.dedup.seedlib import FIXTURES, HERE, SEED_META, Seed


@pytest.fixture(scope="session")
def seeds() -> dict[str, Seed]:
    out = {}
    for path in sorted((HERE / "data" / "seeds").glob("*.txt")):
        name = path.name[:3]
        outlet, published, event = SEED_META[name]
        out[name] = Seed(name, outlet, published, event, path.read_text(encoding="utf-8"))
    return out


@pytest.fixture(scope="session")
def unrelated() -> list[dict[str, str]]:
    lines = (FIXTURES / "indosum" / "sample.jsonl").read_text(encoding="utf-8").splitlines()
    return [json.loads(line) for line in lines]
