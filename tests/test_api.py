"""The Python API as the README shows it: load settings, run, query."""

from __future__ import annotations

from pathlib import Path

import ingest

REPO = Path(__file__).resolve().parents[1]


def test_the_readme_example_runs_the_demo_and_queries_it(tmp_path: Path) -> None:
    settings = ingest.load_settings(REPO / "config", db_url=f"sqlite:///{tmp_path / 'api.db'}")
    summary = ingest.run(settings)
    assert summary.status == "completed"
    assert summary.total("new_documents") == 7
    with ingest.open_store(settings.db_url) as store, store.session() as session:
        official = list(ingest.stories(session, ingest.Filters(outlet="kukarkab.go.id")))
        assert len(official) == 2
        release = max(official, key=lambda s: len(s.members))
        assert release.members[0].relation == "canonical"
        assert {m.outlet for m in release.members} >= {"kukarkab.go.id", "amanahummat.com"}
        texts = list(ingest.documents(session, ingest.Filters(text="lintas sektoral")))
        assert texts and all(d.story_id == release.story_id for d in texts)
