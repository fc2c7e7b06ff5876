"""Sending one notification: a webhook JSON POST or a mail over SMTP.

Both raise on failure, so rq retries the job later. A webhook's failure is
told without its URL, whose path or query usually holds the token: rq keeps
the traceback in Redis and the worker log repeats it at every retry.
"""

import smtplib
import socket
import ssl
from email.message import EmailMessage

import requests

from .. import redact
from ..errors import NotifyError

_TEMPLATES = {
    "dead_letter": "{count} item(s) of queue {queue} dead-lettered on {host}: {error}",
    "backlog": "queue {queue} on {host} has a backlog of {count} item(s): {error}",
    "process_fatal": "supervisord on {host}: {process} is FATAL: {error}",
    "process_exited": "supervisord on {host}: {process} exited unexpectedly: {error}",
}


def summary(event):
    """One line saying what happened, for a mail's subject and body."""
    template = _TEMPLATES.get(event["kind"], "{kind} on {host}: {error}")
    return template.format(**event)


def webhook(settings, event):
    url = settings.webhook_url
    try:
        response = requests.post(url, json=event, timeout=settings.timeout)
        response.raise_for_status()
    except requests.RequestException as err:
        # Not chained: requests' message repeats the URL, token and all.
        text = redact.scrub(f"{type(err).__name__}: {err}", redact.url_secrets(url, path=False))
        raise NotifyError(f"webhook {redact.url(url, path=False)}: {text}") from None


def message(settings, event):
    msg = EmailMessage()
    msg["Subject"] = "[loglines] " + summary(event)
    msg["From"] = settings.mail_from or f"loglines@{socket.getfqdn()}"
    msg["To"] = ", ".join(settings.mail_to)
    lines = [summary(event), ""] + [f"{k}: {v}" for k, v in event.items() if v is not None]
    msg.set_content("\n".join(lines) + "\n")
    return msg


def mail(settings, event):
    # A verifying TLS context: the password must not go to an impostor.
    context = ssl.create_default_context()
    if settings.smtp_tls == "ssl":
        smtp = smtplib.SMTP_SSL(settings.smtp_host, settings.smtp_port,
                                timeout=settings.timeout, context=context)
    else:
        smtp = smtplib.SMTP(settings.smtp_host, settings.smtp_port, timeout=settings.timeout)
    with smtp:
        if settings.smtp_tls == "starttls":
            smtp.starttls(context=context)
        if settings.smtp_user:
            smtp.login(settings.smtp_user, settings.smtp_password or "")
        smtp.send_message(message(settings, event))
