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
    def path(spec):
        return plugin.plugin_path(config, spec, "[w] repository_plugin")

    assert path("eprints") == tmp_path / "plugins/eprints.py"
    assert path("plugins.ora_utils") == tmp_path / "plugins/ora_utils.py"
    assert path("plugins.sub.mod") == tmp_path / "plugins/sub/mod.py"
    assert path("other/x.py") == tmp_path / "other/x.py"
    assert path("/abs/x.py").as_posix() == "/abs/x.py"


@pytest.mark.parametrize("spec", ["...tmp.x.evil", "plugins...tmp.evil", "a..b", ".evil",
                                  "plugins.", "x.class"])
def test_a_name_or_dotted_form_never_leaves_plugins(config, tmp_path, spec):
    evil = tmp_path.parent / "evil.py"  # where '...' would have reached
    evil.write_text("raise SystemExit('loaded from outside plugins/')\n"
                    "def parseline(j):\n    return {}\n"
                    "def get_openurl_params(c, s, p):\n    return {}\n")
    with pytest.raises(PluginError) as caught:
        plugin.load(config, "worker_pirus2", spec)
    assert str(caught.value) == (
        f"{config.path}: [worker_pirus2] repository_plugin: {spec!r} is not a module name in "
        "plugins/ (Python names between dots); to load a file from elsewhere, give its path")


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
