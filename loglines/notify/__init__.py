"""Notifications: dead letters, old backlogs and crashed programs, told to
the operators by webhook (JSON POST) and/or mail.

The pipeline only enqueues an rq job (one Redis round trip, and only when
something went wrong); the generated ``loglines_notify_worker`` program
sends it, so a slow mail server never holds up a delivery.
"""

from .notifier import Notifier, dead_lettered, make_event

__all__ = ["Notifier", "dead_lettered", "make_event"]
