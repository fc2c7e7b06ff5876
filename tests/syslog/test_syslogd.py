"""syslogd in-process with a real Redis: what senders send arrives as queue
messages with its syslog metadata, over TCP and UDP, in both framings."""

import shutil
import subprocess

import pytest

from tests.support.queues import drain
from tests.support.waiting import wait_for

from .senders import LINE, newline, octets, rfc3164, rfc5424, tcp_send, udp_send


def received(running, n, timeout=10):
    assert wait_for(lambda: running.queue.stats().ready >= n, timeout=timeout), \
        f"{running.queue.stats().ready} of {n} messages arrived"
    return drain(running.queue)


def test_both_formats_both_framings_tcp_and_udp(syslogd):
    with syslogd(service_by_tag="nginx:repo.example.ac.uk, apache:other.example.ac.uk",
                 servicename="default.example") as running:
        tcp_send(running.port, b"".join([
            octets(rfc5424(LINE.format(n=1))),
            newline(rfc3164(LINE.format(n=2), tag="apache")),
            octets(rfc3164(LINE.format(n=3), tag="other")),
            newline(rfc5424(LINE.format(n=4), sd='[meta@1 a="b"]')),
        ]))
        got = received(running, 4)
        udp_send(running.port, rfc3164(LINE.format(n=5), host="web2"),
                 rfc5424(LINE.format(n=6), tag="apache"))
        got += received(running, 2)
    assert got[0] == {"service": "repo.example.ac.uk", "logline": LINE.format(n=1),
                      "syslog_host": "web1", "syslog_tag": "nginx", "syslog_peer": "127.0.0.1"}
    assert [m["logline"] for m in got] == [LINE.format(n=n) for n in range(1, 7)]
    assert [m["service"] for m in got] == [
        "repo.example.ac.uk", "other.example.ac.uk", "default.example", "repo.example.ac.uk",
        "repo.example.ac.uk", "other.example.ac.uk"]
    assert got[3]["syslog_sd"] == {"meta@1": {"a": "b"}}
    assert got[4]["syslog_host"] == "web2"
    assert running.result == 0


def test_token_from_the_environment_is_required_and_stripped(syslogd, monkeypatch):
    monkeypatch.setenv("SYSLOG_TOKEN", "tok-123")
    with syslogd(token="${SYSLOG_TOKEN}") as running:
        tcp_send(running.port, b"".join([
            newline(rfc3164("tok-123 " + LINE.format(n=1))),
            newline(rfc3164(LINE.format(n=2))),  # no token: dropped
            octets(rfc5424(LINE.format(n=3), sd='[auth@1 token="tok-123"]')),
            newline(rfc3164("wrong-token " + LINE.format(n=4))),
        ]))
        udp_send(running.port, rfc3164(LINE.format(n=5)))
        got = received(running, 2)
        assert wait_for(lambda: running.counts().get("rejected_token") == 3)
    assert [m["logline"] for m in got] == [LINE.format(n=1), LINE.format(n=3)]
    assert got[1]["syslog_sd"] == {"auth@1": {}}
    assert running.queue.dead_items() == []


def test_bad_input_is_dead_lettered_and_counted(syslogd):
    with syslogd(max_line_size=1024) as running:
        tcp_send(running.port, b"".join([
            newline(b"\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03 binary junk"),
            newline(rfc3164("x" * 5000)),
            octets(rfc3164("y" * 3000)),
            newline(rfc3164(LINE.format(n=1))),
        ]))
        got = received(running, 1)
        assert wait_for(lambda: len(running.queue.dead_items()) == 3)
        assert wait_for(lambda: running.counts().get("line_too_long") == 2)
        counts = running.counts()
    assert [m["logline"] for m in got] == [LINE.format(n=1)]
    errors = sorted(d.error for d in running.queue.dead_items())
    assert errors[0].startswith("line_too_long: 3") and errors[1].startswith("line_too_long: 5")
    assert errors[2].startswith("malformed: no <PRI> header")
    assert counts["malformed"] == 1 and counts["lines"] == 1


@pytest.mark.skipif(shutil.which("logger") is None, reason="util-linux logger is not installed")
def test_util_linux_logger_over_tcp_and_udp(syslogd):
    with syslogd() as running:
        base = ["logger", "--server", "127.0.0.1", "--port", str(running.port)]
        subprocess.run([*base, "--tcp", "--octet-count", "--rfc5424", "-t", "nginx",
                        LINE.format(n=1)], check=True, timeout=10)
        subprocess.run([*base, "--tcp", "--rfc3164", "-t", "repo", LINE.format(n=2)],
                       check=True, timeout=10)
        subprocess.run([*base, "--udp", "--rfc5424", "-t", "apache", LINE.format(n=3)],
                       check=True, timeout=10)
        got = sorted(received(running, 3), key=lambda m: m["logline"])
    assert [(m["logline"], m["syslog_tag"]) for m in got] == [
        (LINE.format(n=1), "nginx"), (LINE.format(n=2), "repo"), (LINE.format(n=3), "apache")]
    assert all(m["syslog_host"] for m in got)


@pytest.mark.skipif(shutil.which("nginx") is None,
                    reason="nginx is not installed (Debian's nginx package; not installed for "
                    "the tests)")
def test_nginx_access_log_to_syslog(syslogd, tmp_path):
    with syslogd() as running:
        conf = tmp_path / "nginx.conf"
        http_port = _free_tcp_port()
        conf.write_text(
            f"daemon off; pid {tmp_path}/nginx.pid; error_log {tmp_path}/error.log;\n"
            f"events {{}}\nhttp {{ access_log syslog:server=127.0.0.1:{running.port},tag=repo "
            f"combined; client_body_temp_path {tmp_path}; proxy_temp_path {tmp_path};\n"
            f"fastcgi_temp_path {tmp_path}; uwsgi_temp_path {tmp_path}; "
            f"scgi_temp_path {tmp_path};\n"
            f"server {{ listen 127.0.0.1:{http_port}; location / {{ return 200 ok; }} }} }}\n")
        nginx = subprocess.Popen(["nginx", "-c", str(conf), "-p", str(tmp_path)])
        try:
            import urllib.request

            assert wait_for(lambda: _get(urllib.request, http_port, "/id/eprint/7"))
            got = received(running, 1)
        finally:
            nginx.terminate()
            nginx.wait(10)
    assert got[0]["syslog_tag"] == "repo" and "GET /id/eprint/7 " in got[0]["logline"]


def _free_tcp_port():
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _get(request, port, path):
    try:
        with request.urlopen(f"http://127.0.0.1:{port}{path}", timeout=2) as response:
            return response.status == 200
    except OSError:
        return False


def test_settings_that_cannot_work_stop_it_with_one_line(syslogd):
    from loglines.errors import ConfigError

    for options, message in [
        ({"protocols": "tcp, sctp"}, r"\[logger_syslog\] protocols: expected tcp, udp or both"),
        ({"service_by_tag": "nginx"}, r"service_by_tag: expected tag:servicename, got 'nginx'"),
    ]:
        with pytest.raises(ConfigError, match=message):
            syslogd(**options).daemon.run()
    with syslogd() as running:
        taken = syslogd(port=running.port)
        in_use = rf"\[logger_syslog\] port: cannot listen on 127.0.0.1:{running.port}"
        with pytest.raises(ConfigError, match=in_use):
            taken.daemon.run()
        taken.ctx.close()
