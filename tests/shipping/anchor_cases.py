"""Collectors with the inputs of the package-count cases of
insights-analytics-collector's functional tests (tests/functional/
test_gathering.py there): rows of 10 bytes under a header of 10 bytes, a
package cap of 1000 bytes, and CSV parts of 100 bytes where its collectors
cut their files at 100 bytes."""

from loglines.shipping.registry import Registry, register

CAP = 1000
ROW, HEADER = ["1234", "6789"], ["Col1", "Col2"]  # 10 bytes each with the newline


def trivial(since, until):
    return [(since, until)]


def rows(parts, part_bytes):
    """As many rows as fill ``parts`` parts of ``part_bytes``, header included."""
    def make(g):
        yield HEADER
        for _ in range(parts * (part_bytes // 10) - parts):
            yield ROW
    return make


def csv(key, parts, part_bytes=100, sliced=False):
    fn = rows(parts, part_bytes)
    return register(key, "1.0", format="csv", slicing=trivial if sliced else None,
                    part_bytes=part_bytes)(fn)


def json(key, value):
    return register(key, "1.0")(lambda g: value)


@register("config", "1.0", config=True)
def config(g):
    return {"version": "1.0"}


def registry(*fns):
    return Registry([config.__loglines_collector__,
                     *(f.__loglines_collector__ for f in fns)])


def big_table():
    """The 10-package case: one CSV ten times the cap, cut by rows."""
    return registry(csv("big_table", 10, part_bytes=CAP))


def distributions():
    """The 13-package case: a JSON, four unsliced CSVs of 2, 1, 10 and 12
    parts, four sliced CSVs of 5, 3, 2 and 3 parts."""
    return registry(
        json("simple_json1", {"simple_json": "True"}),
        csv("csv_no_slicing_1-2x", 2), csv("csv_with_slicing_1-5x", 5, sliced=True),
        csv("csv_no_slicing_2-1x", 1), csv("csv_with_slicing_2-3x", 3, sliced=True),
        csv("csv_no_slicing_3-10x", 10), csv("csv_with_slicing_3-2x", 2, sliced=True),
        csv("csv_no_slicing_4-12x", 12), csv("csv_with_slicing_4-3x", 3, sliced=True),
    )


def several():
    """Its three-package case: a CSV of three 800-byte parts and CSVs of 100 and 200."""
    return registry(csv("big_table_2", 3, part_bytes=800), csv("csv_collection_1", 1),
                    csv("csv_collection_2", 1, part_bytes=200))
