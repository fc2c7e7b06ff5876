"""The QueueStore of every loglines process, with the observers that
``loglines status`` relies on attached."""

from ..queue import QueueStore
from .push_dates import PushDates


def observed_store(client, prefix, policy_for, consumer_timeout=30.0):
    """A QueueStore (same arguments) whose pushes are dated, so the age of
    the oldest ready item can be told."""
    store = QueueStore(client, prefix, policy_for, consumer_timeout)
    store.observe(PushDates(client, store.keyspace))
    return store
