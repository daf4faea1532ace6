"""Writing output safely: atomic replacement, and one build at a time per folder.

A paper is written to a temporary file beside its final name, flushed to
disk, then renamed over the old one, so a reader (or a crash) only ever sees
the previous paper or the new one, never half of one.
"""

from __future__ import annotations

import contextlib
import errno
import os
import tempfile
from pathlib import Path
from typing import Iterator

from reportgen.errors import BuildError, LockError, display_path

TEMP_PREFIX = ".reportgen-"
TEMP_SUFFIX = ".part"
LOCK_NAME = ".reportgen.lock"


def write_atomic(path: Path, data: bytes) -> bool:
    """Replace `path` with `data`; False (and nothing touched) when it already holds them."""
    path.parent.mkdir(parents=True, exist_ok=True)
    if path.is_file() and path.stat().st_size == len(data) and path.read_bytes() == data:
        return False
    fd, temp = tempfile.mkstemp(prefix=TEMP_PREFIX, suffix=TEMP_SUFFIX, dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(temp, 0o644)
        os.replace(temp, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(temp)
        raise
    _fsync_dir(path.parent)
    return True


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
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
        handle = open(out_dir / LOCK_NAME, "a+")
    except OSError as exc:  # not writable, a file in the way, disk full: the user's to fix
        reason = "it is a file, not a folder" if out_dir.is_file() else (exc.strerror or str(exc))
        raise BuildError(f"cannot use the output folder {display_path(out_dir)}: {reason}") from None
    try:
        try:
            _lock(handle)
        except OSError:
            raise LockError(
                f"another build is running on {out_dir}; wait for it to finish, then try again"
            ) from None
        yield
    finally:
        handle.close()


def _lock(handle) -> None:
    if os.name == "nt":  # pragma: no cover - exercised on Windows only
        import msvcrt

        msvcrt.locking(handle.fileno(), msvcrt.LK_NBLCK, 1)
    else:
        import fcntl

        fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
