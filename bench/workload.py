"""Access-log lines for the benchmarks, built from tests/data/apache_logs.

The 10,000 real lines (a public web site, May 2015, about 20% robots by the
COUNTER list) are repeated as often as needed. Copy k is shifted by k times
five days, and the few lines repeated within the source are moved on by a
second, so every line of the output is unique. Request paths are rewritten
so that the eprints plugin has something to count: per source line (fixed
seed) 50% become a download ``/<id>/1/paper_<id>.pdf``, 20% an abstract
page (``/<id>/`` or ``/id/eprint/<id>/``), 30% keep their path (not an item
URL). Method, status, client and user agent are kept, so robots, 304, 404,
HEAD and POST lines are excluded as in real traffic.
"""

from __future__ import annotations

import json
import random
import re
from datetime import datetime, timedelta, timezone
from pathlib import Path

from tests.support.data import APACHE_LOGS

SOURCE = APACHE_LOGS
SHARE_DOWNLOAD, SHARE_ABSTRACT = 0.50, 0.20
ITEM_SHARE = SHARE_DOWNLOAD + SHARE_ABSTRACT
COPY_SHIFT = timedelta(days=5)
TIME_FORMAT = "%d/%b/%Y:%H:%M:%S %z"
_LINE = re.compile(r'^(\S+ \S+ \S+ \[)([^\]]+)(\] "\S+ )(\S+)( [^"]*".*)$')
HUMAN = "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0"
SERVICE = "repo.example.ac.uk"


def _new_path(rng: random.Random, path: str) -> str:
    draw, item = rng.random(), rng.randint(1, 2000)
    if draw < SHARE_DOWNLOAD:
        return f"/{item}/1/paper_{item}.pdf"
    if draw < ITEM_SHARE:
        return f"/id/eprint/{item}/" if draw < SHARE_DOWNLOAD + SHARE_ABSTRACT / 2 else f"/{item}/"
    return path


def templates(seed: int = 2015) -> list:
    """(prefix, datetime, middle, path, rest) per source line; None time if unparsable."""
    rng = random.Random(seed)
    seen, parts = set(), []
    for raw in SOURCE.read_text(encoding="utf-8", errors="replace").splitlines():
        match = _LINE.match(raw)
        if not match:
            parts.append((raw, None, "", "", ""))
            continue
        prefix, stamp, middle, path, rest = match.groups()
        when = datetime.strptime(stamp, TIME_FORMAT)
        path = _new_path(rng, path)
        while (prefix, when, middle, path, rest) in seen:
            when += timedelta(seconds=1)
        seen.add((prefix, when, middle, path, rest))
        parts.append((prefix, when, middle, path, rest))
    return parts


def lines(count: int, parts: list | None = None):
    """``count`` unique log lines (without newline)."""
    parts = parts or templates()
    for n in range(count):
        copy, index = divmod(n, len(parts))
        prefix, when, middle, path, rest = parts[index]
        if when is None:
            yield f"{prefix} copy{copy}"
            continue
        stamp = (when + copy * COPY_SHIFT).strftime(TIME_FORMAT)
        yield f"{prefix}{stamp}{middle}{path}{rest}"


def write_log(path: Path, count: int) -> Path:
    parts = templates()
    with open(path, "w", encoding="utf-8") as out:
        chunk = []
        for line in lines(count, parts):
            chunk.append(line)
            if len(chunk) >= 10_000:
                out.write("\n".join(chunk) + "\n")
                chunk = []
        if chunk:
            out.write("\n".join(chunk) + "\n")
    return path


def message(line: str) -> str:
    """A queue item as the logfilewatcher makes it."""
    return json.dumps({"service": SERVICE, "logline": line, "source": "/bench/access.log",
                       "offset": 0}, ensure_ascii=False, separators=(", ", ": "))


def event_line(n: int, probe: bool = False, when: datetime | None = None) -> str:
    """A line the eprints plugin counts (human, GET, 200, a download), unique by ``n``."""
    when = when or datetime(2026, 1, 1, tzinfo=timezone.utc) + timedelta(seconds=n)
    ip = f"10.{(n >> 16) & 255}.{(n >> 8) & 255}.{n & 255}"
    item = 1 + n % 2000
    name = f"lat_{n}" if probe else f"paper_{item}"
    return (f'{ip} - - [{when.strftime(TIME_FORMAT)}] "GET /{item}/1/{name}.pdf HTTP/1.1" 200 '
            f'1234 "https://scholar.google.com/" "{HUMAN}"')
