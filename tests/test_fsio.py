"""The atomic writer: a failed write leaves the old file whole and no temporary file behind."""

from __future__ import annotations

import errno
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


def test_a_failed_write_names_the_target_not_the_temporary_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def full(fd: int, data: bytes) -> None:
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(fsio, "_write_all", full)
    with pytest.raises(OSError) as caught:
        fsio.atomic_write_bytes(tmp_path / "out.zip", b"data")
    assert caught.value.filename == str(tmp_path / "out.zip")
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize(
    "code, expected",
    [
        (errno.ENOSPC, "no space left on the device"),
        (errno.EDQUOT, "disk quota exceeded"),
        (errno.EROFS, "the file system is read-only"),
        (errno.EACCES, "permission denied: the folder {folder} is not writable"),
        (errno.EIO, os.strerror(errno.EIO)),
    ],
)
def test_describe_failure_gives_the_cause_and_what_is_on_disk(tmp_path: Path, code: int, expected: str) -> None:
    target = tmp_path / "bank.xml"
    exc = OSError(code, os.strerror(code), str(target))
    cause = expected.format(folder=tmp_path)
    assert fsio.describe_failure(target, exc) == f"{target}: cannot write ({cause}); nothing was written"
    target.write_bytes(b"previous")
    assert fsio.describe_failure(target, exc) == f"{target}: cannot write ({cause}); the previous bank.xml is unchanged"
    assert fsio.describe_failure(target, exc, several=True).endswith("; no file was written or changed")


def test_describe_failure_for_missing_folders_and_files_in_the_way(tmp_path: Path) -> None:
    missing = tmp_path / "a" / "b" / "out.csv"
    exc = OSError(errno.ENOENT, "No such file or directory", str(missing))
    assert f"the folder {tmp_path / 'a' / 'b'} does not exist; create it first" in fsio.describe_failure(missing, exc)
    (tmp_path / "file").write_bytes(b"")
    blocked = tmp_path / "file" / "sub" / "out.csv"
    exc = OSError(errno.ENOTDIR, "Not a directory", str(blocked))
    assert f"({tmp_path / 'file'} is a file, not a folder)" in fsio.describe_failure(blocked, exc)
    assert fsio.describe_failure(tmp_path / "x.csv", None) == f"{tmp_path / 'x.csv'}: cannot write (interrupted); nothing was written"


def test_transaction_writes_every_file_at_the_end(tmp_path: Path) -> None:
    with fsio.transaction(tmp_path):
        fsio.atomic_write_bytes(tmp_path / "a", b"1")
        fsio.atomic_write_bytes(tmp_path / "b", b"2")
        assert sorted(p.name for p in tmp_path.iterdir() if not p.name.startswith(".")) == []
        with fsio.transaction(tmp_path):  # nested: part of the outer one
            fsio.atomic_write_bytes(tmp_path / "c", b"3")
    assert {p.name: p.read_bytes() for p in tmp_path.iterdir()} == {"a": b"1", "b": b"2", "c": b"3"}


def test_transaction_aborted_by_an_exception_writes_nothing(tmp_path: Path) -> None:
    (tmp_path / "a").write_bytes(b"old")
    out = tmp_path / "new" / "deeper"
    with pytest.raises(ValueError), fsio.transaction(out):
        fsio.atomic_write_bytes(tmp_path / "a", b"new")
        out.mkdir(parents=True)
        fsio.atomic_write_bytes(out / "b", b"new")
        raise ValueError("the importer found a problem after some files were staged")
    assert {p.name: p.read_bytes() for p in tmp_path.iterdir()} == {"a": b"old"}


def test_transaction_rolls_back_without_hard_links(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """On a file system without hard links the previous file is copied aside, and still put back."""
    (tmp_path / "a").write_bytes(b"old a")

    def no_links(*args: object) -> None:
        raise OSError(errno.EPERM, "Operation not permitted")

    real_replace = os.replace
    calls: list[object] = []

    def replace(src: str, dst: str) -> None:
        calls.append(dst)
        if len(calls) == 2:
            raise OSError(errno.EIO, "I/O error")
        real_replace(src, dst)

    monkeypatch.setattr(fsio.os, "link", no_links)
    monkeypatch.setattr(fsio.os, "replace", replace)
    with pytest.raises(OSError), fsio.transaction(tmp_path):
        fsio.atomic_write_bytes(tmp_path / "a", b"new a")
        fsio.atomic_write_bytes(tmp_path / "b", b"new b")
    assert {p.name: p.read_bytes() for p in tmp_path.iterdir()} == {"a": b"old a"}
