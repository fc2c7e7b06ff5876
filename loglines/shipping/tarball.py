"""Writing a package: a ``.tar.gz`` holding the data files, the config
collector's ``config.json``, ``manifest.json`` (every file's key,
version, rows, bytes and sha256) and ``collection_status.csv`` (every
collection of the gathering: ok, failed with the reason, or waiting).

The archive is made the same way each time (sorted, owner 0, the
period's end as every file's time, no gzip time), and the manifest's
``content_sha256`` covers the data files only, so the same data gathered
again has the same content hash.
"""

from __future__ import annotations

import csv
import gzip
import hashlib
import io
import json
import os
import tarfile
from importlib import metadata

from .periods import text

MANIFEST, STATUS, CONFIG = "manifest.json", "collection_status.csv", "config.json"
STATUS_FIELDS = ("collector", "since", "until", "status", "reason", "seconds")


def loglines_version():
    try:
        return metadata.version("loglines")
    except metadata.PackageNotFoundError:  # run from a checkout never installed
        return "unknown"


def content_sha256(files):
    lines = "".join(f"{f['file']} {f['sha256']}\n" for f in sorted(files, key=lambda f: f["file"]))
    return hashlib.sha256(lines.encode()).hexdigest()


def manifest(package_name, group, since, until, parts):
    files = [{"file": p.collector.file_name, "key": p.collector.key, "version": p.collector.version,
              "format": p.collector.format, "rows": p.rows, "bytes": p.size,
              "sha256": p.sha256, "since": text(p.since), "until": text(p.until),
              "part": p.index, "parts": p.count} for p in parts]
    return {"package": package_name, "group": group, "since": text(since),
            "until": text(until), "loglines": loglines_version(), "files": files,
            "content_sha256": content_sha256(files)}


def status_csv(collections) -> bytes:
    out = io.StringIO()
    w = csv.writer(out, lineterminator="\n")
    w.writerow(STATUS_FIELDS)
    for c in collections:
        w.writerow([c.collector.file_name, text(c.since), text(c.until), c.status, c.reason or "",
                    f"{c.seconds:.3f}"])
    return out.getvalue().encode()


def write(path, meta, parts, config_bytes, status_bytes, mtime):
    """The package at ``path``, made whole under a temporary name first."""
    tmp = path.with_name(f".{path.name}.tmp")
    members = [(CONFIG, config_bytes), (MANIFEST, (json.dumps(meta, indent=1, sort_keys=True)
                                                   + "\n").encode()), (STATUS, status_bytes)]
    with open(tmp, "wb") as raw:
        with gzip.GzipFile(fileobj=raw, mode="wb", mtime=0, filename="") as gz, \
                tarfile.open(fileobj=gz, mode="w", format=tarfile.PAX_FORMAT) as tar:
            for name, data in members:
                tar.addfile(_info(name, len(data), mtime), io.BytesIO(data))
            for p in sorted(parts, key=lambda p: p.collector.file_name):
                with open(p.path, "rb") as f:
                    tar.addfile(_info(p.collector.file_name, p.size, mtime), f)
        raw.flush()
        os.fsync(raw.fileno())
    os.replace(tmp, path)


def _info(name, size, mtime):
    info = tarfile.TarInfo(name)
    info.size, info.mtime, info.mode = size, mtime, 0o644
    info.uid = info.gid = 0
    info.uname = info.gname = ""
    return info
