"""Only what pyproject.toml cannot say: the instance template (the top-level
loglines.cfg, plugins/, create_supervisord_config.py and sample log) copied
into the wheel as loglines/instance_template/, for ``loglines init``."""

import runpy
import shutil
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

HERE = Path(__file__).resolve().parent
# Read by path: importing the package would need its dependencies.
TEMPLATE = runpy.run_path(str(HERE / "loglines" / "instance_files.py"))


class BuildWithTemplate(build_py):
    def run(self):
        super().run()
        target = Path(self.build_lib) / "loglines" / TEMPLATE["PACKAGED"]
        shutil.rmtree(target, ignore_errors=True)  # nothing left from an earlier build
        for relative in TEMPLATE["listed"](HERE):
            destination = target / relative
            destination.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(HERE / relative, destination)


setup(cmdclass={"build_py": BuildWithTemplate})
