"""Settings from environment variables: ``INGEST_<NAME>``, ``__`` between a section and its
key, each read from its text as the field's type reads a string::

    >>> from ingest.config import Settings
    >>> environment_values(Settings, {"INGEST_FETCH__PER_HOST_DELAY": "2"}, "INGEST_")
    {'fetch': {'per_host_delay': 2.0}}

Numbers and booleans are read as text (``2``, ``0.5``, ``true``); lists and tables as JSON; a
variable set to nothing (``INGEST_DB_URL=``) is not set, as for the command's options.
Only the mapping given is read, never the process environment behind the caller's back. A
value that cannot be read is a :class:`~ingest.errors.ConfigError` naming its variable.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any, get_origin

from pydantic import BaseModel, TypeAdapter, ValidationError
from pydantic.fields import FieldInfo
from pydantic_settings import BaseSettings, EnvSettingsSource, SettingsError

from ingest.errors import ConfigError

__all__ = ["env_key", "environment_values", "merged"]

#: Keys of the settings that never come from the environment.
_NOT_SETTINGS = ("sources", "config_dir")


def env_key(prefix: str, loc: tuple[int | str, ...]) -> str:
    """The variable of a setting: ``("fetch", "retries")`` is ``INGEST_FETCH__RETRIES``."""
    return prefix + "__".join(str(p) for p in loc).upper()


class _Mapping(EnvSettingsSource):
    """pydantic-settings' reading of the variables (nesting, JSON) from the mapping given."""

    def __init__(self, model: type[BaseSettings], environ: Mapping[str, str]) -> None:
        self._environ = environ
        super().__init__(model)

    def _load_env_vars(self) -> Mapping[str, str | None]:
        return {
            name.lower(): value
            for name, value in self._environ.items()
            if not (self.env_ignore_empty and value == "")
        }


def environment_values(
    model: type[BaseSettings], environ: Mapping[str, str], prefix: str
) -> dict[str, Any]:
    """The settings ``environ`` gives ``model``, nested like the files."""
    try:
        values = _Mapping(model, environ)()
    except SettingsError:
        raise ConfigError(
            f"environment {_not_json(model, environ, prefix)}: not valid JSON"
        ) from None
    for key in _NOT_SETTINGS:
        values.pop(key, None)
    return _from_strings(model, values, (), prefix)


def _from_strings(
    model: type[BaseModel], values: dict[str, Any], loc: tuple[str, ...], prefix: str
) -> dict[str, Any]:
    read: dict[str, Any] = {}
    for key, value in values.items():
        field = model.model_fields.get(key)
        section = field.annotation if field is not None else None
        if isinstance(section, type) and issubclass(section, BaseModel) and isinstance(value, dict):
            read[key] = _from_strings(section, value, (*loc, key), prefix)
        elif section is not None and isinstance(value, str):
            read[key] = _read_string(section, value, (*loc, key), prefix)
        else:  # an unknown key or a JSON value: the settings' own validation judges it
            read[key] = value
    return read


def _read_string(annotation: Any, value: str, loc: tuple[str, ...], prefix: str) -> Any:
    try:
        return TypeAdapter(annotation).validate_strings(value)
    except ValidationError as exc:
        message = exc.errors()[0]["msg"].removeprefix("Value error, ")
        variable = env_key(prefix, loc)
        raise ConfigError(f"environment {variable}: {'.'.join(loc)}: {message}") from None


def _not_json(model: type[BaseModel], environ: Mapping[str, str], prefix: str) -> str:
    """The variable holding a list or table that is not JSON (``INGEST_FETCH__ALLOW_PRIVATE``)."""
    for name, value in environ.items():
        if name.upper().startswith(prefix) and _is_json(_field(model, name, prefix)):
            try:
                json.loads(value)
            except ValueError:
                return name
    return f"{prefix}*"


def _field(model: type[BaseModel], name: str, prefix: str) -> FieldInfo | None:
    """The field a variable sets, if any."""
    field = None
    for part in name.upper().removeprefix(prefix).lower().split("__"):
        field = model.model_fields.get(part)
        annotation = field.annotation if field is not None else None
        if not (isinstance(annotation, type) and issubclass(annotation, BaseModel)):
            return field
        model = annotation
    return None


def _is_json(field: FieldInfo | None) -> bool:
    """A list or a table (perhaps optional), read from the environment as JSON."""
    annotation = field.annotation if field is not None else None
    kinds = (annotation, *getattr(annotation, "__args__", ()))
    return any(get_origin(kind) in (tuple, list, dict) for kind in kinds)


def merged(base: Mapping[str, Any], over: Mapping[str, Any]) -> dict[str, Any]:
    """``base`` with ``over`` on top, tables merged key by key."""
    result = dict(base)
    for key, value in over.items():
        below = result.get(key)
        if isinstance(below, Mapping) and isinstance(value, Mapping):
            result[key] = merged(below, value)
        else:
            result[key] = value
    return result
