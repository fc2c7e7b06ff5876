"""The OpenAPI document, told what FastAPI cannot know by itself: that a
malformed parameter is a 400 of our shape (FastAPI lists its own 422), and
that every path but the health check asks for the password when one is set
(the check is a middleware, outside any route)."""

from __future__ import annotations

from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi

from .auth import OPEN_PATHS

_FASTAPI_ONLY = ("HTTPValidationError", "ValidationError")
UNAUTHORIZED = {"description": "no password, or a wrong one",
                "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}}


def document(app: FastAPI, secured: bool) -> dict:
    schema = get_openapi(title=app.title, version=app.version, description=app.description,
                         routes=app.routes)
    for path, operations in schema["paths"].items():
        for operation in operations.values():
            operation["responses"].pop("422", None)
            if secured and path not in OPEN_PATHS:
                operation["security"] = [{"basic": []}]
                operation["responses"]["401"] = _unauthorized(operation["responses"].get("401"))
    components = schema.setdefault("components", {})
    for name in _FASTAPI_ONLY:
        components.get("schemas", {}).pop(name, None)
    if secured:
        components["securitySchemes"] = {"basic": {"type": "http", "scheme": "basic"}}
    return schema


def _unauthorized(own):
    """The password's 401, and the route's own 401 answer too if it has one
    (SUSHI's exceptions for a requestor or key it does not know)."""
    if own is None:
        return UNAUTHORIZED
    schemas = [UNAUTHORIZED["content"]["application/json"]["schema"],
               own["content"]["application/json"]["schema"]]
    return {"description": f"{UNAUTHORIZED['description']}; or {own['description']}",
            "content": {"application/json": {"schema": {"anyOf": schemas}}}}


def install(app: FastAPI, secured: bool):
    def openapi():
        if app.openapi_schema is None:
            app.openapi_schema = document(app, secured)
        return app.openapi_schema

    app.openapi = openapi
