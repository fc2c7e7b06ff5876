"""A consumer in its own process, for tests that kill one with SIGKILL.

    python -m tests.support.consumer_proc PORT PREFIX QUEUE MODE [COUNT]

hold:   register, fetch COUNT items, print "FETCHED <ids>", then sleep.
poison: fetch one item at a time; die by SIGKILL on the payload b"poison",
        else add it to the set {PREFIX}:processed and ack it; exit when
        the queue is empty (burst mode).
"""

import os
import signal
import sys
import time

import redis

from loglines.queue import Heartbeat, QueuePolicy, QueueStore, new_consumer_id


def main():
    port, prefix, queue_name, mode = sys.argv[1:5]
    count = int(sys.argv[5]) if len(sys.argv) > 5 else 10
    client = redis.Redis(host="127.0.0.1", port=int(port))
    store = QueueStore(client, prefix, lambda n: QueuePolicy(max_attempts=3), consumer_timeout=2)
    consumer = new_consumer_id()
    heartbeat = Heartbeat(store, consumer, {"section": "test"}, interval=0.2,
                          recovery_interval=3600)
    heartbeat.start()
    q = store.queue(queue_name)
    if mode == "hold":
        items = q.fetch(consumer, count).items
        print("FETCHED", consumer, " ".join(i.id for i in items), flush=True)
        while True:
            time.sleep(60)
    while items := q.fetch(consumer, 1).items:
        item = items[0]
        if item.payload == b"poison":
            os.kill(os.getpid(), signal.SIGKILL)
        client.sadd("{" + prefix + "}:processed", item.payload)
        q.ack(consumer, [item.id])
    heartbeat.stop()
    print("DONE", flush=True)


if __name__ == "__main__":
    main()
