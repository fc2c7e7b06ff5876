"""Dead letters notify once per interval, through the rq queue."""

import time

from loglines.outputs.pirus2 import Forward, Settle
from loglines.queue import Failure
from loglines.runtime.context import WorkerContext


def _context(config, redis_server):
    return WorkerContext(config, config.programs["worker_pirus2"],
                         redis_settings=redis_server.settings)


def _dead_letter(ctx, n=1, error="400 Bad Request"):
    """Dead-letter ``n`` items the way pirus2 does."""
    queue = ctx.queue("pirus2")
    queue.push([f"line {i}".encode() for i in range(n)])
    settle = Settle()
    for item in queue.fetch(ctx.consumer_id, n).items:
        settle.failures.append(Failure(item, error, permanent=True))
    settle.apply(ctx, queue, Forward([], False), Forward([], False))


def test_a_dead_letter_posts_one_webhook(notify_cfg, load_cfg, webhook, redis_server, run_jobs):
    config = load_cfg(notify_cfg(f"webhook_url = {webhook.url}\n"))
    ctx = _context(config, redis_server)
    _dead_letter(ctx)
    run_jobs(config)
    assert len(webhook.posts) == 1
    event = webhook.posts[0]
    assert {"kind", "queue", "count", "error", "host", "time"} <= event.keys()
    assert (event["kind"], event["queue"], event["count"]) == ("dead_letter", "pirus2", 1)
    assert event["error"] == "400 Bad Request"
    assert event["section"] == "worker_pirus2"


def test_a_burst_of_dead_letters_notifies_once_per_interval(
        notify_cfg, load_cfg, webhook, redis_server, run_jobs):
    config = load_cfg(notify_cfg(f"webhook_url = {webhook.url}\n", interval=1))
    ctx = _context(config, redis_server)
    for _ in range(100):
        _dead_letter(ctx)
    queue = run_jobs(config)
    assert len(webhook.posts) == 1
    assert queue.count == 0
    time.sleep(1.1)  # the interval is over: the next one goes out, counting the rest
    _dead_letter(ctx)
    run_jobs(config)
    assert len(webhook.posts) == 2
    assert webhook.posts[1]["suppressed"] == 99


def test_without_notify_nothing_is_enqueued(tmp_path, redis_server, redis_client, prefix):
    from rq import Queue

    from loglines.config import load

    path = tmp_path / "loglines.cfg"
    path.write_text(f"[redis]\nport = {redis_server.port}\n[queues]\nprefix = {prefix}\n"
                    "[worker_pirus2]\nlistento = pirus2\nrepository_plugin = eprints\n"
                    "dry_run = true\n")
    config = load(path, environ={})
    assert config.notify is None
    before = Queue("notify", connection=redis_client).count
    _dead_letter(_context(config, redis_server))
    assert Queue("notify", connection=redis_client).count == before


def test_mail_reaches_the_smtp_server(notify_cfg, load_cfg, smtp_server, redis_server,
                                      run_jobs):
    config = load_cfg(notify_cfg(f"""
        smtp_host = 127.0.0.1
        smtp_port = {smtp_server.port}
        smtp_tls = none
        mail_from = loglines@example.org
        mail_to = ops@example.org, oncall@example.org
        """))
    _dead_letter(_context(config, redis_server), n=3, error="404 Not Found")
    run_jobs(config)
    (envelope,) = smtp_server.mailbox.messages
    assert envelope.mail_from == "loglines@example.org"
    assert envelope.rcpt_tos == ["ops@example.org", "oncall@example.org"]
    text = envelope.content.decode()
    assert "3 item(s) of queue pirus2 dead-lettered" in text
    assert "404 Not Found" in text


def test_the_worker_context_holds_its_notifier(notify_cfg, load_cfg, webhook, redis_server,
                                               run_jobs):
    config = load_cfg(notify_cfg(f"webhook_url = {webhook.url}\n"))
    ctx = _context(config, redis_server)
    attributes = set(vars(ctx))
    _dead_letter(ctx)
    _dead_letter(ctx)
    assert set(vars(ctx)) == attributes  # nothing set on it from outside
    assert ctx.notifier() is ctx.notifier()
    assert _context(config, redis_server).notifier() is not ctx.notifier()
