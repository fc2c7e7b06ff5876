"""One error hierarchy: every exception class loglines defines is a LoglinesError."""

import importlib
import inspect
import pkgutil

import loglines
from loglines import errors
from loglines.queue import reconnect
from loglines.usage import TemporaryLookupError
from loglines.usage import item as events


def defined_exceptions():
    """Every exception class defined in a module of loglines (workers included)."""
    found = []
    for module_info in pkgutil.walk_packages(loglines.__path__, "loglines."):
        if module_info.name.endswith("__main__"):
            continue  # running it is the command line
        module = importlib.import_module(module_info.name)
        found += [cls for _, cls in inspect.getmembers(module, inspect.isclass)
                  if issubclass(cls, BaseException) and cls.__module__ == module.__name__]
    return found


def test_every_exception_loglines_defines_is_a_loglines_error():
    found = defined_exceptions()
    assert {"BadItem", "Stopped", "TailError", "UnparseableLine", "ClientGone"} <= {
        cls.__name__ for cls in found}
    assert [cls for cls in found if not issubclass(cls, errors.LoglinesError)] == []


def test_the_old_names_are_the_same_classes():
    assert events.BadItem is errors.BadItem and events.RetryItem is errors.RetryItem
    assert reconnect.Stopped is errors.Stopped


def test_temporary_is_declared_by_every_loglines_error():
    assert errors.LoglinesError("x").temporary is False
    assert errors.BadItem("x").temporary is False
    assert errors.RetryItem("x").temporary is True
    assert TemporaryLookupError("x").temporary is True
    assert errors.DeliveryError("x", temporary=True).temporary is True


def test_a_plugins_own_exception_may_carry_temporary():
    class LookupDown(Exception):
        temporary = True

    assert events.is_temporary(LookupDown()) is True
    assert events.is_temporary(KeyError("x")) is False
    assert events.is_temporary(errors.ConfigError("x")) is False
