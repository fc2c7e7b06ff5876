"""Bundles: an ack forwards what it acknowledges as one item, on a real Redis,
and the bytes the script writes are the ones bundle.split gives back."""

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from loglines.queue import bundle

PAYLOADS = st.lists(st.binary(max_size=300), max_size=40)


@given(PAYLOADS)
def test_split_gives_back_what_pack_packed(payloads):
    packed = bundle.pack(payloads)
    assert bundle.is_bundle(packed)
    assert bundle.split(packed) == payloads
    assert bundle.count(packed) == max(1, len(payloads))


@settings(max_examples=40, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(payloads=st.lists(st.binary(min_size=1, max_size=300), min_size=1, max_size=40))
def test_the_ack_script_writes_the_bundle_pack_writes(store, payloads):
    q, out = store.queue("b-in"), store.queue("b-out")
    q.push(payloads)
    items = q.fetch("c1", len(payloads)).items
    assert q.ack("c1", [i.id for i in items], forward_to=[out], bundle=True) == len(payloads)
    forwarded = out.fetch("c2", 10).items
    assert len(forwarded) == 1
    assert forwarded[0].payload == bundle.pack([i.payload for i in items])
    out.ack("c2", [forwarded[0].id])


def test_a_bundle_holds_only_what_this_consumer_still_held(store):
    """An item recovered from a consumer presumed dead goes back to ready:
    its late ack must not put it into the bundle, or the success queue would
    have it twice once the next consumer forwards it too."""
    q, out = store.queue("pirus2"), store.queue("articlelog")
    q.push([b"one", b"two", b"three"])
    items = q.fetch("c1", 3).items
    q.release("c1", [items[1].id])  # as recovery does
    assert q.ack("c1", [i.id for i in items], forward_to=[out], bundle=True) == 2
    (forwarded,) = out.fetch("c9", 10).items
    assert bundle.split(forwarded.payload) == [b"one", b"three"]
    assert q.stats().ready == 1


def test_an_ack_without_targets_makes_no_bundle(store):
    q, out = store.queue("plain"), store.queue("plain-out")
    q.push([b"a"])
    assert q.ack("c1", [q.fetch("c1", 1).items[0].id], bundle=True) == 1
    assert out.stats().ready == 0


def test_every_target_gets_its_own_bundle(store):
    q, a, b = store.queue("src"), store.queue("t1"), store.queue("t2")
    q.push([b"x", b"y"])
    q.ack("c1", [i.id for i in q.fetch("c1", 2).items], forward_to=[a, b], bundle=True)
    for target in (a, b):
        (item,) = target.fetch("c2", 10).items
        assert bundle.split(item.payload) == [b"x", b"y"]


@pytest.mark.parametrize("payload, reason", [
    (bundle.HEADER + b"2\n1\na\n", "cut short"),
    (bundle.HEADER + b"1\n5\nab\n", "cut short"),
    (bundle.HEADER + b"1\n1\na\nextra", "bytes after"),
    (bundle.HEADER + b"x\n", "no count"),
    (bundle.HEADER + b"1\n-1\na\n", "no length of payload 1"),
])
def test_a_malformed_bundle_is_refused_with_the_reason(payload, reason):
    with pytest.raises(bundle.BadBundle, match=reason):
        bundle.split(payload)


def test_a_message_is_not_a_bundle():
    message = b'{"service": "repo", "logline": "\\u0000bundle1 "}'
    assert not bundle.is_bundle(message)
    assert bundle.count(message) == 1
