"""Settings: defaults in code, then ``config/settings.toml``, then environment variables.

Sources come from ``config/sources.toml``. Everything is validated on load, strictly (``true``
is not a number, ``"yes"`` not a boolean; schedules, time zones and durations are checked too);
a problem raises :class:`~ingest.errors.ConfigError` with one line naming the file (or the
environment variable, see :mod:`ingest.config_env`), the key and the problem::

    settings = load_settings(Path("config"))
    settings.fetch.per_host_delay        # 1.0 unless overridden
    # INGEST_FETCH__PER_HOST_DELAY=0 ingest run   overrides it from the environment

Relative paths in the files are relative to the file that names them.
"""

from __future__ import annotations

import os
import tomllib
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Annotated, Any, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, ValidationError, model_validator
from pydantic_settings import BaseSettings, PydanticBaseSettingsSource, SettingsConfigDict

from ingest.config_env import env_key, environment_values, merged
from ingest.errors import ConfigError
from ingest.schedule_spec import parse_schedule

__all__ = [
    "DEFAULT_CONFIG_DIR",
    "DEFAULT_DB_URL",
    "DedupSettings",
    "ExtractSettings",
    "FetchSettings",
    "ImportSettings",
    "ScheduleSettings",
    "Settings",
    "SourceConfig",
    "load_settings",
    "settings_reference",
]

DEFAULT_CONFIG_DIR = Path("config")
DEFAULT_DB_URL = "sqlite:///ingest.db"
ENV_PREFIX = "INGEST_"

SourceKind = Literal["rss", "sitemap", "listing", "urls", "html_dir", "jsonl"]

#: The longest duration a setting may hold: a year, in seconds.
MAX_SECONDS = 365 * 86_400.0


def _known_zone(name: str) -> str:
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, OSError):
        raise ValueError(f"unknown time zone {name!r} (e.g. Asia/Makassar)") from None
    return name


def _no_control_characters(text: str) -> str:
    if any(ord(c) < 32 or ord(c) == 127 for c in text):
        raise ValueError("must not contain control characters (line breaks, tabs)")
    return text


def _no_nul(path: Path) -> Path:
    if "\0" in str(path):
        raise ValueError("a path must not contain a NUL character")
    return path


def _schedule_text(text: str) -> str:
    try:
        parse_schedule(text, "UTC")
    except ConfigError as exc:
        raise ValueError(str(exc)) from None
    return text


#: A duration in seconds: finite, at most :data:`MAX_SECONDS`.
Seconds = Annotated[float, Field(le=MAX_SECONDS)]
#: An IANA time zone name, checked against the time zone database.
ZoneName = Annotated[str, AfterValidator(_known_zone)]
#: A local path (a string in the files): no NUL character.
LocalPath = Annotated[Path, Field(strict=False), AfterValidator(_no_nul)]
#: A list of strings (a TOML array; JSON in the environment).
Strings = Annotated[tuple[str, ...], Field(strict=False)]


class _Section(BaseModel):
    """Strict: ``true`` is not a number and ``"yes"`` not a boolean; durations are finite."""

    model_config = ConfigDict(frozen=True, extra="forbid", strict=True, allow_inf_nan=False)


class FetchSettings(_Section):
    """How pages are fetched. ``snapshot_dir`` serves every request from a local mirror
    (``<dir>/<host>/<path>``) instead of the network: the bundled demo uses it."""

    user_agent: Annotated[str, AfterValidator(_no_control_characters)] = Field(
        "ingest/0.1 (regional news monitor)",
        description="User-Agent header sent with every request; add a contact URL or address.",
    )
    connect_timeout: Seconds = Field(10.0, gt=0, description="Seconds to open a connection.")
    read_timeout: Seconds = Field(20.0, gt=0, description="Seconds to wait for each read.")
    total_timeout: Seconds = Field(60.0, gt=0, description="Seconds for a whole request.")
    max_bytes: int = Field(5_000_000, gt=0, description="Largest page accepted, in bytes.")
    max_feed_bytes: int = Field(
        52_428_800,
        gt=0,
        description="Largest feed or sitemap accepted (decompressed), in bytes; the sitemap "
        "protocol allows 50 MB (52,428,800 bytes).",
    )
    max_redirects: int = Field(5, ge=0, description="Redirects followed before giving up.")
    per_host_concurrency: int = Field(2, ge=1, description="Requests in flight per host.")
    per_host_delay: Seconds = Field(
        1.0, ge=0, description="Minimum seconds between requests to a host."
    )
    max_concurrency: int = Field(16, ge=1, description="Requests in flight in total.")
    retries: int = Field(3, ge=0, description="Retries on 429, 5xx and timeouts.")
    backoff_base: Seconds = Field(
        1.0, ge=0, description="First backoff in seconds; doubles each retry."
    )
    backoff_max: Seconds = Field(
        60.0, ge=0, description="Longest backoff between retries, seconds."
    )
    max_retry_after: Seconds = Field(
        120.0, ge=0, description="Longest Retry-After waited for; a longer one fails the URL."
    )
    max_crawl_delay: Seconds = Field(
        30.0, ge=0, description="Largest robots.txt Crawl-delay honoured, seconds."
    )
    max_sitemaps: int = Field(
        50, ge=1, description="Child sitemaps read from one sitemap index per discovery."
    )
    source_backoff_base: Seconds = Field(
        300.0, ge=0, description="Seconds a source rests after its first failure; doubles after."
    )
    source_backoff_max: Seconds = Field(
        86_400.0, ge=0, description="Longest rest of a failing source, seconds."
    )
    respect_robots: bool = Field(True, description="Honour robots.txt.")
    allow_private: Strings = Field(
        (), description="Hosts or CIDR ranges allowed even though they are private or loopback."
    )
    snapshot_dir: LocalPath | None = Field(
        None, description="Serve requests from this local mirror instead of the network."
    )


class ExtractSettings(_Section):
    """How pages become cleaned articles."""

    min_chars: int = Field(
        25, ge=0, description="Shorter cleaned bodies are never articles (too_short)."
    )
    short_chars: int = Field(
        250,
        ge=0,
        description="Shorter cleaned bodies are short articles (briefs, breaking items): stored "
        "and marked short when the page shows it is an article (article metadata, a dateline, "
        "an author or a stated publication time), else rejected as too_short.",
    )
    max_elements: int = Field(
        50_000,
        ge=0,
        description="A page with more elements is rejected before it is parsed "
        "(too_complex; 0: no bound): parsing costs time linear in them.",
    )
    max_attributes: int = Field(
        1_000,
        ge=0,
        description="A page with an element carrying more attributes is rejected before it "
        "is parsed (too_complex; 0: no bound): parsing costs time quadratic in them.",
    )
    favor_precision: bool = Field(True, description="trafilatura: prefer less boilerplate.")
    include_tables: bool = Field(False, description="trafilatura: keep table text.")
    include_comments: bool = Field(False, description="trafilatura: keep reader comments.")
    wrap_loose_text: bool = Field(
        True,
        description="Wrap loose text separated by <br> in paragraphs before extraction, so "
        "that leads written as bare text in a <div> are kept.",
    )
    default_timezone: ZoneName = Field(
        "Asia/Jakarta", description="Time zone of page dates that state none (WIB)."
    )
    reject_listing_urls: bool = Field(
        True, description="Reject home, index, category, search and tag URLs as listings."
    )
    reject_galleries: bool = Field(
        True,
        description="Reject photo and video pages whose text is shorter than short_chars "
        "(galleries are not articles); when false they are kept with their captions as text.",
    )
    listing_min_teasers: int = Field(
        3,
        ge=1,
        description="A page that calls itself an article is a listing when its body sits in "
        "this many teaser cards (a headline link to another page with a little text around "
        "it); any other page when it sits in one.",
    )
    listing_teaser_share: float = Field(
        0.5,
        gt=0,
        le=1,
        description="Share of the body's characters the teaser cards must hold for a listing.",
    )
    listing_min_stamps: int = Field(
        4,
        ge=1,
        description="A body with this many lines (and a third of its lines) carrying a teaser "
        "stamp ('28 menit lalu', '12:49 WIB'), or made of this many stamps and little else, "
        "reads like a column of teasers.",
    )
    teaser_max_chars: int = Field(
        600, ge=1, description="A teaser card holds at most this many characters of text."
    )
    teaser_min_words: int = Field(
        4, ge=1, description="Words a link's text needs to be a teaser's headline."
    )


class DedupSettings(_Section):
    """How duplicates and same-story reports are found."""

    num_perm: int = Field(128, ge=16, description="MinHash slots per whole-document signature.")
    lsh_bands: int = Field(
        32, ge=1, description="LSH bands of the document signature (must divide num_perm)."
    )
    seed: int = Field(
        1, ge=0, le=2**32 - 1, description="MinHash seed; changing it needs a rebuild."
    )
    shingle_size: int = Field(5, ge=1, description="Words per shingle.")
    anchor_rate: int = Field(
        4, ge=1, description="One shingle in this many is kept as a retrieval anchor."
    )
    anchor_max_df: int = Field(
        50, ge=1, description="Anchors in more documents than this are not used to retrieve."
    )
    max_candidates: int = Field(
        30, ge=1, description="Stored documents verified per new document, most anchors first."
    )
    near_jaccard: float = Field(
        0.5, gt=0, le=1, description="Shingle Jaccard from which a copy is a near-duplicate."
    )
    copy_containment: float = Field(
        0.4,
        gt=0,
        le=1,
        description="Share of the shorter text's shingles found in the other: a trimmed copy.",
    )
    copy_min_shared: int = Field(
        20, ge=1, description="Shared shingles a containment copy needs at least."
    )
    copy_max_days: float = Field(
        14.0, ge=0, description="Copies are published at most this many days apart."
    )
    passage_min_words: int = Field(
        8, ge=1, description="Shorter sentences are never passage evidence."
    )
    passage_containment: float = Field(
        0.4, gt=0, le=1, description="Share of a sentence's shingles found in the other sentence."
    )
    passage_min_shared: int = Field(
        8, ge=1, description="Shared shingles a matching pair of sentences needs at least."
    )
    boilerplate_stories: int = Field(
        3, ge=2, description="A sentence already in this many stories is boilerplate."
    )
    same_story_max_days: float = Field(
        2.0, ge=0, description="Same-story reports are published at most this many days apart."
    )
    same_story_min_passages: int = Field(
        1, ge=1, description="Matching rare sentences a same-story report needs (dates agree)."
    )
    same_story_undated_passages: int = Field(
        2,
        ge=1,
        description="Matching rare sentences needed when event dates are missing or differ.",
    )
    canonical_rule: Literal["earliest", "syndication", "official"] = Field(
        "official",
        description="earliest: first published; syndication: the original a footer names, "
        "then earliest; official: syndication, then an official outlet, then earliest.",
    )
    official_suffixes: Strings = Field(
        (".go.id",), description="Outlet suffixes of official sources (canonical_rule official)."
    )

    @model_validator(mode="after")
    def _bands_divide(self) -> DedupSettings:
        if self.num_perm % self.lsh_bands:
            raise ValueError(f"lsh_bands {self.lsh_bands} must divide num_perm {self.num_perm}")
        return self


class ImportSettings(_Section):
    """How a JSONL file of documents is read (``ingest import``, sources of kind ``jsonl``)."""

    max_line_bytes: int = Field(
        5_000_000, gt=0, description="Longest line accepted, in bytes; a longer one is refused."
    )
    keep_going: bool = Field(
        False,
        description="Store the good lines of a file with bad ones and report the bad ones "
        "(ingest import --keep-going); otherwise one bad line and nothing is stored.",
    )


class ScheduleSettings(_Section):
    """When sources run under ``ingest serve``, and how the flow retries and limits them.

    A source's ``schedule`` is a cron expression (``"0 6 * * *"``), an interval (``"30m"``,
    ``"2h"``, ``"1d"``) or the name of a group below; times are in ``Settings.timezone``::

        [schedule.groups]
        morning = "0 6 * * *"     # sources with schedule = "morning" share one deployment
    """

    groups: dict[str, Annotated[str, AfterValidator(_schedule_text)]] = Field(
        default_factory=dict, description="Named schedules shared by several sources."
    )
    source_retries: int = Field(
        2, ge=0, description="Retries of a source whose discovery or fetch fails as a whole."
    )
    retry_delay: Seconds = Field(
        30.0, ge=0, description="Seconds before the first source retry; doubles each retry."
    )
    max_parallel_sources: int = Field(4, ge=1, description="Sources ingested at the same time.")
    deployment_concurrency: int = Field(
        1, ge=1, description="Runs of one deployment allowed at the same time."
    )
    serve_limit: int = Field(8, ge=1, description="Flow runs `ingest serve` executes at once.")
    source_lease: Seconds = Field(
        300.0,
        gt=0,
        description="Seconds a run holds a source without being heard from (it renews the "
        "hold every quarter of this, at most every minute, while it works); a run that died "
        "on this machine loses its sources to the next run at once, one elsewhere after this.",
    )
    run_mode: Literal["auto", "direct", "prefect"] = Field(
        "auto",
        description="How `ingest run` executes: as a Prefect flow when a Prefect server is "
        "configured, else in-process (auto); always in-process (direct); always as a flow, "
        "starting a temporary Prefect server if none is configured (prefect).",
    )
    prefect_startup_timeout: float = Field(
        120.0,
        gt=0,
        description="Seconds to wait for a Prefect server that ingest starts: the temporary "
        "one of `ingest run` (run_mode prefect, no server configured) or the local one of "
        "`ingest serve` (a fresh one takes 25-60 s on 2 busy cores).",
    )


class SourceConfig(_Section):
    """One entry of ``[[sources]]`` in ``sources.toml``."""

    name: str = Field(min_length=1)
    kind: SourceKind
    url: str | None = None
    urls: Strings | None = None
    path: LocalPath | None = None
    outlet: str | None = None
    schedule: str | None = None
    enabled: bool = True
    max_pages: int | None = Field(None, ge=1, description="listing: pages walked on a run.")
    link_pattern: str | None = Field(None, description="listing: regex article links match.")
    page_url: str | None = Field(
        None, description="listing: URL of page N with {page}, for sites without next links."
    )
    backfill_pages: int = Field(
        20, ge=1, description="listing: pages walked by `ingest backfill` (no dates to stop at)."
    )

    @model_validator(mode="after")
    def _location_matches_kind(self) -> SourceConfig:
        needs = {"urls": "urls", "html_dir": "path", "jsonl": "path"}.get(self.kind, "url")
        if getattr(self, needs) in (None, ()):
            raise ValueError(f"kind {self.kind!r} needs {needs!r}")
        return self


class Settings(BaseSettings):
    """All settings. Environment variables ``INGEST_<NAME>`` (``__`` for sections) override
    the files: ``INGEST_DB_URL``, ``INGEST_DEDUP__NEAR_JACCARD``."""

    model_config = SettingsConfigDict(
        env_prefix=ENV_PREFIX,
        env_nested_delimiter="__",
        extra="forbid",
        frozen=True,
        env_ignore_empty=True,
    )  # not strict: the sections are; pydantic-settings would coerce "true" to 1 if it were

    db_url: str = Field(DEFAULT_DB_URL, min_length=1, description="SQLAlchemy URL of the store.")
    timezone: ZoneName = Field("Asia/Makassar", description="Time zone of schedules and displays.")
    fetch: FetchSettings = FetchSettings()
    extract: ExtractSettings = ExtractSettings()
    dedup: DedupSettings = DedupSettings()
    schedule: ScheduleSettings = ScheduleSettings()
    imports: ImportSettings = ImportSettings()
    sources: tuple[SourceConfig, ...] = ()
    config_dir: Path = DEFAULT_CONFIG_DIR

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        # load_settings merges the environment it is given over the files (config_env):
        # the settings never read the process environment behind the caller's back.
        return (init_settings,)

    def select_sources(self, names: Sequence[str] | None = None) -> list[SourceConfig]:
        """The named sources (an unknown name is a ConfigError), or every enabled one."""
        if names:
            return [self.source(name) for name in names]
        return [s for s in self.sources if s.enabled]

    def source(self, name: str) -> SourceConfig:
        for source in self.sources:
            if source.name == name:
                return source
        known = ", ".join(s.name for s in self.sources) or "none"
        raise ConfigError(f"unknown source {name!r} (configured: {known})")


class _SourcesFile(BaseModel):
    model_config = ConfigDict(extra="forbid")
    sources: list[SourceConfig] = []


def _read_toml(path: Path) -> dict[str, Any]:
    try:
        with path.open("rb") as handle:
            return tomllib.load(handle)
    except FileNotFoundError:
        raise ConfigError(f"{path}: file not found") from None
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read: {exc.strerror or exc}") from None
    except UnicodeDecodeError:
        raise ConfigError(f"{path}: not UTF-8 text (save it as UTF-8)") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: invalid TOML: {exc}") from None
    except RecursionError:
        raise ConfigError(f"{path}: invalid TOML: nested too deeply") from None


def _first_problem(path: Path | str, exc: ValidationError, data: Mapping[str, Any]) -> ConfigError:
    error = exc.errors()[0]
    loc = error["loc"]
    if loc and loc[0] == "sources" and len(loc) > 1 and isinstance(loc[1], int):
        index = loc[1]
        entry = data.get("sources", [])[index] if index < len(data.get("sources", [])) else {}
        name = entry.get("name") if isinstance(entry, dict) else None
        head = f"sources[{index}]" + (f" ({name})" if name else "")
        key = ".".join([head, *(str(p) for p in loc[2:] if not str(p).startswith("function-"))])
    else:
        key = ".".join(str(p) for p in loc)
    message = error["msg"].removeprefix("Value error, ")
    if error["type"] == "extra_forbidden":
        message = "unknown key"
    elif error["type"] == "literal_error":
        message = f"{message}, got {error['input']!r}"
    return ConfigError(f"{path}: {key}: {message}" if key else f"{path}: {message}")


def _resolve(base: Path, value: Path | None) -> Path | None:
    if value is None or value.is_absolute():
        return value
    return (base / value).resolve()


def _load_sources(path: Path) -> tuple[SourceConfig, ...]:
    data = _read_toml(path)
    try:
        parsed = _SourcesFile.model_validate(data)
    except ValidationError as exc:
        raise _first_problem(path, exc, data) from None
    seen: set[str] = set()
    resolved = []
    for source in parsed.sources:
        if source.name in seen:
            raise ConfigError(f"{path}: sources: duplicate name {source.name!r}")
        seen.add(source.name)
        resolved.append(source.model_copy(update={"path": _resolve(path.parent, source.path)}))
    return tuple(resolved)


def settings_reference(settings: Settings) -> list[dict[str, Any]]:
    """Every setting: dotted name, environment variable, current value, description."""
    rows: list[dict[str, Any]] = []

    def walk(model: BaseModel, prefix: str) -> None:
        for name, field in type(model).model_fields.items():
            value = getattr(model, name)
            if isinstance(value, BaseModel):
                walk(value, f"{prefix}{name}.")
            elif name not in ("sources", "config_dir"):
                dotted = f"{prefix}{name}"
                if name == "db_url":
                    from ingest.store.engine import mask_url

                    value = mask_url(value)
                rows.append(
                    {
                        "name": dotted,
                        "env": ENV_PREFIX + dotted.replace(".", "__").upper(),
                        "value": str(value) if isinstance(value, Path) else value,
                        "description": field.description or "",
                    }
                )

    walk(settings, "")
    return rows


def load_settings(
    config_dir: Path | None = None,
    *,
    db_url: str | None = None,
    environ: Mapping[str, str] | None = None,
    require_config: bool = True,
) -> Settings:
    """Load ``settings.toml`` (optional) and ``sources.toml`` (required) from ``config_dir``,
    with the ``INGEST_*`` variables of ``environ`` (default: the process environment) on top.

    ``db_url`` (from ``--db``) wins over ``INGEST_DB_URL``, which wins over the file. Without
    ``require_config`` (the read-only commands), a default ``config/`` folder that does not exist
    means no sources and the defaults; a folder given by name must exist.
    """
    environ = os.environ if environ is None else environ
    if db_url is not None and not db_url.strip():
        raise ConfigError("--db: empty database URL (give a URL, or leave --db out)")
    named = config_dir or environ.get(f"{ENV_PREFIX}CONFIG")
    config_dir = Path(named or DEFAULT_CONFIG_DIR)
    found = config_dir.is_dir()
    if not found and (named or require_config):
        raise ConfigError(f"{config_dir}: configuration folder not found (use --config PATH)")
    settings_path = config_dir / "settings.toml"
    data = _read_toml(settings_path) if found and settings_path.exists() else {}
    if "sources" in data:
        raise ConfigError(f"{settings_path}: sources: unknown key (sources go in sources.toml)")
    sources_path = config_dir / "sources.toml"
    sources = _load_sources(sources_path) if found else ()
    try:
        variables = environment_values(Settings, environ, ENV_PREFIX)
        settings = Settings(**merged(data, variables), sources=sources, config_dir=config_dir)
    except ValidationError as exc:
        loc = exc.errors()[0]["loc"]
        origin = env_key(ENV_PREFIX, loc) if env_key(ENV_PREFIX, loc) in environ else settings_path
        raise _first_problem(
            f"environment {origin}" if origin != settings_path else origin, exc, data
        ) from None
    _check_schedules(settings, sources_path)
    fetch = settings.fetch
    updates: dict[str, Any] = {
        "fetch": fetch.model_copy(update={"snapshot_dir": _resolve(config_dir, fetch.snapshot_dir)})
    }
    if db_url is not None:
        updates["db_url"] = db_url
    return settings.model_copy(update=updates)


def _check_schedules(settings: Settings, path: Path) -> None:
    """Each source's schedule is a group's name, a cron expression or an interval."""
    for index, source in enumerate(settings.sources):
        if source.schedule is None or source.schedule in settings.schedule.groups:
            continue
        try:
            parse_schedule(source.schedule, settings.timezone)
        except ConfigError as exc:
            key = f"sources[{index}] ({source.name}).schedule"
            raise ConfigError(f"{path}: {key}: {exc}") from None
