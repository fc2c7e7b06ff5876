"""The options of each kind of program section, as typed frozen objects.

One class per kind of ``spec.KINDS``, with one field per key of the kind's
block and of ``spec.PROGRAM``: the same names, the types the checks give
(a list is a tuple here), None where the default is None. A test keeps the
fields and the spec equal, so neither can change alone. The loader builds
them once from the validated values; a worker reads ``options.timeout``,
and a mistyped name is an AttributeError, not a silent None.

Secrets (passwords, tokens, a URL that may carry credentials, the req_id
salt) are left out of ``repr``.
"""

from dataclasses import dataclass, field, fields

# The keys that name one queue each, in the order status lists them.
QUEUE_KEYS = ("listento", "pushto", "success_queue", "other_queue", "stats_queue",
              "records_queue")


def _secret():
    return field(repr=False)


@dataclass(frozen=True, slots=True, kw_only=True)
class ProgramOptions:
    """The keys of every program section: supervisord's per-program settings
    and the Redis the program talks to."""

    kind: str | None
    command: str | None
    redis: str
    autostart: bool
    autorestart: str
    numprocs: int
    priority: int | None
    startsecs: int | None
    startretries: int | None
    stopwaitsecs: int | None
    stdout_logfile: str | None
    user: str | None

    def queue_names(self):
        """The queues the program reads or writes, as ``loglines status`` lists
        them: those of its queue keys that its kind has and that are set."""
        named = (getattr(self, key, None) for key in QUEUE_KEYS)
        return (*filter(None, named), *getattr(self, "fanout", ()))

    def retry_for(self, queue):
        """The retry keys the program sets for ``queue``, the set ones only."""
        return {}


@dataclass(frozen=True, slots=True, kw_only=True)
class LogfilewatcherOptions(ProgramOptions):
    logfile: str
    servicename: str
    pushto: str
    start_at: str
    max_line_size: int
    line_start: str | None  # None: the access-log default; '': none
    batch_size: int
    readahead: int  # lines ready in the queue past which reading waits (0: no limit)
    poll_interval: float
    state_dir: str


@dataclass(frozen=True, slots=True, kw_only=True)
class LogfromqueueOptions(ProgramOptions):
    listento: str
    logfile: str
    batch_size: int
    retention_days: float  # the lines hold IP addresses; 0: kept (rotate them yourself)


@dataclass(frozen=True, slots=True, kw_only=True)
class BrokerOptions(ProgramOptions):
    listento: str
    fanout: tuple[str, ...]
    fanout_status_queue: str | None  # 2010's; ignored, with a warning
    idletime: float
    batch_size: int


@dataclass(frozen=True, slots=True, kw_only=True)
class Pirus2Options(ProgramOptions):
    listento: str
    repository_plugin: str
    endpoint_url: str | None = _secret()
    success: tuple[int, ...]
    failure_body: str | None
    timeout: float
    timeout_ceiling: float | None
    connect_timeout: float
    pauseonfail: float | None
    ratelimit: float
    concurrency: int
    success_queue: str | None
    other_queue: str | None
    stats_queue: str | None  # where each evaluated line's record goes, for the stats worker
    dry_run: bool
    dry_run_file: str
    debug: bool
    batch_size: int
    target: str
    idsite: int | None
    token_auth: str | None = _secret()
    bulk_size: int
    # Read by the plugins, from the values as written (loglines.usage.settings);
    # here as the loader checked them.
    oai_prefix: str | None
    base_url: str | None
    req_id: str
    req_id_salt: str | None = _secret()
    trusted_proxies: tuple[str, ...]
    log_format: str
    exclude_user_agents: tuple[str, ...]
    exclude_ips: tuple[str, ...]
    earliest_event_year: int
    future_tolerance: float
    dspace_rest_url: str | None
    lookup_timeout: float
    exclude_datastreams: tuple[str, ...]
    request_pattern: str | None
    investigation_pattern: str | None
    id_pattern: str | None
    max_attempts: int | None
    retry_delay: float | None
    retry_max_delay: float | None

    def longest_read(self):
        """How long the read timeout may grow while the tracker answers late:
        ``timeout_ceiling``, twice ``timeout`` unless set, never below it."""
        if self.timeout_ceiling is None:
            return 2 * self.timeout
        return max(self.timeout, self.timeout_ceiling)

    def retry_for(self, queue):
        """2010's ``pauseonfail`` is the backoff cap; the retry keys win over it."""
        if queue != self.listento:
            return {}
        retry = {} if self.pauseonfail is None else {"retry_max_delay": self.pauseonfail}
        keys = {"max_attempts": self.max_attempts, "retry_delay": self.retry_delay,
                "retry_max_delay": self.retry_max_delay}
        retry.update({k: v for k, v in keys.items() if v is not None})
        return retry


@dataclass(frozen=True, slots=True, kw_only=True)
class HttpingestOptions(ProgramOptions):
    pushto: str
    servicename: str
    bind: str
    port: int
    username: str
    password: str | None = _secret()
    max_body: int
    max_line_size: int
    read_timeout: float
    header_timeout: float
    max_connections: int
    records_queue: str | None  # where records go to be kept; None: not kept
    users: str | None = _secret()  # record users (loglines.records.users), inline
    users_file: str | None  # or in a file only the service may read


@dataclass(frozen=True, slots=True, kw_only=True)
class SyslogdOptions(ProgramOptions):
    servicename: str
    pushto: str
    port: int
    bind: str
    protocols: tuple[str, ...]
    service_by_tag: tuple[str, ...]
    token: str | None = _secret()
    max_line_size: int
    recv_size: int
    cleanup_timeout: float
    max_connections: int
    queued_events: int
    batch_size: int
    batch_timeout: float


@dataclass(frozen=True, slots=True, kw_only=True)
class StatsOptions(ProgramOptions):
    listento: str
    statistics: tuple[str, ...]  # built-in names ('builtin': all), or files in plugins/
    batch_size: int
    flush_interval: float  # the longest a line waits to be stored when few come


@dataclass(frozen=True, slots=True, kw_only=True)
class RecordsOptions(ProgramOptions):
    listento: str
    batch_size: int
    flush_interval: float
    retention_days: float  # 0: records are kept until purged by hand
    purge_every: float  # seconds between two retention passes
    purge_batch: int  # rows deleted per transaction
    own_warnings: bool  # every program's WARNING and above kept as records too


@dataclass(frozen=True, slots=True, kw_only=True)
class MetricsOptions(ProgramOptions):
    bind: str
    port: int


@dataclass(frozen=True, slots=True, kw_only=True)
class ApiOptions(ProgramOptions):
    bind: str
    port: int
    username: str
    password: str | None = _secret()  # None: reads are open (loopback only)
    stats_section: str | None  # the [worker_*] of kind stats; the loader fills in the only one
    users: str | None = _secret()  # record readers and writers (loglines.records.users)
    users_file: str | None
    # COUNTER_SUSHI 5.1 (loglines.api.sushi.Settings reads them).
    sushi_platform: str
    sushi_platform_id: str
    sushi_customers: tuple[str, ...]  # customer_id=Institution name
    sushi_requestors: tuple[str, ...]
    sushi_api_key: str | None = _secret()
    sushi_min_interval: float
    sushi_registry_record: str
    sushi_data_type: str
    sushi_publisher: str


@dataclass(frozen=True, slots=True, kw_only=True)
class ShipperOptions(ProgramOptions):
    listento: str  # the queue of ship jobs, one per package
    target: str  # post, put or folder
    url: str | None = _secret()  # the ingress; may carry credentials
    folder: str | None
    auth: str
    username: str | None
    password: str | None = _secret()
    token: str | None = _secret()
    content_type: str
    field: str
    headers: tuple[str, ...] = _secret()  # "Name: value"; a value may be a key
    report_id_field: str
    timeout: float
    collectors: tuple[str, ...]  # 'builtin', or files in plugins/
    groups: tuple[str, ...]  # the shipping groups this section ships
    period: str
    start: str | None  # YYYY-MM-DD: where collectors with no record begin
    settle: float  # seconds after a period's end before it is gathered
    interval: float  # seconds between two looks for a finished period
    max_package_bytes: int
    work_dir: str
    api_section: str | None  # whose sushi_ settings the COUNTER reports use
    max_attempts: int | None
    retry_delay: float | None
    retry_max_delay: float | None

    def retry_for(self, queue):
        if queue != self.listento:
            return {}
        keys = {"max_attempts": self.max_attempts, "retry_delay": self.retry_delay,
                "retry_max_delay": self.retry_max_delay}
        return {k: v for k, v in keys.items() if v is not None}


@dataclass(frozen=True, slots=True, kw_only=True)
class CommandOptions(ProgramOptions):
    command: str  # required for a program of the user's own


@dataclass(frozen=True, slots=True, kw_only=True)
class RedisProgramOptions(ProgramOptions):
    """[process_redis]: the embedded Redis has only the common keys."""


KIND_OPTIONS = {
    "logfilewatcher": LogfilewatcherOptions,
    "logfromqueue": LogfromqueueOptions,
    "broker": BrokerOptions,
    "pirus2": Pirus2Options,
    "httpingest": HttpingestOptions,
    "syslogd": SyslogdOptions,
    "stats": StatsOptions,
    "records": RecordsOptions,
    "metrics": MetricsOptions,
    "api": ApiOptions,
    "shipper": ShipperOptions,
    "command": CommandOptions,
    "redis": RedisProgramOptions,
}


def options_for(kind, values):
    """The options object of a ``kind`` section from its validated ``values``
    (every key of the kind present); lists become tuples."""
    cls = KIND_OPTIONS[kind]
    return cls(**{f.name: tuple(v) if isinstance(v := values[f.name], list) else v
                  for f in fields(cls)})
