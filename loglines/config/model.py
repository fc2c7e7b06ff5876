"""The configuration as plain typed objects, built once at start.

Secrets are kept out of ``repr`` so that logging a settings object never
prints them.
"""

import dataclasses
import functools
from dataclasses import dataclass, field
from pathlib import Path

from ..queue.backoff import Backoff
from ..queue.policy import QueuePolicy
from .options import KIND_OPTIONS, ProgramOptions
from .spec import PROCESS_KINDS


@dataclass(frozen=True)
class RedisSettings:
    name: str  # "" for [redis], "test" for [redis_test]
    host: str = "127.0.0.1"
    port: int = 6379
    db: int = 0
    password: str | None = field(default=None, repr=False)
    url: str | None = field(default=None, repr=False)
    unix_socket: str | None = None
    managed: bool = False
    bind: str = "127.0.0.1"
    data_dir: Path = Path("var/redis")
    maxmemory: str | None = None
    min_version: str = "6.2.20"  # below it, `loglines redis` warns or refuses:
    below_min_version: str = "warn"
    socket_timeout: float = 10.0
    connect_timeout: float = 5.0

    @property
    def section(self):
        return f"redis_{self.name}" if self.name else "redis"

    def describe(self):
        """Where it is, for messages; never the password."""
        if self.url:
            return "the Redis at the configured url"
        if self.unix_socket:
            return f"Redis at {self.unix_socket} db {self.db}"
        return f"Redis at {self.host}:{self.port} db {self.db}"


@dataclass(frozen=True)
class RetrySettings:
    max_attempts: int
    retry_delay: float
    retry_max_delay: float


@dataclass(frozen=True)
class QueueSettings:
    prefix: str = "loglines"
    cap: int = 1_000_000
    consumer_timeout: float = 30.0
    heartbeat_interval: float = 5.0
    block_timeout: float = 1.0
    # Dead letters hold their lines' IP addresses: purged after this (0: never).
    dead_retention_days: float = 30.0
    retry: RetrySettings = RetrySettings(64, 1.0, 3600.0)
    overrides: dict = field(default_factory=dict)  # queue name -> dict of the keys set

    def policy(self, name, retry=None):
        """The QueuePolicy of queue ``name``; ``retry`` (a worker's own
        retry keys, set ones only) wins over the deployment's defaults, and
        a [[name]] subsection of [queues] wins over both."""
        merged = {
            "cap": self.cap,
            "dead_retention_days": self.dead_retention_days,
            "max_attempts": self.retry.max_attempts,
            "retry_delay": self.retry.retry_delay,
            "retry_max_delay": self.retry.retry_max_delay,
        }
        merged.update(retry or {})
        merged.update(self.overrides.get(name, {}))
        return QueuePolicy(
            cap=merged["cap"],
            max_attempts=merged["max_attempts"],
            backoff=Backoff(base=merged["retry_delay"], cap=merged["retry_max_delay"]),
            dead_retention=merged["dead_retention_days"] * 86400,
        )


@dataclass(frozen=True)
class SupervisorSettings:
    port: str = "127.0.0.1:9001"
    username: str = "loglines"
    password: str | None = field(default=None, repr=False)
    logfile: Path = Path("var/log/supervisord.log")
    pidfile: Path = Path("var/supervisord.pid")
    childlogdir: Path = Path("var/log")
    loglevel: str = "info"
    nodaemon: bool = False


@dataclass(frozen=True)
class NotifySettings:
    """[notify]; None on Config when the section is absent (nothing is sent)."""

    webhook_url: str | None = field(default=None, repr=False)  # often holds a token
    smtp_host: str | None = None
    smtp_port: int = 25
    smtp_tls: str = "starttls"
    smtp_user: str | None = None
    smtp_password: str | None = field(default=None, repr=False)
    mail_from: str | None = None
    mail_to: tuple = ()
    notify_interval: float = 300.0
    backlog_age: float = 3600.0
    timeout: float = 30.0
    redis: str = ""
    queue: str = "notify"


def _secret_keys():
    """Keys whose value is a secret: the fields kept out of ``repr``, and
    [store] url (it may hold the database password)."""
    classes = (RedisSettings, SupervisorSettings, NotifySettings, *KIND_OPTIONS.values())
    names = {f.name for cls in classes for f in dataclasses.fields(cls) if not f.repr}
    return frozenset(names | {"url"})


#: Never repeated in a message about the configuration.
SECRET_KEYS = _secret_keys()

#: The store when [store] names none: an SQLite file in the instance.
DEFAULT_STORE = Path("var/store/loglines.sqlite3")


@dataclass(frozen=True)
class StoreSettings:
    """[store]: the database URL, a relative SQLite path made absolute
    against the instance folder (workers do not run from it). The URL is
    checked when the store is opened (``loglines.store.engine``).

    Made from what the file says and resolved when first read: SQLAlchemy
    parses it, and only the programs that open the store should import
    SQLAlchemy (every other worker would carry 25 MB of it)."""

    configured: str | None
    instance_dir: Path

    @classmethod
    def for_instance(cls, instance_dir, url=None):
        return cls(url, Path(instance_dir))

    @functools.cached_property
    def url(self) -> str:
        from sqlalchemy.engine import URL

        if self.configured is None:
            path = self.instance_dir / DEFAULT_STORE
            return URL.create("sqlite", database=str(path)).render_as_string()
        return _anchored(self.configured, self.instance_dir)

    def __eq__(self, other):
        return isinstance(other, StoreSettings) and other.url == self.url

    def __hash__(self):
        return hash(self.url)

    def __repr__(self):
        from sqlalchemy.engine import make_url
        from sqlalchemy.exc import ArgumentError

        try:
            shown = make_url(self.url).render_as_string(hide_password=True)
        except (ArgumentError, ValueError, TypeError):
            shown = "(not a URL)"
        return f"StoreSettings(url={shown!r})"


def _anchored(url, instance_dir):
    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import ArgumentError

    try:
        parsed = make_url(url)
    except (ArgumentError, ValueError, TypeError):
        return url  # opening the store reports it, naming the key
    database = parsed.database
    if parsed.get_backend_name() != "sqlite" or database in (None, "", ":memory:") \
            or parsed.query.get("uri"):
        return url
    path = Path(database).expanduser()
    if path.is_absolute():
        return url
    return parsed.set(database=str(instance_dir / path)).render_as_string(hide_password=False)


@dataclass(frozen=True)
class ProgramSection:
    """A [process_*], [logger_*] or [worker_*] section: one supervised program."""

    name: str
    kind: str
    options: ProgramOptions = field(repr=False)  # the kind's class in options.py
    # Keys the spec passes to plugins unchecked (OpenURL-shaped, plugin_*),
    # as parsed; plugins read them through PluginConfigView.
    plugin_options: dict = field(default_factory=dict, repr=False)


@dataclass(frozen=True)
class Config:
    path: Path
    instance_dir: Path
    supervisor: SupervisorSettings
    queues: QueueSettings
    redis: dict  # name -> RedisSettings ("" is [redis])
    programs: dict  # section name -> ProgramSection, in file order
    warnings: tuple = ()
    raw: dict = field(default_factory=dict, repr=False)  # section -> key -> text, for plugins
    notify: NotifySettings | None = None  # [notify], if configured
    store: StoreSettings | None = None  # [store]; None here means the default file

    def __post_init__(self):
        if self.store is None:
            object.__setattr__(self, "store", StoreSettings.for_instance(self.instance_dir))

    def resolve(self, path):
        """A path from the configuration, relative to the instance directory."""
        p = Path(path).expanduser()
        return p if p.is_absolute() else self.instance_dir / p

    def queue_policy(self, name):
        """The policy of queue ``name``, the same in every process: the retry
        keys of the section that consumes it (2010's ``pauseonfail`` is the
        backoff cap) over the [queues] defaults, under a [[name]] override."""
        retry = {}
        for program in self.programs.values():
            retry.update(program.options.retry_for(name))
        return self.queues.policy(name, retry)

    def redis_settings(self, name=""):
        return self.redis[name]

    def program(self, name):
        return self.programs[name]

    def worker_sections(self):
        """{section name: kind} of the worker programs ([logger_*], [worker_*]),
        the [process_*] ones left out."""
        return {name: p.kind for name, p in self.programs.items()
                if p.kind not in PROCESS_KINDS}

    def delivery_targets(self):
        """(section, tracker, queue, dry_run) of each pirus2 program, in file
        order: what delivers to a tracker (irus or matomo), the queue it
        reads, and whether it only writes the URLs to a file."""
        return [(name, p.options.target, p.options.listento, bool(p.options.dry_run))
                for name, p in self.programs.items() if p.kind == "pirus2"]

    def consumer_kinds(self, queue):
        """The kinds of the programs that read ``queue`` (listento)."""
        return {p.kind for p in self.programs.values()
                if getattr(p.options, "listento", None) == queue}

    def takes_bundles(self, queue):
        """Whether a producer may forward to ``queue`` in bundles
        (queue/bundle.py): when its readers are loggers only, which split
        them. Any other reader, or none known to this file, gets items."""
        return self.consumer_kinds(queue) == {"logfromqueue"}

    def queue_names(self):
        """Every queue the programs name, used yet or not (``loglines status``
        lists them all)."""
        return {name for program in self.programs.values()
                for name in program.options.queue_names()}
