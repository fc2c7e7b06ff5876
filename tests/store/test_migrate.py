"""The schema through its migrations: built from nothing, re-run as a
no-op, equal to schema.py, and each state a database can be in."""

import shutil
import textwrap
from concurrent.futures import ThreadPoolExecutor

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect, text

from loglines.errors import StoreError
from loglines.store import migrate, schema
from loglines.store.engine import database_file, open_engine, writing
from tests.support.redis_server import free_port

TABLES = {"agents", "hits", "sessions", "stat_counts", "stat_state", "lines_hourly", "records"}


@pytest.fixture
def engine(store_url):
    engine = open_engine(store_url)
    yield engine
    engine.dispose()


def test_migrate_builds_the_schema_from_nothing_and_a_rerun_changes_nothing(engine):
    assert migrate.upgrade(engine) == (None, migrate.head())
    tables = set(inspect(engine).get_table_names()) - {
        t for t in inspect(engine).get_table_names() if t.startswith("records_fts")}
    assert tables == TABLES | {"alembic_version"}
    assert migrate.upgrade(engine) == (migrate.head(), migrate.head())
    assert migrate.current(engine) == migrate.head() == "0002"


def test_two_migrations_at_once_take_turns(store_url):
    """The second waits for the first (SQLite's write lock, PostgreSQL's
    advisory lock) and then finds head, instead of failing half-way."""
    engines = [open_engine(store_url) for _ in range(2)]
    with ThreadPoolExecutor(2) as pool:
        results = set(pool.map(migrate.upgrade, engines))
    assert results == {(None, "0002"), ("0002", "0002")}
    for engine in engines:
        engine.dispose()


def _not_full_text(obj, name, type_, reflected, compare_to):
    return not (name or "").startswith(schema.FULL_TEXT)


def test_the_migrated_schema_is_schema_py(store_engine):
    """What Alembic's autogenerate would see as a change: none, types too;
    the full-text index of records, which Table cannot describe, aside."""
    with store_engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={
            "compare_type": True, "include_object": _not_full_text})
        assert compare_metadata(context, schema.metadata) == []
    indexes = {i["name"] for i in inspect(store_engine).get_indexes("hits")}
    assert indexes == {"ix_hits_chain_t", "ix_hits_t"}
    tables = set(inspect(store_engine).get_table_names())
    if store_engine.dialect.name == "sqlite":
        assert "records_fts" in tables
    else:
        assert "ix_records_message_fts" in {
            i["name"] for i in inspect(store_engine).get_indexes("records")}


def test_state_of_an_empty_database_then_a_migrated_one(engine):
    state = migrate.state(engine)
    assert (state.status, state.revision, state.head) == (migrate.NOT_MIGRATED, None, "0002")
    assert "run `loglines store migrate`" in state.describe()
    migrate.upgrade(engine)
    state = migrate.state(engine)
    assert state.ok and state.describe() == "revision 0002 (head): ok"


def test_state_never_creates_an_sqlite_file(tmp_path):
    path = tmp_path / "var" / "store" / "loglines.sqlite3"
    engine = open_engine(f"sqlite:///{path}")
    state = migrate.state(engine)
    assert state.status == migrate.NOT_MIGRATED and state.detail == "no database file yet"
    assert not path.parent.exists()
    assert database_file(engine.url) == path


def test_a_revision_this_loglines_does_not_know(store_engine):
    with writing(store_engine) as connection:
        connection.execute(text("UPDATE alembic_version SET version_num = '9999'"))
    state = migrate.state(store_engine)
    assert (state.status, state.revision) == (migrate.UNKNOWN, "9999")
    assert "unknown to this loglines" in state.describe()
    with pytest.raises(StoreError, match="revision 9999, unknown to this loglines"):
        migrate.upgrade(store_engine)
    assert migrate.current(store_engine) == "9999"


def test_unreachable_postgresql_and_sqlite_say_why(postgres_server, tmp_path):
    url = postgres_server.url("postgres").replace(str(postgres_server.port), str(free_port()))
    engine = open_engine(url)
    state = migrate.state(engine)
    assert state.status == migrate.UNREACHABLE and "Connection refused" in state.detail
    assert postgres_server.password not in state.describe()
    engine.dispose()
    (tmp_path / "folder.sqlite3").mkdir()  # exists, and cannot be opened as a database
    engine = open_engine(f"sqlite:///{tmp_path / 'folder.sqlite3'}")
    state = migrate.state(engine)
    assert state.status == migrate.UNREACHABLE and "unable to open" in state.detail
    engine.dispose()


def test_a_wrong_password_is_unreachable_and_never_shown(postgres_server):
    name = postgres_server.create_database()
    try:
        url = postgres_server.url(name).replace("%40%3A%2F%25", "wrong")
        engine = open_engine(url)
        state = migrate.state(engine)
        assert state.status == migrate.UNREACHABLE
        assert "password authentication failed" in state.detail
        assert "wrong" not in state.describe()
        engine.dispose()
    finally:
        postgres_server.drop_database(name)


SECOND = '''
"""A second revision, for the tests: a table, then {then}."""

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"


def upgrade():
    op.create_table("extra", sa.Column("x", sa.Integer(), primary_key=True))
    {then_code}


def downgrade():
    op.drop_table("extra")
'''


def with_second_revision(tmp_path, monkeypatch, fails):
    folder = tmp_path / "migrations"
    shutil.copytree(migrate.MIGRATIONS, folder, ignore=shutil.ignore_patterns("__pycache__"))
    code = 'op.execute("SELECT * FROM no_such_table")' if fails else "pass"
    (folder / "versions" / "0003_extra.py").write_text(textwrap.dedent(SECOND).format(
        then="a statement that fails" if fails else "nothing", then_code=code))
    monkeypatch.setattr(migrate, "MIGRATIONS", folder)


def test_an_older_revision_is_behind_and_migrates_to_head(store_engine, tmp_path, monkeypatch):
    with_second_revision(tmp_path, monkeypatch, fails=False)
    state = migrate.state(store_engine)
    assert (state.status, state.revision, state.head) == (migrate.BEHIND, "0002", "0003")
    assert state.describe() == "revision 0002, behind head 0003 (run `loglines store migrate`)"
    assert migrate.upgrade(store_engine) == ("0002", "0003")
    assert "extra" in inspect(store_engine).get_table_names()
    assert migrate.state(store_engine).ok


def test_a_failing_migration_changes_nothing(store_engine, tmp_path, monkeypatch):
    """Also on SQLite, whose driver would run DDL outside any transaction."""
    with_second_revision(tmp_path, monkeypatch, fails=True)
    with pytest.raises(StoreError, match="migration failed, nothing was changed") as info:
        migrate.upgrade(store_engine)
    assert "no_such_table" in str(info.value)
    assert "extra" not in inspect(store_engine).get_table_names()
    assert migrate.current(store_engine) == "0002"
