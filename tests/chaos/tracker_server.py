"""The chaos run's tracker: a small asyncio HTTP server in its own process.

    python -m tests.chaos.tracker_server PORT RECORD_FILE

Every GET it accepts (answers 200) appends its svc_dat to RECORD_FILE.
``GET /_mode?m=ok|503|hang|slow`` switches what it answers: 503; hanging
without an answer until the client gives up (nothing is recorded then); or
answering 200 after SLOW_SECONDS, the event recorded all the same.
``GET /_count`` answers the number of events accepted so far.
A process of its own, so the harness's threads do not slow it down.
"""

import asyncio
import signal
import sys
from urllib.parse import parse_qs, urlsplit

HANG_SECONDS = 30
# "slow": the event is counted and answered after this long, past the
# pirus2 timeout of the chaos instance (5 s) and within its ceiling (10 s).
SLOW_SECONDS = 8


class Tracker:
    def __init__(self, record_path):
        self.mode = "ok"
        self.accepted = 0
        self.record = open(record_path, "a", buffering=1 << 16)  # noqa: SIM115

    async def handle(self, reader, writer):
        try:
            while True:
                head = await reader.readuntil(b"\r\n\r\n")
                target = head.split(b" ", 2)[1].decode("latin-1")
                status, body = await self.answer(target)
                writer.write(b"HTTP/1.1 %d X\r\nContent-Length: %d\r\n\r\n%s"
                             % (status, len(body), body))
                await writer.drain()
        except (asyncio.IncompleteReadError, asyncio.LimitOverrunError, ConnectionError,
                IndexError, asyncio.CancelledError):
            pass  # a client gone, or the server stopping: nothing to answer
        finally:
            writer.close()

    async def answer(self, target):
        parts = urlsplit(target)
        if parts.path == "/_mode":
            self.mode = parse_qs(parts.query)["m"][0]
            self.record.flush()
            return 200, self.mode.encode()
        if parts.path == "/_count":
            self.record.flush()
            return 200, str(self.accepted).encode()
        if self.mode == "503":
            return 503, b"down for maintenance"
        if self.mode == "hang":
            await asyncio.sleep(HANG_SECONDS)
            raise ConnectionError("hung up")
        if self.mode == "slow":
            await asyncio.sleep(SLOW_SECONDS)
        svc = parse_qs(parts.query).get("svc_dat", ["?"])[0]
        self.record.write(svc + "\n")
        self.accepted += 1
        return 200, b"ok"


async def main(port, record_path):
    tracker = Tracker(record_path)
    server = await asyncio.start_server(tracker.handle, "127.0.0.1", port, backlog=512)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    async with server:
        await stop.wait()
    tracker.record.flush()
    tracker.record.close()


if __name__ == "__main__":
    asyncio.run(main(int(sys.argv[1]), sys.argv[2]))
