"""Load loglines.cfg: parse, check against the spec, build the typed model.

Every problem becomes one line naming the file, the section and the key;
all of them are gathered and raised together as a ConfigError.
"""

import difflib
import os
import re
from pathlib import Path

from configobj import ConfigObj, ConfigObjError, get_extra_values
from validate import Validator

from ..errors import ConfigError
from . import build, secret_values, spec
from .checks import FUNCTIONS, describe
from .model import SECRET_KEYS

# Program sections become supervisord [program:NAME] sections and file names.
_SECTION_NAME = re.compile(r"^[A-Za-z0-9_.\-]+$")
_ENV_REF = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)\}")


class _Problems:
    def __init__(self, path):
        self.path = path
        self.lines = []
        self.warnings = []

    def add(self, section, key, message):
        where = f"[{section}]" if section else "(top of file)"
        if key:
            where += f" {key}"
        self.lines.append(f"{self.path}: {where}: {message}")

    def warn(self, section, key, message):
        self.warnings.append(f"{self.path}: [{section}] {key}: {message}")


def load(path, environ=None):
    """Read and check ``path``; returns a Config or raises ConfigError."""
    path = Path(path)
    environ = os.environ if environ is None else environ
    problems = _Problems(path)
    parsed = _parse(path, problems, list_values=True)
    if problems.lines:
        raise ConfigError(problems.lines)
    # Values as written, for 2010 plugins; configobj cannot read some quoted
    # lists that way, and then the parsed values stand in for them.
    raw = _parse(path, _Problems(path), list_values=False) or parsed.dict()
    _interpolate(parsed, environ, problems)
    _interpolate(raw, environ, _Problems(path))  # its problems are parsed's too
    secret_values.check(path, parsed, environ, problems)
    kinds = _kinds(parsed, problems)
    _validate(parsed, kinds, problems)
    if problems.lines:
        raise ConfigError(problems.lines)
    config = build.config(path, parsed, raw, kinds, problems)
    if problems.lines:
        raise ConfigError(problems.lines)
    return config


def _parse(path, problems, list_values):
    try:
        return ConfigObj(
            str(path), file_error=True, interpolation=False, list_values=list_values,
            encoding="utf-8",
        )
    except OSError as err:
        if not path.exists():
            problems.lines.append(f"{path}: no such file (give another with --config FILE)")
            return None
        problems.lines.append(f"{path}: cannot read the file: {err.strerror or err}")
    except UnicodeDecodeError as err:
        problems.lines.append(f"{path}: not UTF-8 text ({err.reason} at byte {err.start})")
    except ConfigObjError as err:
        for e in getattr(err, "errors", None) or [err]:
            message = re.sub(r" at line \d+\.?$", "", e.msg).rstrip(".")
            problems.lines.append(f"{path}: line {getattr(e, 'line_number', '?')}: {message}")
    return None


def _interpolate(section, environ, problems, names=()):
    """Replace ${NAME} by the environment's NAME: how secrets stay out of the file."""
    if section is None:
        return
    for key, value in list(section.items()):
        if isinstance(value, dict):
            _interpolate(value, environ, problems, (*names, key))
            continue
        values = value if isinstance(value, list) else [value]
        for ref in {ref for v in values for ref in _ENV_REF.findall(v)}:
            if ref not in environ:
                problems.add(".".join(names), key, f"environment variable {ref} is not set")
        subbed = [_substitute(v, environ) for v in values]
        section[key] = subbed if isinstance(value, list) else subbed[0]


def _substitute(text, environ):
    return _ENV_REF.sub(lambda match: environ.get(match.group(1), ""), text)


def _kinds(parsed, problems):
    """The kind of every section; unknown sections and stray keys are problems."""
    kinds = {}
    for key in parsed.scalars:
        problems.add("", key, "a key outside any section")
    for name in parsed.sections:
        kind = _section_kind(name, parsed[name], problems)
        if kind:
            kinds[name] = kind
    return kinds


def _section_kind(name, section, problems):
    if name in spec.GLOBAL_SECTIONS:
        return name
    if name == "redis" or name.startswith("redis_"):
        return "redis-server"
    if not _SECTION_NAME.match(name):
        problems.add(name, "", "a section name may hold only letters, digits, '_', '.' and '-'")
        return None
    if not name.startswith(spec.PROGRAM_PREFIXES):
        problems.add(name, "", "unknown section (expected [supervisor], [queues], [notify], "
                     "[store], [redis], [redis_NAME], [process_NAME], [logger_NAME] or "
                     "[worker_NAME])")
        return None
    kind = section.get("kind") or _guess_kind(name, section)
    allowed = _allowed_kinds(name)
    if kind is None:
        problems.add(name, "kind", f"missing: cannot tell what this program is; set kind = "
                     f"one of {', '.join(allowed)}")
    elif kind not in allowed:
        problems.add(name, "kind", f"expected one of {', '.join(allowed)}, got {kind!r}")
        return None
    return kind


def _allowed_kinds(name):
    if name.startswith("process_"):
        return list(spec.PROCESS_KINDS)
    return [k for k in spec.KINDS if k not in spec.PROCESS_KINDS]


def _guess_kind(name, section):
    if name == "process_redis":
        return "redis"
    if name.startswith("process_"):
        return "command"
    script = Path(str(section.get("command") or "")).stem
    if script in spec.SCRIPT_KINDS:
        return spec.SCRIPT_KINDS[script]
    for key, kind in (("fanout", "broker"), ("repository_plugin", "pirus2"),
                      ("endpoint_url", "pirus2"), ("pushto", "logfilewatcher")):
        if key in section:
            return kind
    if "listento" in section and "logfile" in section:
        return "logfromqueue"
    return None


def _spec_lines(kinds):
    lines = []
    for name, kind in kinds.items():
        lines.append(f"[{name}]")
        if kind in spec.GLOBAL_SECTIONS:
            block = spec.GLOBAL_SECTIONS[kind].replace("[__many__]", "[[__many__]]")
            lines += block.splitlines()
        elif kind == "redis-server":
            lines += spec.REDIS.splitlines()
        else:
            merged = spec.keyed(spec.PROGRAM) | spec.keyed(spec.KINDS[kind])
            lines += [f"{k} = {v}" for k, v in merged.items()]
    return lines


def _validate(parsed, kinds, problems):
    parsed.configspec = ConfigObj(_spec_lines(kinds), list_values=False, _inspec=True)
    specs = parsed.configspec
    result = parsed.validate(Validator(FUNCTIONS), preserve_errors=True, copy=False)
    _report_failures(parsed, specs, result, kinds, problems)
    for path, key in get_extra_values(parsed):
        section = ".".join(path)
        top = path[0] if path else key
        if kinds.get(top) == "pirus2" and len(path) == 1 and key.startswith(
                spec.PLUGIN_KEY_PREFIXES):
            continue
        _unknown(problems, section, key, specs, path, kinds)


def _report_failures(parsed, specs, result, kinds, problems, names=()):
    if result is True:
        return
    for key, outcome in result.items():
        if outcome is True:
            continue
        if isinstance(outcome, dict):
            _report_failures(parsed[key], specs[key], outcome, kinds, problems, (*names, key))
        elif outcome is False:
            kind = kinds.get(names[0], "") if names else ""
            problems.add(".".join(names), key, f"missing (required in a {kind} section)")
        else:
            problems.add(".".join(names), key, describe(specs[key], parsed.get(key), outcome,
                                                        secret=key in SECRET_KEYS))


def _unknown(problems, section, key, specs, path, kinds):
    if not path:
        return  # a whole unknown section: reported when its kind was decided
    known = list(specs[path[0]].keys()) if path[0] in specs else []
    hint = difflib.get_close_matches(key, known, n=1)
    suggestion = f" (did you mean {hint[0]!r}?)" if hint else ""
    kind = kinds.get(path[0], "")
    what = "unknown key" if len(path) == 1 else "unknown key in a subsection"
    problems.add(section, key, f"{what} for a {kind} section{suggestion}")
