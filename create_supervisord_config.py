#!/usr/bin/env python3
"""Write supervisord.conf and workers_available/ from loglines.cfg.

The 2010 script's name, kept for those who know it: the same as
``loglines --config FILE supervisor-config``. Further arguments are passed on.
"""

import argparse
import sys

from loglines.cli.main import main as loglines_main


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--config", default="loglines.cfg", metavar="FILE",
                   help="the configuration file (default: loglines.cfg in this directory)")
    args, rest = p.parse_known_args(argv)
    return loglines_main(["--config", args.config, "supervisor-config", *rest])


if __name__ == "__main__":
    sys.exit(main())
