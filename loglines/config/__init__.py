"""loglines.cfg: loaded and checked once at start into plain typed objects."""

from .loader import load
from .model import (
    Config,
    ProgramSection,
    QueueSettings,
    RedisSettings,
    RetrySettings,
    StoreSettings,
    SupervisorSettings,
)
from .options import ProgramOptions
from .plugin_view import PluginConfigView

__all__ = [
    "Config", "PluginConfigView", "ProgramOptions", "ProgramSection", "QueueSettings",
    "RedisSettings", "RetrySettings", "StoreSettings", "SupervisorSettings", "load",
]
