"""A worker process built like ``loglines worker``, for tests of signals and
of what a process leaves behind when it exits.

    python -m tests.support.worker_proc PORT PREFIX [--burst]

It installs the StopFlag on SIGTERM/SIGINT, registers and beats, prints
"READY <consumer id>", then consumes the queue "work": each batch prints
"HANDLING <payloads>", adds the payloads to the set {PREFIX}:processed and
acknowledges them. The payload b"gate" blocks its batch until the test
pushes to {PREFIX}:gate (30 s at most): a worker busy for as long as the
test wants. Log lines go to stdout too, so the test sees the signals land,
and "STOP FLAG SET" once the stop flag is set: only then is another signal
a second one (StopFlag logs the first before it sets the flag).
"""

import logging
import queue
import subprocess
import sys
import threading

import redis

from loglines.config.model import RedisSettings
from loglines.runtime.consumer_loop import consume
from loglines.runtime.context import WorkerContext
from loglines.runtime.stop import StopFlag
from tests.support.worker_config import SECTION, worker_config

GATE_TIMEOUT = 30


def gate_key(prefix):
    return "{" + prefix + "}:gate"


def processed_key(prefix):
    return "{" + prefix + "}:processed"


def say(*words):
    sys.stdout.write(" ".join(words) + "\n")  # one write: the threads' lines never mix
    sys.stdout.flush()


def announce_stop(stop):
    if stop.wait(3600):
        say("STOP FLAG SET")


def main():
    port, prefix = int(sys.argv[1]), sys.argv[2]
    burst = "--burst" in sys.argv[3:]
    logging.basicConfig(level=logging.INFO, stream=sys.stdout, format="%(levelname)s %(message)s")
    settings = RedisSettings(name="", port=port)
    config = worker_config(prefix, settings)
    stop = StopFlag()
    stop.install()
    threading.Thread(target=announce_stop, args=(stop,), daemon=True).start()
    ctx = WorkerContext(config, config.program(SECTION), redis_settings=settings, stop=stop,
                        burst=burst)
    gate = redis.Redis(port=port)  # no socket timeout: it blocks as long as the gate
    work = ctx.queue("work")

    def handle(items):
        payloads = [i.payload for i in items]
        say("HANDLING", b" ".join(payloads).decode())
        if b"gate" in payloads:
            gate.blpop([gate_key(prefix)], timeout=GATE_TIMEOUT)
        gate.sadd(processed_key(prefix), *payloads)
        ctx.call(work.ack, ctx.consumer_id, [i.id for i in items])

    try:
        ctx.start_heartbeat([work.name])
        say("READY", ctx.consumer_id)
        consume(ctx, work, handle, batch_size=10)
    finally:
        ctx.close()
    say("STOPPED")
    return 0


class WorkerProcess:
    """The test's side: start the script and read its output line by line."""

    def __init__(self, root, port, prefix, burst=False):
        args = [sys.executable, "-m", "tests.support.worker_proc", str(port), prefix]
        self.proc = subprocess.Popen(args + (["--burst"] if burst else []), cwd=root,
                                     stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        self.lines = queue.Queue()
        self.output = []
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self):
        for line in self.proc.stdout:
            self.lines.put(line.rstrip("\n"))
        self.lines.put(None)

    def expect(self, text, timeout=20.0):
        """The next line containing ``text``; fails if the process ends first."""
        while True:
            try:
                line = self.lines.get(timeout=timeout)
            except queue.Empty:
                raise AssertionError(f"no {text!r} within {timeout} s: {self.output}") from None
            if line is None:
                raise AssertionError(f"process ended before {text!r}: {self.output}")
            self.output.append(line)
            if text in line:
                return line

    def rest(self):
        """Every line until the process closed its output."""
        while (line := self.lines.get(timeout=20)) is not None:
            self.output.append(line)
        return self.output

    def close(self):
        if self.proc.poll() is None:
            self.proc.kill()
        self.proc.wait(timeout=20)


if __name__ == "__main__":
    sys.exit(main())
