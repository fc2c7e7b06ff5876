"""A shipper section that cannot work is refused at start with one line per
problem naming file, section and key; a collector file that cannot be used
is one clear line too."""

import textwrap

import pytest

from loglines.cli.main import main
from loglines.config import load
from loglines.errors import ConfigError


def problems(tmp_path, body):
    path = tmp_path / "loglines.cfg"
    path.write_text("[worker_ship]\nkind = shipper\n" + textwrap.dedent(body))
    with pytest.raises(ConfigError) as info:
        load(path, environ={})
    return [p.removeprefix(f"{path}: ") for p in info.value.problems]


@pytest.mark.parametrize("body, problem", [
    ("target = post\n", "[worker_ship] url: missing (required with target = post)"),
    ("target = folder\n", "[worker_ship] folder: missing (required with target = folder)"),
    ("target = post\nurl = ftp://ingress.example.org/\n",
     "[worker_ship] url: expected an http(s) URL, got 'ftp://ingress.example.org/'"),
    ("target = put\nurl = https://hub.example.org/reports\nauth = basic\nusername = u\n",
     "[worker_ship] password: missing (required with auth = basic)"),
    ("target = post\nurl = https://x.example.org/\nauth = bearer\n",
     "[worker_ship] token: missing (required with auth = bearer)"),
    ("target = folder\nfolder = out\nheaders = no colon here\n",
     "[worker_ship] headers: expected Name: value"),
    ("target = folder\nfolder = out\nstart = 2026-13-01\n",
     "[worker_ship] start: expected a date as YYYY-MM-DD, got '2026-13-01'"),
    ("target = folder\nfolder = out\nperiod = day\n",
     "[worker_ship] period: COUNTER reports are monthly: the counter group needs period = month"),
])
def test_a_shipper_that_cannot_work_is_refused(tmp_path, body, problem):
    assert problem in problems(tmp_path, body)


def test_a_password_in_the_url_is_never_repeated(tmp_path):
    said = problems(tmp_path, "target = post\nurl = ftp://me:pa55word-x@ingress.example.org/\n")
    assert said and "pa55word-x" not in "".join(said)


def test_a_collector_file_that_is_missing_is_one_line(tmp_path, redis_server, prefix, capsys):
    (tmp_path / "loglines.cfg").write_text(textwrap.dedent(f"""
        [queues]
        prefix = {prefix}
        [redis]
        port = {redis_server.port}
        [worker_ship]
        kind = shipper
        target = folder
        folder = out
        collectors = builtin, nosuch
    """))
    assert main(["--config", str(tmp_path / "loglines.cfg"), "ship"]) == 3
    err = capsys.readouterr().err
    assert "[worker_ship] collectors: 'nosuch' is neither 'builtin' nor a file" in err
    assert "Traceback" not in err
