"""supervisord configuration: the pure generator and its file-system side.

``generate`` turns a Config into File objects; ``links`` writes them and
manages workers_enabled/. The ``supervisor-config``, ``enable`` and
``disable`` commands (loglines/cli) put the two together.
"""

from .generate import AVAILABLE, ENABLED, MAIN_FILE, File, Generated, generate
from .links import Workers

__all__ = ["AVAILABLE", "ENABLED", "MAIN_FILE", "File", "Generated", "Workers", "generate"]
