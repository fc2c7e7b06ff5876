"""Known secrets, provoked into every failure that used to repeat them, and
looked for in every output: tracker URLs with ``?apikey=``, configuration
errors about secret keys (the webhook's token: tests/notify/test_webhook_secrets.py)."""

import pytest

from loglines.config import load
from loglines.errors import ConfigError
from loglines.outputs.delivery import TrackerClient
from tests.support.echo_server import echo_server

APIKEY = "K3yS3cr3tXyZ"


@pytest.fixture
def echo():
    with echo_server() as url:
        yield url


def _leaks(*texts):
    return [t for t in texts if APIKEY in t]


def test_a_tracker_endpoint_query_value_is_never_shown(echo, tmp_path):
    client = TrackerClient(f"{echo}/counter?apikey={APIKEY}&site=7")
    try:
        [outcome] = client.send_many([("k", {"svc_dat": "/a"})])
    finally:
        client.close()
    assert not outcome.ok and "no such thing" in outcome.error
    assert _leaks(outcome.error, outcome.url, str(outcome.to_error())) == []
    dry_run = tmp_path / "dry-run.log"
    client = TrackerClient(f"{echo}/counter?apikey={APIKEY}", dry_run_file=dry_run)
    try:
        client.send_many([("k", {"svc_dat": "/a"})])
    finally:
        client.close()
    assert "/counter?apikey=REDACTED" in dry_run.read_text()
    assert _leaks(dry_run.read_text()) == []


@pytest.mark.parametrize("line", [
    "password = Secr3t, Pa55",
    f"token_auth = {APIKEY}, more",
])
def test_a_config_error_never_repeats_a_secret_value(tmp_path, line):
    path = tmp_path / "loglines.cfg"
    key = line.split(" =")[0]
    section = "redis" if key == "password" else "worker_pirus2"
    extra = "" if section == "redis" else "listento = p\nrepository_plugin = eprints\n" \
        "dry_run = true\ntarget = matomo\nidsite = 1\n"
    path.write_text(f"[{section}]\n{extra}{line}\n")
    with pytest.raises(ConfigError) as caught:
        load(path)
    [problem] = caught.value.problems
    assert problem.startswith(f"{path}: [{section}] {key}: ") and "quote" in problem
    assert "Secr3t" not in problem and "Pa55" not in problem and _leaks(problem) == []


def test_a_wrong_endpoint_url_is_told_without_its_credentials(tmp_path):
    path = tmp_path / "loglines.cfg"
    path.write_text("[worker_pirus2]\nlistento = p\nrepository_plugin = eprints\n"
                    f"endpoint_url = ftp://u:pa55w0rd@irus.example/c?apikey={APIKEY}\n")
    with pytest.raises(ConfigError) as caught:
        load(path)
    [problem] = caught.value.problems
    assert problem == (f"{path}: [worker_pirus2] endpoint_url: expected an http(s) URL, got "
                       "'ftp://REDACTED@irus.example/c?apikey=REDACTED'")
