"""Counts, timelines, pages, cursors and every filter, exactly, on SQLite
and PostgreSQL; the filter language reaches the database only as bound
parameters."""

import pytest
from sqlalchemy import func, select

from loglines.records import read
from loglines.records.filters import BadFilter, Filters
from loglines.records.query import QuerySyntaxError
from loglines.records.store import purge
from loglines.store.schema import records
from tests.records.data import FIVE, built, keep

MESSAGES = {r["id"]: r["message"] for r in FIVE}


@pytest.fixture
def five(store_engine):
    assert keep(store_engine) == (5, 0)
    with store_engine.connect() as conn:
        yield conn


def found(conn, **given):
    rows = read.below(conn, Filters.read(**given), None, 100)
    return [r.message for r in rows]


def test_count_and_each_plain_filter(five):
    assert read.count(five, Filters()) == 5
    assert found(five) == ["five", "four", "three", "two", "one"]  # newest first
    assert found(five, level="WARNING") == ["four", "three", "two"]
    assert found(five, level="40") == ["four", "three"]
    assert found(five, name="app") == ["three", "two", "one"]  # not "application"
    assert found(five, name="app.db, other") == ["four", "three", "two"]
    assert found(five, name="a%,a_p") == []  # LIKE's wildcards are only text
    assert found(five, after="2025-03-30T00:00:00Z", before="2025-03-30T02:00:00+00:00") == [
        "three", "two"]
    assert found(five, after="2025-03-30T01:30:00") == ["five", "four", "three"]  # UTC


QUERIES = [
    ("data.status = 206", ["two"]),  # typed: not the text "206"
    ('data.status = "206"', ["three"]),
    ("data.status = 206 and meta.lineno > 20", ["two"]),
    ("data.status >= 200 and data.status < 206", ["one"]),
    ('meta.threadName != "MainThread"', ["two"]),
    ('not (meta.threadName = "MainThread")', ["four", "two"]),  # four has none
    ("data.flag = true", ["four"]),
    ("data.flag != true", []),
    ("data.status = null", ["five", "four"]),
    ("data.status != null", ["three", "two", "one"]),
    ('level >= 40 or name = "app"', ["four", "three", "one"]),
    ("(data.status = 200 or data.status = 206) and not meta.lineno = 10", ["two"]),
    ('message = "five" or meta.lineno <= 5.5', ["five", "four"]),
    ("data.status = \"206' OR '1'='1\"", []),
    ('name = "x\\" OR 1=1 --"', []),
]


def test_the_filter_language(five):
    """One database for all the cases (a PostgreSQL database takes a second)."""
    assert [(q, found(five, query=q)) for q, _ in QUERIES] == QUERIES


@pytest.mark.parametrize("query, column", [
    ("data.status = ", 15),
    ("data.status = 1; DROP TABLE records", 16),
    ("1 = 1", 1),
    ("' OR 1=1 --", 1),
    ("data.status = 206 and (meta.lineno > 20", 40),
    ("data.a = 1 or", 14),
    ("records.id = 1", 1),
    ("meta.lineno > true", 1),
    ("data.a =\u00a0x", 10),
])
def test_a_syntax_error_points_at_its_column(query, column):
    with pytest.raises(QuerySyntaxError) as info:
        Filters.read(query=query)
    assert info.value.column == column


def test_deep_nesting_and_long_queries_are_refused_not_recursed():
    with pytest.raises(QuerySyntaxError, match="nested more than 32 deep"):
        Filters.read(query="(" * 1000 + "data.a = 1" + ")" * 1000)
    with pytest.raises(QuerySyntaxError, match="nested more than 32 deep"):
        Filters.read(query="not " * 100 + "data.a = 1")
    with pytest.raises(QuerySyntaxError, match="longer than 4000 characters"):
        Filters.read(query="data.a = " + "9" * 4000)
    with pytest.raises(QuerySyntaxError, match="more than 100 comparisons"):
        Filters.read(query=" or ".join(["data.a = 1"] * 101))


@pytest.mark.parametrize("given, param", [
    ({"after": "yesterday"}, "after"), ({"level": "LOUD"}, "level"),
    ({"name": ",".join(["a"] * 51)}, "name"),
])
def test_bad_filter_values_name_their_parameter(given, param):
    with pytest.raises(BadFilter) as info:
        Filters.read(**given)
    assert info.value.param == param


def starts(groups):
    return [(start.isoformat(), n) for start, n in groups]


def test_timelines_by_day_and_hour_across_the_change_to_summer_time(five):
    london = read.zone("Europe/London")
    assert starts(read.timeline(five, Filters(), "day", london)) == [
        ("2025-03-29T00:00:00+00:00", 1),
        ("2025-03-30T00:00:00+00:00", 3),  # a day of 23 hours
        ("2025-03-31T00:00:00+01:00", 1)]
    assert starts(read.timeline(five, Filters(), "day", read.zone(None))) == [
        ("2025-03-29T00:00:00+00:00", 1), ("2025-03-30T00:00:00+00:00", 4)]
    assert starts(read.timeline(five, Filters.read(name="app"), "hour", london)) == [
        ("2025-03-29T23:00:00+00:00", 1), ("2025-03-30T00:00:00+00:00", 1),
        ("2025-03-30T02:00:00+01:00", 1)]  # 01:00 never happened
    kolkata = read.zone("Asia/Kolkata")  # half an hour off: counted in quarter hours
    assert starts(read.timeline(five, Filters.read(level="CRITICAL"), "hour", kolkata)) == [
        ("2025-03-31T04:00:00+05:30", 1)]
    with pytest.raises(BadFilter, match="not an IANA time zone"):
        read.zone("Mars/Olympus")
    with pytest.raises(BadFilter, match="not an IANA time zone"):
        read.zone("../../etc/passwd")


def test_offset_pages_and_cursor_pages_agree(store_engine):
    # 23 records, many in the same millisecond: the cursor's seq breaks ties.
    many = [built(f"2025-05-01T10:00:0{n % 3}+00:00", "app", 20, f"m{n}", {"n": n})
            for n in range(23)]
    keep(store_engine, many)
    with store_engine.connect() as conn:
        everything = [r.message for r in read.page(conn, Filters(), 0, 100)]
        assert len(everything) == 23
        assert [r.message for r in read.page(conn, Filters(), 5, 9)] == everything[5:9]
        paged, cursor = [], None
        while True:
            rows = read.below(conn, Filters(), cursor, 4)
            paged += [r.message for r in rows]
            if len(rows) < 4:
                break
            cursor = read.cursor_after(rows[-1])
            cursor = read.read_cursor(cursor)
        assert paged == everything
        with pytest.raises(BadFilter, match="not a cursor"):
            read.read_cursor("not*a*cursor")


def test_one_record_with_its_logrec_and_the_filters(five):
    two = FIVE[1]
    got = read.one(five, Filters(), two["id"])
    assert got == {"id": two["id"], "ts": "2025-03-30T00:30:00.000+00:00", "name": "app.db",
                   "level": 30, "message": "two",
                   "logrec": {"data": {"status": 206},
                              "meta": {"lineno": 25, "threadName": "Worker-1"}}}
    assert read.one(five, Filters.read(level="ERROR"), two["id"]) is None
    assert read.one(five, Filters(), "0" * 32) is None


@pytest.mark.parametrize("store_url", ["sqlite"], indirect=True)
def test_a_million_record_timeline_answers_in_seconds(store_engine):
    """Built with one INSERT ... SELECT in the database: a record a second
    for 11.6 days; grouped by hour (278 groups) and by day. SQLite only:
    PostgreSQL takes 14 s to build the million rows with their indexes;
    bench/records.py times the reads on both."""
    n = 1_000_000
    start = 1764547200000  # 2025-12-01T00:00:00Z
    sql = (f"WITH RECURSIVE s(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM s WHERE i < {n - 1}) "
           "INSERT INTO records (id, t_ms, name, level, message, logrec) "
           f"SELECT printf('%032x', i), {start} + i * 1000, 'bulk', 20, 'm', "
           "'{\"data\":{},\"meta\":{}}' FROM s")
    with store_engine.begin() as conn:
        # Built without the full-text index (half the time), which no
        # timeline reads.
        conn.exec_driver_sql("DROP TRIGGER records_fts_insert")
        conn.exec_driver_sql(sql)
    with store_engine.connect() as conn:
        assert conn.scalar(select(func.count()).select_from(records)) == n
        hours = read.timeline(conn, Filters(), "hour", read.zone("UTC"))
        assert len(hours) == 278 and sum(c for _, c in hours) == n
        assert {c for _, c in hours[:-1]} == {3600}
        days = read.timeline(conn, Filters.read(before="2025-12-03T00:00:00Z"), "day",
                             read.zone("Europe/Paris"))
        assert [(s.isoformat(), c) for s, c in days] == [
            ("2025-12-01T00:00:00+01:00", 82800), ("2025-12-02T00:00:00+01:00", 86400),
            ("2025-12-03T00:00:00+01:00", 3600)]
        assert read.count(conn, Filters.read(query="data.x = 1")) == 0


def test_full_text_search_of_the_message_with_q(store_engine):
    texts = ["disk full on var", "Disk almost FULL", "connection refused: db",
             "NEAR OR AND NOT", 'a "quoted" word*']
    keep(store_engine, [built("2025-06-01T00:00:00+00:00", "app", 20, t) for t in texts])
    with store_engine.connect() as conn:
        def search(q, **more):
            return sorted(r.message for r in read.below(conn, Filters.read(q=q, **more),
                                                        None, 100))

        assert search("full") == ["Disk almost FULL", "disk full on var"]
        assert search("disk full var") == ["disk full on var"]
        assert search("refused, db!") == ["connection refused: db"]
        assert search("NEAR OR") == ["NEAR OR AND NOT"]  # words, not FTS5 operators
        assert search('quoted" OR "x') == []
        assert search("word*") == ['a "quoted" word*']
        assert search("full", query='message = "Disk almost FULL"') == ["Disk almost FULL"]
        assert read.count(conn, Filters.read(q="full")) == 2
    purge(store_engine, 2**62)
    with store_engine.connect() as conn:
        assert read.count(conn, Filters.read(q="full")) == 0  # the index follows a purge
    with pytest.raises(BadFilter, match="no word"):
        Filters.read(q='"*"')
