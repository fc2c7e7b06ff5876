"""Delivery of usage events to a statistics tracker over HTTP."""

from loglines.delivery.client import TrackerClient
from loglines.delivery.matomo import MatomoClient
from loglines.delivery.outcome import InvalidClientSettings, Outcome
from loglines.delivery.ratelimit import RateLimiter

__all__ = ["InvalidClientSettings", "MatomoClient", "Outcome", "RateLimiter", "TrackerClient"]
