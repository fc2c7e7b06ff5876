"""What a queue tells its observers after a transition.

Like a broker's middleware seeing every message: whatever wants to know
about pushes and acks (the push dates of ``loglines status``, say) hangs
here, so the queue layer depends on none of it.

A QueueStore gives its observers to every queue it builds; a queue calls
each of them, in the caller's thread, after a transition that moved at
least one item. They run on the hot path, once per batch: an observer must
be cheap and must not raise, since the transition is already done in Redis
and an exception would make the caller do it again.
"""


class QueueObserver:
    """Hears nothing by default; override what you need."""

    def pushed(self, queue, n):
        """``n`` payloads went into ``queue``, each under a fresh id."""

    def acked(self, queue, n, forwarded, copies):
        """``n`` items of ``queue`` were acknowledged and copied, as ``copies``
        items under fresh ids (``n``, or one bundle of them), into every
        queue of ``forwarded`` (often none)."""

    def fanned_out(self, queue, n, targets):
        """``n`` items left ``queue``, each copied under a fresh id into every
        queue of ``targets``."""
