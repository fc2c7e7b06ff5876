"""Helpers of the repository plugins: which access-log lines are COUNTER usage
events, and their IRUS tracker parameters.

A plugin (plugins/*.py) imports what it needs from here and brings only the
knowledge of its platform's URLs:

    parse_message   queue item -> dict of the line's fields (parseline)
    settings_for    the worker section's settings, built once per view and section
    openurl_params  fields -> the nine IRUS keys, or {} with pl["excluded"]
    Hit, Target     what a plugin's classify() receives and returns

Modules: logformat/logline (parsing), timestamps, client_ip, robots,
eligibility, irus, dspace (REST lookups), settings, message, evaluate.
"""

from .errors import TemporaryLookupError, UnparseableLine
from .evaluate import Hit, Target, excluded, openurl_params
from .irus import INVESTIGATION, REQUEST
from .message import parse_message
from .settings import Reader, Settings, settings_for

__all__ = [
    "INVESTIGATION", "REQUEST", "Hit", "Reader", "Settings", "Target", "TemporaryLookupError",
    "UnparseableLine", "excluded", "openurl_params", "parse_message", "settings_for",
]
