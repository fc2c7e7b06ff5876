"""[store] in loglines.cfg: the default file, relative paths, unknown keys,
and a repr that never shows the password."""

from pathlib import Path

import pytest

from loglines.config import StoreSettings, load
from loglines.errors import ConfigError
from loglines.store.engine import database_file


def load_text(tmp_path, text, environ=None):
    path = tmp_path / "loglines.cfg"
    path.write_text(text)
    return load(path, environ=environ or {})


def test_without_a_url_the_store_is_a_file_in_the_instance(tmp_path):
    config = load_text(tmp_path, "")
    assert database_file(config.store.url) == tmp_path / "var/store/loglines.sqlite3"
    assert config.store == load_text(tmp_path, "[store]\n").store


def test_a_relative_sqlite_path_is_the_instance_folders(tmp_path):
    config = load_text(tmp_path, "[store]\nurl = sqlite:///data/stats.db\n")
    assert database_file(config.store.url) == tmp_path / "data/stats.db"
    config = load_text(tmp_path, "[store]\nurl = sqlite:////srv/stats.db\n")
    assert config.store.url == "sqlite:////srv/stats.db"


def test_an_instance_folder_with_url_characters_in_its_name(tmp_path):
    folder = tmp_path / "a?b#c%d"
    settings = StoreSettings.for_instance(folder)
    assert database_file(settings.url) == folder / "var/store/loglines.sqlite3"


def test_an_unknown_key_is_named_with_a_suggestion(tmp_path):
    with pytest.raises(ConfigError) as info:
        load_text(tmp_path, "[store]\nulr = sqlite:///x.db\n")
    assert info.value.problems == [f"{tmp_path / 'loglines.cfg'}: [store] ulr: unknown key "
                                   "for a store section (did you mean 'url'?)"]


def test_the_password_comes_from_the_environment_and_stays_out_of_repr(tmp_path):
    config = load_text(tmp_path, "[store]\nurl = postgresql://loglines:${PW}@db/loglines\n",
                       environ={"PW": "s3cret"})
    assert config.store.url == "postgresql://loglines:s3cret@db/loglines"
    assert "s3cret" not in repr(config) and "s3cret" not in repr(config.store)
    assert repr(config.store) == "StoreSettings(url='postgresql://loglines:***@db/loglines')"


def test_a_config_built_by_hand_gets_the_default_store():
    from tests.support.worker_config import worker_config

    config = worker_config("p", redis_settings=None)
    assert database_file(config.store.url) == Path("var/store/loglines.sqlite3")
