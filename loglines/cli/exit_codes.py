"""Exit codes of the loglines command, named so scripts can rely on them."""

OK = 0
FAILED = 1  # the command ran and found a problem (an unknown dead id, a store not migrated)
USAGE = 2  # argparse's own code for a wrong command line
CONFIG = 3  # loglines.cfg is wrong
UNAVAILABLE = 4  # Redis or the store could not be reached
INTERRUPTED = 130
