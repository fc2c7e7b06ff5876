"""The pirus2 stage: decides with the plugin which lines are usage events and
delivers each to the tracker (IRUS OpenURL over HTTP GET).

Per batch: every item is evaluated by the plugin, the events are sent with
several requests in flight, then each item is settled: delivered (acked,
copied to success_queue), not an event (acked, copied to other_queue),
temporarily failed (parked with backoff; the worker goes on with other
items), or permanently failed (dead-lettered with the reason).
"""


import contextlib
import functools
import re
import time
from typing import NamedTuple

from ..config import PluginConfigView
from ..queue import Failure
from ..runtime.producer import CapWatch, wait_for_room
from ..usage import plugin as plugins
from ..usage.evaluate import IMPLAUSIBLE_TIME
from ..usage.item import BadItem, evaluate
from ..usage.record import stats_bundle, stats_payload
from .delivery import MatomoClient, TrackerClient
from .delivery.outcome import FAILURE_BODY, REDIRECT_STATUS


@functools.lru_cache(maxsize=1024)
def _counter_name(prefix, reason):
    """A bounded, tidy counter name from a plugin's reason text."""
    reason = reason.split(":", 1)[0]
    return f"{prefix}_" + re.sub(r"[^a-z0-9]+", "_", reason.lower()).strip("_")[:40]


def delivery_client(o, dry_run_file):
    """The client of the section's target: IRUS (one GET per event) or Matomo
    (bulk POSTs, for OpenAIRE UsageCounts)."""
    endpoint = o.endpoint_url or "http://dry-run.invalid/"
    common = dict(timeout=o.timeout, connect_timeout=o.connect_timeout,
                  dry_run_file=dry_run_file, timeout_ceiling=o.longest_read())
    if o.target == "matomo":
        return MatomoClient(endpoint, idsite=o.idsite, token_auth=o.token_auth,
                            bulk_size=o.bulk_size, concurrency=o.concurrency, **common)
    failure_body = FAILURE_BODY["irus"] if o.failure_body is None else o.failure_body
    return TrackerClient(endpoint, accepted_status=o.success, concurrency=o.concurrency,
                         ratelimit=o.ratelimit, failure_body=failure_body, **common)


class Forward(NamedTuple):
    """Where a success_queue or other_queue key sends what is acknowledged."""

    queues: list
    bundle: bool  # as one bundle per acknowledgement (config.takes_bundles)


def forwarding(ctx, name):
    if not name:
        return Forward([], False)
    return Forward([ctx.queue(name)], ctx.config.takes_bundles(name))


class Settle:
    """What happens to each item of a batch, collected, then done in 4 calls."""

    def __init__(self):
        self.delivered, self.other, self.failures = [], [], []

    def apply(self, ctx, queue, success, other):
        """``success`` and ``other``: Forward."""
        cid = ctx.consumer_id
        if self.delivered:
            ctx.call(queue.ack, cid, self.delivered, forward_to=success.queues,
                     bundle=success.bundle)
        if self.other:
            ctx.call(queue.ack, cid, self.other, forward_to=other.queues, bundle=other.bundle)
        if self.failures:
            _, dead = ctx.call(queue.fail, cid, self.failures)
            ctx.notify_dead(queue.name, dead, self.failures[0].error)


class Pirus2:
    def __init__(self, ctx):
        o = ctx.section.options
        self.ctx = ctx
        self.plugin = plugins.load(ctx.config, ctx.section.name, o.repository_plugin)
        # Every plugin call gets this view; the plugin's settings are built on
        # it here (check_config), once for this worker, and kept there.
        self.view = PluginConfigView(ctx.config.raw)
        self.plugin.check_config(self.view, ctx.section.name)
        self.queue = ctx.queue(o.listento)
        # A logger's queue takes a bundle per ack: a thousand lines for the
        # queue's cost of one (config.takes_bundles, queue/bundle.py).
        self.success = forwarding(ctx, o.success_queue)
        self.other = forwarding(ctx, o.other_queue)
        self.stats = ctx.queue(o.stats_queue) if o.stats_queue else None
        self.dry_run_file = None
        if o.dry_run:
            self.dry_run_file = ctx.config.resolve(o.dry_run_file)
            self.dry_run_file.parent.mkdir(parents=True, exist_ok=True)
        self.client = delivery_client(o, self.dry_run_file)
        self.last_warning = 0.0
        self.redirect_told = False
        self.late_told = False
        self.downstream = CapWatch(ctx.log, "waiting for room", "fetching again")

    def handle(self, items):
        """Settle the non-events of a batch at once, then deliver its events,
        acknowledging them in small groups as they are answered while the
        next requests are in flight: a worker killed mid-batch repeats only
        the events in flight and those answered since the last group, not
        the whole batch (the tracker sees few duplicates)."""
        self.ctx.counters.add("fetched", len(items))
        settle = Settle()
        records = [] if self.stats is not None else None
        events = self.evaluate_all(items, settle, records)
        if records:
            # Before any item is acknowledged: a crash in between repeats
            # records, which the store keeps once (their keys).
            self.ctx.call(self.stats.push, [stats_bundle(records)], past_cap=True)
        self.settle(settle)
        unsent = {item.id: item for item, _ in events}
        with contextlib.closing(self.client.stream(events, stop=self.ctx.stop)) as groups:
            for outcomes in groups:
                settle = Settle()
                self.settle_outcomes(outcomes, settle, unsent)
                self.settle(settle)
                self.tell_lateness()
        if unsent:  # asked to stop before these were sent: back to ready, no attempt lost
            self.ctx.call(self.queue.release, self.ctx.consumer_id, list(unsent))

    def evaluate_all(self, items, settle, records=None):
        """The events of ``items`` with their parameters; the other items'
        fates go in ``settle``, and each line's statistics record in
        ``records`` when it is a list."""
        events = []
        for item in items:
            try:
                result = evaluate(self.plugin, self.view, self.ctx.section.name, item.payload)
            except BadItem as err:
                settle.failures.append(Failure(item, str(err), permanent=not err.temporary))
                continue
            if result.params is None and result.rejected:
                if result.rejected_kind == IMPLAUSIBLE_TIME:
                    reason, counter = result.rejected, "rejected_implausible_time"
                else:
                    reason, counter = f"unparseable line: {result.rejected}", "rejected_unparseable"
                settle.failures.append(Failure(item, reason, permanent=True))
                self.ctx.counters.add(counter)
            elif result.params is None:
                settle.other.append(item.id)
                self.ctx.counters.add(_counter_name("excluded", result.exclusion or "other"))
            else:
                events.append((item, result.params))
            if records is not None and not result.rejected:
                records.append(stats_payload(result.fields, result.parsed, result.params))
        return events

    def settle_outcomes(self, outcomes, settle, unsent):
        observe = self.ctx.counters.observe
        for outcome in outcomes:
            item = outcome.key
            del unsent[item.id]
            if outcome.seconds is not None:
                observe("delivery_seconds", outcome.seconds)
            if outcome.status in REDIRECT_STATUS and not self.redirect_told:
                self.redirect_told = True  # the endpoint's fault: once, not per event
                self.ctx.log.warning("%s", outcome.error)
            if outcome.ok:
                settle.delivered.append(item.id)
            else:
                settle.failures.append(Failure(item, outcome.error,
                                               permanent=not outcome.temporary))

    def tell_lateness(self):
        """Once when answers start coming late, once when they are on time again."""
        late = self.client.late
        if late is None or late.holding_back == self.late_told:
            return
        self.late_told = late.holding_back
        if late.holding_back:
            self.ctx.counters.add("late_spells")
            self.ctx.log.warning(
                "the tracker answers late (%.1f s, over timeout = %g s): each answer is "
                "waited for up to %g s (timeout_ceiling), with fewer requests in flight",
                late.slowest, late.timeout, late.ceiling)
        else:
            self.ctx.log.info("the tracker answers within timeout again: %d requests in "
                              "flight", late.concurrency)

    def settle(self, settle):
        """Do what ``settle`` collected, then count it."""
        settle.apply(self.ctx, self.queue, self.success, self.other)
        self.count(settle)

    def count(self, settle):
        c = self.ctx.counters
        permanent = sum(f.permanent for f in settle.failures)
        temporary = len(settle.failures) - permanent
        c.add("delivered", len(settle.delivered))
        c.add("not_events", len(settle.other))
        c.add("failed_temporary", temporary)
        c.add("failed_permanent", permanent)
        if settle.failures and time.monotonic() - self.last_warning > 30:
            self.last_warning = time.monotonic()
            self.ctx.log.warning("%d temporary and %d permanent failures; first: %s",
                                 temporary, permanent, settle.failures[0].error)

    def room_downstream(self):
        """Fetch nothing while a queue this worker copies into is at its cap."""
        stats = [self.stats] if self.stats is not None else []
        return wait_for_room(self.ctx, self.success.queues + self.other.queues + stats,
                             self.downstream)
