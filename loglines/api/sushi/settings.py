"""What the api section configures for SUSHI, as one typed object, and the
service state the routes share (the settings, the request limiter, the
clock). The configuration check (``loglines.config.build``) has refused
values the spec's schema would not accept, so none is checked here."""

from __future__ import annotations

import time
from dataclasses import dataclass, field

from .access import WORLD, Limiter


@dataclass(frozen=True)
class Settings:
    platform: str = "loglines"  # the Platform element of every report
    platform_id: str = "loglines"  # the namespace of proprietary IDs
    # customer ID -> institution name; loglines attributes no usage to an
    # institution, so each customer is served the repository's global usage.
    customers: dict = field(default_factory=lambda: {WORLD: "The World"})
    requestors: frozenset = frozenset()  # empty: requestor_id is not asked for
    api_key: str | None = field(default=None, repr=False)
    min_interval: float = 0.0  # seconds between two requests of one report per customer
    registry_record: str = ""
    data_type: str = "Unspecified"  # of every item: the logs do not tell one item's type
    publisher: str = ""

    @classmethod
    def from_options(cls, o) -> Settings:
        """From the api section's options (``ApiOptions``)."""
        customers = dict(entry.split("=", 1) for entry in o.sushi_customers)
        return cls(platform=o.sushi_platform, platform_id=o.sushi_platform_id,
                   customers={k.strip(): v.strip() for k, v in customers.items()},
                   requestors=frozenset(o.sushi_requestors), api_key=o.sushi_api_key,
                   min_interval=o.sushi_min_interval, registry_record=o.sushi_registry_record,
                   data_type=o.sushi_data_type, publisher=o.sushi_publisher)

    def institution_id(self, customer_id: str) -> dict:
        return {"Proprietary": [f"{self.platform_id}:{customer_id}"]}


class Service:
    """The settings, the limiter of 1020 and the clock, for the routes."""

    def __init__(self, settings: Settings | None = None, now=time.time):
        self.settings = settings or Settings()
        self.limiter = Limiter(self.settings.min_interval)
        self.now = now
