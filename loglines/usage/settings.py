"""A plugin's settings, read from the worker's section once, not per line.

Plugins get ``c``, a ConfigParser-style object (``has_option``/``get``),
whose values are the text written in loglines.cfg: lists are still
``a, b, "c,d"`` and quoted values still quoted. ``Reader`` turns them into
Python values with configobj's own rules, and every key has a default, so a
plugin also works with a bare ConfigParser that has none of them.

Compiled regexes and networks are built once per section and kept on the
view ``c`` the worker made at start (``PluginConfigView.built``), not here:
a plugin runs once per line, tens of thousands of times a second, and gets
only ``c`` and the section's name. A ``c`` with no such place (a bare
ConfigParser, in a plugin's own tests) gets them built at every call.
"""

from dataclasses import dataclass, field
from typing import NamedTuple
from urllib.parse import urlsplit

from configobj import ConfigObj

from ..config.plugin_view import PluginConfigView
from ..errors import ConfigError
from .client_ip import ClientIP
from .irus import REQ_ID_MODES
from .logformat import LogFormat, compile_format
from .robots import RobotFilter, compile_networks, compile_patterns
from .timestamps import TimeWindow

# The defaults of the keys every default plugin reads; the pirus2 block of
# loglines/config/spec.py declares the same (a test keeps the two equal).
DEFAULTS = {
    "oai_prefix": None,  # host of base_url
    "base_url": None,  # https://<the message's service>
    "rfr_id": None,  # host of base_url
    "req_id": "ip",
    "req_id_salt": None,
    "trusted_proxies": [],
    "log_format": "combined",
    "exclude_user_agents": [],
    "exclude_ips": [],
    # The plausible event times: a line dated before this year (no
    # repository log is older than the web), or further ahead than this many
    # seconds (a wrong clock), is dead-lettered, not sent.
    "earliest_event_year": 1995,
    "future_tolerance": 3600.0,
}


def _configobj_value(text):
    """``text`` as configobj reads a value: unquoted, or a list if it has commas."""
    try:
        return ConfigObj([f"v = {text}"], list_values=True, interpolation=False)["v"]
    except Exception:  # any value configobj cannot read is used as written
        return None


class Reader:
    """Typed values of one section of ``c``, with defaults."""

    def __init__(self, c, section):
        self.c, self.section = c, section

    def where(self, key):
        return f"[{self.section}] {key}"

    def _raw(self, key):
        if not self.c.has_option(self.section, key):
            return None
        try:  # raw: a log format is full of % that ConfigParser would interpolate
            return self.c.get(self.section, key, raw=True)
        except TypeError:
            return self.c.get(self.section, key)

    def text(self, key, default=None):
        value = self._raw(key)
        if isinstance(value, (list, tuple)):
            value = ", ".join(map(str, value))
        if value is None or not str(value).strip():
            return default
        parsed = _configobj_value(value)
        return parsed if isinstance(parsed, str) else str(value).strip()

    def list(self, key, default=()):
        value = self._raw(key)
        if value is None:
            return list(default)
        if isinstance(value, str):
            parsed = _configobj_value(value)
            if parsed is None:
                parsed = value.split(",")
            value = [parsed] if isinstance(parsed, str) else parsed
        return [str(v).strip() for v in value if str(v).strip()]

    def url(self, key):
        """An http(s) URL with a host, or None when the key is not set."""
        value = self.text(key)
        if value is None:
            return None
        try:
            parts = urlsplit(value)
            ok = parts.scheme in ("http", "https") and bool(parts.hostname)
        except ValueError:
            ok = False
        if not ok:
            raise ConfigError(f"{self.where(key)}: expected an http(s) URL, got {value!r}")
        return value.rstrip("/")

    def number(self, key, default):
        value = self.text(key)
        try:
            return default if value is None else float(value)
        except ValueError:
            raise ConfigError(f"{self.where(key)}: expected a number, got {value!r}") from None

    def choice(self, key, choices, default):
        value = self.text(key, default)
        if value not in choices:
            raise ConfigError(f"{self.where(key)}: expected one of {', '.join(choices)}, "
                              f"got {value!r}")
        return value


class Site(NamedTuple):
    base_url: str
    rfr_id: str
    oai_prefix: str


@dataclass(frozen=True)
class Settings:
    section: str
    log_format: LogFormat
    client_ip: ClientIP
    robots: RobotFilter
    req_id: str
    req_id_salt: str
    base_url: str | None
    rfr_id: str | None
    oai_prefix: str | None
    window: "TimeWindow | None" = None
    extra: object = None  # what the plugin's own builder made of its keys
    _sites: dict = field(default_factory=dict, repr=False)

    def site(self, service):
        """Base URL, rfr_id and OAI prefix for a line of ``service``: the
        configured ones, else derived from the service name (https)."""
        site = self._sites.get(service)
        if site is None:
            site = self._site(service)
            if len(self._sites) > 1000:  # services come from messages: keep it bounded
                self._sites.clear()
            self._sites[service] = site
        return site

    def _site(self, service):
        name = service.strip() if isinstance(service, str) else ""
        base = self.base_url or (f"https://{name}" if name else None)
        if base is None:
            return None
        try:
            host = urlsplit(base).hostname or name
        except ValueError:  # a service name like "[junk": keep it as it is
            host = name
        return Site(base.rstrip("/"), self.rfr_id or host, self.oai_prefix or host)


# PluginConfigView.built maps a section's name to its LogFormat, and
# (section, build_extra) to its Settings. Both are read once per line, so
# they are looked up directly: an exception only when not built yet, or when
# ``c`` keeps nothing.


def _keep(c, key, value):
    if isinstance(c, PluginConfigView):
        c.built[key] = value
    return value


def log_format_for(c, section):
    """The compiled ``log_format`` of ``section``, built once per view."""
    try:
        return c.built[section]
    except (AttributeError, KeyError):
        pass
    r = Reader(c, section)
    return _keep(c, section, compile_format(r.text("log_format", DEFAULTS["log_format"]),
                                            r.where("log_format")))


def _build(c, section, build_extra):
    r = Reader(c, section)
    mode = r.choice("req_id", REQ_ID_MODES, DEFAULTS["req_id"])
    salt = r.text("req_id_salt", DEFAULTS["req_id_salt"])
    if mode == "hash" and not salt:
        raise ConfigError(f"{r.where('req_id_salt')}: required when req_id = hash "
                          "(a secret, e.g. ${LOGLINES_REQ_ID_SALT})")
    robots = RobotFilter(
        compile_patterns(r.list("exclude_user_agents"), r.where("exclude_user_agents")),
        compile_networks(r.list("exclude_ips"), r.where("exclude_ips")))
    return Settings(
        section=section,
        log_format=log_format_for(c, section),
        client_ip=ClientIP(compile_networks(r.list("trusted_proxies"),
                                            r.where("trusted_proxies"))),
        robots=robots, req_id=mode, req_id_salt=salt or "",
        base_url=r.url("base_url"), rfr_id=r.text("rfr_id"), oai_prefix=r.text("oai_prefix"),
        window=TimeWindow(int(r.number("earliest_event_year", DEFAULTS["earliest_event_year"])),
                          r.number("future_tolerance", DEFAULTS["future_tolerance"])),
        extra=build_extra(r) if build_extra else None,
    )


def settings_for(c, section, build_extra=None):
    """The Settings of ``section``, built at the first call for the view ``c``
    (the plugin's check_config, when the worker starts) and kept on it;
    ``build_extra(reader)`` makes the plugin's own part. ConfigError on a bad value."""
    try:
        return c.built[section, build_extra]
    except (AttributeError, KeyError):
        pass
    return _keep(c, (section, build_extra), _build(c, section, build_extra))
