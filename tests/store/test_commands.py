"""loglines store migrate|status and the store's line in loglines check:
one line each, exit codes a script can rely on, never a password."""

import pytest
from sqlalchemy import inspect, text

from loglines.cli import exit_codes
from loglines.cli.main import main
from loglines.store.engine import describe, open_engine, writing
from tests.support.redis_server import free_port

BROKER = "[worker_broker]\nlistento = loglines\nfanout = pirus2\n"


def write_cfg(tmp_path, url=None):
    path = tmp_path / "loglines.cfg"
    store = f"[store]\nurl = {url}\n" if url else ""
    path.write_text(BROKER + store)
    return path


@pytest.fixture
def cfg(tmp_path, store_url):
    return write_cfg(tmp_path, store_url)


def run(capsys, cfg, *argv):
    code = main(["--config", str(cfg), *argv])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def tables(url):
    engine = open_engine(url)
    try:
        return set(inspect(engine).get_table_names())
    finally:
        engine.dispose()


def test_migrate_says_from_which_revision_to_which_then_already_at_head(capsys, cfg, store_url):
    where = f"store {describe(store_url)}"
    assert run(capsys, cfg, "store", "migrate") == (
        exit_codes.OK, f"{where}: migrated from an empty database to 0002\n", "")
    assert run(capsys, cfg, "store", "migrate") == (
        exit_codes.OK, f"{where}: already at head (0002)\n", "")


def test_status_and_check_before_and_after_migrate(capsys, cfg, store_url):
    where = f"store {describe(store_url)}"
    not_migrated = f"{where}: not migrated (run `loglines store migrate`)\n"
    if store_url.startswith("sqlite"):
        not_migrated = not_migrated.replace("(run", "(no database file yet; run")
    assert run(capsys, cfg, "store", "status") == (exit_codes.FAILED, not_migrated, "")
    code, out, err = run(capsys, cfg, "check")
    assert code == exit_codes.FAILED and err == ""
    assert out == f"{cfg}: ok\n  broker: worker_broker\n  {not_migrated}"
    assert "alembic_version" not in tables(store_url)  # only migrate creates tables
    run(capsys, cfg, "store", "migrate")
    assert run(capsys, cfg, "store", "status") == (
        exit_codes.OK, f"{where}: revision 0002 (head): ok\n", "")
    code, out, _ = run(capsys, cfg, "check")
    assert code == exit_codes.OK and out.endswith(f"  {where}: revision 0002 (head): ok\n")


def test_status_of_a_revision_unknown_here(capsys, cfg, store_url):
    run(capsys, cfg, "store", "migrate")
    engine = open_engine(store_url)
    with writing(engine) as connection:
        connection.execute(text("UPDATE alembic_version SET version_num = 'abc123'"))
    engine.dispose()
    code, out, _ = run(capsys, cfg, "store", "status")
    assert code == exit_codes.FAILED
    assert out.endswith(": revision abc123, unknown to this loglines (head 0002): "
                        "migrated by a newer version?\n")
    code, out, err = run(capsys, cfg, "store", "migrate")
    assert code == exit_codes.FAILED and out == ""
    assert err.startswith("loglines: store ") and err.count("\n") == 1
    assert "Nothing was changed" in err


def test_the_default_store_is_a_file_in_the_instance(capsys, tmp_path):
    cfg = write_cfg(tmp_path)
    path = tmp_path / "var" / "store" / "loglines.sqlite3"
    code, out, _ = run(capsys, cfg, "store", "status")
    assert code == exit_codes.FAILED and out.startswith(f"store sqlite:///{path}: not migrated")
    assert not (tmp_path / "var").exists()
    code, out, _ = run(capsys, cfg, "store", "migrate")
    assert code == exit_codes.OK and path.is_file()


@pytest.mark.parametrize("command", [["check"], ["store", "status"], ["store", "migrate"]])
def test_a_wrong_url_is_one_line_naming_file_section_and_key(capsys, tmp_path, command):
    cfg = write_cfg(tmp_path, "mysql://loglines:s3cret@db/loglines")
    code, out, err = run(capsys, cfg, *command)
    assert (code, out) == (exit_codes.CONFIG, "")
    assert err == f"{cfg}: [store] url: unknown database 'mysql' (expected sqlite:///PATH " \
                  "or postgresql://USER@HOST/DATABASE)\n"


@pytest.mark.parametrize("command", [["check"], ["store", "status"], ["store", "migrate"]])
def test_an_unreachable_server_is_one_line_and_exit_4(capsys, tmp_path, command):
    cfg = write_cfg(tmp_path, f"postgresql://loglines:s3cret@127.0.0.1:{free_port()}/loglines")
    code, out, err = run(capsys, cfg, *command)
    assert code == exit_codes.UNAVAILABLE
    shown = (out + err).splitlines()[-1]
    assert "store postgresql+psycopg://loglines:***@127.0.0.1:" in shown
    assert "unreachable" in shown and "Connection refused" in shown
    assert "s3cret" not in out + err


def test_the_password_appears_in_no_output(capsys, tmp_path, postgres_server):
    """Every command, every outcome, on a server asking for a password; the
    password holds characters a URL must escape, so both forms are looked for."""
    secret = postgres_server.password
    escaped = postgres_server.url().split("@")[0].rsplit(":", 1)[1]
    name = postgres_server.create_database()
    try:
        right = postgres_server.url(name)
        wrong = right.replace(f":{escaped}@", ":wrong-one@")
        shown = ""
        for url in (right, wrong):
            cfg = write_cfg(tmp_path, url)
            for command in (["check"], ["store", "status"], ["store", "migrate"],
                            ["store", "status"], ["store", "migrate"], ["check"]):
                _, out, err = run(capsys, cfg, *command)
                shown += out + err
        assert "password authentication failed" in shown and "revision 0002 (head): ok" in shown
        assert secret not in shown and escaped not in shown and "wrong-one" not in shown
        assert "Traceback" not in shown
    finally:
        postgres_server.drop_database(name)
