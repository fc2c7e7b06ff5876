"""loglines as a package: a wheel built from this checkout, installed into
a fresh venv, makes an instance anywhere with `loglines init`, and that
instance runs the README's main command with nothing of the checkout."""

import shutil
import subprocess
import sys
import sysconfig
from importlib.metadata import version
from pathlib import Path

import pytest

from tests.e2e import readme_command
from tests.e2e.pipeline import ROOT

pytestmark = pytest.mark.timeout(300)


def _venv_with_the_wheel(tmp_path):
    """A venv holding only the wheel (and supervisor, whose scripts the
    README runs); the other dependencies are this test run's own, found
    through a .pth line, so that no test downloads them."""
    # From a copy of what git tracks (and the change not yet committed), as
    # a fresh clone has it: pip builds in the tree, and nothing of an
    # earlier build or of this checkout's own files may slip in.
    source = tmp_path / "clone"
    tracked = subprocess.run(["git", "ls-files", "-z", "--cached", "--others",
                              "--exclude-standard"], cwd=ROOT, capture_output=True,
                             check=True).stdout.decode().split("\0")
    for name in filter(None, tracked):
        if (ROOT / name).is_file():
            (source / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(ROOT / name, source / name)
    dist = tmp_path / "dist"
    built = subprocess.run([sys.executable, "-m", "pip", "wheel", str(source), "--no-deps",
                            "-q", "-w", str(dist)], capture_output=True, text=True, timeout=240)
    assert built.returncode == 0, built.stderr
    [wheel] = dist.glob("loglines-*.whl")
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True)
    purelib = subprocess.run(
        [str(venv / "bin/python"), "-c",
         "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
        capture_output=True, text=True, check=True).stdout.strip()
    # A plain path: the test venv's own .pth files (its editable loglines) stay unread.
    Path(purelib, "test_dependencies.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    installed = subprocess.run(
        [str(venv / "bin/python"), "-m", "pip", "install", "--no-deps", "--ignore-installed", "-q",
         str(wheel),
         f"supervisor=={version('supervisor')}"], capture_output=True, text=True, timeout=240)
    assert installed.returncode == 0, installed.stderr
    return venv / "bin"


@pytest.fixture
def installed(tmp_path):
    bin_dir = _venv_with_the_wheel(tmp_path)
    home = tmp_path / "somewhere else" / "loglines"
    yield bin_dir, home
    readme_command.shutdown(home, bin_dir)


def test_a_wheel_install_makes_an_instance_that_runs_the_readme_command(installed):
    bin_dir, home = installed
    # Run away from the checkout, whose folder would come first on sys.path.
    where = subprocess.run([str(bin_dir / "python"), "-c",
                            "import loglines; print(loglines.__file__)"], cwd=home.parent.parent,
                           capture_output=True, text=True, check=True).stdout
    assert where.startswith(str(bin_dir.parent)), where  # the wheel's, not the checkout's
    made = subprocess.run([str(bin_dir / "loglines"), "init", str(home)], capture_output=True,
                          text=True)
    assert made.returncode == 0, made.stderr
    for name in ("loglines.cfg", "create_supervisord_config.py", "plugins/eprints.py",
                 "plugins/fedora.py", "samples/access.log"):
        assert (home / name).read_bytes() == (ROOT / name).read_bytes(), name
    assert (home / "workers_available").is_dir() and (home / "workers_enabled").is_dir()
    text, web, _ = readme_command.with_free_ports((home / "loglines.cfg").read_text())
    (home / "loglines.cfg").write_text(text)
    _, said = readme_command.run(home, bin_dir, web, home / "create_supervisord_config.py")
    assert f"start:          {bin_dir / 'supervisord'} -c supervisord.conf" in said
    # Nothing the instance runs names the checkout.
    generated = [home / "supervisord.conf", *sorted((home / "workers_available").glob("*.conf"))]
    for conf in generated:
        assert str(ROOT) not in conf.read_text(), conf
    pirus2 = (home / "workers_available/worker_pirus2.conf").read_text()
    assert f"command = {bin_dir / 'loglines'} --config " in pirus2
