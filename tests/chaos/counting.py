"""The chaos run's check of the statistics: COUNTER item metrics computed
here from the input's events, by the definition and by code of its own,
against the stats worker's figures in the store."""

import calendar
from collections import defaultdict

from sqlalchemy import create_engine, select

from loglines.store.schema import stat_counts

WINDOW = 30  # seconds: a repeat on one URL by one user within it is a double click


def _unix(utc):
    return calendar.timegm((int(utc[0:4]), int(utc[5:7]), int(utc[8:10]), int(utc[11:13]),
                            int(utc[14:16]), int(utc[17:19])))


def reference(events):
    """{(day, item, metric): value} of the events' tracker parameters."""
    chains = defaultdict(list)
    for p in events:
        chains[p["req_id"], p["req_dat"], p["svc_dat"]].append((_unix(p["url_tim"]), p))
    kept = []
    for hits in chains.values():
        hits.sort(key=lambda h: h[0])
        kept += [p for (t, p), nxt in zip(hits, [*hits[1:], None], strict=True)
                 if nxt is None or nxt[0] - t > WINDOW]
    figures = defaultdict(int)
    sessions = defaultdict(set)
    for p in kept:
        day, hour = p["url_tim"][:10], p["url_tim"][11:13]
        item, session = p["rft.artnum"], (p["req_id"], p["req_dat"], day, hour)
        figures[day, item, "Total_Item_Investigations"] += 1
        sessions[day, item, "Unique_Item_Investigations"].add(session)
        if p["rft_dat"] == "Request":
            figures[day, item, "Total_Item_Requests"] += 1
            sessions[day, item, "Unique_Item_Requests"].add(session)
    figures.update({key: len(s) for key, s in sessions.items()})
    return dict(figures)


def stored(store_url):
    engine = create_engine(store_url)
    try:
        with engine.connect() as conn:
            rows = conn.execute(select(stat_counts.c.bucket, stat_counts.c.key,
                                       stat_counts.c.field, stat_counts.c.value)
                                .where(stat_counts.c.stat == "item_metrics_daily"))
            return {(b, k, f): v for b, k, f, v in rows if v}
    finally:
        engine.dispose()


def compare(store_url, events):
    """(figures expected, figures that differ: [(key, expected, stored)])."""
    want, got = reference(events), stored(store_url)
    wrong = [(key, want.get(key), got.get(key)) for key in sorted(set(want) | set(got))
             if want.get(key) != got.get(key)]
    return len(want), wrong
