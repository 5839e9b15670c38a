"""Developer helper: ``python -m ingest.store.revision "message"`` autogenerates a migration."""

from __future__ import annotations

import sys
import tempfile

from alembic import command
from sqlalchemy import create_engine

from ingest.store.migrate import _config, upgrade_schema


def main() -> None:
    message = sys.argv[1] if len(sys.argv) > 1 else "schema change"
    with tempfile.TemporaryDirectory() as tmp:
        engine = create_engine(f"sqlite:///{tmp}/revision.db")
        upgrade_schema(engine)
        config = _config()
        with engine.begin() as connection:
            config.attributes["connection"] = connection
            command.revision(config, message=message, autogenerate=True)


if __name__ == "__main__":
    main()
