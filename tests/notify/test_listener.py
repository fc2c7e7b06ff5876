"""The event listener speaks supervisord's protocol, in a real subprocess."""

import subprocess
import sys

from rq import Queue

from loglines.notify.backlog import BacklogWatch
from loglines.notify.listener import Handler


def _event(eventname, payload, serial):
    body = payload.encode()
    header = (f"ver:3.0 server:supervisor serial:{serial} pool:loglines_notify "
              f"poolserial:{serial} eventname:{eventname} len:{len(body)}\n")
    return header.encode() + body


def test_listener_protocol_and_notifications(notify_cfg, webhook, redis_client,
                                             rq_queue_name):
    path = notify_cfg(f"webhook_url = {webhook.url}\n")
    events = [
        ("PROCESS_STATE_FATAL", "processname:x groupname:x from_state:BACKOFF"),
        ("PROCESS_STATE_EXITED", "processname:y groupname:y from_state:RUNNING expected:1 pid:7"),
        ("PROCESS_STATE_EXITED", "processname:z groupname:z from_state:RUNNING expected:0 pid:8"),
    ]
    stdin = b"".join(_event(name, payload, i) for i, (name, payload) in enumerate(events))
    done = subprocess.run(
        [sys.executable, "-m", "loglines", "--config", str(path), "notify-listener"],
        input=stdin, capture_output=True, timeout=60,
    )
    assert done.returncode == 0, done.stderr.decode()
    # Exactly the framing, nothing else: any stray byte would confuse supervisord.
    assert done.stdout == b"READY\n" + b"RESULT 2\nOKREADY\n" * 3
    jobs = Queue(rq_queue_name, connection=redis_client).get_jobs()
    seen = [(job.args[0]["kind"], job.args[0]["process"]) for job in jobs]
    assert seen == [("process_fatal", "x"), ("process_exited", "z")]
    assert "BACKOFF" in jobs[0].args[0]["error"]


def test_a_failing_handler_still_answers_ok():
    import io

    from loglines.notify.listener import serve

    def broken(headers, payload):
        raise RuntimeError("boom")

    out = io.BytesIO()
    serve(io.BytesIO(_event("TICK_60", "when:1", 1)), out, broken)
    assert out.getvalue() == b"READY\nRESULT 2\nOKREADY\n"


class _Clock:
    now = 0.0

    def __call__(self):
        return self.now


def test_a_backlog_older_than_backlog_age_notifies(store):
    sent = []
    clock = _Clock()
    watch = BacklogWatch(store, ["pirus2"], 3600, lambda kind, **f: sent.append((kind, f)),
                         clock=clock)
    handler = Handler(lambda *a, **k: None, watch)
    queue = store.queue("pirus2")
    queue.push([b"a", b"b"])
    handler({"eventname": "TICK_60"}, "when:0")
    clock.now = 1800
    queue.push([b"c"])
    watch.check()
    assert sent == []
    clock.now = 3600
    watch.check()
    assert [(kind, f["queue"], f["count"]) for kind, f in sent] == [("backlog", "pirus2", 3)]


def test_a_draining_queue_resets_the_age(store):
    sent = []
    clock = _Clock()
    watch = BacklogWatch(store, ["pirus2"], 3600, lambda kind, **f: sent.append(kind),
                         clock=clock)
    queue = store.queue("pirus2")
    queue.push([b"a", b"b"])
    watch.check()
    clock.now = 3000
    queue.fetch("c1", 1)  # one delivered: the count fell
    watch.check()
    clock.now = 3600
    watch.check()
    assert sent == []
