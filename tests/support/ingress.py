"""A local HTTP server standing in for a data ingress: takes packages
POSTed (or PUT to a report id) as multipart, unpacks each one and checks
its manifest and checksums, checks the credentials, and folds a package
that arrives again by its name (its report id) into the one kept.

``status`` (a number, or a callable(upload) -> number) is what it
answers, ``delay`` how long it takes to; ``hold`` (a threading.Event, or
None) keeps every answer back until set, with the upload already taken: a
shipper killed then has shipped the package without knowing it.
"""

import base64
import json
import threading
import time
from dataclasses import dataclass
from email.parser import BytesParser
from email.policy import HTTP
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from tests.support.packages import manifest, unpack


@dataclass
class Upload:
    method: str
    path: str
    name: str  # X-Loglines-Package
    content_sha256: str
    content_type: str
    files: dict  # the package's files, checked
    headers: dict


class Ingress:
    def __init__(self, username="ship", password="s3cret-ingress", token=None, port=0):
        self.uploads = []  # every upload taken, in order
        self.kept = {}  # package name -> the last upload of it (the folded view)
        self.reports = {}  # report id -> package name
        self.refused = []
        self.problems = []  # uploads that were not a sound package
        self.status = 200
        self.body = b""
        self.hold = None
        self.delay = 0.0  # seconds before answering, or a callable(upload) -> seconds
        self.auth = (f"Bearer {token}" if token else
                     "Basic " + base64.b64encode(f"{username}:{password}".encode()).decode())
        self.lock = threading.Lock()
        self.taken = threading.Event()  # set at each upload taken
        ingress = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_POST(self):
                ingress._take(self)

            def do_PUT(self):
                ingress._take(self)

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", port), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_port}/ingress"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def _answer(self, handler, status, body):
        try:
            handler.send_response(status)
            handler.send_header("Content-Length", str(len(body)))
            handler.send_header("Content-Type", "application/json")
            handler.end_headers()
            handler.wfile.write(body)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the shipper gave up waiting (a timeout test), or was killed

    def _take(self, handler):
        raw = handler.rfile.read(int(handler.headers["Content-Length"]))
        if handler.headers.get("Authorization") != self.auth:
            self._answer(handler, 401, b'{"error": "who are you?"}')
            return
        message = BytesParser(policy=HTTP).parsebytes(
            f"Content-Type: {handler.headers['Content-Type']}\r\n\r\n".encode() + raw)
        try:
            (part,) = [p for p in message.iter_parts()
                       if p.get_param("name", header="content-disposition") == "file"]
            files = unpack(part.get_payload(decode=True))
            name = handler.headers["X-Loglines-Package"]
            sha = handler.headers["X-Loglines-Content-Sha256"]
            assert manifest(files)["package"] == name, "the name is not the manifest's"
            assert manifest(files)["content_sha256"] == sha, "the hash is not the manifest's"
        except (AssertionError, ValueError, KeyError) as err:
            self.problems.append(repr(err))
            self._answer(handler, 422, repr(err).encode())
            return
        upload = Upload(handler.command, handler.path, name, sha, part.get_content_type(), files,
                        dict(handler.headers))
        status = self.status(upload) if callable(self.status) else self.status
        with self.lock:
            if 200 <= status < 300:
                self.uploads.append(upload)
                self.kept[name] = upload
                if handler.command == "POST":
                    self.reports.setdefault(f"r-{len(self.reports) + 1}", name)
            else:
                self.refused.append((status, upload))
        self.taken.set()
        if self.hold is not None:
            self.hold.wait(30)
        delay = self.delay(upload) if callable(self.delay) else self.delay
        if delay:
            time.sleep(delay)
        report = next((r for r, n in self.reports.items() if n == name), None)
        body = json.dumps({"id": report}).encode() if 200 <= status < 300 else self.body
        self._answer(handler, status, body)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        if self.hold is not None:
            self.hold.set()
        self.server.shutdown()
        self.server.server_close()
