"""A shipper SIGKILLed between an upload and its bookkeeping: the ingress
has the package, the shipper's records do not. After a restart nothing is
missing and at most that one package arrives again, under the same name
and content hash, which the ingress folds."""

import os
import signal
import subprocess
import sys
import threading
from collections import Counter

from tests.shipping.conftest import SECTION, TODAY, book_of
from tests.support.waiting import wait_for


def start(config):
    return subprocess.Popen([sys.executable, "-m", "loglines", "--config", str(config.path),
                             "worker", SECTION], cwd=config.instance_dir,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def test_sigkill_between_upload_and_bookkeeping_leaves_no_gap(instance, ingress, redis_client):
    config = instance()
    ingress.hold = threading.Event()  # the upload is taken; the answer waits
    first = start(config)
    try:
        assert ingress.taken.wait(30), "no upload came"
        os.kill(first.pid, signal.SIGKILL)
        first.wait(10)
    finally:
        first.kill()
    held, ingress.hold = ingress.hold, None
    held.set()
    assert len(ingress.uploads) == 1
    book = book_of(config, redis_client)
    # the ingress has it; the bookkeeping still waits for it
    assert ingress.uploads[0].name in book.waiting()
    assert TODAY not in book.last().values()
    again = start(config)
    try:
        assert wait_for(lambda: book.last() == {"daily.csv": TODAY, "summary.json": TODAY},
                        timeout=40)
    finally:
        again.send_signal(signal.SIGTERM)
        again.wait(30)
    assert ingress.problems == []
    arrivals = Counter(u.name for u in ingress.uploads)
    assert len(ingress.kept) == 6  # every package, folded by its name
    assert sum(arrivals.values()) <= 7
    assert [n for n, k in arrivals.items() if k > 1] in ([], [ingress.uploads[0].name])
    repeated = [u for u in ingress.uploads if u.name == ingress.uploads[0].name]
    assert len({u.content_sha256 for u in repeated}) == 1
    assert book.waiting() == {}
