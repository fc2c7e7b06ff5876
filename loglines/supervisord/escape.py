"""Values made safe for supervisord's config files, or refused.

supervisord reads ``key = value`` lines with configparser, with inline
comments on: a ``;`` or ``#`` after whitespace ends the value, silently.
It then expands ``%(name)s`` in most values (``%(ENV_HOME)s`` and friends),
so a literal ``%`` must be written ``%%``; ``stdout_logfile`` is expanded
twice by supervisord, so there it takes ``%%%%``. A value that would add a
line (a line break), be cut (a comment) or be stripped (edge whitespace)
cannot be written faithfully: it is refused with one line naming the file,
section and key. Messages never repeat the value, which may be a secret.
"""

import shlex
import unicodedata

from ..errors import ConfigError

# supervisord replaces this text in every value, even after a ``%`` escape
# (``%%(here)s`` holds it too), so it cannot be written literally at all.
_HERE = "%(here)s"



class Expansion(str):
    """A supervisord expansion of our own, written unescaped (a user's text
    equal to it is a plain str, and is escaped)."""


# The number of the process among numprocs.
PROCESS_NUM = Expansion("%(process_num)d")
PROCESS_NUM_SUFFIX = Expansion("_%(process_num)02d")


def _control(value):
    for char in value:
        # Cc holds \n, \r, NUL, ESC...; Zl/Zp are Unicode line and paragraph
        # separators, which some readers also take as line breaks.
        if unicodedata.category(char) in ("Cc", "Zl", "Zp"):
            return (f"contains a line break or control character (U+{ord(char):04X}), "
                    "which cannot be written into a supervisord config")
    return None


def _here(value):
    if _HERE in value:
        return f"contains {_HERE!r}, which supervisord replaces even when escaped"
    return None


def _comment(value, at_start):
    """Where configparser would see an inline comment; ``at_start`` counts a
    leading ``;``/``#`` too, since ``key = value`` puts a space before it."""
    for i, char in enumerate(value):
        if char in ";#" and ((i == 0 and at_start) or (i > 0 and value[i - 1].isspace())):
            return (f"contains whitespace followed by {char!r}, which supervisord reads as "
                    "the start of a comment, cutting the value there")
    return None


def _edges(value):
    if not value:
        return "is empty"
    if value != value.strip():
        return "starts or ends with whitespace, which supervisord would strip"
    return None


def check_setting(value, where):
    """Refuse a plain value (path, name, password) that cannot be written."""
    value = str(value)
    problem = _control(value) or _here(value) or _edges(value) or _comment(value, True)
    if problem:
        raise ConfigError(f"{where}: {problem}")
    return value


def check_argument(value, where):
    """Refuse one command argument that cannot be written even shell-quoted.

    Quoting keeps the characters of an argument next to each other, so a
    whitespace-then-``;`` inside it would still be cut; between arguments a
    quoted word never starts with ``;`` or ``#``.
    """
    value = str(value)
    problem = _control(value) or _here(value) or _comment(value, False)
    if problem:
        raise ConfigError(f"{where}: {problem}")
    return value


def percent(value, expansions=1):
    """``%`` escaped for ``expansions`` rounds of supervisord's expansion."""
    return value.replace("%", "%" * 2 ** expansions)


def setting(value, where, expansions=1):
    """A checked, escaped value for ``key = value``."""
    return percent(check_setting(value, where), expansions)


def command(argv, where):
    """The ``command =`` value running ``argv`` with no shell in between.

    supervisord splits the value with shlex.split after its ``%`` expansion,
    so each argument is shell-quoted and then ``%``-escaped; an Expansion
    (``PROCESS_NUM``) is our own and is written as it is.
    """
    words = []
    for arg in argv:
        if isinstance(arg, Expansion):
            words.append(str(arg))
        else:
            words.append(percent(shlex.quote(check_argument(arg, where))))
    if not words:
        raise ConfigError(f"{where}: is empty")
    return " ".join(words)
