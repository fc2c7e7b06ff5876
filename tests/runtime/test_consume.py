"""consume(): the loop every queue worker runs, against a real Redis."""

import time

from tests.support.consume_loop import Loop
from tests.support.waiting import wait_for


def test_burst_mode_handles_everything_then_returns_once_the_queue_is_empty(make_ctx):
    ctx = make_ctx(burst=True)
    payloads = [f"item-{i}".encode() for i in range(7)]
    ctx.queue("work").push(payloads)
    with Loop(ctx, batch_size=3) as loop:
        assert loop.returns_by_itself()
    assert loop.batches == [payloads[:3], payloads[3:6], payloads[6:]]
    stats = ctx.queue("work").stats()
    assert (stats.ready, stats.inflight) == (0, 0)


def test_a_batch_bigger_than_one_fetch_is_gathered_from_several(make_ctx):
    """The stats worker's batch is one transaction: 2,500 items in one call,
    not three calls each followed by the linger."""
    ctx = make_ctx(burst=True)
    payloads = [f"item-{i}".encode() for i in range(2600)]
    ctx.queue("work").push(payloads)
    with Loop(ctx, batch_size=2500) as loop:
        assert loop.returns_by_itself()
    assert [len(b) for b in loop.batches] == [2500, 100]
    assert [p for b in loop.batches for p in b] == payloads


def test_without_burst_the_loop_waits_for_more_until_asked_to_stop(make_ctx):
    ctx = make_ctx(burst=False)  # block_timeout 0.2 s: it goes idle several times below
    queue = ctx.queue("work")
    queue.push([b"a", b"b"])
    with Loop(ctx) as loop:
        assert wait_for(lambda: loop.handled() == [b"a", b"b"])
        wait_for(lambda: not loop.is_alive(), timeout=1.0)  # idle for a few block timeouts
        assert loop.is_alive()
        queue.push([b"c"])  # still waiting, and still consuming
        assert wait_for(lambda: loop.handled() == [b"a", b"b", b"c"])
        assert loop.is_alive()
    # Leaving the block set the stop flag, and the loop returned (see Loop.__exit__).


def test_an_exception_escaping_handle_fails_the_unsettled_items_and_the_loop_goes_on(make_ctx):
    """The poison item counts an attempt each time and ends dead after
    max_attempts; the items the batch had acknowledged stay acknowledged."""
    ctx = make_ctx(burst=False, max_attempts=2, retry_delay=0.05)
    queue = ctx.queue("work")
    queue.push([b"good-1", b"poison", b"good-2"])
    with Loop(ctx, fail_on=b"poison") as loop:
        assert wait_for(lambda: queue.stats().dead == 1)
        queue.push([b"good-3"])  # the loop is still consuming after the dead-letter
        assert wait_for(lambda: b"good-3" in loop.handled())
    assert loop.batches == [[b"good-1", b"poison", b"good-2"], [b"poison"], [b"good-3"]]
    [dead] = queue.dead_items()
    assert (dead.payload, dead.attempts) == (b"poison", 2)
    assert "worker error: RuntimeError: boom" in dead.error
    stats = queue.stats()
    assert (stats.ready, stats.inflight, stats.delayed) == (0, 0, 0)
    # Counted, and flushed by consume() as it returns: the two failed
    # attempts of the poison item, not the items the batch had settled.
    assert ctx.store.counts(ctx.section.name)["worker_errors"] == 2


def test_linger_waits_after_a_small_batch_so_small_arrivals_are_handled_together(make_ctx):
    ctx = make_ctx(burst=False)
    queue = ctx.queue("work")
    linger = 1.0
    fetches = []  # time of each fetch (before_fetch runs just before it)
    handled_at = []

    def before_fetch():
        fetches.append(time.monotonic())
        return True

    queue.push([b"a"])

    def handle(items):
        # Not loop.ack: the loop's thread may call this before `with` has
        # bound `loop`, and a NameError would give "a" back for a retry.
        ctx.call(queue.ack, ctx.consumer_id, [i.id for i in items])
        handled_at.append(time.monotonic())

    with Loop(ctx, handle=handle, linger=linger, before_fetch=before_fetch) as loop:
        assert wait_for(lambda: loop.batches == [[b"a"]])
        queue.push([b"b"])  # two arrivals, one at a time, while it lingers
        queue.push([b"c"])
        assert wait_for(lambda: len(loop.batches) >= 2)
    assert loop.batches == [[b"a"], [b"b", b"c"]]
    # The fetch after the small batch came no sooner than `linger` after it
    # (a lower bound: a slow machine only makes the gap longer).
    assert fetches[1] - handled_at[0] >= linger * 0.9


def test_no_linger_after_a_full_batch(make_ctx):
    ctx = make_ctx(burst=True)
    ctx.queue("work").push([f"item-{i}".encode() for i in range(4)])
    with Loop(ctx, batch_size=2, linger=30.0) as loop:
        assert loop.returns_by_itself()  # a linger after either full batch would take 30 s
    assert [len(b) for b in loop.batches] == [2, 2]


def test_weighed_items_fill_a_batch_by_weight_in_fetches_that_never_take_far_more(make_ctx):
    """Items counting for four each, batches of ten: two fetched (8), then
    one (12), never the ten a count of items would take."""
    ctx = make_ctx(burst=True)
    ctx.queue("work").push([b"wxyz"] * 7)
    with Loop(ctx, batch_size=10, weigh=lambda item: len(item.payload), heaviest=4) as loop:
        assert loop.returns_by_itself()
    assert [len(b) for b in loop.batches] == [3, 3, 1]


def test_light_weighed_items_come_many_a_fetch_but_never_past_the_bound(make_ctx, monkeypatch):
    """heaviest 10, batches of 20: the first fetch assumes the heaviest
    (two items); once they weigh one each, the next takes up to the bound,
    four batches' worth of the heaviest (8 items), not one or two."""
    from loglines.runtime import consumer_loop

    wants = []
    real = consumer_loop._fetch
    monkeypatch.setattr(consumer_loop, "_fetch",
                        lambda ctx, queue, count: wants.append(count) or real(ctx, queue, count))
    ctx = make_ctx(burst=True)
    ctx.queue("work").push([b"x"] * 30)
    with Loop(ctx, batch_size=20, weigh=lambda item: 1, heaviest=10) as loop:
        assert loop.returns_by_itself()
    assert wants[:3] == [2, 8, 8]
    assert sum(len(b) for b in loop.batches) == 30 and max(len(b) for b in loop.batches) <= 20 + 8
