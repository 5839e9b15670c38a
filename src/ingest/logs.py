"""Logging for the command line: readable at a terminal, structured (JSON lines) elsewhere."""

from __future__ import annotations

import json
import logging
import sys
from datetime import UTC, datetime

from rich.logging import RichHandler

__all__ = ["configure_logging"]


class JsonFormatter(logging.Formatter):
    """One JSON object per record: time, level, logger, message."""

    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": record.getMessage(),
        }
        if record.exc_info:
            entry["error"] = self.formatException(record.exc_info)
        return json.dumps(entry, ensure_ascii=False)


def configure_logging(verbosity: int = 0) -> None:
    """WARNING by default, INFO with ``-v``, DEBUG with ``-vv``; the ``ingest`` logger only."""
    level = [logging.WARNING, logging.INFO, logging.DEBUG][min(verbosity, 2)]
    handler: logging.Handler
    if sys.stderr.isatty():
        handler = RichHandler(show_path=False, markup=False)
        handler.setFormatter(logging.Formatter("%(message)s"))
    else:
        handler = logging.StreamHandler(sys.stderr)
        handler.setFormatter(JsonFormatter())
    logger = logging.getLogger("ingest")
    logger.handlers = [h for h in logger.handlers if isinstance(h, logging.NullHandler)]
    logger.addHandler(handler)
    logger.setLevel(level)
