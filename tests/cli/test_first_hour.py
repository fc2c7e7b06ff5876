"""What a new user meets in the first hour: check that catches a misspelt
plugin and a log path matching nothing, one line for a missing file, quiet
ends into a closed pipe, --config after the command, --version, and help
with examples and exit codes."""

import argparse
import contextlib
import io
import os
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from loglines.cli import exit_codes
from loglines.cli.help_text import each_parser
from loglines.cli.main import main, parser

ROOT = Path(__file__).resolve().parents[2]
CFG = str(ROOT / "loglines.cfg")
SAMPLE = ROOT / "samples/access.log"


@pytest.fixture
def cfg(tmp_path, redis_server, prefix):
    (tmp_path / "logs").mkdir()
    (tmp_path / "logs/access.log").write_text("")
    path = tmp_path / "loglines.cfg"
    path.write_text(textwrap.dedent(f"""
        [queues]
        prefix = {prefix}
        [redis]
        port = {redis_server.port}
        [logger_logfilewatcher]
        logfile = logs/access.log
        servicename = repo.example.ac.uk
        pushto = loglines
        [worker_broker]
        listento = loglines
        fanout = pirus2
        [worker_pirus2]
        listento = pirus2
        repository_plugin = eprints
        dry_run = true
    """))
    (tmp_path / "plugins").mkdir()
    (tmp_path / "plugins/eprints.py").write_text((ROOT / "plugins/eprints.py").read_text())
    assert main(["--config", str(path), "store", "migrate"]) == 0
    return path


def run(capsys, *argv):
    code = main(list(argv))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_check_loads_the_plugin_each_section_names(capsys, cfg):
    code, out, _ = run(capsys, "--config", str(cfg), "check")
    assert code == exit_codes.OK and "WARNING" not in out
    cfg.write_text(cfg.read_text().replace("repository_plugin = eprints",
                                           "repository_plugin = eprint"))
    code, out, err = run(capsys, "--config", str(cfg), "check")
    assert code == exit_codes.CONFIG and "ok" not in out
    assert err == (f"{cfg}: [worker_pirus2] repository_plugin: no plugin file "
                   f"{cfg.parent / 'plugins/eprint.py'}\n")


def test_check_runs_each_plugins_check_config(capsys, cfg):
    cfg.write_text(cfg.read_text() + "log_format = %h %l %u\n")  # no time, status or request
    code, _, err = run(capsys, "--config", str(cfg), "check")
    assert code == exit_codes.CONFIG
    assert "[worker_pirus2] log_format" in err and "the format has no" in err


def test_check_warns_about_a_log_path_that_matches_nothing(capsys, cfg):
    cfg.write_text(cfg.read_text().replace("logs/access.log", "logs/acces.log"))
    code, out, _ = run(capsys, "--config", str(cfg), "check")
    assert code == exit_codes.OK
    missing = cfg.parent / "logs/acces.log"
    assert f"WARNING: {cfg}: [logger_logfilewatcher] logfile {missing}: no such file" in out
    cfg.write_text(cfg.read_text().replace("logs/acces.log", "logs/*.log.1"))
    code, out, _ = run(capsys, "--config", str(cfg), "check")
    assert f"logfile {cfg.parent / 'logs/*.log.1'}: no file matches" in out


def test_a_missing_file_is_one_line_and_exit_1(capsys, tmp_path):
    code, _, err = run(capsys, "--config", CFG, "plugin-test", str(tmp_path / "nope.log"))
    assert code == exit_codes.FAILED
    assert err == f"loglines: {tmp_path / 'nope.log'}: No such file or directory\n"
    unreadable = tmp_path / "folder.log"
    unreadable.mkdir()
    code, _, err = run(capsys, "--config", CFG, "plugin-test", str(unreadable))
    assert code == exit_codes.FAILED and err == f"loglines: {unreadable}: Is a directory\n"


def _closed_pipe():
    """A line-buffered stdout whose reader has gone, as after ``| head``."""
    read, write = os.pipe()
    os.close(read)
    return open(write, "w", buffering=1)


# What to give a command so that it writes something (and, for those that
# run until stopped, ends by itself). A command not here is run without
# arguments: it still must not leave a traceback.
ARGS = {
    "dead list": ["pirus2"], "dead requeue": ["pirus2", "--all"], "dead purge": ["pirus2", "--all"],
    "worker": ["worker_broker", "--burst"], "enable": ["worker_broker"],
    "disable": ["worker_broker"], "plugin-test": [str(SAMPLE)], "replay": [str(SAMPLE)],
    "notify-worker": ["--burst"], "stats show": ["1"], "stats backfill": [str(SAMPLE)],
    "status": ["--watch", "--watch-count", "2"], "records tail": ["--no-follow"],
}


def test_every_subcommand_with_its_output_closed_early(monkeypatch, capsys, cfg):
    """Every command the parser has (commands added later included), run
    with its stdout a pipe whose reader has gone: no traceback, no hang."""
    run(capsys, "--config", str(cfg), "supervisor-config")  # for enable and disable
    ran = []
    for command_parser in each_parser(_subparsers(parser([]))):
        if any(isinstance(a, argparse._SubParsersAction) for a in command_parser._actions):
            continue  # a command of commands: its own run below
        words = command_parser.prog.split()[1:]
        ran.append(" ".join(words))
        stdout = _closed_pipe()
        monkeypatch.setattr(sys, "stdout", stdout)
        try:
            code = main(["--config", str(cfg), *words, *ARGS.get(" ".join(words), [])])
        except SystemExit as ended:  # argparse on a wrong command line
            code = ended.code
        finally:
            monkeypatch.undo()
            with contextlib.suppress(OSError):  # closed already by Python at the error
                stdout.close()
        err = capsys.readouterr().err
        assert "Traceback" not in err and "Logging error" not in err, (words, err)
        assert code in (0, 1, 2, 3, 4), (words, code, err)
    assert {"status", "dead list", "plugin-test", "stats top"} <= set(ran)


def _subparsers(p):
    return next(a for a in p._actions if isinstance(a, argparse._SubParsersAction))


@pytest.mark.parametrize("argv", [["plugin-test"], ["plugin-test", "--json"], ["--help"]])
def test_output_into_a_closed_pipe_ends_quietly(argv):
    """As a shell runs ``loglines ... | head -c 1``: the reader goes after one
    byte; the sample read 40 times makes far more output than a pipe holds,
    so the writes after it fail."""
    command = [sys.executable, "-m", "loglines", "--config", CFG, *argv]
    feed = f"for i in $(seq 40); do cat {_quote(str(SAMPLE))}; done"
    shell = f"{feed} | {' '.join(map(_quote, command))} | head -c 1 >/dev/null"
    done = subprocess.run(["bash", "-c", shell], capture_output=True, text=True, cwd=ROOT,
                          timeout=120)
    assert done.stderr == "" and done.returncode == 0


def _quote(word):
    import shlex

    return shlex.quote(word)


def test_status_into_a_closed_pipe_ends_quietly(cfg):
    proc = subprocess.Popen([sys.executable, "-m", "loglines", "status", "--config", str(cfg)],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    proc.stdout.close()
    err = proc.stderr.read().decode()
    assert proc.wait(timeout=60) == exit_codes.FAILED and err == ""


def test_config_after_the_command(capsys, cfg):
    code, out, _ = run(capsys, "check", "--config", str(cfg))
    assert code == exit_codes.OK and f"{cfg}: ok" in out
    code, out, _ = run(capsys, "dead", "list", "pirus2", "--config", str(cfg),
                       "--log-level", "error")
    assert code == exit_codes.OK and "no dead items in pirus2" in out


def test_version(capsys):
    from importlib.metadata import version

    with pytest.raises(SystemExit) as ended:
        main(["--version"])
    assert ended.value.code == 0
    assert capsys.readouterr().out == f"loglines {version('loglines')}\n"


def test_dead_list_of_an_unknown_queue_names_the_known_ones(capsys, cfg):
    code, _, err = run(capsys, "--config", str(cfg), "dead", "list", "pirus")
    assert code == exit_codes.FAILED
    assert err == "loglines: no queue 'pirus' (there are: loglines, pirus2)\n"


def test_every_commands_help_has_examples_and_the_exit_codes():
    for command_parser in each_parser(_subparsers(parser([]))):
        text = command_parser.format_help()
        assert "exit codes: 0 ok, 1 failed" in text, command_parser.prog
        if len(command_parser.prog.split()) == 2:  # nested ones share their command's
            assert "examples:\n  loglines " in text, command_parser.prog


def test_status_calls_dry_run_urls_what_they_are(capsys, cfg, make_store):
    from loglines.metrics.counter_store import CounterStore

    store = make_store()
    CounterStore(store.client, store.keyspace).add_counts("worker_pirus2", {"delivered": 5})
    code, out, _ = run(capsys, "--config", str(cfg), "status")
    assert code == 0
    row = next(line for line in out.splitlines() if line.startswith("worker_pirus2 "))
    assert row.split() == ["worker_pirus2", "dry", "run", "-", "0", "0"]
    assert (f"worker_pirus2: dry run: 5 URLs written to "
            f"{cfg.parent / 'var/log/dry_run_urls.log'}, none sent") in out
    code, out, _ = run(capsys, "--config", str(cfg), "status", "--json")
    import json

    [target] = json.loads(out)["delivery"]
    assert target["delivered"] == 0 and target["written_dry_run"] == 5 and target["dry_run"]


def test_help_output_is_text_not_a_stream_error():
    # A regular file as stdout: help is written whole (the pipe tests above
    # must not be passing because nothing is written at all).
    out = io.StringIO()
    parser([]).print_help(out)
    assert "--version" in out.getvalue() and "exit codes" in out.getvalue()


def test_a_second_supervisor_config_says_where_the_password_is(capsys, cfg):
    code, first, _ = run(capsys, "--config", str(cfg), "supervisor-config")
    secret = cfg.parent / "var/supervisor.secret"
    password = secret.read_text().strip()
    assert code == 0 and f"password {password}" in first
    code, second, _ = run(capsys, "--config", str(cfg), "supervisor-config")
    assert code == 0 and password not in second
    assert f"password in {secret}" in second
    # The start line names a supervisord that runs: the one beside this Python.
    supervisord = Path(sys.executable).with_name("supervisord")
    assert f"start:          {supervisord} -c " in second


def test_check_says_when_the_logs_folder_is_closed_to_the_user(cfg, tmp_path):
    closed = tmp_path / "closed"
    closed.mkdir()
    cfg.write_text(cfg.read_text().replace("logs/access.log", f"{closed}/*.log"))
    argv = [sys.executable, "-m", "loglines", "--config", str(cfg), "check"]
    if os.geteuid() == 0:  # root passes file permissions unless told not to
        if shutil.which("setpriv") is None:
            pytest.skip("running as root, and no setpriv to drop the capabilities")
        argv = ["setpriv", "--bounding-set", "-dac_override,-dac_read_search", *argv]
    closed.chmod(0)
    try:
        done = subprocess.run(argv, capture_output=True, text=True, timeout=60)
    finally:
        closed.chmod(0o755)
    assert f"its folder {closed} is closed to this user" in done.stdout, done.stdout + done.stderr


@pytest.mark.parametrize("argv", [["redis"], ["notify-listener"], ["notify-worker"],
                                  ["worker", "--config", "other.cfg", "worker_broker"],
                                  ["--log-level", "debug", "redis"]])
def test_the_programs_supervisord_runs_import_only_their_own_command(argv):
    """The embedded Redis starts as fast as a worker (so workers wait for it
    only briefly), and no program carries the store's libraries."""
    code = ("import sys\n"
            "from loglines.cli.main import parser\n"
            f"parser({argv!r})\n"
            "print(sorted({m.split('.')[0] for m in sys.modules}\n"
            "             & {'sqlalchemy', 'alembic', 'fastapi'}))\n"
            "print(sorted(m for m in sys.modules if m.startswith('loglines.cli.')))\n")
    shown = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                           check=True).stdout.splitlines()
    assert shown[0] == "[]"
    assert "loglines.cli.stats" not in shown[1] and "loglines.cli.check" not in shown[1]
