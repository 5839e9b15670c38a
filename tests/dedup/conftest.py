"""Fixtures of the dedup tests: the five seeds and unrelated real articles."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest

from ingest.store import Store, dedup_models, open_store
from ingest.store.models import Base
from tests.dedup.seedlib import FIXTURES, HERE, SEED_META, Seed

DEDUP_TABLES = [
    Base.metadata.tables[name] for name in Base.metadata.tables if name.startswith("dedup_")
]
assert dedup_models.DedupEntry.__tablename__ in {t.name for t in DEDUP_TABLES}


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


def with_dedup_tables(url: str) -> Store:
    """Open the store; create the dedup tables if the migration history lacks them."""
    opened = open_store(url)
    Base.metadata.create_all(opened.engine, tables=DEDUP_TABLES)
    return opened


@pytest.fixture
def store(db_url: str) -> Iterator[Store]:
    opened = with_dedup_tables(db_url)
    yield opened
    opened.close()
