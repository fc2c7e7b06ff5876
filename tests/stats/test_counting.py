"""Double-click filtering and unique counting on their own (no database):
the counts are the same whatever order and batches the hits come in."""

from collections import defaultdict

from hypothesis import given, settings
from hypothesis import strategies as st

from loglines.stats.counting import DOUBLE_CLICK, Hit, changes, day_of, settle
from loglines.store.schema import INVESTIGATION, REQUEST

T0 = 1_764_547_200  # 2025-12-01 00:00:00 UTC


def hit(n, t, chain=b"c1", item="oai:r:1", kind=REQUEST, session=b"s1"):
    return Hit(n.to_bytes(16, "big"), chain, t, "repo", item, kind, session)


class Store:
    """What the ingest keeps, in memory: the hits with their flags, the
    session counts, and the metric totals the changes add up to."""

    def __init__(self):
        self.hits = {}
        self.sessions = {}
        self.totals = defaultdict(int)

    def add(self, batch):
        new = [h for h in batch if h.key not in self.hits]
        low, high = min(h.t for h in new) - DOUBLE_CLICK, max(h.t for h in new) + DOUBLE_CLICK
        stored = [h for h in self.hits.values() if h.chain in {n.chain for n in new}
                  and low <= h.t <= high]
        counted, stopped = settle(new, stored)
        for h in new:
            self.hits[h.key] = h._replace(counted=h.key in counted)
        for h in stopped:
            self.hits[h.key] = h._replace(counted=False)
        deltas = [(h, 1) for h in new if h.key in counted] + [(h, -1) for h in stopped]
        for change in changes(deltas, self.sessions):
            item, kind = change.hit.item, change.hit.kind
            self.totals[item, "investigations"] += change.delta
            self.totals[item, "unique_investigations"] += change.unique_investigations
            if kind == REQUEST:
                self.totals[item, "requests"] += change.delta
                self.totals[item, "unique_requests"] += change.unique_requests

    def counted(self):
        return sorted(int.from_bytes(h.key, "big") for h in self.hits.values() if h.counted)


def test_double_clicks_keep_the_later_and_chain():
    store = Store()
    # 0, +20, +40, +60: each within 30 s of the next: only the last counts;
    # +100 is 40 s after it and counts too.
    store.add([hit(1, T0), hit(2, T0 + 20), hit(3, T0 + 40), hit(4, T0 + 60), hit(5, T0 + 100)])
    assert store.counted() == [4, 5]
    assert store.totals["oai:r:1", "requests"] == 2


def test_a_hit_arriving_later_makes_the_one_before_it_a_double_click():
    store = Store()
    store.add([hit(1, T0)])
    assert store.counted() == [1]
    store.add([hit(2, T0 + 30)])  # 30 s: still a double click
    assert store.counted() == [2]
    store.add([hit(3, T0 + 61)])  # 31 s: not one
    assert store.counted() == [2, 3]
    assert store.totals["oai:r:1", "requests"] == 2


def test_an_older_hit_arriving_late_changes_nothing_after_it():
    store = Store()
    store.add([hit(2, T0 + 10)])
    store.add([hit(1, T0)])  # comes in after, happened before: the double click
    assert store.counted() == [2]
    assert store.totals["oai:r:1", "requests"] == 1


def test_other_users_and_other_urls_are_not_double_clicks():
    store = Store()
    store.add([hit(1, T0), hit(2, T0 + 1, chain=b"c2"), hit(3, T0 + 2, chain=b"c3")])
    assert store.counted() == [1, 2, 3]


def test_a_request_is_also_an_investigation_and_uniques_count_sessions():
    store = Store()
    store.add([hit(1, T0, kind=REQUEST), hit(2, T0 + 60, chain=b"c2", kind=INVESTIGATION),
               hit(3, T0 + 3600, chain=b"c1", session=b"s2")])  # the next hour: a new session
    assert store.totals["oai:r:1", "requests"] == 2
    assert store.totals["oai:r:1", "investigations"] == 3
    assert store.totals["oai:r:1", "unique_requests"] == 2
    assert store.totals["oai:r:1", "unique_investigations"] == 2


def test_a_session_whose_only_hit_became_a_double_click_is_not_unique_any_more():
    store = Store()
    store.add([hit(1, T0 + 3590, session=b"s1")])
    assert store.totals["oai:r:1", "unique_requests"] == 1
    # 20 s later, across the hour: the hit kept is in the next hour's session.
    store.add([hit(2, T0 + 3610, session=b"s2")])
    assert store.counted() == [2]
    assert store.totals["oai:r:1", "unique_requests"] == 1
    # s1's counts went back to 0, s2's are 1
    assert sorted(store.sessions.values()) == [(0, 0), (1, 1)]


def test_day_of_matches_the_calendar():
    import datetime

    for t in (0, T0 - 1, T0, T0 + 86399, 951_782_400, 4_102_444_800, 1_709_164_800):
        d = datetime.datetime.fromtimestamp(t, datetime.timezone.utc)
        assert day_of(t) == d.year * 10000 + d.month * 100 + d.day


def reference(hits):
    """Counted keys and totals computed straight from the definition."""
    by_chain = defaultdict(list)
    for h in hits:
        by_chain[h.chain].append(h)
    counted = set()
    for chain in by_chain.values():
        chain.sort(key=lambda h: (h.t, h.key))
        for h, nxt in zip(chain, [*chain[1:], None], strict=True):
            if nxt is None or nxt.t - h.t > DOUBLE_CLICK:
                counted.add(h.key)
    totals = defaultdict(int)
    sessions = defaultdict(set)
    for h in hits:
        if h.key in counted:
            totals[h.item, "investigations"] += 1
            sessions[h.item, "unique_investigations"].add(h.session)
            if h.kind == REQUEST:
                totals[h.item, "requests"] += 1
                sessions[h.item, "unique_requests"].add(h.session)
    totals.update({k: len(v) for k, v in sessions.items()})
    return sorted(int.from_bytes(k, "big") for k in counted), {k: v for k, v in totals.items() if v}


hits_strategy = st.lists(
    st.tuples(st.integers(0, 200), st.sampled_from([b"c1", b"c2"]),
              st.sampled_from([REQUEST, INVESTIGATION]), st.sampled_from(["oai:r:1", "oai:r:2"])),
    min_size=1, max_size=30)


@settings(max_examples=300, deadline=None)
@given(hits_strategy, st.randoms(use_true_random=False), st.integers(1, 6))
def test_any_order_and_batching_counts_as_the_definition(spec, rnd, batch):
    hits = [hit(n + 1, T0 + t, chain=chain + item.encode(), item=item, kind=kind,
                session=b"s%d" % ((T0 + t) // 60))
            for n, (t, chain, kind, item) in enumerate(spec)]
    rnd.shuffle(hits)
    store = Store()
    for start in range(0, len(hits), batch):
        store.add(hits[start:start + batch])
    counted, totals = reference(hits)
    assert store.counted() == counted
    assert {k: v for k, v in store.totals.items() if v} == totals
