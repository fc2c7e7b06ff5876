"""The rq job functions, one per channel, so a failing mail server retries
the mail alone and never repeats the webhook.

A job carries only the event: the settings (with the SMTP password) stay
out of Redis, set once by ``loglines notify-worker`` with ``configure``.
"""

from . import send

_settings = None


def configure(settings):
    global _settings
    _settings = settings


def _configured():
    if _settings is None:
        raise RuntimeError("notify jobs run in `loglines notify-worker`, which configures them")
    return _settings


def webhook(event):
    send.webhook(_configured(), event)


def mail(event):
    send.mail(_configured(), event)


def channels(settings):
    """The job functions the settings ask for."""
    found = []
    if settings.webhook_url:
        found.append(webhook)
    if settings.smtp_host:
        found.append(mail)
    return found
