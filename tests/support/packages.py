"""Reading a package back, checking its manifest against its files."""

import csv
import hashlib
import io
import json
import tarfile


def unpack(data):
    """{name: bytes} of a package's files, after checking every data
    file's bytes, rows and sha256 against manifest.json."""
    with tarfile.open(fileobj=io.BytesIO(data), mode="r:gz") as tar:
        files = {m.name: tar.extractfile(m).read() for m in tar.getmembers()}
    manifest = json.loads(files["manifest.json"])
    listed = {f["file"]: f for f in manifest["files"]}
    assert set(files) == set(listed) | {"manifest.json", "config.json", "collection_status.csv"}
    for name, entry in listed.items():
        assert hashlib.sha256(files[name]).hexdigest() == entry["sha256"], name
        assert len(files[name]) == entry["bytes"]
        if entry["format"] != "json":
            assert files[name].count(b"\n") - 1 == entry["rows"] or entry["format"] == "tsv"
    return files


def manifest(files):
    return json.loads(files["manifest.json"])


def statuses(files):
    return list(csv.DictReader(io.StringIO(files["collection_status.csv"].decode())))
