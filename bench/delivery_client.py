"""Benchmark: events/s delivered to a local tracker that answers 200 at once.

Compares, in one run and against the same server:
  - TrackerClient (one sending loop in the caller's thread over
    ``concurrency`` non-blocking keep-alive connections),
  - the thread client it replaced, as the baseline: http.client, one
    keep-alive connection per sender thread, ``concurrency`` threads on a
    thread pool, every answer handed back to the caller's thread,
  - a urllib3 pool shared by the same threads (TrackerClient's first design),
  - a requests.Session sized to ``concurrency``, driven by the same kind of
    thread pool (the first design's choice; see docs/design.md),
  - one ``requests.get`` per event, in sequence (the 2010 design).
The server (bench/servers.py, shared with bench/run.py) runs in its own
process so it does not share the GIL with the clients; the CPU figure is
the client's alone (its process' CPU time per event). Prints figures;
nothing is asserted.

    .venv/bin/python bench/delivery_client.py [--events 5000] [--concurrency 8] [--latency-ms 0]
"""

from __future__ import annotations

import argparse
import http.client
import multiprocessing
import queue
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from urllib.parse import urlencode, urlsplit

import requests
import urllib3
from requests.adapters import HTTPAdapter

from loglines.outputs.delivery import TrackerClient

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from bench.servers import serve

PARAMS = {
    "url_ver": "Z39.88-2004",
    "url_tim": "2010-10-17T03:04:42Z",
    "req_id": "192.0.2.10",
    "req_dat": "Mozilla/5.0 (X11; Linux x86_64) Firefox/128.0",
    "rft.artnum": "oai:repo.example.ac.uk:1234",
    "rfr_id": "repo.example.ac.uk",
    "rfr_dat": "https://scholar.google.com/",
    "svc_dat": "https://repo.example.ac.uk/1234/1/paper.pdf",
    "rft_dat": "Request",
}


def rate(label: str, events: int, run) -> None:
    start, cpu = time.perf_counter(), time.process_time()
    ok = run()
    elapsed, cpu = time.perf_counter() - start, time.process_time() - cpu
    print(f"{label:<44} {events / elapsed:>9,.0f} events/s  {cpu / events * 1e6:6.1f} us CPU/event"
          f"  ({ok}/{events} ok, {elapsed:.2f} s)")


def bench_client(url: str, events: list, concurrency: int) -> int:
    with TrackerClient(url, concurrency=concurrency) as client:
        return sum(o.ok for o in client.send_many(events))


def bench_thread_client(url: str, events: list, concurrency: int) -> int:
    """The design TrackerClient had before its sending loop: each sender thread
    GETs on its own http.client connection and hands every answer to the
    caller's thread through a queue."""
    parts = urlsplit(url)
    local, answers, lock = threading.local(), queue.SimpleQueue(), threading.Lock()
    feed = iter(events)

    def sender():
        conn = local.conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=60)
        try:
            while True:
                with lock:
                    event = next(feed, None)
                if event is None:
                    return
                conn.request("GET", f"{parts.path}?{urlencode(event[1])}",
                             headers={"User-Agent": "loglines/0.1"})
                response = conn.getresponse()
                response.read()
                answers.put(response.status == 200)
        finally:
            conn.close()
            answers.put(None)

    ok = running = 0
    with ThreadPoolExecutor(concurrency) as pool:
        running = len([pool.submit(sender) for _ in range(concurrency)])
        while running:
            answer = answers.get()
            if answer is None:
                running -= 1
            else:
                ok += answer
    return ok


def _threads(events: list, concurrency: int, get) -> int:
    """``concurrency`` threads taking the next event from a shared counter."""
    positions, lock, ok = iter(range(len(events))), threading.Lock(), []

    def sender():
        while True:
            with lock:
                index = next(positions, None)
            if index is None:
                return
            ok.append(get(events[index][1]) == 200)

    with ThreadPoolExecutor(concurrency) as pool:
        for done in [pool.submit(sender) for _ in range(concurrency)]:
            done.result()
    return sum(ok)


def bench_urllib3(url: str, events: list, concurrency: int) -> int:
    """One urllib3 pool shared by the sender threads."""
    pool = urllib3.connection_from_url(url, maxsize=concurrency, block=False, retries=False)
    path = urlsplit(url).path

    def get(params):
        response = pool.urlopen("GET", f"{path}?{urlencode(params)}", preload_content=False)
        response.read()
        response.release_conn()
        return response.status

    with pool:
        return _threads(events, concurrency, get)


def bench_session(url: str, events: list, concurrency: int) -> int:
    """A requests.Session driven by the same threads."""
    session = requests.Session()
    adapter = HTTPAdapter(pool_connections=1, pool_maxsize=concurrency, max_retries=0)
    session.mount("http://", adapter)
    with session:
        return _threads(events, concurrency,
                        lambda params: session.get(url, params=params, timeout=(10, 60))
                        .status_code)


def bench_requests_get(url: str, events: list) -> int:
    return sum(requests.get(url, params=p, timeout=(10, 60)).status_code == 200 for _, p in events)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=5000)
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument(
        "--latency-ms",
        type=float,
        default=0.0,
        help="delay every answer, as a distant tracker would (default 0)",
    )
    args = parser.parse_args()
    port_queue = multiprocessing.Queue()
    latency = args.latency_ms / 1000
    server = multiprocessing.Process(target=serve, args=(port_queue, latency), daemon=True)
    server.start()
    try:
        url = f"http://127.0.0.1:{port_queue.get(timeout=10)}/counter/"
        events = [(n, PARAMS) for n in range(args.events)]
        n, c = args.events, args.concurrency
        rate(f"TrackerClient (sending loop), concurrency {c}", n,
             lambda: bench_client(url, events, c))
        rate(f"thread client it replaced, concurrency {c}", n,
             lambda: bench_thread_client(url, events, c))
        rate("TrackerClient (sending loop), concurrency 1", n,
             lambda: bench_client(url, events, 1))
        rate("thread client it replaced, concurrency 1", n,
             lambda: bench_thread_client(url, events, 1))
        rate(f"urllib3 pool + threads, concurrency {c}", n, lambda: bench_urllib3(url, events, c))
        rate(
            f"requests.Session + threads, concurrency {c}", n, lambda: bench_session(url, events, c)
        )
        rate("requests.get per event (2010 design)", n, lambda: bench_requests_get(url, events))
    finally:
        server.terminate()
        server.join()


if __name__ == "__main__":
    main()
