"""The one place that writes files: atomically, so a failure never leaves a partial output.

Write to a temporary file in the destination folder (``.NAME.XXXX.tmp``), fsync it, then
``os.replace`` it over the target. Readers see the old file or the new one, never half of either.
New files get the usual permissions (0666 minus the umask), not mkstemp's 0600. Whatever goes
wrong (a full disk, a failed fsync, a rename refused, Ctrl-C in the middle), the temporary file is
removed and the previous file, if any, is left byte for byte as it was.

Several files that belong together (the items of one ``qbank import``) are written inside
:func:`transaction`: every file is first written in full to its temporary file, and only when all
of them are on disk are they renamed into place. If any write fails, no target is touched. If a
rename fails (rare: the data is already on disk by then), the files renamed so far are put back as
they were, so the folder ends as it started.

:func:`describe_failure` turns the exception into the one line the command line prints: the file,
the cause, and what is on disk now.
"""

from __future__ import annotations

import contextlib
import contextvars
import errno
import os
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterator


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def _write_all(fd: int, data: bytes) -> None:
    """Write every byte of ``data`` to ``fd`` (``os.write`` may write less than asked)."""
    view = memoryview(data)
    while view:
        written = os.write(fd, view)
        view = view[written:]


def _unlink_quietly(path: str | Path) -> None:
    try:
        os.unlink(path)
    except OSError:
        pass


def _stage(path: Path, data: bytes) -> str:
    """Write ``data`` to a new temporary file beside ``path``, fsync it and give it the final
    permissions; return its name. On any error the temporary file is gone and the error re-raised."""
    folder = path.parent if str(path.parent) else Path(".")
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=folder)
    try:
        try:
            _write_all(fd, data)
            os.fsync(fd)
        finally:
            os.close(fd)
        try:
            mode = os.stat(path).st_mode & 0o7777
        except FileNotFoundError:
            mode = 0o666 & ~_umask()
        os.chmod(tmp, mode)
    except BaseException:
        _unlink_quietly(tmp)
        raise
    return tmp


def _name_the_target(exc: OSError, path: Path) -> None:
    """Make the error name the file the user asked for, not our temporary file."""
    exc.filename = str(path)
    exc.filename2 = None


def atomic_write_bytes(path: Path, data: bytes) -> None:
    """Replace ``path`` with ``data`` in one step; on any error the old content stays intact.

    Inside :func:`transaction` the file is only staged; it appears when the transaction commits.
    """
    path = Path(path)
    current = _TRANSACTION.get()
    if current is not None:
        current.stage(path, data)
        return
    try:
        tmp = _stage(path, data)
    except OSError as exc:
        _name_the_target(exc, path)
        raise
    try:
        os.replace(tmp, path)
    except BaseException as exc:
        _unlink_quietly(tmp)
        if isinstance(exc, OSError):
            _name_the_target(exc, path)
        raise


def atomic_write_text(path: Path, text: str) -> None:
    atomic_write_bytes(path, text.encode("utf-8"))


# --- several files: all or nothing ------------------------------------------------------------------


@dataclass
class _Transaction:
    staged: list[tuple[Path, str]] = field(default_factory=list)
    root: Path | None = None
    folders_before: set[Path] = field(default_factory=set)
    """The folders under ``root`` when the transaction began."""
    missing: list[Path] = field(default_factory=list)
    """``root`` and its ancestors that did not exist when the transaction began, deepest first."""

    def stage(self, path: Path, data: bytes) -> None:
        try:
            tmp = _stage(path, data)
        except OSError as exc:
            _name_the_target(exc, path)
            raise
        self.staged.append((path, tmp))

    def commit(self) -> None:
        done: list[tuple[Path, str | None]] = []  # (target, backup of the previous file or None)
        try:
            for path, tmp in self.staged:
                backup = _backup(path)
                try:
                    os.replace(tmp, path)
                except BaseException:
                    if backup is not None:
                        _unlink_quietly(backup)
                    raise
                done.append((path, backup))
        except BaseException as exc:
            for path, backup in reversed(done):
                if backup is None:
                    _unlink_quietly(path)
                else:
                    with contextlib.suppress(OSError):
                        os.replace(backup, path)
            if isinstance(exc, OSError) and len(done) < len(self.staged):
                _name_the_target(exc, self.staged[len(done)][0])
            raise
        finally:
            for _, tmp in self.staged:
                if os.path.lexists(tmp):
                    _unlink_quietly(tmp)
        for _, backup in done:
            if backup is not None:
                _unlink_quietly(backup)

    def abort(self) -> None:
        for _, tmp in self.staged:
            _unlink_quietly(tmp)
        self.staged.clear()
        if self.root is None:
            return
        # Remove the folders created since the transaction began (empty ones only, deepest first).
        created = sorted(_folders(self.root) - self.folders_before, key=lambda p: len(p.parts), reverse=True)
        for folder in created + self.missing:
            with contextlib.suppress(OSError):
                folder.rmdir()


def _backup(path: Path) -> str | None:
    """A hard link to the file about to be replaced (no data copied), or None when there is none."""
    if not path.is_file():
        return None
    name = f"{path.parent}{os.sep}.{path.name}.{os.getpid()}.bak"
    for n in range(100):
        candidate = f"{name}{n}" if n else name
        try:
            os.link(path, candidate)
            return candidate
        except FileExistsError:
            continue
        except OSError:  # no hard links on this file system: copy the file instead
            break
    data = path.read_bytes()
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".bak", dir=path.parent)
    try:
        _write_all(fd, data)
    finally:
        os.close(fd)
    return tmp


def _folders(root: Path) -> set[Path]:
    if not root.is_dir():
        return set()
    found = {root}
    for dirpath, dirnames, _ in os.walk(root):
        found.update(Path(dirpath) / d for d in dirnames)
    return found


_TRANSACTION: contextvars.ContextVar[_Transaction | None] = contextvars.ContextVar("qbank_fsio_transaction", default=None)


@contextlib.contextmanager
def transaction(root: Path | None = None) -> Iterator[None]:
    """Write every file of the block, or none of them.

    Inside the block, :func:`atomic_write_bytes` writes each file to its temporary file only. When
    the block ends normally the files are renamed into place; when it raises (a write failed, an
    ``ImportFailure``, Ctrl-C) the temporary files are removed, the targets are untouched, and the
    folders created under ``root`` since the block began are removed again if they are empty.
    """
    if _TRANSACTION.get() is not None:  # nested: part of the outer transaction
        yield
        return
    current = _Transaction(root=root)
    if root is not None:
        current.folders_before = _folders(root)
        missing = Path(root)
        while not missing.exists() and missing.parent != missing and str(missing) not in ("", "."):
            current.missing.append(missing)
            missing = missing.parent
    token = _TRANSACTION.set(current)
    try:
        yield
        _TRANSACTION.reset(token)
        token = None
        current.commit()
    except BaseException:
        if token is not None:
            _TRANSACTION.reset(token)
        current.abort()
        raise


# --- messages ----------------------------------------------------------------------------------------


def describe_failure(path: Path, exc: BaseException | None, several: bool = False) -> str:
    """One line for a write that did not happen: the file, why, and what is on disk now.

    ``exc`` is the OSError (its ``filename``, when set, is the file that failed) or None for an
    interruption (Ctrl-C). ``several``: the write was a :func:`transaction`, so no file of it was
    written or changed.
    """
    path = Path(path)
    if isinstance(exc, OSError) and exc.filename:
        path = Path(os.fsdecode(exc.filename))
    if exc is None or isinstance(exc, KeyboardInterrupt):
        cause = "interrupted"
    else:
        cause = _cause(path, exc)
    if several:
        state = "no file was written or changed"
    elif path.is_file():
        state = f"the previous {path.name} is unchanged"
    else:
        state = "nothing was written"
    return f"{path}: cannot write ({cause}); {state}"


def _cause(path: Path, exc: BaseException) -> str:
    if not isinstance(exc, OSError):
        return str(exc) or type(exc).__name__
    code = exc.errno
    if code in (errno.ENOENT, errno.ENOTDIR):
        ancestor = path.parent
        while str(ancestor) not in ("", ".") and not ancestor.exists() and ancestor.parent != ancestor:
            ancestor = ancestor.parent
        if ancestor.exists() and not ancestor.is_dir():
            return f"{ancestor} is a file, not a folder"
        if not path.parent.exists():
            return f"the folder {path.parent} does not exist; create it first"
    if code in (errno.EACCES, errno.EPERM):
        return f"permission denied: the folder {path.parent if str(path.parent) else '.'} is not writable"
    if code == errno.ENOSPC:
        return "no space left on the device"
    if code == errno.EDQUOT:
        return "disk quota exceeded"
    if code == errno.EROFS:
        return "the file system is read-only"
    return exc.strerror or str(exc)
