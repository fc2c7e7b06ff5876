"""Syslog senders for the tests: plain sockets, as a remote host would use."""

import socket
import time

LINE = '1.2.3.4 - - [01/Jan/2025:00:00:00 +0000] "GET /id/eprint/{n} HTTP/1.1" 200 5 "-" "UA"'


def rfc3164(text, tag="nginx", host="web1"):
    return f"<190>Jan  2 03:04:05 {host} {tag}: {text}".encode()


def rfc5424(text, tag="nginx", host="web1", sd="-"):
    return f"<190>1 2025-01-02T03:04:05.000Z {host} {tag} 123 - {sd} {text}".encode()


def octets(message):
    return b"%d %s" % (len(message), message)


def newline(message):
    return message + b"\n"


def connect(port, timeout=5.0):
    sock = socket.create_connection(("127.0.0.1", port), timeout=timeout)
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    return sock


def tcp_send(port, data):
    with connect(port) as sock:
        sock.sendall(data)


def udp_send(port, *datagrams):
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        for d in datagrams:
            sock.sendto(d, ("127.0.0.1", port))


def closed_by_peer(sock, wait=2.0):
    """True if the server closed (or reset) this connection within ``wait``."""
    sock.settimeout(wait)
    try:
        return sock.recv(1) == b""
    except ConnectionResetError:
        return True
    except TimeoutError:
        return False


def dribble(sock, data, interval, stop):
    """Send ``data`` a byte at a time (slowloris) until done or ``stop`` is set."""
    for i in range(len(data)):
        if stop.is_set():
            return
        try:
            sock.sendall(data[i:i + 1])
        except OSError:
            return  # closed by the server: what the test wants to see
        time.sleep(interval)
