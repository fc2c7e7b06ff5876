"""Secrets that the file's syntax or the environment would cut or empty:
refused when empty, warned about when cut at an unquoted '#'."""

import pytest

from loglines.cli.main import main
from loglines.config import load
from loglines.errors import ConfigError


def _write(tmp_path, text):
    path = tmp_path / "loglines.cfg"
    path.write_text(text)
    return path


@pytest.mark.parametrize(("text", "environ", "why", "remedy"), [
    ("[redis]\nmanaged = true\npassword = #Str0ng\n", {},
     "an unquoted '#' starts a comment; quote the value (key = \"#...\")",
     "remove the key to have one generated"),
    ("[redis]\npassword = ${REDIS_PW}\n", {"REDIS_PW": ""},
     "environment variable REDIS_PW is set but empty", "remove the key to have one generated"),
    ("[worker_s]\nkind = syslogd\npushto = q\nservicename = s\nport = 5514\ntoken = ${TOKEN}\n",
     {"TOKEN": ""}, "environment variable TOKEN is set but empty", "remove the key"),
])
def test_an_empty_secret_is_refused(tmp_path, text, environ, why, remedy):
    path = _write(tmp_path, text)
    section, key = ("redis", "password") if "[redis]" in text else ("worker_s", "token")
    with pytest.raises(ConfigError) as caught:
        load(path, environ=environ)
    assert caught.value.problems == [
        f"{path}: [{section}] {key}: is empty ({why}); set it or {remedy}"]


def test_a_secret_cut_at_an_unquoted_hash_is_warned_about(tmp_path, capsys):
    path = _write(tmp_path, "[redis]\npassword = ab#cdefghijkl\n[supervisor]\n"
                  "password = \"quoted#is-whole\"  # a comment, set apart\n")
    config = load(path, environ={})
    assert config.redis[""].password == "ab"  # what configobj makes of it
    assert config.supervisor.password == "quoted#is-whole"
    assert config.warnings == (
        f"{path}: [redis] password: holds an unquoted '#', which starts a comment: the value "
        "is cut there; quote it (key = \"...\") if the '#' is part of the secret",)
    main(["--config", str(path), "check"])
    assert "[redis] password: holds an unquoted '#'" in capsys.readouterr().err
