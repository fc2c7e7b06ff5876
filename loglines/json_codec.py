"""JSON for the queue's hot paths: orjson, with the standard library behind it.

Every line is decoded by pirus2 and by each logger it reaches, and its
statistics record encoded once: orjson does either in a fifth of the
standard library's time on these small objects (bench/run.py figure 3).
What orjson refuses and the standard library takes (NaN, a lone
surrogate escape such as ``\\udcff``, which JSON allows and a hand-pushed
item may hold, a number beyond a double) goes to the standard library,
so a text decodes to what it always did, and a text neither takes raises
the standard library's error.
"""

import json

import orjson


def loads(data):
    """The value of a JSON text (``str`` or UTF-8 ``bytes``); ValueError if none."""
    try:
        return orjson.loads(data)
    except orjson.JSONDecodeError:
        # As text: the standard library would take bytes in UTF-16 or with a BOM.
        return json.loads(data.decode("utf-8") if isinstance(data, bytes) else data)


def dumps(value) -> str:
    """``value`` as compact JSON text, non-ASCII characters kept as they are."""
    try:
        return orjson.dumps(value).decode("utf-8")
    except TypeError:  # a lone surrogate, an int beyond 64 bits, a key not a str
        return json.dumps(value, ensure_ascii=False, separators=(",", ":"))
