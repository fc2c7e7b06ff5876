"""write_atomic: the old content or the new, never a torn file, and no temp
file left behind when the write fails."""

import os
import stat

import pytest

from loglines.atomic import write_atomic


def test_replaces_the_content_and_leaves_only_the_target(tmp_path):
    target = tmp_path / "sub" / "state.json"
    write_atomic(target, "first")
    write_atomic(target, b"second")
    assert target.read_bytes() == b"second"
    assert os.listdir(target.parent) == ["state.json"]


def test_mode_is_set_before_the_file_appears(tmp_path):
    target = tmp_path / "secret"
    write_atomic(target, "s3cret\n", mode=0o600)
    assert stat.S_IMODE(target.stat().st_mode) == 0o600


def test_the_default_mode_follows_the_umask(tmp_path):
    old = os.umask(0o027)
    try:
        write_atomic(tmp_path / "plain", "x")
    finally:
        os.umask(old)
    assert stat.S_IMODE((tmp_path / "plain").stat().st_mode) == 0o640


def test_a_failed_write_keeps_the_old_file_and_cleans_its_temp_file(tmp_path):
    target = tmp_path / "state.json"
    write_atomic(target, "old")
    with pytest.raises(TypeError):
        write_atomic(target, 12345)  # cannot be written: fails after the temp file exists
    assert target.read_text() == "old"
    assert os.listdir(tmp_path) == ["state.json"]


@pytest.mark.skipif(not os.path.exists("/dev/full"), reason="no /dev/full")
def test_a_full_disk_leaves_no_temp_file(tmp_path, monkeypatch):
    """The temp file's writes go to /dev/full, a real device that is always
    out of space: the write raises ENOSPC, the old file stays, no temp file."""
    target = tmp_path / "state.json"
    write_atomic(target, "old")
    real_open = os.open

    def open_on_a_full_device(path, flags, mode=0o777):
        fd = real_open(path, flags, mode)
        if str(path).endswith(".tmp"):
            full = real_open("/dev/full", os.O_WRONLY)
            os.dup2(full, fd)
            os.close(full)
        return fd

    monkeypatch.setattr(os, "open", open_on_a_full_device)
    with pytest.raises(OSError) as caught:
        write_atomic(target, "new" * 1000)
    monkeypatch.undo()
    assert caught.value.errno == 28  # ENOSPC
    assert target.read_text() == "old"
    assert os.listdir(tmp_path) == ["state.json"]
