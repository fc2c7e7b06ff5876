"""Writing what a batch changed, for the ingest and the recount alike: the
statistics' counters added to the stored ones, and hits' ``counted`` flags."""

from __future__ import annotations

from collections import Counter

from sqlalchemy import update

from ..store.bulk import add_to, chunks
from ..store.schema import hits, stat_counts


def add_counts(conn, totals: Counter) -> None:
    """Add ``totals`` ((statistic, bucket, key, field) -> amount) to
    ``stat_counts``; the amounts that came to nothing are not written."""
    add_to(conn, stat_counts, [
        {"stat": stat, "bucket": b, "key": key, "field": field, "value": value}
        for (stat, b, key, field), value in totals.items() if value], add=["value"])


def set_counted(conn, keys: list[bytes], value: bool) -> None:
    """Set the ``counted`` flag of the hits under ``keys``."""
    for chunk in chunks(keys):
        conn.execute(update(hits).where(hits.c.key.in_(chunk)).values(counted=value))
