"""A webhook URL holds its token (in the path or the query): a failed send
must not repeat it in notify-test's output, the notify worker's log, or
what rq keeps in Redis."""

import subprocess
import sys
import zlib

from loglines.cli.main import main
from tests.support.echo_server import echo_server
from tests.support.redis_server import free_port

TOKEN = "T0k3nInThePath"
KEY = "Qu3ryS3cr3t"


def _webhook(base):
    return f"webhook_url = {base}/hook/{TOKEN}?key={KEY}\n"


def _leaks(*texts):
    return [s for s in (TOKEN, KEY) for t in texts if s in t]


def _unpacked(value):
    """rq keeps a traceback zlib-compressed."""
    try:
        return zlib.decompress(value).decode("utf-8", "replace")
    except zlib.error:
        return value.decode("utf-8", "replace")


def _rq_texts(client):
    """Every value rq keeps: the job, its retry, the worker."""
    found = []
    for key in client.scan_iter("rq:*"):
        kind = client.type(key)
        if kind == b"hash":
            found += client.hgetall(key).values()
        elif kind == b"string":
            found.append(client.get(key))
        elif kind == b"stream":
            found += [v for _, fields in client.xrange(key) for v in fields.values()]
    return " ".join(_unpacked(v) for v in found)


def test_notify_test_does_not_print_the_webhook_token(notify_cfg, capsys):
    with echo_server() as refusing:
        for base in (refusing, f"http://127.0.0.1:{free_port()}"):  # refused, unreachable
            code = main(["--config", str(notify_cfg(_webhook(base))), "notify-test"])
            out, err = capsys.readouterr()
            assert code == 1 and "webhook: failed" in out
            assert _leaks(out, err) == []


def test_the_notify_worker_keeps_the_webhook_token_out_of_its_log_and_jobs(
        notify_cfg, redis_client):
    with echo_server() as refusing:
        cfg = notify_cfg(_webhook(refusing))
        assert main(["--config", str(cfg), "notify-test", "--enqueue"]) == 0
        run = subprocess.run([sys.executable, "-m", "loglines", "--config", str(cfg),
                              "notify-worker", "--burst"], capture_output=True, text=True,
                             timeout=120)
    # The send failed and rq logged the traceback (it retries later).
    logged = run.stdout + run.stderr
    assert "NotifyError" in logged and "Traceback" in logged
    assert _leaks(logged) == []
    assert _leaks(_rq_texts(redis_client)) == []
