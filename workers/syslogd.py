"""syslogd: receives access-log lines over syslog (TCP and UDP, RFC 3164 and
RFC 5424, RFC 6587 framing) and pushes each as a queue message; the
receiver itself is loglines.inputs.syslog.receiver."""

from loglines.inputs.syslog.receiver import Syslogd


def run(ctx):
    return Syslogd(ctx).run()
