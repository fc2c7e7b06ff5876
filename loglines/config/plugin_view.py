"""The configuration as 2010 plugins see it: a ConfigParser-style object.

Plugins written for the 2010 daemon call ``c.has_option(section, key)`` and
``c.get(section, key)`` on a ConfigParser; this view answers the same calls
from the values as written in the file (after ${VAR} substitution), so such
plugins run unchanged. Its values are read-only.

The view also keeps what ``loglines.usage`` builds from it for the plugins
(a section's compiled settings and log format): the pirus2 worker makes
one view at start and passes it to every plugin call, so that is built once
per worker, never per line, and two views (two workers or tests in one
process) never share it.
"""

from configparser import NoOptionError, NoSectionError

_TRUE = {"1", "yes", "true", "on"}
_FALSE = {"0", "no", "false", "off"}
_MISSING = object()


class PluginConfigView:
    def __init__(self, raw):
        self._raw = {name: dict(values) for name, values in raw.items()}
        self.built = {}  # loglines.usage.settings: what it built from this view

    def sections(self):
        return list(self._raw)

    def has_section(self, section):
        return section in self._raw

    def options(self, section):
        return list(self._section(section))

    def has_option(self, section, option):
        return option in self._raw.get(section, {})

    def get(self, section, option, *, raw=False, vars=None, fallback=_MISSING):
        values = self._raw.get(section)
        if values is None or option not in values:
            if fallback is not _MISSING:
                return fallback
            if values is None:
                raise NoSectionError(section)
            raise NoOptionError(option, section)
        value = values[option]
        return ", ".join(value) if isinstance(value, list) else str(value)

    def items(self, section):
        return [(k, self.get(section, k)) for k in self._section(section)]

    def getint(self, section, option, **kw):
        return self._convert(int, section, option, kw)

    def getfloat(self, section, option, **kw):
        return self._convert(float, section, option, kw)

    def getboolean(self, section, option, **kw):
        def boolean(text):
            lowered = text.strip().lower()
            if lowered not in _TRUE | _FALSE:
                raise ValueError(f"not a boolean: {text!r}")
            return lowered in _TRUE

        return self._convert(boolean, section, option, kw)

    def _convert(self, func, section, option, kw):
        fallback = kw.get("fallback", _MISSING)
        if fallback is not _MISSING and not self.has_option(section, option):
            return fallback
        return func(self.get(section, option))

    def _section(self, section):
        if section not in self._raw:
            raise NoSectionError(section)
        return self._raw[section]
