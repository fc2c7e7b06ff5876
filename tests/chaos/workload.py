"""The chaos run's input: unique log lines built from the real sample, the
events among them (decided offline by the same plugin code the workers
run), and poison lines of every kind, each with a marker to find it by."""

import json
import random
import re

from loglines.config import PluginConfigView
from loglines.usage import plugin as plugins
from loglines.usage.item import BadItem, evaluate
from tests.support.data import APACHE_LOGS

LINE = re.compile(rb'^(\S+ \S+ \S+) \[[^\]]+\] "(\S+) (\S+) ([^"]*)" (.*)$')
MARKER = re.compile(r"(JUNK|BADUTF8|LONG|POISON-RAISE|NOT-JSON)-(\d+)")
POISON_KINDS = ("JUNK", "BADUTF8", "LONG", "POISON-RAISE")
MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]


def _stamp(i):
    """A distinct time per line: 1 May 2015 plus i seconds, as Apache writes it."""
    day, rest = divmod(i, 86400)
    month, day = divmod(day, 28)
    h, rest = divmod(rest, 3600)
    minute, second = divmod(rest, 60)
    return f"{day + 1:02d}/{MONTHS[4 + month % 8]}/2015:{h:02d}:{minute:02d}:{second:02d} +0000"


def _path(i, original):
    """Most lines become EPrints downloads or abstract pages of their own
    item (so every event is identifiable); the rest keep their own path."""
    kind = i % 4
    if kind in (0, 1):
        return f"/{100000 + i}/1/paper.pdf".encode()
    if kind == 2:
        return f"/id/eprint/{100000 + i}/".encode()
    return original + (b"&" if b"?" in original else b"?") + f"u={i}".encode()


def unique_lines(n):
    source = [line for line in APACHE_LOGS.read_bytes().splitlines() if LINE.match(line)]
    for i in range(n):
        m = LINE.match(source[i % len(source)])
        who, method, path, protocol, rest = m.groups()
        yield b'%s [%s] "%s %s %s" %s' % (who, _stamp(i).encode(), method, _path(i, path),
                                          protocol, rest)


def poison_line(kind, k, rng):
    marker = f"{kind}-{k}".encode()
    if kind == "JUNK":
        junk = bytes(b for b in rng.randbytes(120) if b not in b"\r\n")
        return marker + b" " + junk
    if kind == "BADUTF8":
        return marker + b" \xff\xfe\xc3\x28 \xa0\xa1 not a log line \xf0\x28\x8c\x28"
    if kind == "LONG":
        return marker + b" " + b"x" * 40000
    return (b'192.0.2.1 - - [01/May/2015:00:00:00 +0000] "GET /POISON-RAISE-%d/1/x.pdf '
            b'HTTP/1.1" 200 1 "-" "Mozilla/5.0"' % k)


def build(n, poison_per_kind, seed=1):
    """(lines to write, poison markers) with poison spread through the lines."""
    rng = random.Random(seed)
    lines = list(unique_lines(n))
    markers = []
    k = 0
    for kind in POISON_KINDS:
        for _ in range(poison_per_kind):
            lines.insert(rng.randrange(len(lines)), poison_line(kind, k, rng))
            markers.append(f"{kind}-{k}")
            k += 1
    return lines, markers


def expected_outcomes(config, section, lines, service):
    """By the workers' own code: the svc_dat of every line that is an event,
    the lines the plugin cannot read (the real sample has one, its user
    agent cut short), which must end dead-lettered like the poison, and the
    events' parameters (what the statistics are checked against)."""
    program = config.program(section)
    plugin = plugins.load(config, section, program.options.repository_plugin)
    view = PluginConfigView(config.raw)
    events, malformed, params = set(), set(), []
    for line in lines:
        if MARKER.search(line[:60].decode("latin-1")):
            continue
        text = line.decode("utf-8", "replace")
        payload = json.dumps({"service": service, "logline": text}).encode()
        try:
            result = evaluate(plugin, view, section, payload)
        except BadItem:
            continue
        if result.params:
            params.append(dict(result.params))
            events.add(params[-1]["svc_dat"])
        elif result.rejected:
            malformed.add(text)
    return events, malformed, params
