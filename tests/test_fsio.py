"""The atomic writer: a failed write leaves the old file whole and no temporary file behind."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from qbank import fsio


def test_new_file_gets_the_usual_permissions(tmp_path: Path) -> None:
    target = tmp_path / "out.zip"
    fsio.atomic_write_bytes(target, b"data")
    umask = os.umask(0)
    os.umask(umask)
    assert stat.S_IMODE(target.stat().st_mode) == 0o666 & ~umask
    assert target.read_bytes() == b"data"


def test_replacing_keeps_the_existing_mode(tmp_path: Path) -> None:
    target = tmp_path / "out.gift"
    target.write_bytes(b"old")
    target.chmod(0o640)
    fsio.atomic_write_bytes(target, b"new")
    assert target.read_bytes() == b"new"
    assert stat.S_IMODE(target.stat().st_mode) == 0o640


def test_interrupted_write_keeps_the_previous_output(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    target = tmp_path / "out.xml"
    target.write_bytes(b"previous export")

    def crash(*args: object) -> None:
        raise KeyboardInterrupt  # the user pressed Ctrl-C just before the rename

    monkeypatch.setattr(fsio.os, "replace", crash)
    with pytest.raises(KeyboardInterrupt):
        fsio.atomic_write_bytes(target, b"half of a new export")
    assert target.read_bytes() == b"previous export"
    assert [p.name for p in tmp_path.iterdir()] == ["out.xml"]


def test_unwritable_folder_raises_oserror_and_leaves_nothing(tmp_path: Path) -> None:
    with pytest.raises(OSError):
        fsio.atomic_write_bytes(tmp_path / "missing" / "out.csv", b"x")
    assert list(tmp_path.iterdir()) == []
