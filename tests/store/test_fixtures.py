"""The fixtures other store tests stand on: a real PostgreSQL of the
session's own, and an empty database per test on each of the two."""

import os
import pwd

import psycopg
import pytest
from sqlalchemy import inspect

from loglines.store.engine import open_engine


def test_each_test_gets_an_empty_database_of_its_own(store_url):
    engine = open_engine(store_url)
    assert inspect(engine).get_table_names() == []
    engine.dispose()


@pytest.mark.parametrize("store_url", ["sqlite"], indirect=True)
def test_a_test_can_ask_for_one_database_only(store_url):
    assert store_url.startswith("sqlite:///")


def test_the_server_is_local_asks_for_a_password_and_is_not_root(postgres_server):
    params = {"host": "127.0.0.1", "port": postgres_server.port, "user": "loglines",
              "dbname": "postgres"}
    with psycopg.connect(**params, password=postgres_server.password) as connection:
        show = {name: connection.execute(f"SHOW {name}").fetchone()[0]
                for name in ("listen_addresses", "unix_socket_directories", "server_version")}
    assert show["listen_addresses"] == "127.0.0.1" and show["unix_socket_directories"] == ""
    assert show["server_version"].split(".")[0].isdigit()
    with pytest.raises(psycopg.OperationalError, match="password authentication failed"):
        psycopg.connect(**params, password="wrong").close()
    owner = postgres_server.data_dir.stat().st_uid
    assert owner != 0 and (os.geteuid() != 0 or owner == pwd.getpwnam("nobody").pw_uid)
