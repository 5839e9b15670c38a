"""The store: models, engine and sessions, migrations, repository functions."""

from ingest.store.engine import Store, mask_url, open_store

__all__ = ["Store", "mask_url", "open_store"]
