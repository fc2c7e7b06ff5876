"""``loglines status --watch``: the report redrawn in place every second."""

import sys
import time

from rich.console import Console, Group
from rich.live import Live
from rich.table import Table
from rich.text import Text


def _age(seconds):
    if seconds is None:
        return "-"
    return f"{seconds:.0f}s" if seconds < 120 else f"{seconds / 60:.0f}m"


def render(report):
    """A rich renderable of one status report (as ``status.collect`` gives it)."""
    r = report["rates"]
    head = Text(f"{report['redis']}, key prefix {{{report['prefix']}}}   "
                f"in {r['lines_in_per_s']:.1f} lines/s   "
                f"out {r['events_out_per_s']:.1f} events/s (last minute)")
    queues = Table("queue", "ready", "in-flight", "delayed", "dead", "oldest", box=None)
    for q in report["queues"]:
        queues.add_row(q["name"], str(q["ready"]), str(q["inflight"]), str(q["delayed"]),
                       str(q["dead"]), _age(q.get("oldest_age_s")))
    files = Table("file", "lag (bytes)", box=None)
    for f in report["files"]:
        files.add_row(f["path"], f"{f['lag_bytes']:,}")
    alive = sum(c["alive"] for c in report["consumers"])
    parts = [head, queues, files] if report["files"] else [head, queues]
    return Group(*parts, Text(f"consumers: {alive} alive of {len(report['consumers'])}"))


def line(report, now=time.time):
    """One line of a status report: what ``--watch`` writes per interval
    when its output is a file or a pipe, where redrawing means nothing."""
    r = report["rates"]
    queues = " ".join(f"{q['name']}={q['ready']}/{q['inflight']}/{q['delayed']}/{q['dead']}"
                      for q in report["queues"])
    alive = sum(c["alive"] for c in report["consumers"])
    stamp = time.strftime("%Y-%m-%dT%H:%M:%S", time.localtime(now()))
    return (f"{stamp} in {r['lines_in_per_s']:.1f} lines/s out {r['events_out_per_s']:.1f} "
            f"events/s consumers {alive} queues (ready/in-flight/delayed/dead) {queues}")


def watch(collect, iterations=None, interval=1.0, console=None, sleep=time.sleep):
    """Redraw ``collect()`` every ``interval`` until interrupted (or ``iterations``);
    not on a terminal, a line per interval instead."""
    console = console or Console()
    if not console.is_terminal:
        return _lines(collect, iterations, interval, sleep)
    done = 0
    with Live(render(collect()), console=console, auto_refresh=False) as live:
        try:
            while iterations is None or done < iterations:
                done += 1
                if iterations is None or done < iterations:
                    sleep(interval)
                    live.update(render(collect()), refresh=True)
        except KeyboardInterrupt:
            pass  # Ctrl-C is how an operator leaves the watch
    return 0


def _lines(collect, iterations, interval, sleep):
    done = 0
    try:
        while iterations is None or done < iterations:
            done += 1
            sys.stdout.write(line(collect()) + "\n")
            sys.stdout.flush()  # a reader of the pipe sees each interval as it ends
            if iterations is None or done < iterations:
                sleep(interval)
    except KeyboardInterrupt:
        pass
    return 0
