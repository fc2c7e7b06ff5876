"""[notify] in loglines.cfg."""

import pytest

from loglines.config import load
from loglines.errors import ConfigError
from tests.supervisord.helpers import write_cfg


def test_notify_settings_are_typed(tmp_path):
    path = write_cfg(tmp_path, """
        [notify]
        smtp_host = mail.example.org
        smtp_user = loglines
        smtp_password = ${SMTP_PASSWORD}
        mail_to = a@example.org, b@example.org
        """)
    notify = load(path, environ={"SMTP_PASSWORD": "pw"}).notify
    assert notify.mail_to == ("a@example.org", "b@example.org")
    assert notify.smtp_password == "pw"
    assert (notify.notify_interval, notify.backlog_age, notify.queue) == (300.0, 3600.0, "notify")
    assert "pw" not in repr(notify)


@pytest.mark.parametrize("lines, problem", [
    ("notify_interval = 10\n", "[notify] webhook_url: missing"),
    ("webhook_url = ftp://x/\n", "expected an http(s) URL"),
    ("smtp_host = mail\n", "[notify] mail_to: missing"),
    ("webhook_url = http://x/\nredis = other\n", "no [redis_other] section"),
    ("webhook_url = http://x/\nbacklog = 5\n", "unknown key"),
])
def test_notify_problems(tmp_path, lines, problem):
    path = write_cfg(tmp_path, "[notify]\n" + lines)
    with pytest.raises(ConfigError) as err:
        load(path, environ={})
    assert problem in "\n".join(err.value.problems)


@pytest.mark.parametrize(("host", "tls", "warned"), [
    ("mail.example.org", "none", True), ("mail.example.org", "starttls", False),
    ("mail.example.org", "ssl", False), ("127.0.0.1", "none", False),
])
def test_a_password_sent_in_clear_is_warned_about(tmp_path, host, tls, warned):
    path = write_cfg(tmp_path, f"""
        [notify]
        smtp_host = {host}
        smtp_tls = {tls}
        smtp_user = loglines
        smtp_password = ${{SMTP_PASSWORD}}
        mail_to = a@example.org
        """)
    warnings = load(path, environ={"SMTP_PASSWORD": "pw-in-clear"}).warnings
    expected = (f"{path}: [notify] smtp_tls: none: smtp_password goes to {host} in clear, "
                "readable on the way; use starttls or ssl",)
    assert warnings == (expected if warned else ())
