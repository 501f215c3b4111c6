"""CLI and loading helpers shared by the importer tests."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner, Result

from qbank.cli import main
from qbank.loader import load_paths
from qbank.model import Item


def run(*args: str) -> Result:
    """Run the CLI; an exception other than the exit itself fails the test with its traceback."""
    result = CliRunner().invoke(main, list(args))
    if result.exception and not isinstance(result.exception, SystemExit):
        raise result.exception
    return result


def loaded(out: Path) -> dict[str, Item]:
    """The items written into ``out``, by id; the folder must load without problems."""
    result = load_paths([out])
    assert not result.problems, result.problems
    return {entry.item.id: entry.item for entry in result.items}
