"""Every command and every setting is documented: in its help and in the README."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import typer.main
from pydantic import BaseModel

from ingest.cli import app
from ingest.config import Settings

README = (Path(__file__).resolve().parents[1] / "README.md").read_text()


def commands() -> Iterator[tuple[str, Any]]:
    """Every command as (name, click-style command); groups give their subcommands."""
    root: Any = typer.main.get_command(app)
    for name, command in root.commands.items():
        if hasattr(command, "commands"):
            for sub_name, sub in command.commands.items():
                yield f"{name} {sub_name}", sub
        else:
            yield name, command


def settings() -> Iterator[tuple[str, str | None]]:
    def walk(model: type[BaseModel], prefix: str) -> Iterator[tuple[str, str | None]]:
        for name, field in model.model_fields.items():
            annotation = field.annotation
            if isinstance(annotation, type) and issubclass(annotation, BaseModel):
                yield from walk(annotation, f"{prefix}{name}.")
            elif name not in ("sources", "config_dir"):
                yield f"{prefix}{name}", field.description

    yield from walk(Settings, "")


@pytest.mark.parametrize(("name", "command"), list(commands()))
def test_command_help_ends_with_an_example(name: str, command: Any) -> None:
    assert command.help, f"ingest {name} has no help"
    assert "Example:" in command.help.strip().splitlines()[-1], f"ingest {name}: no example"


@pytest.mark.parametrize(("name", "command"), list(commands()))
def test_command_is_in_the_readme(name: str, command: Any) -> None:
    assert re.search(rf"`ingest {re.escape(name)}\b", README), f"README lacks `ingest {name}`"


@pytest.mark.parametrize(("name", "description"), list(settings()))
def test_setting_is_described_and_in_the_readme(name: str, description: str | None) -> None:
    assert description, f"setting {name} has no description"
    assert f"`{name}`" in README, f"README lacks setting `{name}`"
