"""Writing output safely: atomic replacement, and one build at a time per folder.

A paper is written to a temporary file beside its final name, flushed to
disk, then renamed over the old one, so a reader (or a crash) only ever sees
the previous paper or the new one, never half of one.
"""

from __future__ import annotations

import contextlib
import errno
import os
import stat
import tempfile
from pathlib import Path
from typing import Iterator

from reportgen.errors import BuildError, LockError, display_path

TEMP_PREFIX = ".reportgen-"
TEMP_SUFFIX = ".part"
LOCK_NAME = ".reportgen.lock"


def write_atomic(path: Path, data: bytes) -> bool:
    """Replace `path` with `data`; False (and nothing touched) when it already holds them."""
    return write_together([(path, data)])[0]


def write_together(files: list[tuple[Path, bytes]]) -> list[bool]:
    """Replace several files (a paper's PDF and HTML) together; for each, whether it changed.

    Every new file is written to a temporary beside its final name and flushed
    first; only then are they renamed into place. A failure while writing (a
    full disk) therefore leaves every old file as it was, not one new and one old.
    """
    staged: list[tuple[str, Path]] = []
    changed = []
    path = files[0][0] if files else None
    try:
        for path, data in files:
            path.parent.mkdir(parents=True, exist_ok=True)
            if path.is_file() and path.stat().st_size == len(data) and path.read_bytes() == data:
                changed.append(False)
                continue
            fd, temp = tempfile.mkstemp(prefix=TEMP_PREFIX, suffix=TEMP_SUFFIX, dir=path.parent)
            staged.append((temp, path))
            with os.fdopen(fd, "wb") as handle:
                handle.write(data)
                handle.flush()
                os.fsync(handle.fileno())
            os.chmod(temp, 0o644)
            changed.append(True)
        for temp, path in staged:
            os.replace(temp, path)
    except BaseException as exc:
        for temp, _ in staged:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(temp)
        if isinstance(exc, OSError):
            exc.filename = str(path)  # the paper's file, not the temporary that stood in for it
        raise
    for folder in dict.fromkeys(path.parent for _, path in staged):
        _fsync_dir(folder)
    return changed


def describe_write_error(path: Path, exc: OSError) -> str:
    """A clear message for a paper that could not be written (disk full, no permission ...)."""
    reason = exc.strerror or str(exc)
    if exc.errno == errno.ENOSPC:
        reason += " (the disk is full; free some space and build again)"
    return f"cannot write {display_path(path)}: {reason}; the previous version, if any, was left as it was"


def _fsync_dir(folder: Path) -> None:
    # Makes the rename itself durable; not possible on every platform.
    with contextlib.suppress(OSError):
        fd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def remove_stale_temporaries(out_dir: Path) -> list[Path]:
    """Temporary files left by a build that was killed; safe to remove under the lock."""
    if not out_dir.is_dir():
        return []
    stale = [p for p in out_dir.rglob(f"{TEMP_PREFIX}*{TEMP_SUFFIX}") if p.is_file()]
    for path in stale:
        # A leftover that cannot be removed (permissions) must not stop the build.
        with contextlib.suppress(OSError):
            path.unlink()
    return stale


@contextlib.contextmanager
def build_lock(out_dir: Path) -> Iterator[None]:
    """Hold the output folder for one build; LockError when another build has it."""
    lock = out_dir / LOCK_NAME
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
        fd = _open_lock(lock)
    except OSError as exc:  # not writable, a file in the way, disk full: the user's to fix
        raise BuildError(f"cannot use the output folder {display_path(out_dir)}: {_lock_problem(out_dir, exc)}") \
            from None
    try:
        try:
            _lock(fd)
        except OSError:
            raise LockError(
                f"another build is running on {out_dir}; wait for it to finish, then try again"
            ) from None
        yield
    finally:
        os.close(fd)


def _open_lock(lock: Path) -> int:
    """The lock file, opened without following a link and only if it is a regular file."""
    # O_NOFOLLOW: a link planted in output/ must not make the build create or
    # open a file elsewhere; O_NONBLOCK: a named pipe must not hang the open.
    flags = os.O_RDWR | os.O_CREAT | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0)
    if os.path.islink(lock):  # also where O_NOFOLLOW does not exist
        raise OSError(errno.ELOOP, "a symbolic link")
    fd = os.open(lock, flags | getattr(os, "O_CLOEXEC", 0), 0o644)
    if not stat.S_ISREG(os.fstat(fd).st_mode):
        os.close(fd)
        raise OSError(errno.EINVAL, "not a regular file")
    return fd


def _lock_problem(out_dir: Path, exc: OSError) -> str:
    """What is really wrong when the output folder or its lock file cannot be used."""
    lock = display_path(out_dir / LOCK_NAME)
    if os.path.islink(out_dir) and not out_dir.exists():
        return (f"it is a symbolic link to {os.readlink(out_dir)}, which does not exist; "
                "create that folder or remove the link")
    if out_dir.is_file():
        return "it is a file, not a folder"
    if os.path.islink(out_dir / LOCK_NAME):
        return (f"its lock file {lock} is a symbolic link, which reportgen never makes and will not follow; "
                "remove it and try again")
    if (out_dir / LOCK_NAME).is_dir():
        return f"its lock file {lock} is a folder, not a file; remove it and try again"
    if (out_dir / LOCK_NAME).exists() and not (out_dir / LOCK_NAME).is_file():
        return f"its lock file {lock} is not a regular file (a pipe or a device?); remove it and try again"
    return exc.strerror or str(exc)


def _lock(fd: int) -> None:
    if os.name == "nt":  # pragma: no cover - exercised on Windows only
        import msvcrt

        msvcrt.locking(fd, msvcrt.LK_NBLCK, 1)
    else:
        import fcntl

        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
