"""The shapes of the API's JSON answers, as pydantic models.

FastAPI checks each answer against its model before sending it and writes
the same models into ``/openapi.json``, so the document and the answers
cannot drift apart. ``extra="forbid"`` makes the document say that no
other key comes, which is what a client's schema check holds us to.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from ..stats.builtin import METRICS

Period = Literal["day", "month", "all"]
Format = Literal["json", "csv"]
Metric = Literal[METRICS]


class _Answer(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Error(_Answer):
    error: str = Field(description="what went wrong, in one line")


class BadParameter(Error):
    parameter: str = Field(description="the query or path parameter that cannot be used")


class Gap(_Answer):
    since: str = Field(description="the first hour with no line (ISO 8601, UTC)")
    until: str = Field(description="the end of the last hour with no line (ISO 8601, UTC)")


class ServiceCoverage(_Answer):
    service: str
    since: str | None = Field(description="the first hour with lines (ISO 8601, UTC)")
    until: str | None = Field(description="the end of the last hour with lines (ISO 8601, UTC)")
    empty_hours: int = Field(description="hours between since and until with no line at all: "
                                         "nothing was read for them, unless the site was quiet")
    gaps: list[Gap] = Field(description="each run of empty hours, oldest first "
                                        "(the first 1000; empty_hours counts them all)")


class Coverage(_Answer):
    services: list[ServiceCoverage]


class StatisticInfo(_Answer):
    name: str
    description: str
    fields: list[str] = Field(description="the counters of each row, in order")
    period: Period = Field(description="what a row's period is: a day, a month or all time")
    key: str = Field(description="the name of the column each row is keyed by")
    formats: list[Format]
    url: str = Field(description="where the statistic is served")


class StatisticList(_Answer):
    statistics: list[StatisticInfo]
    coverage: list[ServiceCoverage] = Field(description="the span of time the store has "
                                                        "lines for, per service")


class StatisticPage(_Answer):
    statistic: str
    period: Period
    key: str
    fields: list[str]
    page: int
    per_page: int
    total: int = Field(description="rows on all pages together")
    rows: list[dict[str, str | int]] = Field(
        description="one per period and key: 'period' (YYYY-MM-DD, YYYY-MM or 'all'), the "
                    "key column under the statistic's key name, and each field's count")


class TopRow(_Answer):
    item: str
    Total_Item_Investigations: int
    Unique_Item_Investigations: int
    Total_Item_Requests: int
    Unique_Item_Requests: int


class Top(_Answer):
    month: str | None = Field(description="YYYY-MM, or null for all months")
    order: Metric
    limit: int
    rows: list[TopRow] = Field(description="most first; ties in item order")


class Health(_Answer):
    ok: bool = Field(description="the store answers and its schema is this loglines' own")
    reachable: bool
    migrated: bool
    store: str = Field(description="ok, not migrated, behind, unknown revision or unreachable")


class QueryError(BadParameter):
    column: int = Field(description="where in query= the error is (1-based)")


class RecordListed(_Answer):
    id: str = Field(description="the id its POST was answered with")
    ts: str = Field(description="the record's time (ISO 8601, UTC, milliseconds)")
    name: str = Field(description="the logger's name")
    level: int = Field(description="the level's number (WARNING is 30)")
    message: str = Field(description="the formatted message")


class LogRec(_Answer):
    data: dict = Field(description="the record's extra fields")
    meta: dict = Field(description="the LogRecord's own fields (lineno, threadName, ...)")


class RecordFull(RecordListed):
    logrec: LogRec
