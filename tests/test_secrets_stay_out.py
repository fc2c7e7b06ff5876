"""Known secrets, provoked into every failure that used to repeat them, and
looked for in every output and file: tracker URLs with ``?apikey=``, a
webhook URL holding its token, configuration errors about secret keys."""

import contextlib
import subprocess
import sys
import textwrap
import threading
import zlib
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from rq import Queue

from loglines.cli.main import main
from loglines.config import load
from loglines.errors import ConfigError
from loglines.outputs.delivery import TrackerClient
from tests.support.redis_server import free_port

APIKEY = "K3yS3cr3tXyZ"
HOOK_TOKEN = "T0k3nInThePath"
HOOK_KEY = "Qu3ryS3cr3t"
SECRETS = (APIKEY, HOOK_TOKEN, HOOK_KEY)


class _Echo(BaseHTTPRequestHandler):
    """Refuses everything, repeating the request line, as trackers do."""

    def _refuse(self):
        length = int(self.headers.get("Content-Length") or 0)
        self.rfile.read(length)
        body = f"no such thing: {self.requestline}".encode()
        self.send_response(self.server.status)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    do_GET = do_POST = _refuse

    def log_message(self, *args):
        pass


@pytest.fixture
def echo():
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Echo)
    server.status = 400
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def _leaks(*texts):
    return [s for s in SECRETS for t in texts if s in t]


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


@pytest.fixture
def notify_config(tmp_path, redis_server, prefix, echo):
    def make(base):
        path = tmp_path / "loglines.cfg"
        path.write_text(textwrap.dedent(f"""
            [redis]
            port = {redis_server.port}
            [queues]
            prefix = {prefix}
            [notify]
            queue = {prefix}-notify
            webhook_url = {base}/hook/{HOOK_TOKEN}?key={HOOK_KEY}
            [worker_broker]
            listento = loglines
            fanout = pirus2
        """))
        return path

    return make


def test_notify_test_does_not_print_the_webhook_token(notify_config, echo, capsys):
    for base in (echo, f"http://127.0.0.1:{free_port()}"):  # refused, then unreachable
        code = main(["--config", str(notify_config(base)), "notify-test"])
        out, err = capsys.readouterr()
        assert code == 1 and "webhook: failed" in out
        assert _leaks(out, err) == []


def test_the_notify_worker_keeps_the_webhook_token_out_of_its_log_and_jobs(
        notify_config, echo, redis_client):
    cfg = notify_config(echo)
    config = load(cfg)
    assert main(["--config", str(cfg), "notify-test", "--enqueue"]) == 0
    run = subprocess.run([sys.executable, "-m", "loglines", "--config", str(cfg),
                          "notify-worker", "--burst"], capture_output=True, text=True,
                         timeout=120)
    # The send failed and rq logged the traceback (it retries later).
    assert "NotifyError" in run.stdout + run.stderr and "Traceback" in run.stdout + run.stderr
    assert _leaks(run.stdout, run.stderr) == []
    stored = []  # the job, its retry, the worker: all rq keeps
    for key in redis_client.scan_iter("rq:*"):
        kind = redis_client.type(key)
        if kind == b"hash":
            stored += [v for v in redis_client.hgetall(key).values()]
        elif kind == b"string":
            stored.append(redis_client.get(key))
        elif kind == b"stream":
            stored += [v for _, fields in redis_client.xrange(key) for v in fields.values()]
    text = " ".join(_unpacked(v) for v in stored)
    assert _leaks(text) == []
    Queue(config.notify.queue, connection=redis_client).delete(delete_jobs=True)


def _unpacked(value):
    """rq keeps a traceback zlib-compressed."""
    with contextlib.suppress(zlib.error):
        value = zlib.decompress(value)
    return value.decode("utf-8", "replace")


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
