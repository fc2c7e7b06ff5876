"""url_tim: the log line's time, converted to UTC."""

import pytest

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
