"""How fast gathering makes packages: rows of a CSV collector written into
parts under a size cap and packed into .tar.gz, against a baseline in the
same run that writes the same rows with csv.writer into one file and
gzips it into one tarball (no cap, no manifest, no hashing).

    .venv/bin/python bench/shipping.py [--rows N] [--cap BYTES] [--repeats N]

Prints MB/s of uncompressed data for both; nothing is asserted.
"""

from __future__ import annotations

import argparse
import csv
import statistics
import sys
import tarfile
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from loglines.shipping.gather import Gathering, run_plan  # noqa: E402
from loglines.shipping.periods import by_day  # noqa: E402
from loglines.shipping.registry import Registry, register  # noqa: E402

SINCE, UNTIL = 1764547200, 1764633600
HEADER = ["time", "service", "item", "kind", "counted", "client"]


def rows(n):
    for i in range(n):
        yield ["2025-12-01T10:00:00Z", "repo.example.ac.uk", f"oai:repo.example.ac.uk:{i % 5000}",
               "Request", "1", f"{i * 2654435761 % 2**32:08x}"]


def registry(n):
    @register("config", "1", config=True)
    def config(g):
        return {"bench": True}

    @register("events", "1", format="csv", slicing=by_day)
    def events(g):
        yield HEADER
        yield from rows(n)

    return Registry([config.__loglines_collector__, events.__loglines_collector__])


def gathered(n, cap, folder):
    reg = registry(n)
    began = time.perf_counter()
    result = run_plan({c: [(SINCE, UNTIL)] for c in reg.data()}, Gathering(SINCE, UNTIL),
                      reg.config, (SINCE, UNTIL), folder, cap)
    seconds = time.perf_counter() - began
    size = sum(f["bytes"] for p in result.packages for f in p.manifest["files"])
    return size, seconds, len(result.packages)


def baseline(n, folder):
    began = time.perf_counter()
    path = folder / "events.csv"
    with open(path, "w", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(HEADER)
        w.writerows(rows(n))
    with tarfile.open(folder / "events.tar.gz", "w:gz") as tar:
        tar.add(path, arcname="events.csv")
    return path.stat().st_size, time.perf_counter() - began


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--rows", type=int, default=300_000)
    p.add_argument("--cap", type=int, default=5_000_000, help="max_package_bytes")
    p.add_argument("--repeats", type=int, default=3)
    args = p.parse_args()
    ours, base, packages = [], [], 0
    for _ in range(args.repeats):
        with tempfile.TemporaryDirectory() as tmp:
            size, seconds, packages = gathered(args.rows, args.cap, Path(tmp) / "out")
            ours.append(size / seconds / 1e6)
        with tempfile.TemporaryDirectory() as tmp:
            bsize, bseconds = baseline(args.rows, Path(tmp))
            base.append(bsize / bseconds / 1e6)
    print(f"rows {args.rows:,}, {size / 1e6:.1f} MB of CSV, cap {args.cap:,} bytes: "
          f"{packages} packages")
    print(f"gathering into packages  {statistics.median(ours):7.1f} MB/s")
    print(f"baseline (csv + tar.gz)  {statistics.median(base):7.1f} MB/s")


if __name__ == "__main__":
    main()
