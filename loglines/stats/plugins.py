"""Finding the statistics a stats worker keeps: built-in ones by name
(``builtin``: all of them), others as files in plugins/ (``statistics =
builtin, plugins/downloads_by_service.py`` or just ``downloads_by_service``).

A statistic that cannot be used is reported with its file and the reason,
and the others are kept: one broken file never stops the statistics."""

from ..errors import PluginError
from ..usage.plugin import load_module, plugin_path
from .builtin import BUILTIN
from .statistic import BadStatistic, Statistic

_ATTRIBUTES = ("name", "description", "fields", "period", "key")


def load(config, section_name, names):
    """(statistics, problems): the usable ones, and one line per other."""
    found, problems = {}, []
    where = f"{config.path}: [{section_name}] statistics"
    names = [n for spec in names for n in (BUILTIN if spec == "builtin" else [spec])]
    for spec in names:
        try:
            statistic = BUILTIN.get(spec) or _from_file(config, spec, where)
        except PluginError as err:
            problems.append(str(err))
            continue
        if statistic.name in found:
            problems.append(f"{where}: {statistic.origin}: a statistic named "
                            f"{statistic.name!r} is already kept ({found[statistic.name].origin})")
            continue
        found[statistic.name] = statistic
    return list(found.values()), problems


def _from_file(config, spec, where):
    path = plugin_path(config, spec, where)
    if not path.is_file():
        raise PluginError(f"{where}: {spec!r} is neither a built-in statistic "
                          f"({', '.join(BUILTIN)}) nor a file ({path})")
    module = load_module(path, where)
    missing = [a for a in _ATTRIBUTES if not hasattr(module, a)]
    if missing:
        raise PluginError(f"{where}: {path} does not define {', '.join(missing)}")
    try:
        return Statistic(
            name=module.name, description=str(module.description),
            fields=tuple(module.fields), period=module.period, key=str(module.key),
            backlog=getattr(module, "backlog", 0), version=str(getattr(module, "version", "1")),
            usage=getattr(module, "usage", None), lines=getattr(module, "lines", None),
            origin=str(path))
    except (BadStatistic, TypeError) as err:
        raise PluginError(f"{where}: {path}: {err}") from None
