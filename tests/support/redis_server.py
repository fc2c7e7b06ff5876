"""A real redis-server for the tests, on a free port, through the same
configuration code as the embedded Redis (AOF on)."""

import dataclasses
import os
import random
import signal
import socket
import subprocess
import time

import redis

from loglines.config.model import RedisSettings
from loglines.embedded_redis import find_redis_server, write_config
from loglines.redis_connection import connect


# Ports handed out below the kernel's ephemeral range, so the source port of
# some outgoing connection (the suite makes thousands) cannot take a port
# between the moment a test picks it and the moment its server listens.
def _ephemeral_floor():
    try:
        return int(open("/proc/sys/net/ipv4/ip_local_port_range").read().split()[0])
    except (OSError, ValueError, IndexError):
        return 32768


_PORTS = range(10000, max(_ephemeral_floor(), 20000))
_handed_out = set()


def free_port(udp=False):
    """A port on 127.0.0.1 that is free now and was not handed out before in
    this run; free for UDP as well if ``udp``."""
    for _ in range(200):
        port = random.choice(_PORTS)
        if port in _handed_out:
            continue
        kinds = (socket.SOCK_STREAM, socket.SOCK_DGRAM) if udp else (socket.SOCK_STREAM,)
        try:
            for kind in kinds:
                with socket.socket(socket.AF_INET, kind) as s:
                    s.bind(("127.0.0.1", port))
        except OSError:
            continue
        _handed_out.add(port)
        return port
    raise RuntimeError(f"no free port on 127.0.0.1 in {_PORTS}")


class RedisServer:
    def __init__(self, data_dir, port=None, password=None):
        self.binary = find_redis_server()
        self.port = port or free_port()
        self.data_dir = data_dir
        self.settings = RedisSettings(
            name="", host="127.0.0.1", port=self.port, password=password, managed=True,
            data_dir=data_dir, socket_timeout=10.0, connect_timeout=2.0,
        )
        self.process = None

    def start(self):
        conf = write_config(self.settings, self.data_dir, admin_commands=True)
        log = open(os.path.join(self.data_dir, "redis.log"), "ab")  # noqa: SIM115
        self.process = subprocess.Popen([self.binary, str(conf)], stdout=log, stderr=log)
        log.close()
        self.wait_ready()
        return self

    def wait_ready(self, timeout=20.0):
        client = self.client(socket_timeout=1.0)
        deadline = time.monotonic() + timeout
        while True:
            try:
                client.ping()
                return
            except (redis.ConnectionError, redis.BusyLoadingError, redis.TimeoutError):
                if time.monotonic() > deadline or self.process.poll() is not None:
                    raise RuntimeError(f"redis-server on port {self.port} did not start") from None
                time.sleep(0.05)
            finally:
                client.close()

    def client(self, socket_timeout=10.0):
        return connect(dataclasses.replace(self.settings, socket_timeout=socket_timeout))

    def stop(self, sig=signal.SIGTERM):
        if self.process and self.process.poll() is None:
            self.process.send_signal(sig)
            self.process.wait(timeout=30)
        self.process = None

    def kill(self):
        self.stop(signal.SIGKILL)

    def restart(self, sig=signal.SIGTERM):
        self.stop(sig)
        return self.start()
