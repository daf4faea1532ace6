"""Writing papers: atomic replacement, stale temporaries, one build per folder."""

import pytest

from reportgen.errors import LockError
from reportgen.pipeline.output import build_lock, remove_stale_temporaries, write_atomic


def test_write_atomic_replaces_and_skips_identical(tmp_path):
    target = tmp_path / "a" / "paper.pdf"
    assert write_atomic(target, b"one") is True
    mtime = target.stat().st_mtime_ns
    assert write_atomic(target, b"one") is False
    assert target.stat().st_mtime_ns == mtime
    assert write_atomic(target, b"two") is True
    assert target.read_bytes() == b"two"
    assert [p.name for p in target.parent.iterdir()] == ["paper.pdf"]


def test_failed_write_leaves_old_file_and_no_temporary(tmp_path, monkeypatch):
    target = tmp_path / "paper.pdf"
    target.write_bytes(b"good")

    def fail(*args):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr("os.replace", fail)
    with pytest.raises(OSError):
        write_atomic(target, b"new")
    assert target.read_bytes() == b"good"
    assert [p.name for p in tmp_path.iterdir()] == ["paper.pdf"]


def test_stale_temporaries_are_removed(tmp_path):
    (tmp_path / "c").mkdir()
    stale = tmp_path / "c" / ".reportgen-abc.part"
    stale.write_bytes(b"half")
    assert remove_stale_temporaries(tmp_path) == [stale]
    assert not stale.exists()


def test_second_build_on_the_same_folder_is_refused(tmp_path):
    with build_lock(tmp_path):
        with pytest.raises(LockError, match="another build is running"):
            with build_lock(tmp_path):
                pass
    with build_lock(tmp_path):  # released again
        pass
