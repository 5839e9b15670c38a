"""The global options of ``ingest`` (``--db``, ``--config``, ``-v``), taken before or after
the subcommand: ``ingest stories --db URL`` is ``ingest --db URL stories``.

:class:`GlobalOptionsGroup` is the root command's class. When Typer builds it, every command
and group below it gets a copy of each root option; the copy writes the value into the root
context's object (a :class:`GlobalState`) instead of the command's own parameters, so the
commands' functions never see them.
"""

from __future__ import annotations

import copy
from collections.abc import Iterable, Iterator
from typing import Any, Protocol, runtime_checkable

import typer
from typer.core import TyperGroup

__all__ = ["GLOBAL_PANEL", "GlobalOptionsGroup", "GlobalState"]

#: The heading under which a command's ``--help`` lists the global options.
GLOBAL_PANEL = "Global options"


@runtime_checkable
class GlobalState(Protocol):
    """What the root callback stores in ``ctx.obj``: it takes a global option given later."""

    def set_global(self, name: str, value: Any) -> None:
        """Apply the global option ``name`` given after the subcommand."""


class GlobalOptionsGroup(TyperGroup):
    """A Typer group whose own options are also accepted by every command below it."""

    def __init__(self, **attrs: Any) -> None:
        super().__init__(**attrs)
        options = [p for p in self.params if isinstance(p, typer.core.TyperOption)]
        for command in _below(self.commands.values()):
            taken = {name for p in command.params for name in p.opts}
            command.params.extend(
                _global_copy(option) for option in options if not taken & set(option.opts)
            )


def _below(commands: Iterable[Any]) -> Iterator[Any]:
    """Every command and group under these, depth first."""
    for command in commands:
        yield command
        yield from _below(getattr(command, "commands", {}).values())


def _global_copy(option: typer.core.TyperOption) -> typer.core.TyperOption:
    """``option`` as a subcommand's: no environment variable, no default, value sent to the
    root's :class:`GlobalState` only when given on the command line."""
    clone = copy.copy(option)
    clone.envvar = None
    clone.show_envvar = False
    clone.default = None
    clone.show_default = False
    clone.expose_value = False
    clone.rich_help_panel = GLOBAL_PANEL
    clone.callback = _to_root
    return clone


def _to_root(ctx: Any, param: Any, value: Any) -> Any:
    # ctx is Typer's vendored click Context, which typer does not export under a public name.
    if value is None or (param.count and not value):  # not given after the subcommand
        return value
    state = ctx.find_root().obj
    if isinstance(state, GlobalState):
        state.set_global(param.name, value)
    return value
