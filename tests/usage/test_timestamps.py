"""url_tim: the log line's time, converted to UTC."""

from datetime import datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from loglines.usage import timestamps
from loglines.usage.timestamps import to_utc


@pytest.mark.parametrize(("text", "utc"), [
    ("17/Oct/2010:03:04:42 +0100", "2010-10-17T02:04:42Z"),
    ("[17/Oct/2010:03:04:42 +0100]", "2010-10-17T02:04:42Z"),
    ("01/Apr/2009:01:14:27 +0100", "2009-04-01T00:14:27Z"),
    ("17/Oct/2010:03:04:42 +0000", "2010-10-17T03:04:42Z"),
    ("17/oct/2010:03:04:42 -0000", "2010-10-17T03:04:42Z"),
    ("31/Dec/2010:22:30:00 -0230", "2011-01-01T01:00:00Z"),  # Newfoundland summer time
    ("01/Jan/2011:00:15:00 +0530", "2010-12-31T18:45:00Z"),  # across the year, half hours
    ("29/Feb/2012:23:59:59 -1200", "2012-03-01T11:59:59Z"),
    ("2010-10-17T03:04:42+01:00", "2010-10-17T02:04:42Z"),  # nginx $time_iso8601
    ("2010-10-17T03:04:42.123Z", "2010-10-17T03:04:42Z"),
    # A leap second is counted in the second before it, on its own day.
    ("31/Dec/2016:23:59:60 +0000", "2016-12-31T23:59:59Z"),
    ("2016-12-31T23:59:60Z", "2016-12-31T23:59:59Z"),
    ("01/Jan/2017:00:59:60 +0100", "2016-12-31T23:59:59Z"),
])
def test_to_utc(text, utc):
    assert to_utc(text) == utc


@pytest.mark.parametrize("text", [
    "", "yesterday", "17/Okt/2010:03:04:42 +0100", "30/Feb/2010:03:04:42 +0000",
    "17/Oct/2010:25:04:42 +0000", "17/Oct/2010:03:04:61 +0000", "17/Oct/2010:03:04:42 +2400",
    "17/Oct/2010:03:04:42",
    "01/Jan/0001:00:00:00 +0100", "31/Dec/9999:23:59:59 -0100",
])
def test_not_a_timestamp(text):
    with pytest.raises(ValueError):
        to_utc(text)


def test_offsets_and_results_are_cached():
    to_utc.cache_clear()
    for second in range(10):
        to_utc(f"17/Oct/2010:03:04:{second:02d} +0100")
    to_utc("17/Oct/2010:03:04:00 +0100")
    assert to_utc.cache_info().hits == 1
    assert timestamps._offsets["+0100"].total_seconds() == 3600


@given(st.datetimes(min_value=datetime(1990, 1, 1), max_value=datetime(2090, 12, 31)),
       st.integers(-12, 14), st.sampled_from(["+", "-"]))
def test_the_hour_at_a_time_conversion_is_the_full_one(local, hours, sign):
    """Lines whose offset is whole hours convert only their hour; the result
    is the full conversion's, across days, months, years and leap days."""
    text = f"{local:%d/%b/%Y:%H:%M:%S} {sign}{abs(hours):02d}00"
    full = timestamps._iso(timestamps._utc(text))
    assert to_utc.__wrapped__(text) == full


def test_a_whole_hour_offset_converts_each_hour_once(monkeypatch):
    timestamps._hours.clear()
    calls = []
    real = timestamps._utc
    monkeypatch.setattr(timestamps, "_utc", lambda text: calls.append(text) or real(text))
    for minute in range(60):
        to_utc.__wrapped__(f"17/Oct/2010:03:{minute:02d}:07 +0100")
    assert calls == ["17/Oct/2010:03:00:00 +0100"]
    assert to_utc.__wrapped__("17/Oct/2010:03:59:07 +0100") == "2010-10-17T02:59:07Z"


@given(st.integers(0, 4_000_000_000), st.floats(0, 1), st.floats(0, 10_000),
       st.integers(-20_000, 20_000), st.floats(0, 3))
def test_the_window_says_what_the_arithmetic_says(now, fraction, ahead, offset, later):
    """The window tells most events plausible by comparing texts against a
    limit worked out once a second: its answer is the arithmetic's, for a
    clock that moves on within the second or past it."""
    clock = [now + fraction]
    window = timestamps.TimeWindow(1995, ahead, clock=lambda: clock[0])
    window.problem("2000-01-01T00:00:00Z")  # the limit is worked out here
    clock[0] += later
    t = max(0, int(clock[0] + ahead) + offset)
    utc = timestamps.unix_to_utc(t)
    expected = t - clock[0] > ahead or t < 788918400  # 1995-01-01
    assert bool(window.problem(utc)) == expected


def test_a_clock_set_back_does_not_widen_the_window():
    clock = [1_700_000_000.5]
    window = timestamps.TimeWindow(1995, 10, clock=lambda: clock[0])
    assert window.problem(timestamps.unix_to_utc(1_700_000_010)) is None
    clock[0] -= 100
    assert window.problem(timestamps.unix_to_utc(1_700_000_010)) is not None


def test_a_tolerance_past_year_9999_is_no_error():
    window = timestamps.TimeWindow(1995, 1e15)
    assert window.problem("2999-01-01T00:00:00Z") is None
