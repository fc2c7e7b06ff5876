"""articles.log and other.log hold IP addresses: with retention_days they
roll over daily and the files past the retention are removed."""

import os
import textwrap

from loglines.config import load
from loglines.outputs.logfile import AppendFile

DAY = 86400
NOV_30 = 1_795_996_800  # 2026-11-30 00:00 UTC


class Clock:
    def __init__(self, now):
        self.now = now

    def __call__(self):
        return self.now


def _age(path, seconds):
    os.utime(path, (seconds, seconds))


def test_a_new_day_rolls_the_file_over_and_old_files_go(tmp_path):
    log = tmp_path / "articles.log"
    clock = Clock(NOV_30 + 3600)
    out = AppendFile(log, retention_days=90, clock=clock)
    out.write_synced([b"192.0.2.1 day one\n"])
    _age(log, clock.now)
    logrotated = tmp_path / "articles.log.3.gz"  # logrotate's, before loglines rolled
    logrotated.write_bytes(b"192.0.2.9 ancient\n")
    _age(logrotated, NOV_30 - 91 * DAY)
    kept = tmp_path / "articles.log.2026-09-15"
    kept.write_bytes(b"192.0.2.5 within the retention\n")
    _age(kept, NOV_30 - 76 * DAY)
    clock.now += DAY
    out.write_synced([b"192.0.2.2 day two\n"])
    out.close()
    assert log.read_bytes() == b"192.0.2.2 day two\n"
    assert (tmp_path / "articles.log.2026-11-30").read_bytes() == b"192.0.2.1 day one\n"
    assert not logrotated.exists() and kept.exists()
    assert out.removed == [str(logrotated)]


def test_the_same_day_appends_and_zero_never_rolls(tmp_path):
    log = tmp_path / "other.log"
    clock = Clock(NOV_30 + 3600)
    out = AppendFile(log, retention_days=90, clock=clock)
    out.write_synced([b"a\n"])
    _age(log, clock.now)
    clock.now += 3600
    out.write_synced([b"b\n"])
    out.close()
    assert log.read_bytes() == b"a\nb\n"
    forever = AppendFile(log, retention_days=0, clock=clock)
    clock.now += 400 * DAY
    forever.write_synced([b"c\n"])
    forever.close()
    assert log.read_bytes() == b"a\nb\nc\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["other.log"]


def test_retention_days_defaults_to_90(tmp_path):
    path = tmp_path / "loglines.cfg"
    path.write_text(textwrap.dedent("""
        [logger_articlelogger]
        listento = articlelog
        logfile = logs/articles.log
    """))
    assert load(path).programs["logger_articlelogger"].options.retention_days == 90
