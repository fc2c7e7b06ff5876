"""FileTailer against real files: renames, truncations and restarts in tmp_path."""

import json
import os
import shutil
import threading
import time
import tracemalloc

import pytest

from loglines.errors import LoglinesError
from loglines.inputs.files import FileTailer, TailError
from loglines.inputs.files.checkpoint import Checkpoint, save_checkpoint


def append(path, data):
    with open(path, "ab") as f:
        f.write(data.encode() if isinstance(data, str) else data)


def load_state(state):
    with open(state) as f:
        return json.load(f)


def texts(batch):
    return [line.text for line in batch.lines] if batch is not None else []


def read_all(tailer, max_lines=1000):
    """Every line readable now, committing as a worker would."""
    out = []
    while (batch := tailer.read(max_lines=max_lines)) is not None:
        out += texts(batch)
        tailer.commit(batch)
    return out


class Clock:
    def __init__(self):
        self.now = 1000.0

    def __call__(self):
        return self.now


@pytest.fixture
def log(tmp_path):
    path = tmp_path / "access.log"
    path.write_bytes(b"")
    return str(path)


@pytest.fixture
def state(tmp_path):
    return str(tmp_path / "state" / "access.state")


def tailer_for(log, state, **options):
    options.setdefault("start_at", "beginning")
    options.setdefault("rotate_grace", 0)
    return FileTailer(log, state, **options)


# -- start and restart -------------------------------------------------------


def test_start_at_end_skips_existing_lines_and_an_unfinished_one(log, state):
    append(log, "old1\nold2\nunfin")
    tailer = FileTailer(log, state)
    assert tailer.read() is None
    append(log, "ished\nnew\n")
    assert texts(tailer.read()) == ["unfinished", "new"]


def test_start_at_beginning_reads_existing_lines(log, state):
    append(log, "old1\nold2\n")
    assert read_all(tailer_for(log, state, start_at="beginning")) == ["old1", "old2"]


def test_start_at_only_applies_without_checkpoint(log, state):
    append(log, "a\nb\n")
    tailer = tailer_for(log, state, start_at="beginning")
    tailer.commit(tailer.read(max_lines=1))
    tailer.close()
    append(log, "c\n")
    assert read_all(FileTailer(log, state, start_at="end")) == ["b", "c"]


def test_restart_before_first_commit_does_not_skip_unread_lines(log, state):
    append(log, "old\n")
    tailer = FileTailer(log, state, start_at="end")
    append(log, "new\n")
    assert texts(tailer.read()) == ["new"]  # never committed
    tailer.close()
    assert read_all(FileTailer(log, state, start_at="end")) == ["new"]


def test_file_created_after_the_tailer_is_read_from_its_start(tmp_path, state):
    path = str(tmp_path / "later.log")
    tailer = FileTailer(path, state, start_at="end")
    assert tailer.read() is None
    append(path, "first\n")
    assert read_all(tailer) == ["first"]


def test_restart_resumes_after_last_commit_and_rereads_uncommitted(log, state):
    append(log, "".join(f"line{i}\n" for i in range(10)))
    tailer = tailer_for(log, state)
    first = tailer.read(max_lines=3)
    second = tailer.read(max_lines=3)  # read-ahead, never committed
    assert texts(second) == ["line3", "line4", "line5"]
    tailer.commit(first)
    tailer.close()
    assert read_all(tailer_for(log, state)) == [f"line{i}" for i in range(3, 10)]


def test_state_holds_start_position_and_then_moves_only_on_commit(log, state):
    append(log, "a\nb\n")
    tailer = tailer_for(log, state)
    assert load_state(state)["offset"] == 0
    batch = tailer.read()
    assert load_state(state)["offset"] == 0
    tailer.commit(batch)
    saved = load_state(state)
    st = os.stat(log)
    assert (saved["device"], saved["inode"], saved["offset"]) == (st.st_dev, st.st_ino, 4)
    assert os.listdir(os.path.dirname(state)) == ["access.state"]  # no temp file left


def test_commit_of_an_older_batch_does_not_move_back(log, state):
    append(log, "a\nb\nc\n")
    tailer = tailer_for(log, state)
    older, newer = tailer.read(max_lines=1), tailer.read(max_lines=1)
    tailer.commit(newer)
    tailer.commit(older)
    tailer.close()
    assert read_all(tailer_for(log, state)) == ["c"]


def test_commit_refuses_a_batch_of_another_tailer(log, state, tmp_path):
    append(log, "a\n")
    batch = tailer_for(log, state).read()
    other = tailer_for(log, str(tmp_path / "other.state"))
    with pytest.raises(ValueError):
        other.commit(batch)


def test_lines_offsets_and_checkpoint_agree(log, state):
    append(log, "ab\r\n" + "x" * 50 + "\ncd\n" + "y" * 50 + "\n")
    tailer = tailer_for(log, state, max_line_size=10)
    batch = tailer.read(max_lines=3)  # ab, a rejected line, cd
    assert [(line.text, line.offset) for line in batch.lines] == [("ab", 0), ("cd", 55)]
    assert batch.rejected == {"line_too_long": 1}
    assert batch.marks[0].checkpoint.offset == 58
    last = tailer.read()  # only a rejected line: still a batch, to commit
    assert last.lines == [] and last.rejects[0].offset == 58
    tailer.commit(last)
    assert load_state(state)["offset"] == os.path.getsize(log)


# -- lines -------------------------------------------------------------------


def test_partial_line_waits_for_its_newline(log, state):
    tailer = tailer_for(log, state)
    append(log, "GET /ind")
    assert tailer.read() is None
    append(log, "ex.html\r\n")
    assert texts(tailer.read()) == ["GET /index.html"]


def test_invalid_utf8_is_kept_with_replacement_characters(log, state):
    tailer = tailer_for(log, state)
    append(log, b"bad \xff\xc3 byte\nnext\n")
    assert read_all(tailer) == ["bad \ufffd\ufffd byte", "next"]


def test_huge_line_is_rejected_without_buffering_it(log, state):
    tailer = tailer_for(log, state, max_line_size=1000)
    append(log, "before\n")
    assert read_all(tailer) == ["before"]
    chunk = b"x" * 1_000_000
    tracemalloc.start()
    try:
        for _ in range(8):
            append(log, chunk)  # 8 MB without a newline
            assert tailer.read(max_bytes=1 << 22) is None
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 1_000_000
    append(log, "x\nafter\n")
    batch = tailer.read()
    assert batch.lines == []
    assert batch.rejected == {"line_too_long": 1}
    reject = batch.rejects[0]
    assert (reject.offset, reject.size, reject.prefix) == (7, 8_000_002, "x" * 256)
    assert texts(tailer.read()) == ["after"]


def test_memory_does_not_grow_with_file_size(log, state):
    line = '203.0.113.9 - - [01/Jan/2024:00:00:00 +0000] "GET /x HTTP/1.1" 200 512\n'
    append(log, line * 60_000)  # about 4 MB
    tailer = tailer_for(log, state, read_size=16384)
    tracemalloc.start()
    try:
        count = 0
        while (batch := tailer.read(max_lines=200)) is not None:
            count += len(batch.lines)
            tailer.commit(batch) if count % 20_000 == 0 else None
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert count == 60_000
    assert peak < 500_000


# -- rotation by rename ------------------------------------------------------


def test_rename_rotation_reads_old_file_to_its_end_first(log, state):
    tailer = tailer_for(log, state)
    append(log, "old1\n")
    assert texts(tailer.read()) == ["old1"]
    os.rename(log, log + ".1")
    append(log + ".1", "old2-after-rename\n")
    append(log, "new1\n")
    append(log + ".1", "old3-after-create\n")
    assert read_all(tailer) == ["old2-after-rename", "old3-after-create", "new1"]


def test_checkpoint_after_rotation_describes_the_new_file(log, state):
    tailer = tailer_for(log, state)
    append(log, "old1\nold2\n")
    os.rename(log, log + ".1")
    append(log, "n1\n")
    tailer.commit(tailer.read())
    saved = load_state(state)
    assert (saved["inode"], saved["offset"]) == (os.stat(log).st_ino, 3)


def test_unfinished_line_at_end_of_rotated_file_is_rejected(log, state):
    tailer = tailer_for(log, state)
    append(log, "a\ncut sho")
    os.rename(log, log + ".1")
    append(log, "b\n")
    batch = tailer.read()
    assert texts(batch) == ["a", "b"]
    assert [(r.reason, r.offset, r.prefix) for r in batch.rejects] == [
        ("incomplete_line", 2, "cut sho")
    ]


def test_rotation_waits_for_grace_so_late_writers_are_read(log, state):
    clock = Clock()
    tailer = tailer_for(log, state, rotate_grace=5, now=clock)
    os.rename(log, log + ".1")
    append(log, "new\n")
    assert tailer.read() is None
    assert not tailer.has_data()
    append(log + ".1", "late old\n")
    clock.now += 4
    assert texts(tailer.read()) == ["late old"]
    clock.now += 1
    assert tailer.has_data()
    assert read_all(tailer) == ["new"]


def test_missing_file_between_rename_and_create(log, state):
    tailer = tailer_for(log, state)
    append(log, "a\n")
    os.rename(log, log + ".1")
    assert read_all(tailer) == ["a"]
    assert tailer.read() is None
    append(log, "b\n")
    assert read_all(tailer) == ["b"]


def test_restart_mid_rotation_finishes_the_renamed_file(log, state):
    tailer = tailer_for(log, state)
    append(log, "o1\no2\no3\n")
    tailer.commit(tailer.read(max_lines=1))
    tailer.close()
    os.rename(log, log + ".1")
    append(log, "n1\n")
    assert read_all(tailer_for(log, state)) == ["o2", "o3", "n1"]


def test_restart_mid_rotation_without_renamed_file_reads_new_file_from_start(log, state):
    tailer = tailer_for(log, state)
    append(log, "o1\no2\n")
    tailer.commit(tailer.read(max_lines=1))
    tailer.close()
    os.rename(log, log + ".1")
    os.unlink(log + ".1")
    append(log, "n1\nn2\n")
    assert read_all(tailer_for(log, state, start_at="end")) == ["n1", "n2"]


@pytest.mark.parametrize("commit_before_switch", [True, False])
def test_checkpoint_follows_a_quiet_switch_so_a_second_rotation_loses_nothing(
    log, state, commit_before_switch
):
    tailer = tailer_for(log, state)
    append(log, "a1\n")
    os.rename(log, log + ".1")
    append(log, "")
    batch = tailer.read(max_lines=1)
    assert texts(batch) == ["a1"]  # the end of the old file, not yet the switch
    if commit_before_switch:
        tailer.commit(batch)
    assert tailer.read() is None  # moves to the new, empty, file
    if not commit_before_switch:
        tailer.commit(batch)
    append(log, "b1\n")
    os.rename(log, log + ".2")  # rotated again before the tailer read b1
    append(log, "c1\n")
    tailer.close()
    assert read_all(tailer_for(log, state)) == ["b1", "c1"]


# -- copytruncate and inode reuse ---------------------------------------------


def copytruncate(path):
    with open(path, "rb") as src, open(path + ".1", "wb") as dst:
        dst.write(src.read())
    os.truncate(path, 0)


def test_copytruncate_restarts_at_zero(log, state):
    tailer = tailer_for(log, state)
    append(log, "a-long-first-line\nb\n")
    assert read_all(tailer) == ["a-long-first-line", "b"]
    copytruncate(log)
    append(log, "c\n")
    assert read_all(tailer) == ["c"]


def test_copytruncate_noticed_even_when_regrown_past_offset(log, state):
    tailer = tailer_for(log, state)
    append(log, "a\n")
    assert read_all(tailer) == ["a"]
    copytruncate(log)
    append(log, "bbbbbbbb\n")
    assert read_all(tailer) == ["bbbbbbbb"]


def test_copytruncate_noticed_when_only_a_partial_line_was_read(log, state):
    tailer = tailer_for(log, state)
    append(log, "0001 part")
    assert tailer.read() is None
    copytruncate(log)
    append(log, "0002 GET /item/2\n")
    batch = tailer.read()
    assert texts(batch) == ["0002 GET /item/2"]
    assert batch.rejected == {"incomplete_line": 1}


def test_copytruncate_while_stopped_restarts_at_zero(log, state):
    tailer = tailer_for(log, state)
    append(log, "a-long-first-line\n")
    read_all(tailer)
    tailer.close()
    copytruncate(log)
    append(log, "c\n")
    assert read_all(tailer_for(log, state)) == ["c"]


def test_checkpoint_on_same_inode_with_other_first_bytes_is_not_trusted(log, state):
    append(log, "this file is new\nsecond\n")
    st = os.stat(log)
    # As left by an earlier file that had this inode and began otherwise.
    stale = Checkpoint.at(st.st_dev, st.st_ino, b"an older file\n", 14)
    save_checkpoint(state, stale, log)
    assert read_all(tailer_for(log, state)) == ["this file is new", "second"]


def test_new_file_on_a_reused_inode_is_read_from_start(log, state, tmp_path):
    append(log, "old file first line\n")
    tailer = tailer_for(log, state)
    read_all(tailer)
    tailer.close()
    old_inode = os.stat(log).st_ino
    os.unlink(log)
    for attempt in range(20):
        append(log, "new file, its own first line\n")
        if os.stat(log).st_ino == old_inode:
            break
        os.rename(log, tmp_path / f"keep{attempt}")
    else:
        pytest.skip("this file system did not reuse the inode")
    assert read_all(tailer_for(log, state)) == ["new file, its own first line"]


# -- waiting and errors ---------------------------------------------------------


def test_wait_returns_soon_after_a_line_is_written(log, state):
    tailer = tailer_for(log, state)
    writer = threading.Timer(0.2, append, (log, "hello\n"))
    started = time.monotonic()
    writer.start()
    try:
        assert tailer.wait(10)
    finally:
        writer.join()
    assert time.monotonic() - started < 5  # a generous bound: no timing test
    assert texts(tailer.read()) == ["hello"]


def test_wait_times_out_without_data(log, state):
    tailer = tailer_for(log, state)
    assert not tailer.wait(0.1)


def test_a_directory_at_the_path_is_a_tail_error_at_each_read(tmp_path, state):
    """Built all the same (the watcher waits for such a file), then each read
    says why it cannot be followed."""
    os.mkdir(tmp_path / "dir.log")
    tailer = FileTailer(str(tmp_path / "dir.log"), state)
    for _ in range(2):
        with pytest.raises(TailError) as info:
            tailer.read()
        assert isinstance(info.value, LoglinesError) and "not a regular file" in str(info.value)


def test_corrupt_state_is_a_tail_error(log, state):
    os.makedirs(os.path.dirname(state))
    with open(state, "w") as f:
        f.write("{not json")
    with pytest.raises(TailError) as info:
        FileTailer(log, state)
    assert isinstance(info.value.__cause__, ValueError)


def test_unwritable_state_is_a_tail_error_with_cause(log, tmp_path):
    folder = tmp_path / "statedir"
    tailer = tailer_for(log, str(folder / "x.state"))
    shutil.rmtree(folder)
    folder.write_text("a file where the state folder should be")
    append(log, "a\n")
    with pytest.raises(TailError) as info:
        tailer.commit(tailer.read())
    assert isinstance(info.value.__cause__, OSError)


def test_an_unfinished_line_already_too_long_at_rotation_is_line_too_long(log, state, tmp_path):
    """Found by the rename-rotation model: the reason given is the size,
    which made the line unusable before the rotation left it unfinished."""
    tailer = tailer_for(log, state, max_line_size=256)
    with open(log, "wb") as handle:
        handle.write(b"ok\n" + b"x" * 300)  # over the limit, and no newline yet
    first = tailer.read(max_lines=10)
    assert [line.text for line in first.lines] == ["ok"]
    os.rename(log, tmp_path / "access.log.1")
    with open(log, "wb") as handle:
        handle.write(b"fresh\n")
    batches = [b for b in (tailer.read(max_lines=10), tailer.read(max_lines=10)) if b]
    rejects = [r for b in batches for r in b.rejects]
    assert [(r.reason, r.size) for r in rejects] == [("line_too_long", 300)]
    assert [line.text for b in batches for line in b.lines] == ["fresh"]
