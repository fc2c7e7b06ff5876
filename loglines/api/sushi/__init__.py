"""COUNTER_SUSHI release 5.1 from the API service (docs/design.md, The API,
SUSHI): ``routes`` the paths under ``/r51/``; ``settings`` what the api
section configures; ``access`` who may ask, and how often; ``request`` a
report request's parameters; ``months`` which months are complete;
``reports`` the reports served and their JSON; ``tsv`` their tabular
form; ``exceptions`` the spec's numbered exceptions."""

from .routes import router
from .settings import Service, Settings

__all__ = ["Service", "Settings", "router"]
