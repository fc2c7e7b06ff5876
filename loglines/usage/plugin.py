"""Loading a repository plugin: a Python file in plugins/, loaded by path.

``repository_plugin`` may be a name (``eprints``: plugins/eprints.py in the
instance directory), the 2010 dotted form (``plugins.ora_utils``), or a
path to a .py file. A name or dotted form loads from plugins/ only: each
part between dots must be a Python identifier, so ``...tmp.x.evil`` cannot
become /tmp/x/evil.py. A path loads what it names, anywhere: it is written
in the configuration, whose owner decides what runs. The module gets a
private name, so nothing called ``plugins`` enters the import namespace.
"""

import hashlib
import importlib.util
import inspect
import keyword
import sys
from dataclasses import dataclass
from pathlib import Path

from ..errors import PluginError

CONTRACT = ("parseline", "get_openurl_params")
# Optional: check_config(c, worker_section) raises when the plugin's keys in
# the worker's section are wrong, so a worker stops at start with one line
# instead of dead-lettering every line.
CHECK = "check_config"


@dataclass(frozen=True)
class Plugin:
    path: Path
    module: object
    # parseline(jmsg, c, worker_section) is also told the configuration, as
    # get_openurl_params is (the shipped plugins parse with the section's
    # log_format); the 2010 parseline(jmsg) is not. Decided once, at load.
    parse_told: bool = False

    def parseline(self, jmsg, config_view, section):
        if self.parse_told:
            return self.module.parseline(jmsg, config_view, section)
        return self.module.parseline(jmsg)

    def get_openurl_params(self, config_view, section, parsed):
        return self.module.get_openurl_params(config_view, section, parsed)

    def check_config(self, config_view, section):
        check = getattr(self.module, CHECK, None)
        if callable(check):
            check(config_view, section)


def plugin_path(config, spec, where):
    spec = spec.strip()
    if spec.endswith(".py") or "/" in spec:
        return config.resolve(spec)
    name = spec[len("plugins."):] if spec.startswith("plugins.") else spec
    parts = name.split(".")
    if not all(p.isidentifier() and not keyword.iskeyword(p) for p in parts):
        raise PluginError(f"{where}: {spec!r} is not a module name in plugins/ (Python names "
                          "between dots); to load a file from elsewhere, give its path")
    return config.instance_dir / "plugins" / Path(*parts).with_suffix(".py")


def load_module(path, where):
    """The module of the file ``path``, under a private name; a PluginError
    starting with ``where`` when it fails to load."""
    digest = hashlib.sha1(str(path).encode()).hexdigest()[:10]
    module_name = f"loglines_plugin_{path.stem}_{digest}"
    try:
        spec_obj = importlib.util.spec_from_file_location(module_name, path)
        module = importlib.util.module_from_spec(spec_obj)
        sys.modules[module_name] = module  # dataclasses and pickling look here
        spec_obj.loader.exec_module(module)
    except Exception as err:
        sys.modules.pop(module_name, None)
        raise PluginError(f"{where}: {path} failed to load: {type(err).__name__}: {err}") from err
    return module


def load(config, section_name, spec):
    """The plugin named by ``spec``, or a PluginError naming file, section and key."""
    where = f"{config.path}: [{section_name}] repository_plugin"
    path = plugin_path(config, spec, where)
    if not path.is_file():
        raise PluginError(f"{where}: no plugin file {path}")
    module = load_module(path, where)
    missing = [f for f in CONTRACT if not callable(getattr(module, f, None))]
    if missing:
        raise PluginError(f"{where}: {path} has no {' or '.join(missing)}() function")
    return Plugin(path, module, parse_told=_takes_config(module.parseline))


def _takes_config(parseline):
    """Whether ``parseline`` can be called as parseline(jmsg, c, worker_section)."""
    try:
        inspect.signature(parseline).bind("jmsg", "c", "worker_section")
    except (TypeError, ValueError):  # it takes fewer, or has no signature to read
        return False
    return True
