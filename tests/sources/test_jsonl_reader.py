"""The JSONL reader: lines split on ``\\n`` only, every line checked before any is given, one
InputError naming the line for anything wrong, memory bounded whatever the file's size."""

from __future__ import annotations

import json
import tracemalloc
from collections.abc import Callable
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ingest import source_run
from ingest.config import ImportSettings
from ingest.errors import InputError
from ingest.records import Candidate
from ingest.source_run import _chunks
from ingest.sources.jsonl import read_jsonl

TEXT = "TENGGARONG – Rapat koordinasi lintas sektoral digelar di Gedung PKM. " * 5


def _line(url: str, **fields: object) -> str:
    return json.dumps({"url": url, "text": TEXT, **fields})


def _read(path: Path, content: str | bytes, **options: object) -> list[Candidate]:
    path.write_bytes(content if isinstance(content, bytes) else content.encode("utf-8"))
    return list(read_jsonl(path, settings=ImportSettings(**options)))  # type: ignore[arg-type]


def _error(path: Path, content: str | bytes, **options: object) -> str:
    with pytest.raises(InputError) as raised:
        _read(path, content, **options)
    message = str(raised.value)
    assert "\n" not in message
    return message


def test_unicode_line_separators_inside_strings_are_text(tmp_path: Path) -> None:
    lines = [
        json.dumps({"url": "https://a.example/1", "text": f"satu{sep}dua"}, ensure_ascii=False)
        for sep in ("\u2028", "\u2029", "\x85", "\x0b\x0c\x1c")
    ]
    path = tmp_path / "seps.jsonl"
    content = "\n".join(line.replace("/1", f"/{i}") for i, line in enumerate(lines)) + "\n"
    got = _read(path, content)
    assert [c.text for c in got] == [
        "satu\u2028dua",
        "satu\u2029dua",
        "satu\x85dua",
        "satu\x0b\x0c\x1cdua",
    ]


def test_a_byte_order_mark_and_crlf_line_ends_are_accepted(tmp_path: Path) -> None:
    content = (
        b"\xef\xbb\xbf"
        + "\r\n".join([_line("https://a.example/1"), "", _line("https://a.example/2")]).encode()
        + b"\r\n"
    )
    assert [c.url for c in _read(tmp_path / "bom.jsonl", content)] == [
        "https://a.example/1",
        "https://a.example/2",
    ]


@pytest.mark.parametrize(
    ("record", "expected"),
    [
        ({"url": "http://a b.example/"}, "whitespace"),
        ({"url": "http://a.example:99999/"}, "Port out of range"),
        ({"url": "http://a.example:0/"}, "port 0"),
        ({"url": "http://[::1/x"}, "not a valid URL"),
        ({"url": "http://host\\@x.example/"}, "backslash"),
        ({"url": "http://-bad-.example/"}, "not a valid host name"),
        ({"url": "ftp://a.example/"}, "absolute http(s) URL"),
        ({"url": 5}, "'url' must be a string"),
        ({"url": "https://a.example/", "published_at": "2024-13-45"}, "not ISO 8601"),
        ({"url": "https://a.example/", "title": "\ud800"}, "lone surrogate"),
        ({"url": "https://a.example/", "text": ""}, "exactly one of"),
        ({"url": "https://a.example/", "author": "x"}, "unknown key 'author'"),
    ],
)
def test_a_bad_value_is_one_line_naming_the_line(
    tmp_path: Path, record: dict[str, object], expected: str
) -> None:
    bad = json.dumps({"text": TEXT, **record})
    message = _error(tmp_path / "bad.jsonl", f"{_line('https://ok.example/1')}\n{bad}\n")
    assert message.startswith(f"{tmp_path / 'bad.jsonl'}:2: ")
    assert expected in message


def test_deep_nesting_and_huge_numbers_are_one_line_errors(tmp_path: Path) -> None:
    assert "nested too deeply" in _error(tmp_path / "deep.jsonl", "[" * 200_000 + "]" * 200_000)
    assert "invalid JSON" in _error(tmp_path / "digits.jsonl", '{"url": ' + "9" * 10_000 + "}")
    assert "not UTF-8" in _error(tmp_path / "latin1.jsonl", b'{"url": "caf\xe9"}\n')


def test_a_line_over_the_cap_is_refused_by_number_without_being_read(tmp_path: Path) -> None:
    long_line = _line("https://a.example/2", title="x" * 5_000)
    content = "\n".join([_line("https://a.example/1"), long_line, _line("https://a.example/3")])
    message = _error(tmp_path / "long.jsonl", content, max_line_bytes=2_000)
    assert message.endswith(":2: line longer than 2,000 bytes (imports.max_line_bytes)")
    got = _read(tmp_path / "long.jsonl", content, max_line_bytes=2_000, keep_going=True)
    assert [c.url for c in got] == ["https://a.example/1", "https://a.example/3"]


def test_keep_going_skips_bad_lines_and_repeats_and_counts_them(tmp_path: Path) -> None:
    path = tmp_path / "mixed.jsonl"
    lines = [
        _line("https://a.example/1"),
        "not json",
        _line("https://a.example/2"),
        _line("https://a.example/1"),  # a repeat: the first one is kept
        _line("https://a.example/3", published_at="2024-13-45"),
    ]
    path.write_text("\n".join(lines) + "\n")
    assert f"{path}:2: invalid JSON" in _error(path, path.read_bytes())
    documents = read_jsonl(path, settings=ImportSettings(keep_going=True))
    assert [c.url for c in documents] == ["https://a.example/1", "https://a.example/2"]
    assert len(documents) == 2
    assert [r.message.split(": ")[0] for r in documents.rejected] == [
        f"{path}:{n}" for n in (2, 4, 5)
    ]
    assert {r.reason for r in documents.rejected} == {"bad_line"}


def _big_file(tmp_path: Path) -> Path:
    """A 24 MB file: 1,000 documents of 24 KB."""
    path = tmp_path / "big.jsonl"
    body = "Paragraf berita daerah. " * 1_000
    with path.open("w") as handle:
        for i in range(1_000):
            handle.write(json.dumps({"url": f"https://a.example/{i}", "text": body}) + "\n")
    assert path.stat().st_size > 24_000_000
    return path


def _peak(func: Callable[[], int]) -> tuple[int, int]:
    """What ``func`` returns and the most memory it held at once, in bytes."""
    tracemalloc.start()
    try:
        result = func()
        return result, tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def test_the_reader_holds_one_line_at_a_time_not_the_file(tmp_path: Path) -> None:
    """Reading a 24 MB file allocates far less than the file at any moment: each line is
    read, given and dropped (what stays is a 16-byte digest per URL)."""
    path = _big_file(tmp_path)
    count, peak = _peak(lambda: sum(1 for _ in read_jsonl(path)))
    assert count == 1_000
    assert peak < path.stat().st_size / 8, f"peak {peak:,} bytes"


def test_a_run_takes_a_file_one_chunk_at_a_time(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The run hands a file's documents on in chunks (here of 50), each read when the one
    before is done: never the whole file at once."""
    monkeypatch.setattr(source_run, "CHUNK_DOCUMENTS", 50)
    path = _big_file(tmp_path)
    sizes: list[int] = []
    count, peak = _peak(
        lambda: sum(sizes.append(len(c)) or len(c) for c in _chunks(read_jsonl(path)))
    )
    assert count == 1_000 and set(sizes) == {50}
    assert peak < path.stat().st_size / 8, f"peak {peak:,} bytes"


_FIELD_VALUES = st.one_of(
    st.text(max_size=40),
    st.sampled_from(
        ["https://a.example/x", "http://a b/", "http://[::1", "2024-09-03", "2024-13-45", "\ud800"]
    ),
    st.integers(),
    st.none(),
    st.lists(st.integers(), max_size=3),
)
_RECORDS = st.dictionaries(
    st.sampled_from(["url", "html", "text", "title", "outlet", "published_at", "x"]),
    _FIELD_VALUES,
    max_size=6,
)
_LINES = st.one_of(
    _RECORDS.map(lambda r: json.dumps(r).encode("utf-8", "surrogatepass")),
    _RECORDS.map(lambda r: json.dumps(r, ensure_ascii=False).encode("utf-8", "surrogatepass")),
    st.binary(max_size=60),
    st.text(max_size=60).map(lambda t: t.encode("utf-8", "surrogatepass")),
)


@settings(
    max_examples=300,
    derandomize=True,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(lines=st.lists(_LINES, max_size=5), keep_going=st.booleans())
def test_any_input_gives_documents_or_one_input_error(
    tmp_path: Path, lines: list[bytes], keep_going: bool
) -> None:
    path = tmp_path / "fuzz.jsonl"
    path.write_bytes(b"\n".join(lines))
    try:
        documents = read_jsonl(
            path, settings=ImportSettings(keep_going=keep_going, max_line_bytes=200)
        )
        got = list(documents)
    except InputError as exc:
        assert str(exc).startswith(f"{path}:") and "\n" not in str(exc)
        assert not keep_going
        return
    assert len(got) == len(documents)
    for candidate in got:
        candidate.url.encode("utf-8")
        assert (candidate.html is None) != (candidate.text is None)
