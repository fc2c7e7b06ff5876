"""The heartbeat of a WorkerContext beats while it runs and stops with it."""

import threading

from tests.support.waiting import wait_for


def test_close_stops_the_heartbeat_thread_and_the_consumer_stays_unregistered(make_ctx, store):
    ctx = make_ctx(heartbeat_interval=0.1)
    before = set(threading.enumerate())
    ctx.start_heartbeat(["work"])
    [thread] = [t for t in set(threading.enumerate()) - before if t.name == "heartbeat"]

    def registered():
        return {c.id: c for c in store.consumers()}.get(ctx.consumer_id)

    first = registered()  # registered before start_heartbeat returns
    assert first is not None
    assert (first.info["section"], first.info["queues"]) == ("worker_test", ["work"])
    assert wait_for(lambda: registered().last_beat > first.last_beat)  # it beats
    ctx.close()
    assert not thread.is_alive()
    assert registered() is None  # unregistered by close()
    # Ten beat intervals: a beat still under way would register it again.
    wait_for(lambda: registered() is not None, timeout=1.0)
    assert registered() is None
