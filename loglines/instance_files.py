"""The files a new instance starts from (``loglines init DIR``): the
checkout's own loglines.cfg, plugins, create_supervisord_config.py and
sample log, so an instance made anywhere runs as a checkout does.

One source: these files at the top of the checkout. A wheel carries copies
under loglines/instance_template/, put there by setup.py at build time from
this list (which is why this module imports nothing of loglines); a
checkout is read in place.
"""

from pathlib import Path

FILES = ("loglines.cfg", "create_supervisord_config.py", "samples/access.log")
GLOBS = ("plugins/*.py",)
FOLDERS = ("plugins", "workers_available", "workers_enabled")  # made, even empty
PACKAGED = "instance_template"  # the folder of the copies, inside the package


def listed(root):
    """The template's files under ``root``, as paths relative to it."""
    root = Path(root)
    found = [Path(name) for name in FILES]
    for pattern in GLOBS:
        found.extend(sorted(p.relative_to(root) for p in root.glob(pattern)))
    return found


def source():
    """Where the template is: the copies inside an installed package, else
    the checkout this package is run from; None when neither has it."""
    here = Path(__file__).resolve().parent
    for root in (here / PACKAGED, here.parent):
        if all((root / name).is_file() for name in FILES):
            return root
    return None
