"""Taking log lines over HTTP: raw lines and Python logging records.

``app`` decides what a request means (auth, lines, records, the push);
``server`` speaks HTTP; ``records`` reads what logging's HTTPHandler sends.
The worker that runs it all is ``loglines.workers.httpingest``.
"""

from .app import Answer, Credentials, Ingest
from .server import IngestServer

__all__ = ["Answer", "Credentials", "Ingest", "IngestServer"]
