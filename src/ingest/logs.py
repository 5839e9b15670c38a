"""Logging for the command line: readable at a terminal, structured (JSON lines) elsewhere."""

from __future__ import annotations

import json
import logging
import sys
from datetime import UTC, datetime, tzinfo

from rich.logging import RichHandler
from rich.text import Text

__all__ = ["configure_logging"]


class JsonFormatter(logging.Formatter):
    """One JSON object per record: time (ISO 8601 with the offset of ``tz``), level, logger,
    message."""

    def __init__(self, tz: tzinfo = UTC) -> None:
        super().__init__()
        self.tz = tz

    def format(self, record: logging.LogRecord) -> str:
        when = datetime.fromtimestamp(record.created, self.tz)
        entry = {
            "time": when.isoformat(timespec="milliseconds"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": record.getMessage(),
        }
        if record.exc_info:
            entry["error"] = self.formatException(record.exc_info)
        return json.dumps(entry, ensure_ascii=False)


def configure_logging(verbosity: int = 0, tz: tzinfo = UTC) -> None:
    """WARNING by default, INFO with ``-v``, DEBUG with ``-vv``; the ``ingest`` logger only.
    Times are in ``tz`` (the configured ``timezone`` once the settings are read)."""
    level = [logging.WARNING, logging.INFO, logging.DEBUG][min(verbosity, 2)]
    handler: logging.Handler
    if sys.stderr.isatty():

        def local_time(when: datetime) -> Text:  # Rich gives the machine's local time, naive
            return Text(when.astimezone(tz).strftime("[%H:%M:%S]"))

        handler = RichHandler(show_path=False, markup=False, log_time_format=local_time)
        handler.setFormatter(logging.Formatter("%(message)s"))
    else:
        handler = logging.StreamHandler(sys.stderr)
        handler.setFormatter(JsonFormatter(tz))
    logger = logging.getLogger("ingest")
    logger.handlers = [h for h in logger.handlers if isinstance(h, logging.NullHandler)]
    logger.addHandler(handler)
    logger.setLevel(level)
