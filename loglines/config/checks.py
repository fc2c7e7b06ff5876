"""Value checks configobj does not have, and the wording of every check's
failure, so that each problem reads as one plain line."""

import re

from validate import VdtTypeError, VdtValueError, VdtValueTooBigError, VdtValueTooSmallError

from ..queue.keys import valid_name

_TYPE_WORDS = {
    "integer": "a whole number",
    "float": "a number",
    "boolean": "true or false",
    "int_list": "a comma-separated list of whole numbers",
    "string": "a single value (no comma list)",
    "queue_name": "a queue name (letters, digits, '_', '.', '-')",
    "queue_list": "a comma-separated list of queue names",
    "status_list": "a comma-separated list of HTTP status codes (100-599)",
    "regex": "a regular expression (Python syntax)",
}


def queue_name(value):
    if isinstance(value, list) or not valid_name(value):
        raise VdtValueError(value)
    return value


def queue_list(value):
    values = [value] if isinstance(value, str) else list(value)
    values = [v.strip() for v in values if v.strip()]
    if not values or not all(valid_name(v) for v in values):
        raise VdtValueError(value)
    return values


def status_list(value):
    """HTTP status codes; one value without a comma is a list of one."""
    values = [value] if isinstance(value, str) else list(value)
    try:
        codes = [int(v) for v in values if str(v).strip()]
    except ValueError:
        raise VdtTypeError(value) from None
    if not codes or not all(100 <= c <= 599 for c in codes):
        raise VdtValueError(value)
    return codes


def regex(value):
    """A regular expression as text, checked to compile ('' is allowed: none)."""
    if isinstance(value, list):
        raise VdtTypeError(value)
    try:
        re.compile(value)
    except re.error:
        raise VdtValueError(value) from None
    return value


FUNCTIONS = {"queue_name": queue_name, "queue_list": queue_list, "status_list": status_list,
             "regex": regex}


def describe(check, value, err, *, secret=False):
    """One line for a value that failed ``check`` (the spec text); the
    value of a ``secret`` key is never repeated."""
    name = re.match(r"\s*(\w+)", check).group(1)
    if secret:
        return _describe_secret(name, value)
    shown = ", ".join(value) if isinstance(value, list) else value
    if name == "option":
        choices = re.findall(r"'([^']*)'", check.split("default=")[0])
        return f"expected one of {', '.join(choices)}, got {shown!r}"
    for error, bound, words in ((VdtValueTooSmallError, "min", "at least"),
                                (VdtValueTooBigError, "max", "at most")):
        limit = re.search(bound + r"=([^,)]+)", check)
        if isinstance(err, error) and limit:
            return f"expected {words} {limit.group(1)}, got {shown!r}"
    if type(err) in (VdtTypeError, VdtValueError) and name in _TYPE_WORDS:
        return f"expected {_TYPE_WORDS[name]}, got {shown!r}"
    message = str(err).replace('the value "', "").rstrip(".")
    return message.replace('" is', " is") if message else f"invalid value {shown!r}"


def _describe_secret(name, value):
    if isinstance(value, list):
        return (f"expected {_TYPE_WORDS.get(name, 'one value')}, got a list (the value, a "
                "secret, is not shown): quote a value holding a comma")
    return f"not a valid {_TYPE_WORDS.get(name, name)} (the value, a secret, is not shown)"
