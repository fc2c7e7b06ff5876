"""The shipper against a local ingress that unpacks and checks each
upload: every package arrives once, a collector's period advances only
once its packages arrived, an outage is waited out, a refusal is kept."""

import json
from collections import Counter

from loglines.shipping.periods import DAY
from tests.shipping.conftest import SECTION, START, TODAY, book_of
from tests.support.waiting import wait_for
from tests.workers.conftest import Background, run_worker


def names(ingress):
    return [u.name for u in ingress.uploads]


def test_each_package_arrives_once_with_a_sound_manifest(instance, ingress, redis_client):
    config = instance()
    assert run_worker(config, SECTION) == 0
    assert ingress.problems == []
    # three days, the daily CSV of ~1.5 kB cut in two by the 1000-byte cap
    assert len(ingress.uploads) == len(set(names(ingress))) == 6
    days = sorted({(u.files["manifest.json"] and json.loads(u.files["manifest.json"])["since"])
                   for u in ingress.uploads})
    assert len(days) == 3
    rows = sum(f["rows"] for u in ingress.uploads
               for f in json.loads(u.files["manifest.json"])["files"] if f["key"] == "daily")
    assert rows == 3 * 40
    for u in ingress.uploads:
        assert u.content_type == "application/vnd.loglines.package+tgz"
        assert json.loads(u.files["config.json"]) == {"site": "test", "section": SECTION}
    book = book_of(config, redis_client)
    assert book.last() == {"daily.csv": TODAY, "summary.json": TODAY}
    assert book.waiting() == {}
    assert list((config.instance_dir / "var/ship" / SECTION / "outbox").glob("*.tar.gz")) == []
    # nothing is due again: a second run ships nothing
    assert run_worker(config, SECTION) == 0
    assert len(ingress.uploads) == 6


def test_an_ingress_down_for_a_while_gets_each_package_once(instance, ingress, redis_client):
    answers = iter([503, 503, 429, 503, 503])
    ingress.status = lambda upload: next(answers, 200)
    config = instance(max_attempts=20)
    with Background(config, SECTION):
        assert wait_for(lambda: book_of(config, redis_client).last() ==
                        {"daily.csv": TODAY, "summary.json": TODAY}, timeout=30)
    assert len(ingress.refused) == 5
    assert sorted(names(ingress)) == sorted(set(names(ingress)))
    assert len(ingress.uploads) == 6


def test_a_refusal_is_kept_with_its_body_and_blocks_the_period(instance, ingress, redis_client):
    ingress.status = 400
    ingress.body = b'{"error": "unknown repository identifier"}'
    config = instance()
    assert run_worker(config, SECTION) == 0
    assert ingress.uploads == []
    book = book_of(config, redis_client)
    rejected = book.rejections()
    assert len(rejected) == len(book.waiting()) == 6  # all kept, none lost
    assert {r["status"] for r in rejected.values()} == {400}
    assert all("unknown repository identifier" in r["body"] for r in rejected.values())
    assert book.last() == {"daily.csv": START, "summary.json": START}
    dead = redis_client.zcard("{" + config.queues.prefix + "}:q:ship:dead")
    outbox = config.instance_dir / "var/ship" / SECTION / "outbox"
    assert len(list(outbox.glob("*.tar.gz"))) == 6
    assert dead == 6


def test_a_failed_slice_blocks_only_its_own_collector(instance, ingress, redis_client, tmp_path):
    from loglines.shipping.periods import text

    (tmp_path / "fail-day").write_text(text(START + DAY))
    config = instance()
    assert run_worker(config, SECTION) == 0
    book = book_of(config, redis_client)
    # the summary went on; the daily CSV stops at the day that failed
    assert book.last() == {"daily.csv": START + DAY, "summary.json": TODAY}
    first = len(ingress.uploads)
    (tmp_path / "fail-day").unlink()
    assert run_worker(config, SECTION) == 0
    assert book.last() == {"daily.csv": TODAY, "summary.json": TODAY}
    later = ingress.uploads[first:]
    # only the daily CSV of the two days it had not shipped: nothing twice
    assert {f["key"] for u in later for f in json.loads(u.files["manifest.json"])["files"]} == \
        {"daily"}
    assert len(names(ingress)) == len(set(names(ingress)))
    daily_days = [(f["since"]) for u in ingress.uploads
                  for f in json.loads(u.files["manifest.json"])["files"] if f["key"] == "daily"]
    assert sorted(set(daily_days)) == [text(START + d * DAY) for d in range(3)]


def test_too_many_attempts_dead_letter_the_job_and_notify(instance, ingress, redis_client,
                                                          webhook, run_jobs, rq_queue_name):
    ingress.status = 503
    config = instance(max_attempts=2, extra=f"""
        [notify]
        webhook_url = {webhook.url}
        queue = {rq_queue_name}
    """)
    dead_key = "{" + config.queues.prefix + "}:q:ship:dead"
    with Background(config, SECTION):
        assert wait_for(lambda: redis_client.zcard(dead_key) == 6, timeout=30)
    run_jobs(config)
    assert webhook.posts and {p["queue"] for p in webhook.posts} == {"ship"}
    assert "HTTP 503" in webhook.posts[0]["error"]
    book = book_of(config, redis_client)
    assert len(book.waiting()) == 6  # kept, for `loglines dead requeue ship`
    assert book.last() == {"daily.csv": START, "summary.json": START}
    # after the outage, the dead jobs given a fresh start ship every package once
    ingress.status = 200
    from loglines.cli.main import main
    assert main(["--config", str(config.path), "dead", "requeue", "ship", "--all"]) == 0
    assert run_worker(config, SECTION) == 0
    assert len(ingress.uploads) == len(set(names(ingress))) == 6
    assert book.last() == {"daily.csv": TODAY, "summary.json": TODAY}


def test_an_answer_later_than_timeout_is_tried_again_and_folded(instance, ingress,
                                                                redis_client):
    late = []

    def delay(upload):
        if len(late) < 2:  # the first two answers come after the shipper gave up
            late.append(upload.name)
            return 1.0
        return 0

    ingress.delay = delay
    config = instance(max_attempts=20, extra="timeout = 0.3\n")
    book = book_of(config, redis_client)
    with Background(config, SECTION):
        assert wait_for(lambda: book.last() == {"daily.csv": TODAY, "summary.json": TODAY},
                        timeout=30)
    assert len(ingress.kept) == 6 and ingress.problems == []
    # taken there, not known here: those two arrived again, folded by name
    repeated = sorted(n for n, k in Counter(names(ingress)).items() if k > 1)
    assert repeated == sorted(set(late)) and len(ingress.uploads) == 6 + len(late)
    assert book.rejections() == {}


def test_an_ingress_not_listening_yet_is_waited_for(instance, redis_client):
    from tests.support.ingress import Ingress
    from tests.support.redis_server import free_port

    port = free_port()
    config = instance(max_attempts=50, url=f"http://127.0.0.1:{port}/ingress")
    assert run_worker(config, SECTION) == 0  # refused connections: tried again later
    book = book_of(config, redis_client)
    assert len(book.waiting()) == 6 and book.rejections() == {}
    assert book.last() == {"daily.csv": START, "summary.json": START}
    with Ingress(port=port) as ingress, Background(config, SECTION):
        assert wait_for(lambda: book.last() == {"daily.csv": TODAY, "summary.json": TODAY},
                        timeout=30)
    assert len(ingress.uploads) == len(set(names(ingress))) == 6
