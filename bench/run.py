"""loglines benchmark: every figure against a baseline measured in the same run.

    .venv/bin/python bench/run.py [--quick] [--json FILE] [--repeats N] [--only NAME ...]
                                  [--matomo-importer PATH]

Figures (each the median of --repeats runs, the baseline run alternately
with it so both see the same machine load):
  1. ingest    lines/s, file -> queue, the real logfilewatcher      vs one LPUSH per line
  2. queue     items/s, RedisQueue.fetch + ack, 1000 per batch      vs RPOPLPUSH + LREM per item
  3. parse     lines/s, pirus2 worker, eprints plugin, dry run      vs the robot check uncached
  4. delivery  events/s, one pirus2 worker -> tracker (0 / 50 ms)   vs one requests.get per event
  5. e2e       lines/s, a big log through the supervised pipeline to the tracker (IRUS; Matomo
               vs Matomo's log importer, 1 and 2 recorders, when given its path)
  6. latency   p50 / p99 ms from a line's write to its event at the tracker, at 1,000 lines/s
  7. memory    peak RSS of every worker process during 5, Redis used_memory_peak
  9. store     events/s the stats worker stores, SQLite / PostgreSQL vs INSERT+commit each
 10. records   records/s POST -> stored vs INSERT+commit each; HEAD count and a filtered
               range on 1M records, p50/p99 ms, SQLite / PostgreSQL
Everything runs on loopback, with its own Redis and trackers on free ports.
Nothing is asserted; the targets are printed beside the figures.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import logging
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench import e2e, inputs, matomo_importer, micro, stats, workload  # noqa: E402
from bench import records as record_bench  # noqa: E402
from bench.servers import BenchRedis, TrackerProcess  # noqa: E402

SIZES = {
    "quick": dict(repeats=3, ingest=100_000, ingest_base=5_000, queue=100_000, queue_base=5_000,
                  parse=20_000, parse_base=3_000, deliver=5_000, deliver_base=1_000,
                  deliver50=400, deliver50_base=20, e2e=100_000, e2e_repeats=2,
                  latency_seconds=10, inputs=20_000, store=40_000, store_base=2_000,
                  records=20_000, records_base=1_000),
    # At the e2e rate of this 2-core machine (~3k lines/s with IRUS), one 1M-line run per
    # target is ~5 minutes: the default keeps to one (--repeats N sets both).
    "full": dict(repeats=3, ingest=300_000, ingest_base=20_000, queue=300_000,
                 queue_base=20_000, parse=60_000, parse_base=8_000, deliver=20_000,
                 deliver_base=3_000, deliver50=1_000, deliver50_base=40, e2e=1_000_000,
                 e2e_repeats=1, latency_seconds=30, inputs=100_000, store=200_000,
                 store_base=5_000, records=100_000, records_base=3_000),
}
KEYS = ("ingest_lps", "ingest_baseline_lps", "ingest_ratio", "queue_ips", "queue_baseline_ips",
        "queue_ratio", "parse_lps", "parse_baseline_lps", "deliver_eps", "deliver_baseline_eps",
        "deliver_ratio", "deliver50ms_eps", "e2e_irus_lps", "e2e_matomo_lps", "latency_p50_ms",
        "latency_p99_ms", "rss_max_mb", "redis_peak_mb", "syslog_tcp_lps",
        "syslog_tcp_baseline_lps", "syslog_tcp50_lps", "syslog_tcp50_baseline_lps",
        "http_ingest_lps", "http_ingest_baseline_lps", "e2e_irus_stats_lps",
        "store_sqlite_eps", "store_sqlite_baseline_eps", "store_postgresql_eps",
        "store_postgresql_baseline_eps", "records_rps", "records_baseline_rps",
        "records_count_sqlite_ms", "records_range_sqlite_ms", "records_count_postgresql_ms",
        "records_range_postgresql_ms", "e2e_matomo_cpu_s", "e2e_matomo_events",
        "matomo_importer_lps", "matomo_importer_cpu_s", "matomo_importer_events",
        "matomo_importer_lps_ratio", "matomo_importer_cpu_ratio",
        "matomo_importer2_lps", "matomo_importer2_cpu_s", "matomo_importer2_events",
        "matomo_importer2_lps_ratio", "matomo_importer2_cpu_ratio")
# The importer's recorder counts and the prefix of their JSON keys.
IMPORTER_RUNS = ((1, "matomo_importer"), (2, "matomo_importer2"))
FIGURES = ("ingest", "queue", "parse", "deliver", "e2e", "inputs", "store", "records")


def say(text: str = "") -> None:
    print(text, flush=True)


def median(values):
    values = [v for v in values if v is not None]
    return statistics.median(values) if values else None


def paired(repeats: int, measure, baseline) -> tuple:
    """Medians of ``measure()`` and ``baseline()``, run alternately."""
    ours, theirs = [], []
    for _ in range(repeats):
        ours.append(measure())
        theirs.append(baseline() if baseline else None)
    return median(ours), median(theirs)


def line(label, value, unit, base=None, base_label="", target="", ratio=True):
    text = f"{label:<30} {value:>10,.0f} {unit:<9}" if value is not None else \
        f"{label:<30} {'n/a':>10} {unit:<9}"
    if base is not None:
        text += f" baseline {base:>9,.0f} ({base_label})"
        if ratio and value:
            text += f" = x{value / base:.1f}"
    if target:
        text += f"  [target {target}]"
    say(text)


def cpu_line(run):
    """Where the 2 cores went in one end-to-end run: CPU seconds per process."""
    cpu = run["cpu"]
    say(f"   CPU s in {run['seconds']:.1f} s (2 cores: {2 * run['seconds']:.1f} s): "
        + ", ".join(f"{name} {seconds:.1f}" for name, seconds in cpu.items())
        + f"; total {sum(cpu.values()):.1f}")


def pipeline_cpu(run) -> float:
    """CPU seconds of loglines' own processes in an end-to-end run (not the tracker's)."""
    return sum(seconds for name, seconds in run["cpu"].items() if name != "tracker")


def per_line_us(seconds, lines):
    return seconds / lines * 1e6 if seconds is not None else 0.0


def ratio(a, b):
    return round(a / b, 2) if a and b else None


class Bench:
    def __init__(self, args, sizes, stack, workdir, importer=None):
        self.args, self.s, self.stack, self.workdir = args, sizes, stack, workdir
        self.importer = importer
        self.out = dict.fromkeys(KEYS)
        self.redis = stack.enter_context(BenchRedis())
        self.tracker = stack.enter_context(TrackerProcess())
        self.tracker50 = stack.enter_context(TrackerProcess(latency=0.05))
        self.inst = micro.Instance(workdir / "instance", self.redis, self.tracker.url,
                                   self.tracker50.url)

    def ingest(self):
        s = self.s
        log = workload.write_log(self.inst.home / "logs/access.log", s["ingest"])
        a, b = paired(s["repeats"], lambda: micro.ingest(self.inst, log, s["ingest"]),
                      lambda: micro.ingest_baseline(self.inst, log, s["ingest_base"]))
        log.unlink()
        self.out.update(ingest_lps=a, ingest_baseline_lps=b, ingest_ratio=ratio(a, b))
        line("1. ingest (logfilewatcher)", a, "lines/s", b, "LPUSH per line",
             ">= 150k/s and >= x15")

    def queue(self):
        s = self.s
        a, b = paired(s["repeats"], lambda: micro.queue(self.inst, s["queue"]),
                      lambda: micro.queue_baseline(self.inst, s["queue_base"]))
        self.out.update(queue_ips=a, queue_baseline_ips=b, queue_ratio=ratio(a, b))
        line("2. queue (fetch + ack, 1000)", a, "items/s", b, "RPOPLPUSH+LREM per item",
             ">= 200k/s and >= x40")

    def parse(self):
        s = self.s
        lines = list(workload.lines(max(s["parse"], s["parse_base"])))
        a, b = paired(s["repeats"], lambda: micro.parse(self.inst, lines[:s["parse"]]),
                      lambda: micro.parse_baseline(self.inst, lines[:s["parse_base"]]))
        self.out.update(parse_lps=a, parse_baseline_lps=b)
        line("3. parse (pirus2, dry run)", a, "lines/s", b, "robot check uncached",
             ">= 45k/s")

    def deliver(self):
        s = self.s
        a, b = paired(s["repeats"], lambda: micro.deliver(self.inst, "worker_deliver",
                                                          s["deliver"]),
                      lambda: micro.deliver_baseline(self.tracker.url, s["deliver_base"]))
        self.out.update(deliver_eps=a, deliver_baseline_eps=b, deliver_ratio=ratio(a, b))
        line("4. deliver, tracker at once", a, "events/s", b, "requests.get per event",
             ">= 4k/s per process")
        a, b = paired(s["repeats"], lambda: micro.deliver(self.inst, "worker_deliver50",
                                                          s["deliver50"]),
                      lambda: micro.deliver_baseline(self.tracker50.url, s["deliver50_base"]))
        self.out.update(deliver50ms_eps=a)
        line("4. deliver, 50 ms, conc. 64", a, "events/s", b, "requests.get per event",
             ">= 1k/s per process")

    def e2e(self):
        s = self.s
        big = workload.write_log(self.workdir / "big.log", s["e2e"])
        share = f"{workload.ITEM_SHARE:.0%}"
        say(f"   e2e input: {s['e2e']:,} lines, {big.stat().st_size / 2**20:,.0f} MB; {share} "
            f"rewritten to EPrints item URLs (50% downloads, 20% abstracts)")
        runs = []
        for n in range(s["e2e_repeats"]):
            last = n == s["e2e_repeats"] - 1
            probe = (1000.0, s["latency_seconds"]) if last else None
            runs.append(e2e.run_once(self.workdir, big, s["e2e"], self.tracker, probe=probe))
        self.e2e_report(runs, share)
        self.e2e_stats(big)
        self.e2e_matomo(big)
        self.latency_report(runs[-1])
        self.memory_report(runs)

    def e2e_report(self, runs, share):
        first = runs[0]
        self.out["e2e_irus_lps"] = median(r["lps"] for r in runs)
        line("5. end to end, IRUS", self.out["e2e_irus_lps"], "lines/s", target=">= 25k/s")
        say(f"   {first['events']:,} events of {self.s['e2e']:,} lines "
            f"({first['events'] / self.s['e2e']:.1%}; {share} were item URLs, the rest are "
            f"robots, 304/404/206, HEAD); per run: "
            + ", ".join(f"{r['lps']:,.0f}" for r in runs) + " lines/s")
        cpu_line(first)

    def e2e_stats(self, big):
        """The same with the stats worker keeping the statistics in SQLite:
        the clock stops once the tracker has every event and the store
        every line."""
        runs = [e2e.run_once(self.workdir, big, self.s["e2e"], self.tracker, stats=True)
                for _ in range(self.s["e2e_repeats"])]
        self.out["e2e_irus_stats_lps"] = median(r["lps"] for r in runs)
        without = self.out["e2e_irus_lps"]
        share = f" = {self.out['e2e_irus_stats_lps'] / without:.0%} of it" if without else ""
        line("5. end to end, IRUS + stats", self.out["e2e_irus_stats_lps"], "lines/s",
             target=f">= 90% of IRUS alone{share}")
        say("   (per run: " + ", ".join(f"{r['lps']:,.0f}" for r in runs) + " lines/s)")
        cpu_line(runs[0])

    def store(self):
        s = self.s
        recs = stats.records(self.inst, s["store"])
        folder = self.workdir / "stores"
        folder.mkdir(exist_ok=True)
        sqlite = stats.sqlite_urls(folder)
        a, b = paired(s["repeats"], lambda: stats.store_eps(sqlite, recs),
                      lambda: stats.baseline_eps(sqlite, recs[:s["store_base"]]))
        self.out.update(store_sqlite_eps=a, store_sqlite_baseline_eps=b)
        line("9. store, SQLite", a, "events/s", b, "INSERT+commit per event", ">= 20k/s")
        from tests.support.postgres import PostgresServer

        with PostgresServer(durable=True).start() as server:
            pg = stats.postgres_urls(server)
            a, b = paired(s["repeats"], lambda: stats.store_eps(pg, recs),
                          lambda: stats.baseline_eps(pg, recs[:s["store_base"]]))
        self.out.update(store_postgresql_eps=a, store_postgresql_baseline_eps=b)
        line("9. store, PostgreSQL", a, "events/s", b, "INSERT+commit per event")

    def records(self):
        s = self.s
        home = self.workdir / "records"
        a, b = paired(s["repeats"],
                      lambda: record_bench.post_to_stored(home, self.redis, s["records"]),
                      lambda: record_bench.insert_each(home, s["records_base"]))
        self.out.update(records_rps=a, records_baseline_rps=b)
        line("10. records, POST -> stored", a, "records/s", b, "INSERT+commit per record")
        (count, ranged) = record_bench.million_reads(f"sqlite:///{home / 'million.sqlite3'}")
        self.out.update(records_count_sqlite_ms=count, records_range_sqlite_ms=ranged)
        say(f"{'10. 1M records, SQLite':<30} HEAD count p50 {count[0]:,.1f} / p99 "
            f"{count[1]:,.1f} ms; filtered range p50 {ranged[0]:,.1f} / p99 {ranged[1]:,.1f} ms")
        from tests.support.postgres import PostgresServer

        with PostgresServer(durable=True).start() as server:
            name = server.create_database()
            (count, ranged) = record_bench.million_reads(server.url(name))
            server.drop_database(name)
        self.out.update(records_count_postgresql_ms=count, records_range_postgresql_ms=ranged)
        say(f"{'10. 1M records, PostgreSQL':<30} HEAD count p50 {count[0]:,.1f} / p99 "
            f"{count[1]:,.1f} ms; filtered range p50 {ranged[0]:,.1f} / p99 {ranged[1]:,.1f} ms")

    def e2e_matomo(self, big):
        """loglines' Matomo target, each run followed by the importer's when
        given, 1 and 2 recorders, so all see the same machine."""
        target = e2e.MATOMO_TARGET
        runs, imports = [], {n: [] for n, _ in IMPORTER_RUNS} if self.importer else {}
        for _ in range(self.s["e2e_repeats"]):
            runs.append(e2e.run_once(self.workdir, big, self.s["e2e"], self.tracker, target))
            try:
                for recorders in imports:
                    imports[recorders].append(matomo_importer.run_once(
                        self.importer, self.workdir, big, self.s["e2e"], self.tracker,
                        recorders))
            except matomo_importer.ImporterError as err:
                say(f"   baseline failed: {err}")  # loglines' figure is still good
                imports = {}
        self.out["e2e_matomo_lps"] = median(r["lps"] for r in runs)
        self.out["e2e_matomo_cpu_s"] = median(pipeline_cpu(r) for r in runs)
        self.out["e2e_matomo_events"] = runs[0]["events"]
        line("5. end to end, Matomo bulk", self.out["e2e_matomo_lps"], "lines/s",
             target=">= 35k/s")
        say(f"   ({', '.join(target)}; {runs[0]['events']:,} events tracked; per run: "
            + ", ".join(f"{r['lps']:,.0f}" for r in runs) + " lines/s)")
        cpu_line(runs[0])
        if imports:
            self.importer_report(imports)

    def importer_report(self, imports):
        lines, ours = self.s["e2e"], self.out
        say(f"   loglines: CPU {ours['e2e_matomo_cpu_s']:.1f} s for the file = "
            f"{per_line_us(ours['e2e_matomo_cpu_s'], lines):.0f} µs/line (every pipeline "
            f"process, Redis included, the tracker not)")
        for recorders, key in IMPORTER_RUNS:
            runs = imports[recorders]
            lps, cpu = median(r["lps"] for r in runs), median(r["cpu_s"] for r in runs)
            self.out.update({f"{key}_lps": lps, f"{key}_cpu_s": cpu,
                             f"{key}_events": runs[0]["events"],
                             f"{key}_lps_ratio": ratio(ours["e2e_matomo_lps"], lps),
                             f"{key}_cpu_ratio": ratio(ours["e2e_matomo_cpu_s"], cpu)})
            line(f"5. baseline: Matomo importer, {recorders}r", lps, "lines/s")
            say(f"   CPU {cpu:.1f} s = {per_line_us(cpu, lines):.0f} µs/line (tracker "
                f"{runs[0]['tracker_cpu_s']:.1f} s); {runs[0]['events']:,} requests tracked "
                f"(it says {runs[0]['imported']:,}; loglines {ours['e2e_matomo_events']:,}); "
                f"per run: " + ", ".join(f"{r['lps']:,.0f}" for r in runs) + " lines/s")
            for r in runs:
                if r["events"] != r["imported"]:
                    say(f"   MISMATCH: the tracker got {r['events']:,} requests, the importer "
                        f"says it imported {r['imported']:,}")
        say("   loglines vs importer 1r / 2r: lines/s "
            + " / ".join(f"x{ours[f'{k}_lps_ratio'] or 0:.2f}" for _, k in IMPORTER_RUNS)
            + "  [target >= x1.5]; CPU per line "
            + " / ".join(f"x{ours[f'{k}_cpu_ratio'] or 0:.2f}" for _, k in IMPORTER_RUNS)
            + "  [target <= x1.0]")

    def latency_report(self, run):
        p50, p99 = run.get("latency_p50_ms"), run.get("latency_p99_ms")
        self.out.update(latency_p50_ms=p50, latency_p99_ms=p99)
        got, total = run.get("probes", (0, 0))
        say(f"{'6. latency at 1,000 lines/s':<30} p50 {p50 or 0:,.0f} ms, p99 {p99 or 0:,.0f} ms"
            f" ({got:,} of {total:,} probe lines arrived)  [target p99 <= 250 ms]")

    def memory_report(self, runs):
        peaks = {}
        for run in runs:
            for name, mb in run["rss"].items():
                peaks[name] = max(peaks.get(name, 0), mb or 0)
        self.out["rss_max_mb"] = max(peaks.values()) if peaks else None
        self.out["redis_peak_mb"] = max(r["redis_peak_mb"] for r in runs)
        line("7. memory, worker peak RSS", self.out["rss_max_mb"], "MB", target="<= 80 MB each")
        say("   " + ", ".join(f"{n} {mb:.0f}" for n, mb in peaks.items()) + " MB")
        line("7. memory, Redis peak", self.out["redis_peak_mb"], "MB")

    def inputs(self):
        n = self.s["inputs"]
        repeats = self.s["repeats"]
        for conns, key, label in ((1, "syslog_tcp", "8. syslog, 1 TCP connection"),
                                  (50, "syslog_tcp50", "8. syslog, 50 TCP connections")):
            a, b = paired(repeats, lambda c=conns: inputs.syslog(self.inst, n, c),
                          lambda c=conns: inputs.syslog_baseline(self.inst, n // 4, c))
            self.out.update({f"{key}_lps": a, f"{key}_baseline_lps": b})
            line(label, a, "lines/s", b, "plain loop, LPUSH per line")
        a, b = paired(repeats, lambda: inputs.http_ingest(self.inst, n),
                      lambda: inputs.http_baseline(self.inst, n // 4))
        self.out.update(http_ingest_lps=a, http_ingest_baseline_lps=b)
        line("8. HTTP ingest (100 lines/POST)", a, "lines/s", b, "plain loop, LPUSH per line")

    def run(self, only):
        for name in FIGURES:
            if only and name not in only:
                continue
            started = time.monotonic()
            try:
                getattr(self, name)()
            except Exception as err:  # one failed figure must not lose the others
                say(f"{name}: failed: {type(err).__name__}: {err}")
            say(f"   ({name}: {time.monotonic() - started:.0f} s)")
        return self.out


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="small sizes (~4 minutes)")
    parser.add_argument("--json", metavar="FILE", help="write the figures as one JSON object")
    parser.add_argument("--repeats", type=int, help="runs per figure (the median is kept)")
    parser.add_argument("--only", nargs="+", choices=FIGURES, help="run only these figures")
    parser.add_argument("--matomo-importer", metavar="PATH",
                        help="Matomo's import_logs.py (matomo-org/matomo-log-analytics): run it "
                             f"beside figure 5's Matomo target as its baseline (or set "
                             f"{matomo_importer.ENV})")
    args = parser.parse_args(argv)
    try:
        importer = matomo_importer.locate(args.matomo_importer)
    except matomo_importer.ImporterError as err:
        parser.error(str(err))
    logging.getLogger("loglines").setLevel(logging.ERROR)  # the in-process workers' chatter
    sizes = dict(SIZES["quick" if args.quick else "full"])
    if args.repeats:
        sizes.update(repeats=args.repeats, e2e_repeats=args.repeats)
    say(f"loglines bench ({'quick' if args.quick else 'full'}; medians of {sizes['repeats']} "
        f"runs, end to end of {sizes['e2e_repeats']})")
    started = time.monotonic()
    with contextlib.ExitStack() as stack:
        workdir = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="loglines-bench-")))
        try:
            out = Bench(args, sizes, stack, workdir, importer).run(args.only)
        except KeyboardInterrupt:
            say("interrupted; stopping what was started")
            return 130
    say(f"total {time.monotonic() - started:.0f} s")
    if args.json:
        Path(args.json).write_text(json.dumps(out, indent=2) + "\n")
        say(f"figures written to {args.json}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
