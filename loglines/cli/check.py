"""loglines check: is loglines.cfg right, and is the store ready? Problems
with the file are raised by loading it; every plugin the file names is
loaded and asked to check its settings, as its worker would at start; a
log path that matches no file is warned about; the store is only read."""

import glob
import os

from ..config import PluginConfigView
from ..errors import ConfigError, PluginError
from ..store import migrate
from ..usage import plugin as plugins
from .context import out
from .help_text import examples
from .store import exit_code, line, opened


def add_parser(subparsers):
    p = subparsers.add_parser("check", help="validate the configuration file, its plugins, "
                              "its log paths and the store",
                              epilog=examples("loglines check",
                                              "loglines check --config /srv/loglines/loglines.cfg"))
    p.set_defaults(handler=run, needs_context=True)


def plugin_problems(config):
    """One line per pirus2 section whose plugin would stop its worker at
    start: a file that is not there or does not load, or settings its
    ``check_config`` refuses."""
    view = PluginConfigView(config.raw)
    problems = []
    for name, program in config.programs.items():
        if program.kind != "pirus2":
            continue
        try:
            plugins.load(config, name, program.options.repository_plugin) \
                .check_config(view, name)
        except PluginError as err:
            problems.append(str(err))
        except ConfigError as err:
            problems.extend(err.problems)
        except Exception as err:  # a plugin's own check failing is its worker failing
            problems.append(f"{config.path}: [{name}] repository_plugin: check_config "
                            f"failed: {type(err).__name__}: {err}")
    return problems


def log_path_warnings(config):
    """A tailer whose file or glob matches nothing follows nothing, silently
    until a file appears: likely a wrong path, or a user not allowed to read
    it (not in the adm group for /var/log/apache2), so say which."""
    warnings = []
    for name, program in config.programs.items():
        if program.kind != "logfilewatcher":
            continue
        path = str(config.resolve(program.options.logfile))
        where = f"{config.path}: [{name}] logfile {path}"
        found, problem = _matches(path)
        if problem:
            warnings.append(f"{where}: {problem} (the tailer waits for it, reading nothing)")
        warnings.extend(f"{config.path}: [{name}] logfile {f}: not readable by this user"
                        for f in found if os.path.isfile(f) and not os.access(f, os.R_OK))
    return warnings


def _matches(path):
    """The files ``path`` (a file or a glob) names, and why there are none."""
    if glob.has_magic(path):
        found = glob.glob(path)
        folder = _fixed_part(path)
        if not found and os.path.isdir(folder) and not os.access(folder, os.R_OK | os.X_OK):
            return [], f"its folder {folder} is closed to this user"
        return found, None if found else "no file matches"
    try:
        os.stat(path)
    except FileNotFoundError:
        return [], "no such file"
    except PermissionError:
        return [], "a folder above it is closed to this user"
    return [path], None


def _fixed_part(pattern):
    """The folder of a glob above its first wildcard."""
    parts = []
    for part in pattern.split(os.sep):
        if glob.has_magic(part):
            break
        parts.append(part)
    return os.sep.join(parts) or os.sep


def run(ctx):
    config = ctx.config
    problems = plugin_problems(config)
    if problems:
        raise ConfigError(problems)
    kinds = {}
    for program in config.programs.values():
        kinds.setdefault(program.kind, []).append(program.name)
    # Opened first: a wrong [store] url is a configuration error, reported
    # before anything reads as ok.
    with opened(ctx) as engine:
        out(f"{config.path}: ok")
        for kind, names in sorted(kinds.items()):
            out(f"  {kind}: {', '.join(names)}")
        for warning in log_path_warnings(config):
            out(f"WARNING: {warning}")
        state = migrate.state(engine)
        out(f"  {line(engine, state)}")
    return exit_code(state)
