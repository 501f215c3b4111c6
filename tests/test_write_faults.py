"""Faults while writing outputs: a full disk, a failed fsync, Ctrl-C, a refused rename, an unwritable
or missing folder, for `qbank export`, `qbank lint -o` and `qbank import` run through the CLI.

Every case checks what a user finds afterwards: exit status 2, exactly one line on standard error
naming the file and the cause (no traceback), the previous output byte for byte as it was, and no
temporary (``.NAME.XXXX.tmp``), backup or partial file left in the folder. For `qbank import`, which
writes several files, the promise is all or nothing: when any write fails (the third of three, say)
no file is written or changed and the folders it created are removed again (qbank/fsio.py,
``transaction``).

Faults are injected by monkeypatching the write path of :mod:`qbank.fsio` (``_write_all``,
``os.fsync``, ``os.replace`` as fsio calls them), which is where every output byte goes through.
"""

from __future__ import annotations

import errno
import os
from pathlib import Path
from typing import Callable

import pytest
from click.testing import CliRunner

from qbank import fsio
from qbank.cli import main

ITEM = """\
id: {id}
type: multiple_choice
stem: Which stage of change follows contemplation in case {id}?
status: approved
options:
  - text: Preparation
    correct: true
    rationale: Planning follows deciding.
  - text: Maintenance
    rationale: Maintenance sustains a change already made.
  - text: Action
    rationale: Action comes after preparation.
explanation: Preparation follows contemplation.
"""

AIKEN = """\
Which stage comes first?
A. Contemplation
B. Precontemplation
ANSWER: B

Which stage comes last?
A. Maintenance
B. Action
ANSWER: A

Which stage follows contemplation?
A. Preparation
B. Relapse
ANSWER: A
"""

PREVIOUS = b"the previous output, which must survive byte for byte\n"


@pytest.fixture
def bank(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    items = tmp_path / "items"
    items.mkdir()
    for name in ("stage-a", "stage-b"):
        (items / f"{name}.yaml").write_text(ITEM.format(id=name), encoding="utf-8")
    (tmp_path / "out").mkdir()
    (tmp_path / "questions.txt").write_text(AIKEN, encoding="utf-8")
    return tmp_path


def invoke(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, list(args))
    if result.exception and not isinstance(result.exception, SystemExit):
        raise result.exception
    return result.exit_code, result.stdout, result.stderr


def snapshot(folder: Path) -> dict[str, bytes]:
    """Every file and folder under ``folder`` (folders as None-like empty markers)."""
    if not folder.exists():
        return {}
    return {
        p.relative_to(folder).as_posix() + ("/" if p.is_dir() else ""): (b"" if p.is_dir() else p.read_bytes())
        for p in sorted(folder.rglob("*"))
    }


def one_error_line(err: str, *parts: str) -> str:
    lines = [line for line in err.splitlines() if line.strip()]
    assert len(lines) == 1, err
    assert lines[0].startswith("qbank: error: "), err
    assert "Traceback" not in err
    for part in parts:
        assert part in lines[0], lines[0]
    return lines[0]


# --- fault injectors ------------------------------------------------------------------------------


def fail_nth_write(monkeypatch: pytest.MonkeyPatch, n: int, exc: BaseException) -> list[int]:
    """The ``n``-th file fsio writes gets half of its bytes, then ``exc`` (a full disk, Ctrl-C)."""
    real = fsio._write_all
    calls: list[int] = []

    def write(fd: int, data: bytes) -> None:
        calls.append(fd)
        if len(calls) == n:
            real(fd, data[: len(data) // 2])  # a partial temporary file really exists on disk
            raise exc
        real(fd, data)

    monkeypatch.setattr(fsio, "_write_all", write)
    return calls


def fail_nth(monkeypatch: pytest.MonkeyPatch, name: str, n: int, exc: BaseException) -> list[object]:
    """``os.<name>`` as fsio calls it fails on its ``n``-th call (fsio is the only caller in a test run)."""
    real: Callable[..., object] = getattr(os, name)
    calls: list[object] = []

    def fake(*args: object) -> object:
        calls.append(args)
        if len(calls) == n:
            raise exc
        return real(*args)

    monkeypatch.setattr(fsio.os, name, fake)
    return calls


ENOSPC = OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
EIO = OSError(errno.EIO, os.strerror(errno.EIO))

FAULTS: dict[str, tuple[Callable[[pytest.MonkeyPatch, int], object], str]] = {
    "disk-full-mid-write": (lambda mp, n: fail_nth_write(mp, n, ENOSPC), "no space left on the device"),
    "fsync-fails": (lambda mp, n: fail_nth(mp, "fsync", n, EIO), os.strerror(errno.EIO)),
    "ctrl-c-mid-write": (lambda mp, n: fail_nth_write(mp, n, KeyboardInterrupt()), "interrupted"),
    "rename-refused": (lambda mp, n: fail_nth(mp, "replace", n, OSError(errno.EXDEV, os.strerror(errno.EXDEV))), os.strerror(errno.EXDEV)),
    "ctrl-c-before-rename": (lambda mp, n: fail_nth(mp, "replace", n, KeyboardInterrupt()), "interrupted"),
}


# --- export and lint -o: one file --------------------------------------------------------------------


def test_a_write_that_succeeds_leaves_only_the_output(bank: Path) -> None:
    (bank / "out" / "bank.csv").write_bytes(PREVIOUS)
    code, _, err = invoke("export", "items", "-f", "csv", "-o", "out/bank.csv")
    assert code == 0, err
    assert sorted(snapshot(bank / "out")) == ["bank.csv"]
    assert (bank / "out" / "bank.csv").read_bytes() != PREVIOUS


@pytest.mark.parametrize("fault", sorted(FAULTS))
def test_export_fault_keeps_the_previous_output(bank: Path, monkeypatch: pytest.MonkeyPatch, fault: str) -> None:
    target = bank / "out" / "bank.csv"
    target.write_bytes(PREVIOUS)
    before = snapshot(bank / "out")
    inject, cause = FAULTS[fault]
    inject(monkeypatch, 1)
    code, out, err = invoke("export", "items", "-f", "csv", "-o", "out/bank.csv")
    assert code == 2, err
    one_error_line(err, "out/bank.csv", cause, "the previous bank.csv is unchanged")
    assert out == ""
    assert snapshot(bank / "out") == before  # byte-identical, and no .bank.csv.*.tmp left


@pytest.mark.parametrize("fault", sorted(FAULTS))
def test_lint_report_fault_keeps_the_previous_report(bank: Path, monkeypatch: pytest.MonkeyPatch, fault: str) -> None:
    target = bank / "out" / "report.sarif"
    target.write_bytes(PREVIOUS)
    before = snapshot(bank / "out")
    inject, cause = FAULTS[fault]
    inject(monkeypatch, 1)
    # --no-cache: the lint cache is written through fsio too, and would take the injected fault.
    code, out, err = invoke("lint", "items", "--no-cache", "--format", "sarif", "-o", "out/report.sarif")
    assert code == 2, err
    one_error_line(err, "out/report.sarif", cause, "the previous report.sarif is unchanged")
    assert out == ""
    assert snapshot(bank / "out") == before


def test_export_fault_without_a_previous_output_writes_nothing(bank: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    fail_nth_write(monkeypatch, 1, ENOSPC)
    code, _, err = invoke("export", "items", "-f", "csv", "-o", "out/bank.csv")
    assert code == 2
    one_error_line(err, "out/bank.csv", "no space left", "nothing was written")
    assert snapshot(bank / "out") == {}


# --- import: several files, all or nothing ----------------------------------------------------------


def test_import_writes_three_files_when_nothing_fails(bank: Path) -> None:
    code, _, err = invoke("import", "questions.txt", "-o", "imported")
    assert code == 0, err
    assert len([p for p in snapshot(bank / "imported") if p.endswith(".yaml")]) == 3


@pytest.mark.parametrize("fault", sorted(FAULTS))
@pytest.mark.parametrize("nth", [1, 3])
def test_import_fault_into_a_new_folder_leaves_nothing(bank: Path, monkeypatch: pytest.MonkeyPatch, fault: str, nth: int) -> None:
    inject, cause = FAULTS[fault]
    inject(monkeypatch, nth)
    code, out, err = invoke("import", "questions.txt", "-o", "imported/new")
    assert code == 2, err
    # The line names the file that failed, or the output folder when Ctrl-C hit between files.
    one_error_line(err, "error: imported/new", cause, "no file was written or changed")
    assert out == ""
    assert not (bank / "imported").exists()  # the folders it created are gone again


@pytest.mark.parametrize("fault", sorted(FAULTS))
@pytest.mark.parametrize("nth", [1, 2, 3])
def test_import_fault_with_overwrite_changes_no_file(bank: Path, monkeypatch: pytest.MonkeyPatch, fault: str, nth: int) -> None:
    assert invoke("import", "questions.txt", "-o", "out")[0] == 0
    written = sorted((bank / "out").glob("*.yaml"))
    assert len(written) == 3
    for path in written:  # the previous versions, which --overwrite would replace
        path.write_bytes(PREVIOUS + path.name.encode())
    (bank / "out" / "notes.md").write_bytes(b"unrelated file")
    before = snapshot(bank / "out")
    inject, cause = FAULTS[fault]
    inject(monkeypatch, nth)
    code, _, err = invoke("import", "questions.txt", "-o", "out", "--overwrite")
    assert code == 2, err
    one_error_line(err, "error: out", cause, "no file was written or changed")
    assert snapshot(bank / "out") == before  # also: no .tmp or .bak file left


def test_transaction_rolls_back_files_already_renamed(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The third rename fails after two files are in place: those two are put back as they were."""
    (tmp_path / "a.yaml").write_bytes(b"old a")
    calls = fail_nth(monkeypatch, "replace", 3, OSError(errno.EIO, "I/O error"))
    with pytest.raises(OSError) as caught, fsio.transaction(tmp_path / "new"):
        fsio.atomic_write_bytes(tmp_path / "a.yaml", b"new a")
        (tmp_path / "new").mkdir()
        fsio.atomic_write_bytes(tmp_path / "new" / "b.yaml", b"new b")
        fsio.atomic_write_bytes(tmp_path / "c.yaml", b"new c")
        assert not (tmp_path / "c.yaml").exists()  # staged only, until the block ends
    assert len(calls) >= 3
    assert caught.value.filename == str(tmp_path / "c.yaml")
    assert snapshot(tmp_path) == {"a.yaml": b"old a"}


# --- unwritable and missing folders -------------------------------------------------------------------


@pytest.fixture
def unwritable(tmp_path: Path) -> Path:
    """A folder in which no file can be created, as any user.

    A folder with mode 0o555 stops an ordinary user, but not root (CAP_DAC_OVERRIDE ignores the
    mode bits), and test runs in containers are often root. So the mode is tried first and a probe
    write tells whether it works; if it does not, the "folder" is a path below a regular file
    (``blocker/sub``), which no user can create anything in (ENOTDIR), root included.
    """
    folder = tmp_path / "readonly"
    folder.mkdir()
    folder.chmod(0o555)
    try:
        (folder / "probe").write_bytes(b"x")
    except PermissionError:
        yield folder
        folder.chmod(0o755)
        return
    (folder / "probe").unlink()
    folder.chmod(0o755)
    blocker = tmp_path / "blocker"
    blocker.write_bytes(b"a regular file")
    yield blocker / "sub"


def _cause_for(folder: Path) -> str:
    return "is not writable" if folder.name == "readonly" else "blocker is a file, not a folder"


def test_export_into_an_unwritable_folder(bank: Path, unwritable: Path) -> None:
    code, out, err = invoke("export", "items", "-f", "csv", "-o", str(unwritable / "bank.csv"))
    assert code == 2
    one_error_line(err, str(unwritable / "bank.csv"), _cause_for(unwritable), "nothing was written")
    assert out == ""


def test_lint_report_into_an_unwritable_folder(bank: Path, unwritable: Path) -> None:
    code, out, err = invoke("lint", "items", "--no-cache", "--format", "sarif", "-o", str(unwritable / "report.sarif"))
    assert code == 2
    one_error_line(err, str(unwritable / "report.sarif"), _cause_for(unwritable), "nothing was written")
    assert out == ""


def test_import_into_an_unwritable_folder(bank: Path, unwritable: Path) -> None:
    code, out, err = invoke("import", "questions.txt", "-o", str(unwritable / "items"))
    assert code == 2
    one_error_line(err, str(unwritable), _cause_for(unwritable), "no file was written or changed")
    assert out == ""
    assert not (unwritable / "items").exists()


@pytest.mark.parametrize(
    "command",
    [
        ["export", "items", "-f", "csv", "-o", "missing/dir/bank.csv"],
        ["lint", "items", "--no-cache", "--format", "sarif", "-o", "missing/dir/bank.csv"],
    ],
    ids=["export", "lint"],
)
def test_a_missing_output_folder_is_an_error_not_created(bank: Path, command: list[str]) -> None:
    """A typo in the folder should not silently create a tree: say which folder is missing."""
    code, out, err = invoke(*command)
    assert code == 2
    one_error_line(err, "missing/dir/bank.csv", "the folder missing/dir does not exist; create it first")
    assert out == ""
    assert not (bank / "missing").exists()


def test_import_creates_a_missing_output_folder(bank: Path) -> None:
    """`qbank import -o` names a folder for many files and documents that it is created if needed."""
    code, _, err = invoke("import", "questions.txt", "-o", "new/deeper/items")
    assert code == 0, err
    assert len(list((bank / "new" / "deeper" / "items").glob("*.yaml"))) == 3
