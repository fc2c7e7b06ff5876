"""The ingest on SQLite and on a real PostgreSQL: exact figures from
hand-built records, each line counted once however often it comes."""

import gc
import random

from sqlalchemy import select

from loglines.stats.builtin import BUILTIN
from loglines.stats.ingest import Ingest
from loglines.stats.recount import recount
from loglines.store.engine import writing
from loglines.store.schema import hits, lines_hourly, stat_counts
from tests.stats.records import T0, event, excluded

ALL = list(BUILTIN.values())


def apply(engine, records, ingest=None):
    ingest = ingest or Ingest(ALL)
    with writing(engine) as conn:
        return ingest.apply(conn, records)


def figures(engine, stat=None):
    with engine.connect() as conn:
        query = select(stat_counts).where(stat_counts.c.value != 0)
        if stat:
            query = query.where(stat_counts.c.stat == stat)
        return {(r.stat, r.bucket, r.key, r.field): r.value for r in conn.execute(query)}


def metrics(engine, stat, bucket, key):
    return {f: v for (s, b, k, f), v in figures(engine, stat).items()
            if (b, k) == (bucket, key)}


def test_a_day_of_hand_built_hits(store_engine):
    item = "oai:repo:7"
    records = [
        # a double click that chains: 0, +20, +45 -> only +45 counts
        event(T0 + 100, item), event(T0 + 120, item), event(T0 + 145, item),
        # the abstract page, same user: an Investigation only
        event(T0 + 200, item, kind="I"),
        # another user: a Request of its own (and a session of its own)
        event(T0 + 300, item, client="198.51.100.4"),
        # the first user again in the next hour: a new session
        event(T0 + 3600 + 5, item),
        # a robot and a 206: not events, counted by reason
        excluded(T0 + 400, "robot"), excluded(T0 + 401, "status_206"),
    ]
    applied = apply(store_engine, records)
    assert (applied.lines, applied.events, applied.counted) == (8, 6, 4)
    assert metrics(store_engine, "item_metrics_daily", "2025-12-01", item) == {
        "Total_Item_Requests": 3, "Unique_Item_Requests": 3,
        "Total_Item_Investigations": 4, "Unique_Item_Investigations": 3}
    assert metrics(store_engine, "item_metrics_monthly", "2025-12", item) == metrics(
        store_engine, "item_metrics_daily", "2025-12-01", item)
    assert metrics(store_engine, "platform_monthly", "2025-12", "repo")["Total_Item_Requests"] == 3
    assert metrics(store_engine, "excluded_daily", "2025-12-01", "robot") == {"lines": 1}
    assert metrics(store_engine, "excluded_daily", "2025-12-01", "status_206") == {"lines": 1}


def test_a_line_that_comes_again_counts_nothing(store_engine):
    records = [event(T0 + i * 60, f"oai:repo:{i % 3}") for i in range(20)]
    apply(store_engine, records)
    before = figures(store_engine)
    again = apply(store_engine, records[5:] + records[:5])  # a repeat, another order
    assert (again.lines, again.repeats) == (0, 20)
    assert figures(store_engine) == before
    with store_engine.connect() as conn:
        assert conn.execute(select(lines_hourly.c.lines)).scalars().all() == [20]


def test_a_double_click_across_midnight_counts_on_the_later_day(store_engine):
    apply(store_engine, [event(T0 + 86400 - 10)])
    assert metrics(store_engine, "item_metrics_daily", "2025-12-01", "oai:repo:1")[
        "Total_Item_Requests"] == 1
    apply(store_engine, [event(T0 + 86400 + 10)])
    assert metrics(store_engine, "item_metrics_daily", "2025-12-01", "oai:repo:1") == {}
    assert metrics(store_engine, "item_metrics_daily", "2025-12-02", "oai:repo:1")[
        "Total_Item_Requests"] == 1


def test_any_batching_gives_the_figures_of_one_batch_and_of_a_recount(store_engine):
    rnd = random.Random(5)
    records = [event(T0 + rnd.randrange(0, 7200), f"oai:repo:{rnd.randrange(4)}",
                     kind=rnd.choice("RI"), client=f"192.0.2.{rnd.randrange(3)}")
               for _ in range(300)]
    records += [excluded(T0 + rnd.randrange(7200), "robot") for _ in range(20)]
    rnd.shuffle(records)
    ingest = Ingest(ALL)
    start = 0
    while start < len(records):
        size = rnd.randrange(1, 40)
        apply(store_engine, records[start:start + size], ingest)
        start += size
    batched = figures(store_engine)
    with writing(store_engine) as conn:
        conn.execute(stat_counts.delete())
    apply(store_engine, [])  # nothing: no figure comes back by itself
    assert figures(store_engine) == {}
    with writing(store_engine) as conn:
        done = recount(conn, ALL, 0, refilter=True)
    assert done.changed_flags == 0  # the flags the batches settled are the definition's
    assert figures(store_engine) == batched
    with store_engine.connect() as conn:
        counted = conn.execute(select(hits.c.counted).where(hits.c.kind.is_not(None))
                               ).scalars().all()
    assert sum(counted) == sum(v for (s, _, _, f), v in batched.items()
                               if s == "platform_monthly" and f == "Total_Item_Investigations")


def test_a_batch_that_failed_leaves_no_agent_id_behind(store_engine):
    """The agents a lost transaction inserted are gone with it; the ingest
    must not keep their ids (a foreign key would refuse the next batch)."""
    import pytest

    ingest = Ingest(ALL)
    broken = event(T0, agent="A new browser/1.0")
    broken["k"] = "not hex at all, but 32 letters.."
    with pytest.raises(ValueError), writing(store_engine) as conn:
        ingest.apply(conn, [event(T0 + 1, agent="A new browser/1.0"), broken])
    assert gc.isenabled()  # paused for the batch only, failed or not
    assert apply(store_engine, [event(T0 + 5, agent="A new browser/1.0")], ingest).counted == 1


def test_a_batch_of_repeats_and_new_lines_counts_the_new_ones_once(store_engine):
    """Most batches are all new and stored at once; one with a repeat among
    them is stored without it, and with the same figures and flags."""
    records = [event(T0 + i * 7, f"oai:repo:{i % 4}", client=f"192.0.2.{i % 3}")
               for i in range(60)]
    apply(store_engine, records[:30])
    mixed = apply(store_engine, records[20:])  # 10 repeats, 30 new, double clicks across
    assert (mixed.lines, mixed.repeats) == (30, 10)
    batched = figures(store_engine)
    with writing(store_engine) as conn:
        conn.execute(stat_counts.delete())
        assert recount(conn, ALL, 0, refilter=True).changed_flags == 0
    assert figures(store_engine) == batched
    with store_engine.connect() as conn:
        assert conn.execute(select(lines_hourly.c.lines)).scalars().all() == [60]


def test_a_grouped_line_statistic_counts_as_one_handed_every_line(store_engine):
    """excluded_daily takes one line per service, reason and day and
    multiplies; the same statistic handed every line agrees."""
    import dataclasses

    grouped = BUILTIN["excluded_daily"]
    each = dataclasses.replace(grouped, name="excluded_each_line", grouped=False)
    records = [excluded(T0 + i * 997, ("robot", "status_206")[i % 3 == 0]) for i in range(300)]
    apply(store_engine, records, Ingest([grouped, each]))
    by_group = {(b, k, f): v for (s, b, k, f), v in figures(store_engine, grouped.name).items()}
    by_line = {(b, k, f): v for (s, b, k, f), v in figures(store_engine, each.name).items()}
    assert by_group == by_line
    assert sum(by_group.values()) == 300
    assert by_group["2025-12-01", "status_206", "lines"] == sum(
        1 for i in range(300) if i % 3 == 0 and T0 + i * 997 < T0 + 86400)
