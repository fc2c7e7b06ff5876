"""logfilewatcher in-process: lines reach the queue with their source and
offset, exactly once across restarts, rotations and a full queue."""

import json
import os

from tests.support.queues import drain
from tests.support.waiting import wait_for
from tests.workers.conftest import Background, run_worker, worker_context


def append(path, *lines, raw=b""):
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "ab") as handle:
        handle.write(b"".join(line.encode() + b"\n" for line in lines) + raw)



def drain_until(queue, n):
    """The messages of the queue as they come, until there are ``n``."""
    got = []
    while len(got) < n:
        assert wait_for(lambda: queue.stats().ready > 0, timeout=20)
        got += drain(queue)
    return got


def test_lines_arrive_as_messages_with_source_and_offset(instance, tmp_path):
    config = instance()
    log = tmp_path / "logs/access.log"
    append(log, "first line", "second line")
    append(log, raw=b"partial, no newline yet")
    run_worker(config, "logger_watch")
    got = drain(worker_context(config, "logger_watch").queue("loglines"))
    assert got == [
        {"service": "repo.example.ac.uk", "logline": "first line", "source": str(log), "offset": 0},
        {"service": "repo.example.ac.uk", "logline": "second line", "source": str(log),
         "offset": 11},
    ]


def test_a_restart_resumes_with_no_gap_and_no_repeat(instance, tmp_path):
    config = instance()
    log = tmp_path / "logs/access.log"
    queue = worker_context(config, "logger_watch").queue("loglines")
    append(log, *(f"line {i}" for i in range(12)))
    run_worker(config, "logger_watch")
    append(log, *(f"line {i}" for i in range(12, 20)))
    run_worker(config, "logger_watch")
    assert [m["logline"] for m in drain(queue)] == [f"line {i}" for i in range(20)]


def test_every_file_of_the_glob_is_followed(instance, tmp_path):
    config = instance()
    append(tmp_path / "logs/access-a.log", "a1", "a2")
    append(tmp_path / "logs/access-b.log", "b1")
    run_worker(config, "logger_watch")
    got = drain(worker_context(config, "logger_watch").queue("loglines"))
    assert sorted(m["logline"] for m in got) == ["a1", "a2", "b1"]


def test_rename_rotation_while_running_loses_nothing(instance, tmp_path):
    config = instance()
    log = tmp_path / "logs/access.log"
    queue = worker_context(config, "logger_watch").queue("loglines")
    append(log, "before 1", "before 2")
    with Background(config, "logger_watch"):
        assert wait_for(lambda: queue.stats().ready == 2)
        append(log, "late in the old file")
        os.rename(log, tmp_path / "logs/old.1")
        append(log, "new 1", "new 2")
        assert wait_for(lambda: queue.stats().ready == 5, timeout=20)
    assert [m["logline"] for m in drain(queue)] == [
        "before 1", "before 2", "late in the old file", "new 1", "new 2"]


def test_copytruncate_restarts_at_the_top(instance, tmp_path):
    config = instance()
    log = tmp_path / "logs/access.log"
    queue = worker_context(config, "logger_watch").queue("loglines")
    append(log, "old 1", "old 2", "old 3")
    run_worker(config, "logger_watch")
    with open(log, "r+b") as handle:
        handle.truncate(0)
    append(log, "fresh")
    run_worker(config, "logger_watch")
    assert [m["logline"] for m in drain(queue)] == ["old 1", "old 2", "old 3", "fresh"]


def test_a_full_queue_pauses_the_tailer_without_losing_its_place(instance, tmp_path):
    config = instance(queues="[[loglines]]\ncap = 5")
    log = tmp_path / "logs/access.log"
    queue = worker_context(config, "logger_watch").queue("loglines")
    append(log, *(f"line {i}" for i in range(23)))
    with Background(config, "logger_watch"):
        assert wait_for(lambda: queue.stats().ready == 5)
        wait_for(lambda: False, timeout=0.5)
        assert queue.stats().ready == 5  # paused at the cap, not dropping
        got = drain_until(queue, 23)
    assert [m["logline"] for m in got] == [f"line {i}" for i in range(23)]


def test_bad_input_is_kept_not_dropped(instance, tmp_path):
    config = instance()
    log = tmp_path / "logs/access.log"
    queue = worker_context(config, "logger_watch").queue("loglines")
    append(log, "ok", raw=b"caf\xe9 \xff\xfe junk\n" + b"x" * 5000 + b"\n" + b"after\n")
    run_worker(config, "logger_watch")
    assert [m["logline"] for m in drain(queue)] == ["ok", "caf\ufffd \ufffd\ufffd junk", "after"]
    [dead] = queue.dead_items()
    assert dead.error.startswith("line_too_long: 5001 bytes at offset")
    assert json.loads(dead.payload)["logline"].startswith("xxxx")
    counts = worker_context(config, "logger_watch").store.counts("logger_watch")
    assert counts["rejected_line_too_long"] == 1 and counts["lines"] == 3


def test_lines_after_a_50_mb_line_without_newline_are_all_kept(instance, tmp_path):
    """The probe: a blob without a newline, then 500 real lines; the first
    was glued to the blob and went with it."""
    config = instance()
    log = tmp_path / "logs/access.log"
    queue = worker_context(config, "logger_watch").queue("loglines")
    real = [f'192.0.2.{i % 250} - - [01/Dec/2026:10:00:00 +0000] "GET /id/eprint/{i}/a.pdf '
            f'HTTP/1.1" 200 5120' for i in range(500)]
    append(log, raw=b"A" * 50_000_000)
    append(log, *real)
    run_worker(config, "logger_watch")
    assert [m["logline"] for m in drain(queue)] == real
    [dead] = queue.dead_items()
    assert dead.error.startswith("line_too_long: 50000000 bytes at offset 0")
    counts = worker_context(config, "logger_watch").store.counts("logger_watch")
    assert counts["rejected_line_too_long"] == 1 and counts["lines"] == 500


def test_a_crash_between_push_and_checkpoint_repeats_nothing(instance, tmp_path):
    """The push records the file position in Redis in the same step; a
    checkpoint left behind by a crash is overtaken by it at start."""
    import shutil

    config = instance()
    log = tmp_path / "logs/access.log"
    queue = worker_context(config, "logger_watch").queue("loglines")
    state_dir = tmp_path / "var/tail/logger_watch"
    append(log, *(f"first {i}" for i in range(5)))
    run_worker(config, "logger_watch")
    [state] = list(state_dir.glob("*.state"))
    shutil.copy(state, tmp_path / "before.state")
    append(log, *(f"second {i}" for i in range(5)))
    run_worker(config, "logger_watch")
    shutil.copy(tmp_path / "before.state", state)  # as if killed before the second commit
    append(log, "third 0")
    run_worker(config, "logger_watch")
    got = [m["logline"] for m in drain(queue)]
    assert got == [f"first {i}" for i in range(5)] + [f"second {i}" for i in range(5)] + [
        "third 0"]



def test_a_logfile_matching_nothing_is_warned_about_at_start(instance, tmp_path, caplog):
    config = instance()
    with caplog.at_level("WARNING", logger="loglines.logger_watch"):
        run_worker(config, "logger_watch")
    assert [r.getMessage() for r in caplog.records if r.name == "loglines.logger_watch"] == [
        "logs/access*.log matches no file (yet): reading nothing until one appears; "
        "`loglines check` tells why"]
    caplog.clear()
    append(tmp_path / "logs/access.log", "a line")
    with caplog.at_level("WARNING", logger="loglines.logger_watch"):
        run_worker(config, "logger_watch")
    assert [r for r in caplog.records if r.levelname == "WARNING"] == []


def test_the_tailer_reads_no_further_ahead_than_its_readahead(instance, tmp_path):
    """A file read faster than it is consumed stays in the file, not in
    Redis: the tailer waits while readahead lines are ready, and goes on,
    in order and exactly once, as they are taken."""
    config = instance(watch="readahead = 10")
    log = tmp_path / "logs/access.log"
    queue = worker_context(config, "logger_watch").queue("loglines")
    append(log, *(f"line {i}" for i in range(43)))
    with Background(config, "logger_watch"):
        assert wait_for(lambda: queue.stats().ready == 10)
        wait_for(lambda: False, timeout=0.5)
        assert queue.stats().ready == 10  # two batches of 5, then waiting
        got = drain_until(queue, 43)
    assert [m["logline"] for m in got] == [f"line {i}" for i in range(43)]


def test_delayed_items_do_not_hold_the_tailer_back(instance, tmp_path):
    """Through a tracker's outage the events wait as delayed items: the
    read-ahead counts only ready ones, so the tailer reads the file on."""
    from loglines.queue import Failure

    config = instance(watch="readahead = 10")
    log = tmp_path / "logs/access.log"
    queue = worker_context(config, "logger_watch").queue("loglines")
    append(log, *(f"line {i}" for i in range(40)))

    def fail_what_is_ready():
        items = queue.fetch("outage", 100).items
        queue.fail("outage", [Failure(i, "503 from the tracker") for i in items])
        return queue.stats().delayed == 40

    with Background(config, "logger_watch"):
        assert wait_for(fail_what_is_ready, timeout=20)
    assert queue.stats().ready == 0
