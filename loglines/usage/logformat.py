"""Access-log formats, compiled once into one regular expression.

A format is a name (``combined``, ``common``, ``vhost_combined``,
``log4j_combined``), an
Apache ``LogFormat`` string (``%h %l %u %t "%r" %>s %b ...``; nginx's
``combined`` is Apache's), or a regular expression with named groups
(detected by ``(?P<``). Fields get fixed names, whatever the format:
host, remote_addr, ident, user, time, request, method, path, query,
protocol, status, bytes, referer, user_agent, x_forwarded_for, vhost.
"""

import re
from dataclasses import dataclass, field
from typing import NamedTuple

from ..errors import ConfigError

NAMED = {
    "common": '%h %l %u %t "%r" %>s %b',
    "combined": '%h %l %u %t "%r" %>s %b "%{Referer}i" "%{User-agent}i"',
    "vhost_combined": '%v:%p %h %l %u %t "%r" %>s %O "%{Referer}i" "%{User-Agent}i"',
}

# %[!]NNN,NNN[<>]{arg}X: Apache's modifiers are accepted and ignored.
_DIRECTIVE = re.compile(r"%(?:!?\d{3}(?:,\d{3})*)?[<>]?(?:\{([^}]*)\})?([A-Za-z%])")

# A quoted field: Apache and nginx escape '"' and '\' inside it, so a quote
# preceded by a backslash does not end it (the "unrolled loop" form is the
# fast one for Python's re).
QUOTED = r'[^"\\]*(?:\\.[^"\\]*)*'

# letter -> (field name, pattern outside quotes)
_LETTERS = {
    "h": ("host", r"\S+"), "a": ("remote_addr", r"\S+"), "l": ("ident", r"\S+"),
    "u": ("user", r"\S+"), "r": ("request", r".*?"), "s": ("status", r"\d{3}"),
    "b": ("bytes", r"-|\d+"), "B": ("bytes", r"\d+"), "m": ("method", r"\S+"),
    "U": ("path", r"\S+"), "q": ("query", r"\S*"), "H": ("protocol", r"\S+"),
    "v": ("vhost", r"\S+"), "V": ("vhost", r"\S+"),
}
_HEADERS = {"referer": "referer", "user-agent": "user_agent",
            "x-forwarded-for": "x_forwarded_for"}
_REQUIRED = (("host", "remote_addr"), ("time",), ("status",), ("request", "path"))


class Piece(NamedTuple):
    label: str  # as the user wrote it: %>s, %{User-agent}i, '" "'
    regex: str
    literal: str | None = None  # the text of a literal piece


@dataclass
class LogFormat:
    """A compiled format; its ``pieces`` serve to explain why a line does not match."""

    spec: str
    regex: re.Pattern
    pieces: list = field(default_factory=list)
    _prefixes: list = field(default=None, repr=False)

    def prefixes(self):
        """Regexes of the first 1..n pieces, compiled only when a line fails."""
        if self._prefixes is None:
            self._prefixes = [re.compile("".join(p.regex for p in self.pieces[:n]))
                              for n in range(1, len(self.pieces) + 1)]
        return self._prefixes


def _name_and_pattern(letter, arg):
    """The field a directive fills and its pattern outside quotes."""
    if letter == "t":
        return "time", (r".*?" if arg else r"\[[^\]]*\]")
    if letter == "i" and arg is not None:
        return _HEADERS.get(arg.lower(), "header_" + re.sub(r"\W", "_", arg.lower())), r".*?"
    if letter == "a" and arg == "c":  # mod_remoteip's peer: the proxy, not the client
        return "peer_addr", r"\S+"
    return _LETTERS.get(letter, (None, r"\S+"))


def _directive(match, used, quoted):
    arg, letter = match.groups()
    if letter == "%":
        return Piece("%%", "%", "%")
    name, pattern = _name_and_pattern(letter, arg)
    if quoted:
        pattern = QUOTED
    label = match.group(0)
    if name is None or name in used:
        return Piece(label, f"(?:{pattern})")
    used.add(name)
    if letter == "t" and not arg and not quoted:  # the group without the brackets
        return Piece(label, r"\[(?P<time>[^\]]*)\]")
    return Piece(label, f"(?P<{name}>{pattern})")


def _literal(text):
    return Piece(repr(text), re.sub(r"(?:\\ )+", " +", re.escape(text)), text)


def _from_logformat(spec):
    if '\\"' in spec:  # pasted from httpd.conf: "%h ... \"%r\" ..."
        if len(spec) > 1 and spec[0] == spec[-1] == '"':
            spec = spec[1:-1]
        spec = spec.replace('\\"', '"')
    pieces, used, pos = [], set(), 0
    for match in _DIRECTIVE.finditer(spec):
        if match.start() > pos:
            pieces.append(_literal(spec[pos:match.start()]))
        quoted = spec[match.start() - 1:match.start()] == '"' and spec[match.end():][:1] == '"'
        pieces.append(_directive(match, used, quoted))
        pos = match.end()
    if pos < len(spec):
        pieces.append(_literal(spec[pos:]))
    # Fields a site appends after the standard ones are ignored.
    whole = "".join(p.regex for p in pieces) + r"(?:[ \t].*)?\Z"
    return whole, pieces, used


def _log4j_combined():
    """``combined`` after whatever a log4j layout writes first (Fedora 3's
    servlet logs: ``2010-10-17 03:04:42,123 INFO [thread] <combined line>``).
    The layout is each site's, so the prefix is any text; the date in the
    brackets must look like Apache's, so a ``[thread]`` in the prefix is
    not taken for it. A line without a prefix matches too."""
    whole, _, _ = _from_logformat(NAMED["combined"])
    dated = whole.replace(r"\[(?P<time>[^\]]*)\]",
                          r"\[(?P<time>\d{1,2}/[A-Za-z]{3}/\d{4}:[^\]]*)\]", 1)
    return r"(?:(?P<log4j_prefix>.*?)[ \t]+)??" + dated


NAMED["log4j_combined"] = _log4j_combined()


def compile_format(spec, where="log_format"):
    """A LogFormat from a name, a LogFormat string or a regex; ConfigError if unusable."""
    spec = (spec or "combined").strip()
    text = NAMED.get(spec.lower(), spec)
    try:
        if "(?P<" in text:
            regex = re.compile(text)
            pieces, names = [Piece("the log_format regex", text)], set(regex.groupindex)
        else:
            whole, pieces, names = _from_logformat(text)
            regex = re.compile(whole)
    except re.error as err:
        raise ConfigError(f"{where}: not a valid format or regex: {err}") from None
    missing = [" or ".join(alts) for alts in _REQUIRED if not names.intersection(alts)]
    if missing:
        raise ConfigError(f"{where}: the format has no {', '.join(missing)} field "
                          f"(got {spec!r})")
    return LogFormat(spec, regex, pieces)
