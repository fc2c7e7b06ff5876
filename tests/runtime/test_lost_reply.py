"""A fetch whose reply was lost: Redis ran it, so the consumer holds items it
never saw. The loop gives them back before going on, and they are handled
once."""

import dataclasses

import pytest

from tests.support.consume_loop import Loop
from tests.support.lossy_proxy import LossyProxy


@pytest.fixture
def proxy(redis_server):
    with LossyProxy(redis_server.port) as p:
        yield p


def test_items_of_a_fetch_whose_reply_was_lost_are_released_then_handled_once(
        make_ctx, redis_server, proxy):
    ctx = make_ctx(dataclasses.replace(redis_server.settings, port=proxy.port))
    queue = ctx.queue("work")
    payloads = [f"item-{i}".encode() for i in range(5)]
    queue.push([b"other's"])
    assert queue.fetch("other", 1).items  # loads the script too, so the lost fetch runs it
    queue.push(payloads)
    seen = []  # (payloads of the batch, what this consumer held meanwhile, attempts)

    def handle(items):
        held = queue.stats().inflight_by_consumer[ctx.consumer_id]
        seen.append(([i.payload for i in items], held, [i.attempts for i in items]))
        ctx.call(queue.ack, ctx.consumer_id, [i.id for i in items])

    proxy.lose_reply_to(ctx.store.scripts.fetch.sha.encode(), ctx.consumer_id.encode())
    with Loop(ctx, handle=handle, batch_size=3) as loop:
        assert loop.returns_by_itself()  # burst mode

    assert proxy.lost.is_set()  # the first fetch ran in Redis, its reply never came
    # The three it took came back first, in order, and nothing else was held
    # by this consumer while it handled them: released before the next fetch.
    assert seen == [(payloads[:3], 3, [1, 1, 1]), (payloads[3:], 2, [1, 1])]
    stats = queue.stats()
    assert (stats.ready, stats.delayed, stats.dead) == (0, 0, 0)
    assert stats.inflight_by_consumer == {"other": 1}  # another's items are not taken
