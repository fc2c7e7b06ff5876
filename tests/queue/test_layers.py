"""The layers import only downwards: the queue knows nothing of the metrics
observing it, and the metrics take the configuration as data."""

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[2] / "loglines"
FORBIDDEN = {
    "queue": ("metrics", "runtime", "config", "cli", "workers", "notify"),
    "metrics": ("config", "runtime", "cli", "workers"),
}


def imported(path):
    """Every module ``path`` imports, as dotted absolute names, including the
    imports inside functions."""
    package = ["loglines", *path.relative_to(PACKAGE).parent.parts]
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = package[:len(package) - node.level + 1] if node.level else []
            module = ".".join(base + ([node.module] if node.module else []))
            yield module
            yield from (f"{module}.{alias.name}" for alias in node.names)


@pytest.mark.parametrize("layer", sorted(FORBIDDEN))
def test_a_layer_imports_nothing_above_it(layer):
    above = (*(f"loglines.{name}" for name in FORBIDDEN[layer]), "workers")
    found = sorted(
        f"{path.relative_to(PACKAGE.parent)} imports {name}"
        for path in (PACKAGE / layer).rglob("*.py")
        for name in imported(path)
        if any(name == a or name.startswith(a + ".") for a in above)
    )
    assert found == []
