"""The queue's Lua scripts, read once from the ``lua/`` folder beside this file.

Each script is one atomic transition. ``_lib.lua`` holds the helpers they
share and is prepended to each; the header comment of every file lists its
KEYS and ARGV.
"""

from functools import cache
from pathlib import Path

LUA_DIR = Path(__file__).with_name("lua")
NAMES = (
    "push",
    "room",
    "fetch",
    "ack",
    "fail",
    "release",
    "recover",
    "fanout",
    "bury",
    "requeue_dead",
    "purge_dead",
    "heartbeat",
    "forget_consumers",
)


@cache
def source(name):
    if name not in NAMES:
        raise KeyError(name)
    lib = (LUA_DIR / "_lib.lua").read_text()
    return lib + "\n" + (LUA_DIR / f"{name}.lua").read_text()


class Scripts:
    """The scripts registered on one Redis client.

    redis-py's Script objects run EVALSHA and load the script again after a
    NOSCRIPT error, which is what a restarted Redis answers.
    """

    def __init__(self, client):
        for name in NAMES:
            setattr(self, name, client.register_script(source(name)))
