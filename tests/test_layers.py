"""The package's layers import only downwards, and no modules import each
other in a circle: reading the folder list is reading the data flow.

Ranks, lowest first: the foundation (errors, atomic writes, logging), the
queue message and the Redis connection, the queue, the configuration and
what observes the queue (metrics, notify), the worker runtime, the usage
rules and the log records' parts, then the inputs, outputs and
statistics, then the HTTP API (which serves the statistics), then shipping
(whose collectors make the COUNTER reports the API serves), then the
command line. A unit may
import a unit of a lower rank; within inputs/ or outputs/ one part may use
another (replay reuses the tailer's line splitter).
"""

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[1] / "loglines"
RANK = {
    "errors": 0, "atomic": 0, "log": 0, "file_modes": 0, "redact": 0, "instance_files": 0,
    "json_codec": 0,
    "message": 1, "redis_connection": 1, "embedded_redis": 1, "kept_secret": 1,
    "supervisord": 2,
    "queue": 2,
    "config": 3, "metrics": 3, "notify": 3, "store": 3,
    "runtime": 4,
    "usage": 5, "records": 5,
    "inputs": 6, "outputs": 6, "stats": 6,
    "api": 7,
    "shipping": 8,
    "cli": 9, "__main__": 10,
}


def module_name(package, path):
    parts = [package.name, *path.relative_to(package).with_suffix("").parts]
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imported(package, path, known):
    """Every module of ``known`` that ``path`` imports, inside functions too;
    ``from pkg import name`` counts as importing ``pkg.name`` when that is a
    module, else ``pkg`` (a package whose __init__ hands the name on)."""
    base = [package.name, *path.relative_to(package).parent.parts]
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            start = base[:len(base) - node.level + 1] if node.level else []
            module = ".".join(start + ([node.module] if node.module else []))
            for alias in node.names:
                sub = f"{module}.{alias.name}"
                yield sub if sub in known else module


def graph(package=PACKAGE):
    """{module: the modules of ``package`` it imports}."""
    paths = {module_name(package, p): p for p in package.rglob("*.py")}
    return {name: {m for m in imported(package, path, paths) if m in paths and m != name}
            for name, path in paths.items()}


def unit(module):
    return module.split(".")[1] if "." in module else module


def circles(edges):
    """The groups of modules that import each other in a circle."""
    reach = {}

    def reachable(v):
        if v not in reach:
            seen, todo = set(), list(edges[v])
            while todo:
                w = todo.pop()
                if w not in seen:
                    seen.add(w)
                    todo.extend(edges[w])
            reach[v] = seen
        return reach[v]

    groups = {frozenset(w for w in reachable(v) if v in reachable(w)) | {v}
              for v in edges if v in reachable(v)}
    return sorted(sorted(g) for g in groups)


def test_every_part_of_the_package_has_a_rank():
    assert {unit(m) for m in graph() if m != "loglines"} <= set(RANK)


def test_no_unit_imports_one_at_its_own_rank_or_above():
    found = sorted(
        f"{m} imports {n}"
        for m, names in graph().items() if m != "loglines"
        for n in names if n != "loglines" and unit(n) != unit(m)
        and RANK[unit(n)] >= RANK[unit(m)]
    )
    assert found == []


def test_no_library_module_imports_a_worker():
    found = sorted(f"{m} imports {n}" for m, names in graph().items()
                   for n in names if n.startswith("loglines.workers"))
    assert found == []


def test_no_modules_import_each_other_in_a_circle():
    assert circles(graph()) == []


def test_the_checks_see_a_circle_and_an_upward_import(tmp_path):
    """A unit reaching up, and two modules importing each other, are found
    in a small made-up package."""
    pkg = tmp_path / "loglines"
    for folder, files in {"queue": {"a.py": "from . import b\nfrom ..cli import main\n",
                                    "b.py": "from .a import thing\n"},
                          "cli": {"main.py": ""}}.items():
        (pkg / folder).mkdir(parents=True)
        (pkg / folder / "__init__.py").write_text("")
        for name, text in files.items():
            (pkg / folder / name).write_text(text)
    (pkg / "__init__.py").write_text("")
    edges = graph(pkg)
    assert edges["loglines.queue.a"] == {"loglines.queue.b", "loglines.cli.main"}
    assert circles(edges) == [["loglines.queue.a", "loglines.queue.b"]]
