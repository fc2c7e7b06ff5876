"""Delivery of usage events to a statistics tracker over HTTP."""

from loglines.outputs.delivery.client import TrackerClient
from loglines.outputs.delivery.matomo import MatomoClient
from loglines.outputs.delivery.outcome import InvalidClientSettings, Outcome
from loglines.outputs.delivery.ratelimit import RateLimiter

__all__ = ["InvalidClientSettings", "MatomoClient", "Outcome", "RateLimiter", "TrackerClient"]
