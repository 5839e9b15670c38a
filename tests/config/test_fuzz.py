"""Property: whatever the files and the environment hold, loading the configuration gives
settings or one ConfigError of one line, never another exception (a traceback at the terminal).

The TOML is built from the real keys and sections with values of every type and edge (booleans
for numbers, infinities, control characters, NULs, unknown zones, broken cron), beside raw text
and bytes; the environment from the real variable names with arbitrary text."""

from __future__ import annotations

import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pydantic import BaseModel

from ingest.config import ENV_PREFIX, Settings, SourceConfig, load_settings
from ingest.errors import ConfigError

FUZZ = settings(
    max_examples=200,
    derandomize=True,
    database=None,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)


def _keys(model: type[BaseModel], prefix: str = "") -> list[tuple[str, str]]:
    """(section, key) for every setting."""
    found = []
    for name, field in model.model_fields.items():
        annotation = field.annotation
        if isinstance(annotation, type) and issubclass(annotation, BaseModel):
            found += [(name, key) for _, key in _keys(annotation)]
        elif name not in ("sources", "config_dir"):
            found.append((prefix, name))
    return found


SETTINGS_KEYS = _keys(Settings)
SOURCE_KEYS = [*SourceConfig.model_fields, "colour"]
SECTIONS = sorted({section for section, _ in SETTINGS_KEYS} | {"schedule.groups", "nowhere"})

TOML_VALUES = st.one_of(
    st.sampled_from(
        [
            "true",
            "false",
            "0",
            "-1",
            "1",
            "3",
            "2.5",
            "1e300",
            "-1e300",
            "inf",
            "-inf",
            "nan",
            "99999999999999999999999",
            '""',
            '"yes"',
            '"no"',
            '"2"',
            '"Asia/Makassar"',
            '"Asia"',
            '"Mars/Olympus"',
            '"UTC"',
            '"0 6 * * *"',
            '"*/30 * * * *"',
            '"61 * * * *"',
            '"30m"',
            '"0m"',
            '"every blue moon"',
            '"a\\r\\nb"',
            '"a\\u0000b"',
            '"rss"',
            '"html_dir"',
            '"https://example.com/feed"',
            '"sqlite:///x.db"',
            "[]",
            '["10.0.0.0/8"]',
            "[1, 2]",
            '[["a"]]',
            "{}",
            '{ morning = "0 6 * * *" }',
            "{ a = 1 }",
            "1979-05-27",
            "07:32:00",
            "1979-05-27T07:32:00Z",
            '"""multi\nline"""',
            "'literal\\path'",
        ]
    ),
    st.integers().map(str),
    st.floats(allow_nan=False, allow_infinity=False).map(repr),
    st.text(max_size=20).map(lambda t: '"' + t.replace("\\", "\\\\").replace('"', '\\"') + '"'),
)


@st.composite
def settings_toml(draw: st.DrawFn) -> str:
    lines = []
    for _ in range(draw(st.integers(0, 8))):
        if draw(st.booleans()):
            lines.append(f"[{draw(st.sampled_from(SECTIONS))}]")
        section, key = draw(st.sampled_from(SETTINGS_KEYS))
        if section and draw(st.booleans()):
            key = f"{section}.{key}"
        lines.append(f"{key} = {draw(TOML_VALUES)}")
    return "\n".join(lines) + "\n"


@st.composite
def sources_toml(draw: st.DrawFn) -> str:
    lines = []
    for index in range(draw(st.integers(0, 3))):
        lines += ["[[sources]]", f'name = "s{index}"', 'kind = "rss"', 'url = "https://e.id/f"']
        for _ in range(draw(st.integers(0, 4))):
            lines.append(f"{draw(st.sampled_from(SOURCE_KEYS))} = {draw(TOML_VALUES)}")
    return "\n".join(lines) + "\n"


ENV_NAMES = [
    ENV_PREFIX + (f"{section}__{key}" if section else key).upper().replace(".", "__")
    for section, key in SETTINGS_KEYS
] + ["INGEST_FETCH", "INGEST_SCHEDULE__GROUPS", "INGEST_FETCH__NOPE", "INGEST_SOURCES"]

ENVIRON = st.dictionaries(
    st.sampled_from(ENV_NAMES),
    st.one_of(
        st.sampled_from(["", "true", "yes", "1", "inf", "nan", "-1", "[]", "{}", '["a"]', "null"]),
        st.text(st.characters(blacklist_categories=["Cs"], blacklist_characters="\x00")),
    ),
    max_size=4,
)


def loads_or_says_why(sources: bytes, settings_file: bytes | None, environ: dict[str, str]) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        (folder / "sources.toml").write_bytes(sources)
        if settings_file is not None:
            (folder / "settings.toml").write_bytes(settings_file)
        try:
            load_settings(folder, environ=environ)
        except ConfigError as exc:
            assert str(exc) and "\n" not in str(exc), repr(str(exc))


@FUZZ
@given(sources=sources_toml(), settings_file=settings_toml(), environ=ENVIRON)
def test_settings_built_from_real_keys_load_or_give_one_config_error(
    sources: str, settings_file: str, environ: dict[str, str]
) -> None:
    loads_or_says_why(sources.encode(), settings_file.encode(), environ)


@FUZZ
@given(
    sources=st.one_of(st.binary(max_size=200), st.text(max_size=200).map(str.encode)),
    settings_file=st.one_of(
        st.none(),
        st.binary(max_size=200),
        st.text(max_size=200).map(lambda t: t.encode("utf-16")),
        st.text(max_size=200).map(str.encode),
    ),
)
def test_any_bytes_load_or_give_one_config_error(
    sources: bytes, settings_file: bytes | None
) -> None:
    loads_or_says_why(sources, settings_file, {})
