"""Every error of the tree crosses a process boundary whole: a page worker sends back what a
discovery fetch raised (an HTTP 404 of a child sitemap, a redirect to a URL with a backslash)
and the run counts it by its class and attributes."""

from __future__ import annotations

import pickle
import signal

import pytest

from ingest import errors
from ingest.errors import IngestError

EXAMPLES: list[IngestError] = [
    errors.ConfigError("config/settings.toml: fetch.retries: not a number"),
    errors.SourceError("kukar", "malformed feed"),
    errors.SourceBusy("kukar", "already being ingested by run 3"),
    errors.FetchError("https://kukar.example/a", "HTTPError: x"),
    errors.HTTPStatusError("https://kukar.example/a", 503, 2.5),
    errors.InvalidURL("http://kukar.example\\@evil.example/", "not a valid URL: backslash"),
    errors.BlockedAddress("https://kukar.example/a", "non-public address 10.0.0.1"),
    errors.TooLarge("https://kukar.example/sitemap.xml", "body exceeds 52428800 bytes"),
    errors.NotAnArticle("https://kukar.example/a", "listing", "Indeks Berita"),
    errors.StoreError("database is locked"),
    errors.Interrupted(signal.SIGTERM),
]


def test_examples_cover_every_error_with_attributes_of_its_own() -> None:
    with_init = {
        cls
        for name in errors.__all__
        if isinstance(cls := getattr(errors, name), type) and "__init__" in vars(cls)
    }
    assert with_init <= {type(e) for e in EXAMPLES} | {c for e in EXAMPLES for c in type(e).__mro__}


@pytest.mark.parametrize("error", EXAMPLES, ids=lambda e: type(e).__name__)
def test_error_pickles_with_its_message_and_attributes(error: IngestError) -> None:
    copy = pickle.loads(pickle.dumps(error, pickle.HIGHEST_PROTOCOL))
    assert type(copy) is type(error)
    assert str(copy) == str(error)
    assert vars(copy) == vars(error)
    assert getattr(copy, "error_class", None) == getattr(error, "error_class", None)
