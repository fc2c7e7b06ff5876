"""Exit codes of the loglines command, named so scripts can rely on them."""

OK = 0
FAILED = 1  # the command ran and found a problem (e.g. an unknown dead id)
USAGE = 2  # argparse's own code for a wrong command line
CONFIG = 3  # loglines.cfg is wrong
UNAVAILABLE = 4  # Redis could not be reached
INTERRUPTED = 130
