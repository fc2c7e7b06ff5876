"""A report request's filters and attributes, read from its parameters as
appendix D says to: a parameter the report does not take is 3050, a
filter value it cannot have is 3060, an attribute value 3062 (each named
in Data, and ignored: the report is still made), components 3063."""

from __future__ import annotations

from dataclasses import dataclass, field

from .definitions import ACCESS_METHODS, SHOWABLE, Definition
from .exceptions import Notice

# Parameters of the spec that loglines has nothing to filter by: nothing
# it stores tells an item's Access_Type, YOP or author, or attributes
# usage to a country or an institution.
UNSUPPORTED = frozenset({"access_type", "yop", "author", "attributed", "country_code",
                         "subdivision_code"})
GRANULARITY = {"Month": "Month", "Total": "Total", "Totals": "Total"}  # the CoP says Totals
SHOWN = 40  # characters of a value Data repeats


@dataclass
class Asked:
    """What a report is to hold, beyond its period and customer."""

    metrics: list | None = None  # Metric_Type filter (valid values), None: all
    data_types: list | None = None
    access_methods: list | None = None
    item_id: str | None = None
    platform: str | None = None  # the Platform filter, when it names this one
    shown: list = field(default_factory=list)  # Attributes_To_Show
    granularity: str = "Month"
    parent_details: bool = False
    notices: list = field(default_factory=list)


def _short(value: str) -> str:
    return value if len(value) <= SHOWN else value[:SHOWN] + "..."


def _listed(name, text, allowed, bad):
    """The values of a |-separated filter that ``allowed`` has; the others into ``bad``."""
    values = [v.strip() for v in text.split("|") if v.strip()]
    bad.extend(f"{name}={_short(v)}" for v in values if v not in allowed)
    good = list(dict.fromkeys(v for v in values if v in allowed))
    return good or None


def parse(definition: Definition, params, settings) -> Asked:
    asked = Asked()
    ignored = sorted(n for n in params if n not in definition.parameters or n in UNSUPPORTED)
    if ignored:
        asked.notices.append(Notice(3050, ", ".join(_short(n) for n in ignored)))
    bad_filters: list[str] = []
    for name, allowed in (("metric_type", definition.metrics),
                          ("data_type", definition.data_types),
                          ("access_method", ACCESS_METHODS)):
        if name in definition.parameters and params.get(name):
            setattr(asked, {"metric_type": "metrics", "data_type": "data_types",
                            "access_method": "access_methods"}[name],
                    _listed(name, params[name], allowed, bad_filters))
    platform = params.get("platform")
    if platform:
        if platform == settings.platform:
            asked.platform = platform
        else:
            bad_filters.append(f"platform={_short(platform)}")
    item_id = params.get("item_id")
    if "item_id" in definition.parameters and item_id:
        if len(item_id) < 2:  # the schema's Item_ID filter has at least two
            bad_filters.append(f"item_id={item_id}")
        else:
            asked.item_id = item_id
    if bad_filters:
        asked.notices.append(Notice(3060, ", ".join(bad_filters)))
    _attributes(definition, params, asked)
    return asked


def _attributes(definition, params, asked):
    bad: list[str] = []
    if "attributes_to_show" in definition.parameters and params.get("attributes_to_show"):
        wanted = _listed("attributes_to_show", params["attributes_to_show"],
                         definition.attributes, bad) or []
        bad.extend(f"attributes_to_show={a}" for a in wanted if a not in SHOWABLE)
        asked.shown = [a for a in wanted if a in SHOWABLE]
    if "granularity" in definition.parameters and params.get("granularity"):
        value = params["granularity"]
        if value in GRANULARITY:
            asked.granularity = GRANULARITY[value]
        else:
            bad.append(f"granularity={_short(value)}")
    for name in ("include_parent_details", "include_component_details"):
        value = params.get(name)
        if name not in definition.parameters or not value:
            continue
        if value not in ("True", "False"):
            bad.append(f"{name}={_short(value)}")
        elif name == "include_parent_details":
            asked.parent_details = value == "True"
        elif value == "True":
            asked.notices.append(Notice(3063, "items of a repository have no components here"))
    if bad:
        asked.notices.append(Notice(3062, ", ".join(bad)))
