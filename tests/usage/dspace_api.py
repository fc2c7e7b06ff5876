"""A local HTTP server standing in for the DSpace 7 REST API.

It answers the two requests the lookup makes, in the HAL shape of the REST
contract (DSpace/RestContract bundles.md, items.md):

    GET /server/api/core/bitstreams/<uuid>/bundle?embed=item
    GET /server/api/core/bundles/<bundle uuid>/item

``bitstreams`` says what each bitstream is: (bundle name, handle, embed?),
or an HTTP status to answer with, or "slow".
"""

import json
import re
import threading
import time
import uuid as uuidlib
from collections import Counter
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

_BUNDLE_OF = re.compile(r"^/server/api/core/bitstreams/([0-9a-f-]{36})/bundle$")
_ITEM_OF = re.compile(r"^/server/api/core/bundles/([0-9a-f-]{36})/item$")


class FakeDSpace:
    def __init__(self):
        self.bitstreams = {}
        self.bundles = {}  # bundle uuid -> handle
        self.hits = Counter()
        self.slow_seconds = 1.0
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/server"
        self.thread = threading.Thread(target=self.server.serve_forever, args=(0.02,),
                                       daemon=True)

    def start(self):
        self.thread.start()
        return self

    def stop(self):
        self.server.shutdown()
        self.server.server_close()

    def item(self, handle):
        item_id = str(uuidlib.uuid5(uuidlib.NAMESPACE_URL, handle))
        return {"id": item_id, "uuid": item_id, "name": "A thesis", "handle": handle,
                "inArchive": True, "discoverable": True, "withdrawn": False, "type": "item",
                "_links": {"self": {"href": f"{self.url}/api/core/items/{item_id}"}}}

    def bundle(self, name, handle, embed):
        bundle_id = str(uuidlib.uuid4())
        self.bundles[bundle_id] = handle
        body = {"uuid": bundle_id, "name": name, "handle": None, "metadata": {},
                "type": "bundle", "_links": {
                    "item": {"href": f"{self.url}/api/core/bundles/{bundle_id}/item"},
                    "self": {"href": f"{self.url}/api/core/bundles/{bundle_id}"}}}
        if embed:
            body["_embedded"] = {"item": self.item(handle)}
        return body

    def answer(self, path, query):
        """(status, body) for a GET."""
        match = _BUNDLE_OF.match(path)
        if match:
            what = self.bitstreams.get(match.group(1), 404)
            if what == "slow":
                time.sleep(self.slow_seconds)
                return 500, {}
            if isinstance(what, int):
                return what, {"status": what}
            name, handle, embed = what
            return 200, self.bundle(name, handle, embed and "embed=item" in query)
        match = _ITEM_OF.match(path)
        if match and match.group(1) in self.bundles:
            return 200, self.item(self.bundles[match.group(1)])
        return 404, {"status": 404}

    def _handler(self):
        api = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):
                path, _, query = self.path.partition("?")
                api.hits[path] += 1
                status, body = api.answer(path, query)
                data = json.dumps(body).encode()
                try:
                    self.send_response(status)
                    self.send_header("Content-Type", "application/hal+json")
                    self.send_header("Content-Length", str(len(data)))
                    self.end_headers()
                    self.wfile.write(data)
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the client timed out and left: what the test wanted

            def log_message(self, *args):
                pass

        return Handler
