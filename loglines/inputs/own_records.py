"""loglines' own WARNING and above, kept as log records: an operator of
several hosts reads every worker's problems in one place (``loglines
records tail --level WARNING``, or ``/api/v1/record``).

On when a records section says ``own_warnings = true``: every program
then adds this handler to its root logger, pushing to that section's
queue on its own Redis. It is LoglinesHandler's buffer and background
thread (never blocking the program, waiting out Redis) with records in
place of log lines. The records worker's own warnings are left out: a
worker that cannot store would otherwise feed itself its own complaints.
"""

import logging
import time

from ..records import item
from .logging_handler import LoglinesHandler


class OwnRecordsHandler(LoglinesHandler):
    def entry(self, record):
        fields = {k: v for k, v in record.__dict__.items()
                  if isinstance(v, (str, int, float, bool, type(None)))}
        message = record.getMessage()
        if record.exc_info:
            message += "\n" + logging.Formatter().formatException(record.exc_info)
        fields["host"] = self.service  # extra: which host's program said it
        return item.encode(item.build(fields, message, time.time()))

    def payloads(self, batch):
        return list(batch)


def install(config, section_name, redis_settings):
    """Add the handler to the root logger of the program of ``section_name``
    when a records section asks for it; the handler, or None."""
    for name, program in config.programs.items():
        if program.kind == "records" and program.options.own_warnings:
            if name == section_name:
                return None
            handler = OwnRecordsHandler(queue=program.options.listento,
                                        prefix=config.queues.prefix, level=logging.WARNING,
                                        redis_settings=redis_settings)
            logging.getLogger().addHandler(handler)
            return handler
    return None
