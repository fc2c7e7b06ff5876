"""The typed options of each section kind: the spec's keys and types, frozen,
no string access, secrets out of repr."""

import dataclasses
import re
import textwrap

import pytest

from loglines.config import load, spec
from loglines.config.options import KIND_OPTIONS

# The Python type each configobj check gives (a list check gives a tuple).
CHECK_TYPES = {"string": str, "regex": str, "option": str, "queue_name": str, "integer": int,
               "float": float, "boolean": bool, "queue_list": tuple, "status_list": tuple,
               "force_list": tuple}


def spec_keys(kind):
    return spec.keyed(spec.PROGRAM) | spec.keyed(spec.KINDS[kind])


def expected_type(check):
    base = CHECK_TYPES[re.match(r"\w+", check).group(0)]
    return base | None if re.search(r"default=None\b", check) else base


def declared_type(annotation):
    """``tuple[str, ...] | None`` -> ``tuple | None``: what a check can tell."""
    args = getattr(annotation, "__args__", ())
    if type(annotation).__name__ == "UnionType":
        first, *rest = (declared_type(a) for a in args)
        for other in rest:
            first = first | other
        return first
    return getattr(annotation, "__origin__", annotation) if args else annotation


def test_there_is_one_options_class_per_kind():
    assert KIND_OPTIONS.keys() == spec.KINDS.keys()


@pytest.mark.parametrize("kind", list(spec.KINDS))
def test_the_fields_are_the_spec_keys_with_the_spec_types(kind):
    fields = {f.name: f.type for f in dataclasses.fields(KIND_OPTIONS[kind])}
    keys = spec_keys(kind)
    assert fields.keys() == keys.keys()
    assert {k: declared_type(t) for k, t in fields.items()} == {
        k: expected_type(check) for k, check in keys.items()}


CFG = """
[worker_pirus2]
listento = pirus2
repository_plugin = eprints
endpoint_url = https://user:s3cret-url@irus.example/counter/
token_auth = s3cret-token
req_id = hash
req_id_salt = s3cret-salt
success = 200, 202
exclude_ips = 10.0.0.0/8, 192.0.2.1
[logger_ingest]
kind = httpingest
pushto = loglines
servicename = repo
port = 8080
password = s3cret-password
[logger_syslog]
kind = syslogd
pushto = loglines
servicename = repo
port = 5514
token = s3cret-syslog
"""


@pytest.fixture
def config(tmp_path):
    path = tmp_path / "loglines.cfg"
    path.write_text(textwrap.dedent(CFG))
    return load(path)


def test_values_are_read_by_attribute_and_lists_are_tuples(config):
    options = config.program("worker_pirus2").options
    assert options.timeout == 60.0 and options.success == (200, 202)
    assert options.exclude_ips == ("10.0.0.0/8", "192.0.2.1") and options.redis == ""
    assert options.queue_names() == ("pirus2",)


def test_an_unknown_option_is_an_attribute_error_and_options_are_frozen(config):
    program = config.program("worker_pirus2")
    with pytest.raises(AttributeError):
        program.options.timeuot  # noqa: B018
    with pytest.raises(AttributeError):
        program.options.pushto  # noqa: B018 (a key of another kind)
    with pytest.raises(dataclasses.FrozenInstanceError):
        program.options.timeout = 1.0
    assert not hasattr(program, "get")  # no string access left


def test_secrets_stay_out_of_repr(config):
    shown = "".join(repr(p.options) + repr(p) for p in config.programs.values())
    assert "s3cret" not in shown
    assert "repository_plugin='eprints'" in shown  # the rest is shown


def options_read_by(path):
    """The names a worker module reads from its options: ``o.x``, ``options.x``
    and ``<anything>.options.x``."""
    import ast

    names = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if not isinstance(node, ast.Attribute):
            continue
        value = node.value
        if (isinstance(value, ast.Name) and value.id in ("o", "options")) or (
                isinstance(value, ast.Attribute) and value.attr == "options"):
            names.add(node.attr)
    return names


def wired_modules(path):
    """The worker module at ``path`` and the loglines modules it imports from
    (a worker is the wiring; the program's parts live in the package)."""
    import ast
    from pathlib import Path

    root = Path(__file__).resolve().parents[2]
    paths = [path]
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("loglines."):
            module = root.joinpath(*node.module.split("."))
            paths += [p for p in (module.with_suffix(".py"), module / "__init__.py")
                      if p.is_file()]
    return paths


@pytest.mark.parametrize("kind", [k for k in spec.KINDS if k not in spec.PROCESS_KINDS])
def test_every_option_a_worker_reads_exists(kind):
    """A mistyped option in a worker fails here, even on a path no test runs."""
    from pathlib import Path

    path = Path(__file__).resolve().parents[2] / "workers" / f"{kind}.py"
    read = {name for p in wired_modules(path) for name in options_read_by(p)}
    assert read, f"{path} reads no option"
    cls = KIND_OPTIONS[kind]
    assert {name for name in read if not hasattr(cls, name)} == set()


def test_every_option_read_elsewhere_exists_in_some_kind():
    from pathlib import Path

    known = {name for cls in KIND_OPTIONS.values() for name in dir(cls)}
    package = Path(__file__).resolve().parents[2] / "loglines"
    read = {name for path in package.rglob("*.py") for name in options_read_by(path)}
    assert {"redis", "timeout", "servicename"} <= read
    assert read - known == set()
