"""From checked sections to the typed model, with the checks that span keys."""

import dataclasses
import ipaddress
import re
from datetime import datetime
from pathlib import Path
from urllib.parse import urlsplit

from .. import kept_secret, redact
from ..embedded_redis import parse_version
from . import spec
from .model import (
    Config,
    NotifySettings,
    ProgramSection,
    QueueSettings,
    RedisSettings,
    RetrySettings,
    StoreSettings,
    SupervisorSettings,
)
from .options import options_for

_RETRY_KEYS = ("max_attempts", "retry_delay", "retry_max_delay")


def config(path, parsed, raw, kinds, problems):
    path = Path(path)
    instance_dir = path.resolve().parent
    redis = _redis(parsed, kinds, instance_dir, problems)
    queues = _queues(parsed.get("queues", {}))
    programs = {}
    for name, kind in kinds.items():
        if kind not in spec.GLOBAL_SECTIONS and kind != "redis-server":
            programs[name] = _program(name, kind, parsed[name], problems)
            _check_program(programs[name], redis, problems)
    _check_redis(redis, queues, problems)
    for name, program in programs.items():
        if program.kind == "api":
            programs[name] = _api(program, programs, problems)
    notify = _notify(parsed, redis, problems)  # before the warnings are taken
    return Config(
        path=path,
        instance_dir=instance_dir,
        supervisor=SupervisorSettings(**_present(parsed.get("supervisor", {}),
                                                  SupervisorSettings)),
        queues=queues,
        redis=redis,
        programs=programs,
        warnings=tuple(problems.warnings),
        raw={name: dict(section) for name, section in raw.items() if isinstance(section, dict)},
        notify=notify,
        store=StoreSettings.for_instance(instance_dir, parsed.get("store", {}).get("url")),
    )


def _present(section, cls):
    """The values of ``section`` that ``cls`` has a field for, None ones left out."""
    fields = cls.__dataclass_fields__
    return {
        k: Path(v) if fields[k].type is Path else v
        for k, v in section.items() if k in fields and v is not None
    }


def _redis(parsed, kinds, instance_dir, problems):
    redis = {"": RedisSettings(name="")}
    for name, kind in kinds.items():
        if kind == "redis-server":
            short = "" if name == "redis" else name[len("redis_"):]
            settings = RedisSettings(name=short, **_present(parsed[name], RedisSettings))
            redis[short] = _with_password(settings, instance_dir, problems)
    return redis


def _with_password(settings, instance_dir, problems):
    """A managed Redis always asks for a password: without a configured one,
    the one generated and kept in var/ (every process reads the same)."""
    if not settings.managed or settings.password is not None:
        return settings
    if not is_loopback(settings.bind):
        problems.add(settings.section, "bind", f"{settings.bind or 'every address'} is not "
                     "loopback: set a password (password = ${LOGLINES_REDIS_PASSWORD}) that "
                     "the clients on other machines are given")
        return settings
    secret = kept_secret.kept(instance_dir / secret_file(settings))
    return dataclasses.replace(settings, password=secret)


def secret_file(settings):
    """Where the generated password of a managed Redis is kept."""
    return Path("var") / f"{settings.section}.secret"


def _queues(section):
    overrides = {
        name: {k: v for k, v in sub.items() if v is not None}
        for name, sub in section.items() if isinstance(sub, dict)
    }
    scalars = {k: v for k, v in section.items() if not isinstance(v, dict)}
    retry = RetrySettings(*(scalars.pop(k) for k in _RETRY_KEYS)) if scalars else None
    if retry is None:
        return QueueSettings(overrides=overrides)
    return QueueSettings(retry=retry, overrides=overrides, **scalars)


def _program(name, kind, section, problems):
    declared = spec.keyed(spec.PROGRAM).keys() | spec.keyed(spec.KINDS[kind]).keys()
    options = options_for(kind, {k: v for k, v in section.items() if k in declared})
    plugin = {k: v for k, v in section.items() if k not in declared}
    command = options.command
    if command and kind in spec.SCRIPT_KINDS:
        problems.warn(name, "command", f"{command} is a 2010 script; the generated supervisord "
                      f"config runs `loglines worker {name}` instead")
    elif command and kind == "redis":
        problems.warn(name, "command", f"{command} is not used; the generated supervisord "
                      "config runs the embedded Redis (`loglines redis`) instead")
    if kind == "broker" and options.fanout_status_queue:
        problems.warn(name, "fanout_status_queue", "not needed any more: the reliable queue "
                      "keeps in-flight items itself; the key is ignored")
    return ProgramSection(name=name, kind=kind, options=options, plugin_options=plugin)


def _check_program(program, redis, problems):
    o = program.options
    if o.redis not in redis:
        problems.add(program.name, "redis", f"no [redis_{o.redis}] section")
    if program.kind == "pirus2":
        _check_pirus2(program, problems)
    if program.kind == "httpingest" and not o.password:
        problems.add(program.name, "password", "missing: the HTTP endpoint always asks for a "
                     "password (give one, e.g. password = ${LOGLINES_INGEST_PASSWORD})")
    if program.kind == "shipper":
        _check_shipper(program, problems)
    if program.kind == "broker" and o.listento in o.fanout:
        problems.add(program.name, "fanout", "a broker cannot fan out into its own queue")


def is_loopback(host):
    """Whether a listener on ``host`` is reachable from this machine only."""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False  # a host name, or '' (every address)


def _api(program, programs, problems):
    """The API section with ``stats_section`` resolved to the stats section
    whose ``statistics`` it serves (the only one, unless named)."""
    o = program.options
    if not o.password and not is_loopback(o.bind):
        problems.add(program.name, "bind", f"{o.bind or 'every address'} is not loopback: "
                     "set a password (password = ${LOGLINES_API_PASSWORD}) before the "
                     "statistics are served beyond this machine")
    if o.numprocs > 1:
        problems.add(program.name, "numprocs", "the API listens on one port: run one process "
                     "(numprocs = 1)")
    _check_sushi(program, problems)
    stats = [name for name, p in programs.items() if p.kind == "stats"]
    if o.stats_section is not None:
        if o.stats_section not in stats:
            problems.add(program.name, "stats_section", f"{o.stats_section!r} is not a section "
                         f"of kind stats (those are: {', '.join(stats) or 'none'})")
        return program
    if len(stats) != 1:
        problems.add(program.name, "stats_section",
                     f"missing: name the stats section whose statistics to serve "
                     f"({'there is none' if not stats else 'one of ' + ', '.join(stats)})")
        return program
    return dataclasses.replace(
        program, options=dataclasses.replace(o, stats_section=stats[0]))


# The forms the COUNTER_SUSHI 5.1 schema gives a platform ID (the
# namespace of a proprietary ID) and a COUNTER Registry record.
_PLATFORM_ID = re.compile(r"[a-zA-Z][a-zA-Z0-9_./]{1,17}\Z")
_REGISTRY = re.compile(r"https://registry\.projectcounter\.org/platform/"
                       r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\Z")


def _check_sushi(program, problems):
    o = program.options
    if len(o.sushi_platform.strip()) < 2:
        problems.add(program.name, "sushi_platform", "expected the platform's name, at least "
                     "two characters")
    if not _PLATFORM_ID.match(o.sushi_platform_id):
        problems.add(program.name, "sushi_platform_id", "expected 2 to 18 letters, digits, "
                     f"'_', '.' or '/', starting with a letter, got {o.sushi_platform_id!r}")
    if o.sushi_registry_record and not _REGISTRY.match(o.sushi_registry_record):
        problems.add(program.name, "sushi_registry_record", "expected "
                     "https://registry.projectcounter.org/platform/<uuid> or nothing")
    if o.sushi_api_key is not None and not o.sushi_api_key.strip():
        problems.add(program.name, "sushi_api_key", "empty: give a key, or remove the line")
    customers = [entry.partition("=") for entry in o.sushi_customers]
    ids = [c.strip() for c, _, _ in customers]
    if not customers:
        problems.add(program.name, "sushi_customers", "empty: name at least one "
                     "customer_id=Institution name")
    for customer, sep, name in customers:
        if not sep or not customer.strip() or len(name.strip()) < 2:
            problems.add(program.name, "sushi_customers", f"expected customer_id=Institution "
                         f"name (a name of two characters or more), got {customer + sep + name!r}")
    if len(set(ids)) != len(ids):
        problems.add(program.name, "sushi_customers", "a customer_id is named twice")


def _check_pirus2(program, problems):
    o = program.options
    url = o.endpoint_url
    if not url and not o.dry_run:
        problems.add(program.name, "endpoint_url", "missing (required unless dry_run = true)")
    elif url and urlsplit(url).scheme not in ("http", "https"):
        problems.add(program.name, "endpoint_url",
                     f"expected an http(s) URL, got {redact.url(url)!r}")
    if o.target == "matomo" and not o.idsite:
        problems.add(program.name, "idsite", "missing (required with target = matomo)")
    for key, queue in (("success_queue", o.success_queue), ("other_queue", o.other_queue)):
        if queue and queue == o.listento:
            problems.add(program.name, key, "cannot be the queue the worker listens to")


def _check_shipper(program, problems):
    o = program.options
    need = {"post": "url", "put": "url", "folder": "folder"}[o.target]
    if not getattr(o, need):
        problems.add(program.name, need, f"missing (required with target = {o.target})")
    if o.url and urlsplit(o.url).scheme not in ("http", "https"):
        problems.add(program.name, "url", f"expected an http(s) URL, got {redact.url(o.url)!r}")
    wanted = {"basic": ("username", "password"), "bearer": ("token",)}.get(o.auth, ())
    for key in wanted:
        if not getattr(o, key):
            problems.add(program.name, key, f"missing (required with auth = {o.auth})")
    _check_shipper_values(program, problems)


def _check_shipper_values(program, problems):
    o = program.options
    for header in o.headers:
        name, sep, _ = header.partition(":")
        if not sep or not name.strip() or any(c in header for c in "\r\n"):
            problems.add(program.name, "headers", "expected Name: value")
    if o.start:
        try:
            datetime.strptime(o.start, "%Y-%m-%d")
        except ValueError:
            problems.add(program.name, "start", f"expected a date as YYYY-MM-DD, got {o.start!r}")
    if o.period == "day" and "counter" in o.groups:
        problems.add(program.name, "period", "COUNTER reports are monthly: the counter group "
                     "needs period = month")


def _check_redis(redis, queues, problems):
    if queues.consumer_timeout < 2 * queues.heartbeat_interval:
        problems.add("queues", "consumer_timeout",
                     "must be at least twice heartbeat_interval, or live consumers look dead")
    for settings in redis.values():
        if parse_version(settings.min_version) is None:
            problems.add(settings.section, "min_version", f"expected a version such as 7.2 or "
                         f"6.2.20, got {settings.min_version!r}")
        if settings.socket_timeout <= queues.block_timeout + 1:
            problems.add(settings.section, "socket_timeout",
                         "must exceed [queues] block_timeout by more than a second, or "
                         "blocking reads time out")
        if settings.managed and (settings.url or settings.unix_socket):
            problems.add(settings.section, "managed",
                         "a managed Redis is reached by host and port; remove url/unix_socket")


def _notify(parsed, redis, problems):
    """[notify] as NotifySettings, or None when absent: then nothing is sent."""
    if "notify" not in parsed:
        return None
    values = _present(parsed["notify"], NotifySettings)
    values["mail_to"] = tuple(values.get("mail_to", ()))
    settings = NotifySettings(**values)
    if not settings.webhook_url and not settings.smtp_host:
        problems.add("notify", "webhook_url", "missing: give webhook_url or smtp_host "
                     "(or remove [notify])")
    if settings.webhook_url and urlsplit(settings.webhook_url).scheme not in ("http", "https"):
        problems.add("notify", "webhook_url", "expected an http(s) URL")
    if settings.smtp_host and not settings.mail_to:
        problems.add("notify", "mail_to", "missing (required with smtp_host)")
    if settings.smtp_user and not settings.smtp_password:
        problems.add("notify", "smtp_password", "missing (required with smtp_user; e.g. "
                     "smtp_password = ${LOGLINES_SMTP_PASSWORD})")
    if settings.smtp_user and settings.smtp_tls == "none" and not is_loopback(settings.smtp_host):
        problems.warn("notify", "smtp_tls", f"none: smtp_password goes to {settings.smtp_host} "
                      "in clear, readable on the way; use starttls or ssl")
    if settings.redis not in redis:
        problems.add("notify", "redis", f"no [redis_{settings.redis}] section")
    return settings
