"""Opening the store: the URL checked once, SQLite's settings on every
connection, transactions that hold DDL, and no password in any message."""

import sqlite3

import pytest
from sqlalchemy import insert, inspect, text
from sqlalchemy.exc import IntegrityError

from loglines.errors import ConfigError, StoreUnavailable
from loglines.store import schema
from loglines.store.engine import (
    database_file,
    describe,
    open_engine,
    parse,
    writing,
)
from tests.support.redis_server import free_port


@pytest.mark.parametrize(("url", "message"), [
    ("nonsense", "not a database URL (expected sqlite:///PATH or postgresql://"),
    ("", "not a database URL"),
    ("postgresql://u:s3cret@host:port/db", "not a database URL"),
    ("mysql://u:s3cret@host/db", "unknown database 'mysql'"),
    ("postgresql+psycopg2://u:s3cret@host/db", "unknown database 'postgresql+psycopg2'"),
    ("postgresql://u:s3cret@host", "no database name"),
    ("sqlite://u:s3cret@host/x.db", "an SQLite URL names a file, not a host"),
])
def test_a_wrong_url_is_one_line_naming_file_section_and_key(url, message):
    with pytest.raises(ConfigError) as info:
        open_engine(url, source="/srv/loglines.cfg")
    [line] = info.value.problems
    assert line.startswith(f"/srv/loglines.cfg: [store] url: {message}")
    assert "s3cret" not in line and info.value.__cause__ is None


def test_postgresql_means_psycopg():
    assert parse("postgresql://u@h/db").drivername == "postgresql+psycopg"
    assert parse("postgresql+psycopg://u@h/db").drivername == "postgresql+psycopg"
    assert parse("sqlite:////x/y.db").drivername == "sqlite"


def test_describe_never_shows_the_password():
    assert describe("postgresql://u:s3cret@h:5/db") == "postgresql://u:***@h:5/db"
    assert describe("postgresql://u@h/db?password=s3cret&sslmode=require") == \
        "postgresql://u@h/db?password=***&sslmode=require"
    assert "s3cret" not in describe("postgresql://u:s3cret@h:x/db")
    assert describe("sqlite:////srv/x.db") == "sqlite:////srv/x.db"


def test_sqlite_settings_hold_on_every_connection(tmp_path):
    path = tmp_path / "deep" / "folder" / "store.sqlite3"
    engine = open_engine(f"sqlite:///{path}")
    assert not path.parent.exists()  # opening alone creates nothing
    connections = [engine.connect() for _ in range(3)]  # three pooled connections
    try:
        for connection in connections:
            pragma = {name: connection.exec_driver_sql(f"PRAGMA {name}").scalar()
                      for name in ("journal_mode", "synchronous", "busy_timeout",
                                   "foreign_keys")}
            assert pragma == {"journal_mode": "wal", "synchronous": 1,  # NORMAL
                              "busy_timeout": 10_000, "foreign_keys": 1}
    finally:
        for connection in connections:
            connection.close()
        engine.dispose()
    assert database_file(engine.url) == path and path.exists()


def test_ddl_is_rolled_back_with_its_transaction(store_url):
    engine = open_engine(store_url)
    with pytest.raises(RuntimeError), writing(engine) as connection:
        connection.exec_driver_sql("CREATE TABLE half_done (x INTEGER)")
        raise RuntimeError("a migration failing half-way")
    assert "half_done" not in inspect(engine).get_table_names()
    engine.dispose()


def test_foreign_keys_are_enforced(store_engine):
    with pytest.raises(IntegrityError), writing(store_engine) as connection:
        connection.execute(insert(schema.hits).values(
            key=b"k" * 16, service="s", t=1, agent_id=42, counted=False))


def test_a_writer_takes_the_sqlite_lock_at_begin(tmp_path):
    path = tmp_path / "store.sqlite3"
    engine = open_engine(f"sqlite:///{path}")
    with writing(engine) as connection:
        connection.execute(text("SELECT 1"))  # nothing written yet
        other = sqlite3.connect(path, timeout=0, isolation_level=None)
        with pytest.raises(sqlite3.OperationalError, match="locked"):
            other.execute("BEGIN IMMEDIATE")
        other.close()
    engine.dispose()


def test_an_unreachable_server_is_store_unavailable_without_the_password():
    engine = open_engine(f"postgresql://loglines:s3cret@127.0.0.1:{free_port()}/db")
    from loglines.store.engine import connect

    with pytest.raises(StoreUnavailable) as info:
        connect(engine)
    text_ = str(info.value)
    assert text_.startswith("store postgresql+psycopg://loglines:***@127.0.0.1:")
    assert "unreachable: connection failed" in text_ and "s3cret" not in text_
    assert info.value.temporary
    engine.dispose()
