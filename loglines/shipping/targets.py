"""Where a package goes: POSTed to an ingress (multipart), PUT to the
report id the service gave for it earlier, or copied into a folder.

An answer is a success (2xx), temporary (5xx, 429, 408, a timeout, a
connection error: the queue tries again with backoff) or permanent (any
other answer; its body is kept). The package's name is its report id:
sent as ``X-Loglines-Package`` with its ``X-Loglines-Content-Sha256``, so a
service can fold a package that arrives twice; a folder target replaces
the file of the same name.
"""

from __future__ import annotations

import os
import shutil
from dataclasses import dataclass
from urllib.parse import quote

import requests

from .. import redact
from ..outputs.delivery.outcome import is_temporary_status
from ..redact import scrub

KEPT_BODY = 65536  # of a refusal, for `loglines ship status` and the dead letter


@dataclass(frozen=True)
class Answer:
    ok: bool
    temporary: bool = False
    status: int | None = None
    error: str | None = None
    body: str = ""
    report_id: str | None = None
    where: str = ""


class Target:
    """One section's target, built from its options."""

    def __init__(self, options, instance_dir, book):
        self.o = options
        self.book = book
        self.folder = None
        if options.folder:
            folder = os.path.expanduser(options.folder)
            self.folder = folder if os.path.isabs(folder) else str(instance_dir / folder)
        self.secrets = [s for s in (options.password, options.token,
                                    *redact.url_secrets(options.url or ""),
                                    *(h.partition(":")[2].strip() for h in options.headers))
                        if s]

    def describe(self):
        if self.o.target == "folder":
            return f"folder {self.folder}"
        return f"{self.o.target.upper()} {redact.url(self.o.url)}"

    def send(self, path, name, content_sha256) -> Answer:
        if self.o.target == "folder":
            return self._copy(path, name)
        report_id = self.book.report_id(name) if self.o.target == "put" else None
        if report_id is not None:
            url = f"{self.o.url.rstrip('/')}/{quote(report_id, safe='')}"
            return self._http("PUT", url, path, name, content_sha256, report_id)
        answer = self._http("POST", self.o.url, path, name, content_sha256, None)
        if answer.ok and self.o.target == "put" and answer.report_id:
            self.book.set_report_id(name, answer.report_id)
        return answer

    def _copy(self, path, name):
        dest = os.path.join(self.folder, f"{name}.tar.gz")
        tmp = os.path.join(self.folder, f".{name}.tar.gz.tmp")
        try:
            os.makedirs(self.folder, exist_ok=True)
            shutil.copyfile(path, tmp)
            with open(tmp, "rb") as f:
                os.fsync(f.fileno())
            os.replace(tmp, dest)
        except OSError as err:
            return Answer(False, temporary=True, error=f"cannot write {dest}: {err}", where=dest)
        return Answer(True, report_id=name, where=dest)

    def _headers(self, name, content_sha256):
        headers = {"X-Loglines-Package": name, "X-Loglines-Content-Sha256": content_sha256}
        for header in self.o.headers:
            key, _, value = header.partition(":")
            headers[key.strip()] = value.strip()
        if self.o.auth == "bearer":
            headers["Authorization"] = f"Bearer {self.o.token}"
        return headers

    def _http(self, method, url, path, name, content_sha256, report_id):
        auth = (self.o.username, self.o.password) if self.o.auth == "basic" else None
        shown = redact.url(url)
        try:
            with open(path, "rb") as f:
                reply = requests.request(
                    method, url, files={self.o.field: (f"{name}.tar.gz", f, self.o.content_type)},
                    headers=self._headers(name, content_sha256), auth=auth,
                    timeout=self.o.timeout, allow_redirects=False)
        except requests.RequestException as err:
            text = scrub(f"{type(err).__name__}: {err}", self.secrets)[:300]
            return Answer(False, temporary=True, error=f"{method} {shown}: {text}", where=shown)
        body = scrub(reply.content[:KEPT_BODY].decode("utf-8", errors="replace"), self.secrets)
        status = reply.status_code
        if 200 <= status < 300:
            return Answer(True, status=status, body=body[:2000], where=shown,
                          report_id=report_id or self._report_id(reply) or None)
        short = " ".join(body.split())[:200]
        error = f"{method} {shown}: HTTP {status}" + (f": {short}" if short else "")
        return Answer(False, temporary=is_temporary_status(status), status=status, error=error,
                      body=body, where=shown)

    def _report_id(self, reply):
        try:
            value = reply.json().get(self.o.report_id_field)
        except (ValueError, AttributeError):
            return None
        return None if value is None else str(value)
