"""Features computed beforehand (the pipeline computes them in its extraction processes) give
``assign_batch`` exactly what it computes itself, and survive the trip between processes."""

from __future__ import annotations

import pickle
import random
from collections.abc import Callable, Sequence

import numpy as np
import pytest
from sqlalchemy.orm import Session

from ingest.dedup import Assignment, assign_batch
from ingest.dedup.features import Features, featurize
from tests.dedup.seedlib import Seed
from tests.dedup.test_batch import SETTINGS, Outcome, Spec, _add, _mixed_specs, _outcome
from tests.dedup.test_batch import rolled_back as rolled_back  # the fixture

Given = Callable[[Sequence[Spec]], Sequence[Features | None] | None]


def _same(a: Features, b: Features) -> bool:
    """Equal features (the signature is an array, which ``==`` compares element-wise)."""
    fields = ("sentences", "sentence_words", "sentence_keys", "sentence_shingles", "shingles")
    return all(getattr(a, f) == getattr(b, f) for f in fields) and np.array_equal(
        a.signature, b.signature
    )


def test_one_text_at_a_time_equals_the_batch_and_pickles(
    seeds: dict[str, Seed], unrelated: list[dict[str, str]]
) -> None:
    texts = [s.text for s in seeds.values()] + [a["text"] for a in unrelated]
    batched = featurize(texts, SETTINGS)
    for text, together in zip(texts, batched, strict=True):
        alone = featurize([text], SETTINGS)[0]
        assert _same(alone, together)
        carried = pickle.loads(pickle.dumps(alone))
        assert _same(carried, together)
        assert carried.signature.dtype == together.signature.dtype


def _assign(session: Session, specs: Sequence[Spec], given: Given, size: int) -> Outcome:
    """Assign ``specs`` in batches of ``size`` with the features ``given`` returns; roll back."""
    try:
        docs = [_add(session, spec) for spec in specs]
        got: list[Assignment] = []
        for start in range(0, len(docs), size):
            part = specs[start : start + size]
            got += assign_batch(session, docs[start : start + size], SETTINGS, given(part))
        return _outcome(session, docs, got)
    finally:
        session.rollback()


def _all(part: Sequence[Spec]) -> list[Features | None]:
    return list(featurize([s.text for s in part], SETTINGS))


def _some(part: Sequence[Spec]) -> list[Features | None]:
    """Every other document's features; the rest left to ``assign_batch``."""
    return [featurize([s.text], SETTINGS)[0] if i % 2 else None for i, s in enumerate(part)]


@pytest.mark.parametrize("size", [1, 6, 100])
def test_precomputed_features_give_the_same_stories(
    rolled_back: Callable[[], Session],
    seeds: dict[str, Seed],
    unrelated: list[dict[str, str]],
    size: int,
) -> None:
    specs = _mixed_specs(seeds, unrelated)
    random.Random(size).shuffle(specs)
    session = rolled_back()
    computed = _assign(session, specs, lambda part: None, size)
    assert {m[0] for m in computed.members.values()} >= {"exact", "near_duplicate", "same_story"}
    assert _assign(session, specs, _all, size) == computed
    assert _assign(session, specs, _some, size) == computed


def test_precomputed_features_are_used(
    rolled_back: Callable[[], Session], seeds: dict[str, Seed], unrelated: list[dict[str, str]]
) -> None:
    """A document handed the features of a stored text matches that text, whatever its own."""
    stored, other = next(iter(seeds.values())), unrelated[0]
    specs = [
        Spec("https://a.id/1", stored.text, "a.id", stored.published_at),
        Spec("https://b.id/2", other["text"], "b.id", stored.published_at),
    ]
    session = rolled_back()
    own = _assign(session, specs, lambda part: None, 1)
    borrowed = _assign(session, specs, lambda part: featurize([stored.text], SETTINGS), 1)
    assert len(own.stories) == 2
    assert borrowed.stories == {frozenset({"https://a.id/1", "https://b.id/2"})}


def test_one_feature_per_document(
    rolled_back: Callable[[], Session], seeds: dict[str, Seed]
) -> None:
    seed = next(iter(seeds.values()))
    spec = Spec("https://a.id/1", seed.text, "a.id", seed.published_at)
    session = rolled_back()
    with pytest.raises(ValueError, match="2 precomputed features for 1 documents"):
        _assign(session, [spec], lambda part: featurize([seed.text] * 2, SETTINGS), 1)
