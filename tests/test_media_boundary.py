"""Exports package only files inside the bank: no absolute paths, no ``../`` or symlinks out of it."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest
from click.testing import CliRunner

from qbank.cli import main

ITEM = """\
id: pic
type: essay
stem: |
  What does this chart show?

  ![A chart]({src})
"""


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A bank in a git checkout (the root marker), with a secret file beside the checkout."""
    root = tmp_path / "repo"
    (root / ".git").mkdir(parents=True)
    (root / "items" / "unit").mkdir(parents=True)
    (root / "media").mkdir()
    (root / "media" / "chart.png").write_bytes(b"\x89PNG\r\n\x1a\nchart")
    (tmp_path / "secret.png").write_bytes(b"\x89PNG\r\n\x1a\nprivate key")
    monkeypatch.chdir(root)
    return root


def lint_and_export(root: Path, src: str) -> tuple[int, str, int, str]:
    (root / "items" / "unit" / "pic.yaml").write_text(ITEM.format(src=src), encoding="utf-8")
    lint = CliRunner().invoke(main, ["lint", "--no-cache", "--select", "QB501", "items"])
    export = CliRunner().invoke(main, ["export", "items", "--format", "qti21", "-o", "out.zip"])
    return lint.exit_code, lint.stdout, export.exit_code, export.stderr


def test_a_shared_media_folder_inside_the_bank_is_packaged(project: Path) -> None:
    lint_code, _, export_code, err = lint_and_export(project, "../../media/chart.png")
    assert lint_code == 0 and export_code == 0, err
    with zipfile.ZipFile(project / "out.zip") as package:
        assert any(name.startswith("media/chart-") for name in package.namelist())


@pytest.mark.parametrize(
    "src, words",
    [
        ("../../../secret.png", "leads outside the bank"),
        ("ABSOLUTE", "is an absolute path"),
        ("../../media/link.png", "leads outside the bank"),
    ],
    ids=["dot-dot", "absolute", "symlink"],
)
def test_a_file_outside_the_bank_is_refused_and_never_packaged(project: Path, src: str, words: str) -> None:
    secret = project.parent / "secret.png"
    if src == "ABSOLUTE":
        src = str(secret)
    (project / "media" / "link.png").symlink_to(secret)
    lint_code, out, export_code, err = lint_and_export(project, src)
    assert lint_code == 1 and "items/unit/pic.yaml:3:7: QB501" in out and "QB501" in out and words in out, out
    assert export_code == 1 and "QB501" in err and "nothing was written" in err
    assert not (project / "out.zip").exists()


def test_an_item_file_that_links_out_of_the_bank_is_not_read(project: Path) -> None:
    outside = project.parent / "private.yaml"
    outside.write_text("id: private\ntype: essay\nstem: 'password: hunter2'\nbogus: field\n", encoding="utf-8")
    (project / "items" / "unit" / "leak.yaml").symlink_to(outside)
    (project / "items" / "unit" / "inside.yaml").symlink_to(project / "media" / "chart.png")  # a link inside is fine to read
    result = CliRunner().invoke(main, ["lint", "--no-cache", "items"])
    assert result.exit_code == 1
    assert "items/unit/leak.yaml:1:1: QB001 [error] this is a symbolic link to a file outside the bank" in result.stdout
    assert "hunter2" not in result.stdout and "bogus" not in result.stdout
    assert "items/unit/inside.yaml" in result.stdout  # read, and found not to be YAML
