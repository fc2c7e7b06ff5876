"""Plugins are files loaded by path; the 2010 dotted form still works."""

import sys

import pytest

from loglines.errors import PluginError
from loglines.usage import plugin


@pytest.fixture
def config(tmp_path):
    from loglines.config import load

    (tmp_path / "loglines.cfg").write_text("")
    (tmp_path / "plugins").mkdir()
    return load(tmp_path / "loglines.cfg")


def test_names_dotted_names_and_paths(config, tmp_path):
    assert plugin.plugin_path(config, "eprints") == tmp_path / "plugins/eprints.py"
    assert plugin.plugin_path(config, "plugins.ora_utils") == tmp_path / "plugins/ora_utils.py"
    assert plugin.plugin_path(config, "other/x.py") == tmp_path / "other/x.py"
    assert plugin.plugin_path(config, "/abs/x.py").as_posix() == "/abs/x.py"


def test_a_2010_dotted_plugin_loads_without_a_plugins_package(config, tmp_path):
    (tmp_path / "plugins/ora_utils.py").write_text(
        "def parseline(line):\n    return {'line': line}\n"
        "def get_openurl_params(c, worker_section, pl):\n    return {'x': pl['line']}\n")
    loaded = plugin.load(config, "worker_pirus2", "plugins.ora_utils")
    assert not loaded.parse_told
    assert loaded.get_openurl_params(None, "s", loaded.parseline("L", None, "s")) == {"x": "L"}
    assert "plugins" not in sys.modules and "plugins.ora_utils" not in sys.modules


@pytest.mark.parametrize(("source", "message"), [
    ("def parseline(jmsg):\n    return {}\n", "has no get_openurl_params() function"),
    ("import no_such_module_here\n", "failed to load: ModuleNotFoundError"),
    ("def parseline(:\n", "failed to load: SyntaxError"),
])
def test_a_broken_plugin_is_one_line(config, tmp_path, source, message):
    (tmp_path / "plugins/broken.py").write_text(source)
    with pytest.raises(PluginError) as info:
        plugin.load(config, "worker_pirus2", "broken")
    text = str(info.value)
    assert text.startswith(f"{config.path}: [worker_pirus2] repository_plugin: ")
    assert message in text and "\n" not in text
