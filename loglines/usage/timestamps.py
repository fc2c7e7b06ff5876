"""Log timestamps to the tracker's ``url_tim``: UTC, ``2010-10-17T02:04:42Z``.

The event time is the time in the log line, never the time of sending:
loglines replays backlogs and archived logs. Lines of one second share one
timestamp, so whole results are cached; offsets are few, so they are
cached apart as well.
"""

import calendar
import functools
import math
import re
import time
from datetime import datetime, timedelta, timezone

_MONTHS = {m: i for i, m in enumerate(
    ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"), 1)}

# Apache %t / nginx $time_local: 17/Oct/2010:03:04:42 +0100
_CLF = re.compile(r"(\d{1,2})/([A-Za-z]{3})/(\d{4}):(\d{2}):(\d{2}):(\d{2})\s+([+-]\d{4})")
# nginx $time_iso8601 and other ISO 8601 forms: 2010-10-17T03:04:42+01:00
_ISO = re.compile(r"(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2}):(\d{2})(?:[.,]\d+)?"
                  r"\s*(Z|[+-]\d{2}:?\d{2})")

_offsets = {}


def _offset(text):
    """``+0100`` / ``-05:30`` / ``Z`` as a timedelta east of UTC, cached."""
    delta = _offsets.get(text)
    if delta is None:
        if text == "Z":
            delta = timedelta(0)
        else:
            digits = text[1:].replace(":", "")
            hours, minutes = int(digits[:2]), int(digits[2:])
            if hours > 23 or minutes > 59:
                raise ValueError(f"bad UTC offset {text!r}")
            delta = timedelta(hours=hours, minutes=minutes)
            if text[0] == "-":
                delta = -delta
        if len(_offsets) < 4096:  # at most a few hundred real offsets exist
            _offsets[text] = delta
    return delta


def _fields(text):
    match = _CLF.fullmatch(text)
    if match:
        day, month, year, hh, mm, ss, offset = match.groups()
        number = _MONTHS.get(month.lower())
        if number is None:
            raise ValueError(f"unknown month {month!r}")
        return int(year), number, int(day), int(hh), int(mm), int(ss), offset
    match = _ISO.fullmatch(text)
    if match:
        year, month, day, hh, mm, ss, offset = match.groups()
        return int(year), int(month), int(day), int(hh), int(mm), int(ss), offset
    raise ValueError(f"unrecognised timestamp {text[:40]!r}")


def _utc(text):
    text = text.strip().strip("[]")
    year, month, day, hh, mm, ss, offset = _fields(text)
    # A leap second (23:59:60) is a real time that datetime cannot hold:
    # counted in the second before it, on the right day.
    local = datetime(year, month, day, hh, mm, 59 if ss == 60 else ss, tzinfo=timezone.utc)
    try:
        return local - _offset(offset)
    except OverflowError:  # year 1 or 9999 pushed out of range by the offset
        raise ValueError(f"timestamp out of range: {text[:40]!r}") from None


@functools.lru_cache(maxsize=4096)
def to_unix(text):
    """The Unix time of a log timestamp; ValueError when it is not one."""
    return _utc(text).timestamp()


# The usual log time: Apache's %t with a two-digit day and an offset of
# whole hours. Its minutes and seconds are the same in UTC, so only the
# hour needs converting, once per hour: a small site's lines seldom share
# a second, and a full conversion per line was a tenth of pirus2's parsing.
_WHOLE_HOURS = re.compile(r"(\d\d/[A-Za-z]{3}/\d{4}:\d\d):([0-5]\d:[0-5]\d)\s+([+-]\d\d00)")
_hours = {}


def _hour_prefix(hour, offset):
    """``2010-10-17T02`` for ``17/Oct/2010:03`` at ``+0100``; None when that is no time."""
    key = hour + offset
    prefix = _hours.get(key)
    if prefix is None:
        try:
            prefix = _iso(_utc(f"{hour}:00:00 {offset}"))[:13]
        except ValueError:
            return None  # the whole text is converted, to fail with its own words
        if len(_hours) >= 4096:
            _hours.clear()
        _hours[key] = prefix
    return prefix


def _iso(utc):
    return (f"{utc.year:04d}-{utc.month:02d}-{utc.day:02d}"
            f"T{utc.hour:02d}:{utc.minute:02d}:{utc.second:02d}Z")


@functools.lru_cache(maxsize=4096)
def to_utc(text):
    """The UTC ISO form of a log timestamp; ValueError when it is not one."""
    match = _WHOLE_HOURS.fullmatch(text)
    if match is not None:
        hour, minutes_seconds, offset = match.groups()
        prefix = _hour_prefix(hour, offset)
        if prefix is not None:
            return f"{prefix}:{minutes_seconds}Z"
    return _iso(_utc(text))


@functools.lru_cache(maxsize=4096)
def utc_to_unix(utc):
    """The Unix time of a ``to_utc`` text (``2010-10-17T02:04:42Z``)."""
    return calendar.timegm((int(utc[0:4]), int(utc[5:7]), int(utc[8:10]), int(utc[11:13]),
                            int(utc[14:16]), int(utc[17:19])))


class TimeWindow:
    """The event times that are plausible: from the start of year
    ``earliest`` to ``ahead`` seconds from now (``clock``: Unix time)."""

    def __init__(self, earliest, ahead, clock=time.time):
        self.earliest, self.ahead, self.clock = earliest, ahead, clock
        self._first = f"{earliest:04d}"
        self._latest_at = math.inf  # when _latest was worked out
        self._latest = ""

    def __repr__(self):
        return f"TimeWindow(from {self.earliest}, ahead={self.ahead:g} s)"

    def _surely_not_ahead(self, utc, now):
        """Whether ``utc`` is no later than ``ahead`` from ``now``, told by
        comparing texts (``to_utc`` texts sort as their times do) against
        the latest plausible second, worked out once a second. One worked
        out earlier is stricter, never laxer, so it may be kept a second;
        not across a clock set back, which would make it laxer."""
        if not self._latest_at <= now < self._latest_at + 1:
            self._latest_at = now
            try:
                self._latest = unix_to_utc(math.floor(now + self.ahead))
            except (OverflowError, ValueError, OSError):  # a tolerance past year 9999
                self._latest = "9999-12-31T23:59:59Z"
        return len(utc) == 20 and utc[10] == "T" and utc[19] == "Z" and utc <= self._latest

    def problem(self, utc):
        """None when ``utc`` (a ``to_utc`` text) is plausible, else why not."""
        if utc[0:4] < self._first:
            return f"event time {utc} is before {self.earliest}"
        now = self.clock()
        if self._surely_not_ahead(utc, now):
            return None
        ahead = utc_to_unix(utc) - now
        if ahead > self.ahead:
            return f"event time {utc} is {ahead / 3600:.1f} h ahead of this host's clock"
        return None


def unix_to_utc(t):
    """The ``to_utc`` text of a Unix time: ``utc_to_unix``'s inverse."""
    return _iso(datetime.fromtimestamp(int(t), timezone.utc))
