"""GlobTailer: several files, files appearing later, per-file checkpoints."""

import os

import pytest

from loglines.inputs.files import GlobTailer
from loglines.inputs.files.glob_tailer import state_file_name


def append(path, text):
    with open(path, "a") as f:
        f.write(text)


def read_all(tailer, commit=True):
    out = []
    while (batch := tailer.read()) is not None:
        out += [(os.path.basename(line.path), line.text) for line in batch.lines]
        if commit:
            tailer.commit(batch)
    return sorted(out)


@pytest.fixture
def logs(tmp_path):
    folder = tmp_path / "logs"
    folder.mkdir()
    return folder


def glob_tailer(logs, tmp_path, **options):
    options.setdefault("rotate_grace", 0)
    options.setdefault("rescan_interval", 0)
    return GlobTailer(str(logs / "*access.log"), str(tmp_path / "state"), **options)


def test_follows_matching_files_only(logs, tmp_path):
    for name in ("a_access.log", "b_access.log", "error.log"):
        (logs / name).write_text("")
    tailer = glob_tailer(logs, tmp_path)
    append(logs / "a_access.log", "a1\n")
    append(logs / "b_access.log", "b1\n")
    append(logs / "error.log", "e1\n")
    assert read_all(tailer) == [("a_access.log", "a1"), ("b_access.log", "b1")]


def test_start_at_applies_to_files_present_at_start_only(logs, tmp_path):
    append(logs / "a_access.log", "old\n")
    tailer = glob_tailer(logs, tmp_path, start_at="end")
    append(logs / "b_access.log", "b-before-seen\n")
    assert read_all(tailer) == [("b_access.log", "b-before-seen")]


def test_picks_up_files_that_appear_later_with_wait(logs, tmp_path):
    tailer = glob_tailer(logs, tmp_path, rescan_interval=0.05)
    assert not tailer.wait(0.1)
    append(logs / "new_access.log", "n1\n")
    assert tailer.wait(5)
    assert read_all(tailer) == [("new_access.log", "n1")]


def test_one_batch_commits_each_files_part(logs, tmp_path):
    append(logs / "a_access.log", "a1\na2\n")
    append(logs / "b_access.log", "b1\n")
    tailer = glob_tailer(logs, tmp_path, start_at="beginning")
    batch = tailer.read()
    assert len(batch.marks) == 2
    tailer.commit(batch)
    tailer.close()
    append(logs / "a_access.log", "a3\n")
    restarted = glob_tailer(logs, tmp_path, start_at="beginning")
    assert read_all(restarted) == [("a_access.log", "a3")]
    states = sorted(os.listdir(tmp_path / "state"))
    assert states == sorted(
        state_file_name(logs / name) for name in ("a_access.log", "b_access.log")
    )


def test_uncommitted_lines_are_read_again_after_restart(logs, tmp_path):
    append(logs / "a_access.log", "a1\n")
    tailer = glob_tailer(logs, tmp_path, start_at="beginning")
    assert read_all(tailer) == [("a_access.log", "a1")]
    append(logs / "a_access.log", "a2\n")
    append(logs / "b_access.log", "b1\n")
    assert read_all(tailer, commit=False) == [("a_access.log", "a2"), ("b_access.log", "b1")]
    tailer.close()
    again = [("a_access.log", "a2"), ("b_access.log", "b1")]
    assert read_all(glob_tailer(logs, tmp_path, start_at="end")) == again


def test_batch_limits_hold_across_files(logs, tmp_path):
    for name in ("a_access.log", "b_access.log"):
        append(logs / name, "".join(f"{name}{i}\n" for i in range(10)))
    tailer = glob_tailer(logs, tmp_path, start_at="beginning")
    assert len(tailer.read(max_lines=15).lines) == 15
    assert len(read_all(tailer)) == 5


def test_rotation_inside_the_glob(logs, tmp_path):
    log = logs / "a_access.log"
    append(log, "old\n")
    tailer = glob_tailer(logs, tmp_path, start_at="beginning")
    os.rename(log, str(log) + ".1")
    append(log, "new\n")
    assert read_all(tailer) == [("a_access.log", "new"), ("a_access.log", "old")]
    assert tailer.paths == [str(log)]


def test_state_file_names_are_safe_and_distinct():
    names = {state_file_name(p) for p in ("/a/b/access.log", "/a/c/access.log", "/x/../a")}
    assert len(names) == 3
    weird = state_file_name("/logs/we ird/../..\\x:\n.log")
    assert os.sep not in weird and "\n" not in weird and " " not in weird
