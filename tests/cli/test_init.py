"""loglines init DIR from a checkout: the template is the checkout's own
top-level files (the wheel's copies are checked in tests/e2e/test_wheel_install.py)."""

import runpy
import sys
from pathlib import Path

from loglines import instance_files
from loglines.cli import exit_codes
from loglines.cli.main import main

ROOT = Path(__file__).resolve().parents[2]


def test_init_makes_an_instance_from_the_checkouts_files(capsys, tmp_path):
    home = tmp_path / "new" / "instance"
    assert main(["init", str(home)]) == 0
    said = capsys.readouterr().out
    assert "made the instance" in said
    # The commands it suggests run from anywhere: this environment's, by path.
    assert f"  {sys.executable} create_supervisord_config.py && " in said
    assert f"{Path(sys.executable).with_name('supervisord')} -c supervisord.conf" in said
    for relative in instance_files.listed(ROOT):
        assert (home / relative).read_bytes() == (ROOT / relative).read_bytes(), relative
    assert {p.name for p in (home / "plugins").glob("*.py")} == {
        p.name for p in (ROOT / "plugins").glob("*.py")}
    assert (home / "workers_available").is_dir() and (home / "workers_enabled").is_dir()
    # The new instance is a valid one as it is.
    assert main(["--config", str(home / "loglines.cfg"), "store", "migrate"]) == 0
    assert main(["check", "--config", str(home / "loglines.cfg")]) == 0


def test_init_refuses_a_folder_that_is_not_empty(capsys, tmp_path):
    (tmp_path / "loglines.cfg").write_text("[queues]\n")
    assert main(["init", str(tmp_path)]) == exit_codes.FAILED
    assert capsys.readouterr().err == (f"loglines: {tmp_path} exists and is not an empty "
                                       "folder; name a new one\n")
    assert (tmp_path / "loglines.cfg").read_text() == "[queues]\n"


def test_the_wheel_is_built_from_the_same_list():
    """setup.py copies what instance_files lists, read by path: one list."""
    setup = (ROOT / "setup.py").read_text()
    assert 'run_path(str(HERE / "loglines" / "instance_files.py"))' in setup
    listed = runpy.run_path(str(ROOT / "loglines/instance_files.py"))["listed"](ROOT)
    assert listed == instance_files.listed(ROOT)
    manifest = (ROOT / "MANIFEST.in").read_text()
    for name in instance_files.FILES:
        assert name in manifest, name  # an sdist can build the wheel
    assert "recursive-include plugins *.py" in manifest
