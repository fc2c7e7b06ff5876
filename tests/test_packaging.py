"""The wheel carries every package of the source tree: pyproject.toml lists
them by hand (workers/ installs as loglines.workers), so a new folder left
off the list would import in a checkout and fail in an installed instance."""

from pathlib import Path

import tomllib

ROOT = Path(__file__).resolve().parents[1]


def test_every_package_of_the_tree_is_in_the_wheel():
    setuptools = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]
    listed = set(setuptools["packages"])
    on_disk = {".".join(init.parent.relative_to(ROOT).parts)
               for init in (ROOT / "loglines").rglob("__init__.py")}
    on_disk.add("loglines.workers")  # workers/, by package-dir
    assert on_disk - listed == set()


def test_every_lua_folder_is_package_data():
    data = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"][
        "package-data"]
    for lua in (ROOT / "loglines").rglob("lua"):
        package = ".".join(lua.parent.relative_to(ROOT).parts)
        assert "lua/*.lua" in data.get(package, []), package
