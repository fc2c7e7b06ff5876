"""Receiving log lines over syslog: framing (RFC 6587), parsing (RFC 3164 and
5424), the queue messages, the in-memory outbox, the pusher thread and the
asyncio server. The ``syslogd`` worker (workers/syslogd.py) wires them."""
