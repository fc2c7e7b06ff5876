"""loglines replay against a live Redis: formats, filtering, journals, a
full queue, errors, and an interrupted run resumed."""

import bz2
import gzip
import json
import lzma
import os
import signal
import subprocess
import sys
import textwrap
import threading
from collections import Counter
from pathlib import Path

import pytest

from loglines.cli import exit_codes
from loglines.cli.main import main
from loglines.queue.interface import MAX_BATCH
from tests.support.data import APACHE_LOGS
from tests.support.waiting import wait_for

ROOT = Path(__file__).resolve().parents[2]
SERVICE = "repo.example.ac.uk"


@pytest.fixture
def lines():
    return APACHE_LOGS.read_bytes().splitlines(keepends=True)


@pytest.fixture
def write_cfg(tmp_path, redis_server, prefix):
    def write(cap=0, watcher=True):
        path = tmp_path / "loglines.cfg"
        section = f"[logger_watch]\nlogfile = logs/access.log\nservicename = {SERVICE}\n" \
                  "pushto = loglines\n" if watcher else ""
        path.write_text(textwrap.dedent(f"""
            [queues]
            prefix = {prefix}
            [[loglines]]
            cap = {cap}
            [redis]
            port = {redis_server.port}
        """) + section)
        return str(path)

    return write


@pytest.fixture
def queue(make_store):
    return make_store().queue("loglines")


def replay(capsys, cfg, *argv):
    code = main(["--config", cfg, "replay", *map(str, argv)])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def drain(queue, pause=0.0, stop=None):
    """Every message pushed so far (or until ``stop`` is set), acknowledged."""
    got = []
    while True:
        items = queue.fetch("test:1:drain", 250).items
        if items:
            queue.ack("test:1:drain", [i.id for i in items])
            got += [json.loads(i.payload) for i in items]
        elif stop is None or stop.is_set():
            return got
        if stop is not None:
            stop.wait(pause)


def offsets(messages):
    return [m["offset"] for m in messages]


def line_offsets(lines):
    result, at = [], 0
    for line in lines:
        result.append(at)
        at += len(line)
    return result


def test_plain_gzip_bz2_xz_give_the_watchers_messages(capsys, write_cfg, queue, tmp_path,
                                                      lines):
    body = b"".join(lines[:300]) + b"bad \xff byte\n" + lines[300].rstrip(b"\n")
    files = {}
    for name, compress in (("a.log", bytes), ("b.log.gz", gzip.compress),
                           ("c.log.bz2", bz2.compress), ("d.log.xz", lzma.compress),
                           ("e.log.1", gzip.compress)):  # compressed, by its magic bytes
        files[name] = tmp_path / name
        files[name].write_bytes(compress(body))
    code, out, err = replay(capsys, write_cfg(), *files.values())
    assert code == 0, err
    assert "replay: 5 files, 1510 lines pushed, 0 skipped by --since/--until, 0 rejected" in out
    got = drain(queue)
    want = line_offsets(body.splitlines(keepends=True))
    for path in files.values():
        mine = [m for m in got if m["source"] == str(path)]
        assert offsets(mine) == want
        assert mine[300]["logline"] == "bad \ufffd byte"
        assert mine[-1]["logline"] == lines[300].decode().rstrip("\n")  # no final newline
    first = got[0]
    assert list(first) == ["service", "logline", "source", "offset"]
    assert first["service"] == SERVICE and first["logline"] == lines[0].decode().rstrip("\n")


def test_since_until_keep_untimed_lines(capsys, write_cfg, queue, tmp_path, lines):
    path = tmp_path / "access.log.gz"
    path.write_bytes(gzip.compress(b"".join(lines) + b"no time here\n"))
    code, out, _ = replay(capsys, write_cfg(), path, "--since", "2015-05-18T02:00+02:00",
                          "--until", "2015-05-19")
    assert code == 0
    got = drain(queue)
    assert len(got) == 2893 + 1
    assert all("18/May/2015" in m["logline"] for m in got[:-1])
    assert got[-1]["logline"] == "no time here"
    assert f"{2893 + 1} lines pushed, {len(lines) - 2893} skipped by --since/--until" in out
    assert "1 without a readable time (kept)" in out


def test_long_lines_are_dead_lettered(capsys, write_cfg, queue, tmp_path, lines):
    path = tmp_path / "access.log"
    path.write_bytes(lines[0] + b"x" * 20000 + b"\n" + lines[1])
    code, out, _ = replay(capsys, write_cfg(), path)
    assert code == 0 and "2 lines pushed" in out and "1 rejected" in out
    assert offsets(drain(queue)) == [0, len(lines[0]) + 20001]
    [dead] = queue.dead_items()
    assert "line_too_long: 20001 bytes" in dead.error


def test_finished_file_is_skipped_unless_forced_and_changed_one_starts_over(
        capsys, write_cfg, queue, tmp_path, lines):
    cfg, path = write_cfg(), tmp_path / "access.log"
    path.write_bytes(b"".join(lines[:10]))
    assert replay(capsys, cfg, path)[0] == 0
    code, out, err = replay(capsys, cfg, path)
    assert code == 0 and "0 lines pushed" in out and "(1 already replayed)" in out
    assert "already replayed (use --force to replay it again)" in err
    code, out, _ = replay(capsys, cfg, path, "--force")
    assert "10 lines pushed" in out
    path.write_bytes(b"".join(lines[:12]))
    code, out, err = replay(capsys, cfg, path)
    assert "changed since it was replayed" in err and "12 lines pushed" in out
    assert len(drain(queue)) == 10 + 10 + 12


def test_expected_failures_are_one_line(capsys, write_cfg, queue, tmp_path, lines):
    cfg = write_cfg()
    code, _, err = replay(capsys, cfg, tmp_path / "nope.log")
    assert code == exit_codes.FAILED and err == f"loglines: {tmp_path}/nope.log: No such file " \
                                                "or directory\n"
    fake = tmp_path / "fake.gz"
    fake.write_bytes(b"plain text, not gzip\n")
    code, _, err = replay(capsys, cfg, fake)
    assert code == exit_codes.FAILED and len(err.splitlines()) == 1 and "fake.gz" in err
    cut = tmp_path / "cut.gz"
    whole = gzip.compress(b"".join(lines[:5000]), compresslevel=1)
    cut.write_bytes(whole[: len(whole) // 2])
    code, _, err = replay(capsys, cfg, cut)
    assert code == exit_codes.FAILED and len(err.splitlines()) == 1
    assert "corrupt or unreadable data" in err and "Traceback" not in err
    pushed = drain(queue)
    assert 1000 < len(pushed) < 5000 and offsets(pushed) == line_offsets(lines)[: len(pushed)]
    [journal] = (tmp_path / "var" / "replay").glob("*.json")
    state = json.loads(journal.read_text())
    assert state["counts"]["pushed"] == len(pushed) and not state["done"]
    code, _, err = replay(capsys, write_cfg(watcher=False), cut)
    assert code == exit_codes.CONFIG and "give --to QUEUE" in err and len(err.splitlines()) == 1


def test_a_full_queue_makes_replay_wait_not_fail(capsys, write_cfg, queue, tmp_path, lines):
    path = tmp_path / "access.log.gz"
    path.write_bytes(gzip.compress(b"".join(lines)))
    stop, got = threading.Event(), []
    consumer = threading.Thread(target=lambda: got.extend(drain(queue, 0.02, stop)))
    consumer.start()
    try:
        code, _, err = replay(capsys, write_cfg(cap=2000), path)
    finally:
        stop.set()
        consumer.join()
    assert code == 0 and "loglines is at its cap" in err and "waiting for room" in err
    assert offsets(got) == line_offsets(lines)


@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGKILL])
def test_interrupted_replay_resumes_without_gap(capsys, write_cfg, queue, tmp_path, lines, sig):
    path = tmp_path / "access.log.gz"
    path.write_bytes(gzip.compress(b"".join(lines)))
    cfg = write_cfg(cap=3000)  # the replay stalls mid-way, waiting for room
    proc = subprocess.Popen([sys.executable, "-m", "loglines", "--config", cfg, "replay",
                             str(path)], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            env=dict(os.environ, PYTHONPATH=str(ROOT)), text=True)
    try:
        assert wait_for(lambda: queue.stats().ready >= 3000, timeout=15)
        proc.send_signal(sig)
        out, err = proc.communicate(timeout=15)
    finally:
        proc.kill()
    first = drain(queue)
    if sig == signal.SIGINT:
        assert proc.returncode == exit_codes.INTERRUPTED, err
        assert out.startswith("replay interrupted (run it again to go on): 1 file, 3000 lines")
        assert "Traceback" not in err
    code, out, _ = replay(capsys, write_cfg(cap=0), path)
    assert code == 0
    second = drain(queue)
    assert len(second) <= len(lines) - len(first) + MAX_BATCH  # resumed, not restarted
    seen = offsets(first) + offsets(second)
    assert sorted(set(seen)) == line_offsets(lines)  # none missing
    repeated = sorted(o for o, n in Counter(seen).items() if n > 1)
    assert len(repeated) <= MAX_BATCH  # at most the one unacknowledged batch
    assert repeated == offsets(second)[: len(repeated)]
    if sig == signal.SIGINT:
        assert not repeated  # a graceful stop journals every batch it pushed
