"""A site's collectors for the shipping tests: a config collector, a CSV
of rows per day (sliced by day) and a JSON of the period. A day named in
the instance's ``fail-day`` file fails, as a broken source would."""

from pathlib import Path

from loglines.shipping.periods import by_day, text
from loglines.shipping.registry import register


@register("site_config", "1", description="the test site", config=True)
def site_config(g):
    return {"site": "test", "section": g.section}


@register("daily", "2", format="csv", description="rows per day", slicing=by_day, group="site")
def daily(g):
    marker = Path(g.config.instance_dir) / "fail-day"
    if marker.is_file() and marker.read_text().strip() == text(g.since):
        raise OSError(f"the source of {text(g.since)} is unreadable")
    yield ["day", "n", "filler"]
    for n in range(40):
        yield [text(g.since), n, "x" * 20]


@register("summary", "1", description="the period", group="site")
def summary(g):
    return {"since": text(g.since), "until": text(g.until)}
