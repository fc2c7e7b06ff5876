"""Reading one syslog message: RFC 5424, and RFC 3164 as senders write it.

Only what loglines keeps is taken out: the hostname, the tag (app-name),
the structured data and the message. The message is decoded as UTF-8 with
``errors="replace"`` (each bad byte becomes U+FFFD), like the tailer does.
RFC 3164 is a description of practice rather than a format, so its header
is read leniently: the timestamp may be the BSD one or ISO 8601, or be
missing; the hostname is taken only after a timestamp; the tag is a word
ending in ``:`` or ``[pid]:``. A message without a valid ``<PRI>`` is
malformed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from ...errors import LoglinesError

_PRI = re.compile(r"<(\d{1,3})>")
_BSD_TIME = re.compile(r"[A-Z][a-z]{2} [ \d]\d \d\d:\d\d:\d\d(?:\.\d+)? (?:\d{4} )?")
_ISO_TIME = re.compile(r"\d{4}-\d\d-\d\dT\S+ ")
_TAG = re.compile(r"([^\s:\[\]]{1,64})(?:\[[^\]\s]*\])?: ?")
_SD_ELEMENT = re.compile(r'\[([^\s=\]"]+)((?: [^\s=\]"]+="(?:[^"\\]|\\.)*")*)\]')
_SD_PARAM = re.compile(r'([^\s=\]"]+)="((?:[^"\\]|\\.)*)"')
_SD_ESCAPE = re.compile(r'\\(["\\\]])')
_MAX_PRI = 191  # facility 23, severity 7


class Malformed(LoglinesError, ValueError):
    """Not a syslog message; the text says why, for the dead-letter record."""


@dataclass
class Message:
    host: str
    tag: str
    text: str
    structured: dict = field(default_factory=dict)  # SD-ID -> {name: value}
    rfc: int = 3164


def parse(data: bytes) -> Message:
    text = data.decode("utf-8", errors="replace")
    pri = _PRI.match(text)
    if not pri:
        raise Malformed("no <PRI> header")
    if int(pri.group(1)) > _MAX_PRI:
        raise Malformed(f"PRI {pri.group(1)} out of range")
    rest = text[pri.end():]
    if rest.startswith("1 "):
        return _rfc5424(rest)
    return _rfc3164(rest)


def _rfc5424(rest):
    """VERSION TIMESTAMP HOSTNAME APP-NAME PROCID MSGID SD [MSG]."""
    parts = rest.split(" ", 6)
    if len(parts) < 7:
        raise Malformed("RFC 5424 header cut short")
    host, app, sd_and_msg = parts[2], parts[3], parts[6]
    structured, msg = _structured_data(sd_and_msg)
    return Message(_nil(host), _nil(app), msg.removeprefix("\ufeff"), structured, 5424)


def _nil(value):
    return "" if value == "-" else value


def _structured_data(text):
    """The SD elements and the message after them."""
    if text == "-" or text.startswith("- "):
        return {}, text[2:]
    structured, pos = {}, 0
    while element := _SD_ELEMENT.match(text, pos):
        structured[element.group(1)] = {
            name: _SD_ESCAPE.sub(r"\1", value)
            for name, value in _SD_PARAM.findall(element.group(2))
        }
        pos = element.end()
    if not pos or (pos < len(text) and text[pos] != " "):
        raise Malformed("bad RFC 5424 structured data")
    return structured, text[pos + 1:]


def _rfc3164(rest):
    stamp = _BSD_TIME.match(rest) or _ISO_TIME.match(rest)
    host = ""
    if stamp:
        rest = rest[stamp.end():]
        tag = _TAG.match(rest)
        if not tag:
            # After a timestamp comes the hostname, unless the tag follows at once.
            host, _, rest = rest.partition(" ")
    tag = _TAG.match(rest)
    if not tag:
        return Message(host, "", rest)
    return Message(host, tag.group(1), rest[tag.end():])
