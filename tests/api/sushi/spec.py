"""Holding answers to the COUNTER_SUSHI 5.1 specification's own schemas:
the response a path of the spec documents for a status, resolved in the
spec file itself (README.md names its source and licence)."""

import json
from pathlib import Path

from jsonschema import Draft202012Validator
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

SPEC = json.loads((Path(__file__).parent / "COUNTER_SUSHI_API.json").read_text())
URI = "urn:counter:sushi:5.1"
REGISTRY = Registry().with_resource(URI, Resource.from_contents(
    SPEC, default_specification=DRAFT202012))


def _pointer(path: str, status: int) -> str:
    response = SPEC["paths"][path]["get"]["responses"][str(status)]
    where = f"/paths/{path.replace('/', '~1')}/get/responses/{status}"
    if "$ref" in response:
        where = response["$ref"].removeprefix("#")
    return f"{URI}#{where}/content/application~1json/schema"


def check(path: str, status: int, body):
    """Raise unless ``body`` is what the spec says ``path`` answers with ``status``."""
    validator = Draft202012Validator({"$ref": _pointer(path, status)}, registry=REGISTRY,
                                     format_checker=Draft202012Validator.FORMAT_CHECKER)
    errors = sorted(validator.iter_errors(body), key=lambda e: list(e.absolute_path))
    assert not errors, "\n".join(f"{list(e.absolute_path)}: {e.message[:300]}" for e in errors)
