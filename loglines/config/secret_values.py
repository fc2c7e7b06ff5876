"""Secrets that configobj or the environment cut short or emptied.

An unquoted ``#`` starts a comment, so ``password = #Str0ng`` reads as an
empty password (a Redis without ``requirepass``) and ``ab#cdefghijkl`` as
``ab``; an empty ``${VAR}`` turns a token off. Both look fine in the file:
the lines as written are read again to tell them apart.
"""

import re
from pathlib import Path

from .model import SECRET_KEYS

_SECTION = re.compile(r"^\s*\[\s*([^\[\]]+?)\s*\]")
_KEY = re.compile(r"^\s*([A-Za-z0-9_.\-]+)\s*=\s*(.*?)\s*$")
_ENV_REF = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)\}")
# A "#" right after the value's text: a comment is usually set apart by a space.
_CUT = re.compile(r"\S#")
_GENERATED = ("supervisor", "redis")  # sections whose password is generated when absent


def written(path):
    """{(section, key): the text after ``=``} for the keys of top-level
    sections, as the file spells them."""
    try:
        text = Path(path).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return {}
    found, section = {}, None
    for line in text.splitlines():
        if line.lstrip().startswith("[["):
            section = None  # a subsection: no secret keys there
        elif match := _SECTION.match(line):
            section = match.group(1)
        elif section is not None and (match := _KEY.match(line)):
            found[(section, match.group(1))] = match.group(2)
    return found


def check(path, parsed, environ, problems):
    """Refuse a configured secret that is empty; warn when one is cut at a
    ``#``. ``parsed`` holds the values after ${VAR} substitution (an unset
    variable is a problem of its own, told already)."""
    for (section, key), text in written(path).items():
        values = parsed.get(section)
        if key not in SECRET_KEYS or not isinstance(values, dict) or key not in values:
            continue
        quoted = text[:1] in ("'", '"')
        if any(ref not in environ for ref in _ENV_REF.findall(text)):
            continue
        if values[key] == "":
            problems.add(section, key, _empty(section, key, text, quoted))
        elif not quoted and _CUT.search(text):
            problems.warn(section, key, "holds an unquoted '#', which starts a comment: the "
                          "value is cut there; quote it (key = \"...\") if the '#' is part of "
                          "the secret")


def _empty(section, key, text, quoted):
    refs = _ENV_REF.findall(text)
    if refs:
        why = f"environment variable {refs[0]} is set but empty"
    elif not quoted and text.startswith("#"):
        why = "an unquoted '#' starts a comment; quote the value (key = \"#...\")"
    else:
        why = "a secret cannot be empty"
    name = section if section in _GENERATED or section.startswith("redis_") else ""
    remedy = "remove the key to have one generated" if name and key == "password" \
        else "remove the key"
    return f"is empty ({why}); set it or {remedy}"
