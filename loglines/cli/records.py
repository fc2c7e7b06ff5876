"""loglines records tail|purge|user: the log records on the command line.

``tail`` prints the last records and then each new one as it is stored
(``--level``, ``--name`` as the API's filters), until Ctrl-C; ``purge``
deletes the records before a date in small transactions, as the records
worker's retention does; ``user`` makes a users line with a hashed
password for ``users_file`` (the password is read from the terminal, or
from the first line of standard input when it is not one).
"""

import argparse
import contextlib
import getpass
import sys
import time

from sqlalchemy.exc import InterfaceError, OperationalError

from ..errors import StoreUnavailable
from ..records import read
from ..records.filters import BadFilter, Filters
from ..records.store import purge
from ..records.users import ROLES, hash_password
from ..store import migrate
from ..store.engine import connect
from . import exit_codes
from .context import out
from .help_text import examples
from .replay import _when
from .store import exit_code, line, opened

_LEVELS = {10: "DEBUG", 20: "INFO", 30: "WARNING", 40: "ERROR", 50: "CRITICAL"}


def _roles(text):
    roles = [r.strip() for r in text.split(",") if r.strip()]
    if not roles or not set(roles) <= set(ROLES):
        raise argparse.ArgumentTypeError(f"roles are among {', '.join(ROLES)}, comma-separated")
    return ",".join(roles)


def add_parser(subparsers):
    p = subparsers.add_parser("records", help="log records: tail, purge, user",
                              epilog=examples("loglines records tail --level warning",
                                              "loglines records purge --before 2026-01-01"))
    actions = p.add_subparsers(dest="action", required=True, metavar="ACTION")
    tail = actions.add_parser("tail", help="the last records, then each new one (Ctrl-C ends)",
                              epilog=examples("loglines records tail --level warning",
                                              "loglines records tail --name loglines.worker_pirus2"
                                              " -n 50 --no-follow"))
    tail.add_argument("--level", help="at least this level (a number or a name)")
    tail.add_argument("--name", help="comma-separated logger names, children included")
    tail.add_argument("-n", "--lines", type=int, default=10, help="records shown first "
                      "(default: 10)")
    tail.add_argument("--interval", type=float, default=1.0, help="seconds between two looks "
                      "(default: 1)")
    tail.add_argument("--no-follow", dest="follow", action="store_false",
                      help="print the last records and end")
    tail.set_defaults(handler=run_tail)
    drop = actions.add_parser("purge", help="delete the records before a date",
                              epilog=examples("loglines records purge --before 2026-01-01",
                                              "loglines records purge --before "
                                              "2026-06-30T12:00+01:00 --batch 500"))
    drop.add_argument("--before", type=_when, required=True, metavar="DATE",
                      help="an ISO date or time (UTC unless it has an offset)")
    drop.add_argument("--batch", type=int, default=1000, help="records per transaction")
    drop.set_defaults(handler=run_purge)
    user = actions.add_parser("user", help="a users_file line with a hashed password",
                              epilog=examples("loglines records user grafana --roles reader "
                                              ">> var/records.users",
                                              "loglines records user app --roles writer "
                                              "< app.password"))
    user.add_argument("name")
    user.add_argument("--roles", type=_roles, required=True, help="writer, reader, query "
                      "(comma-separated)")
    user.set_defaults(handler=run_user)


def shown(record):
    level = _LEVELS.get(record.level, str(record.level))
    return f"{read.iso(record.t_ms)} {level} {record.name}: {record.message}"


def run_tail(ctx):
    args = ctx.args
    try:
        filters = Filters.read(level=args.level, name=args.name)
    except BadFilter as err:
        print(f"loglines: --{err}", file=sys.stderr)
        return exit_codes.USAGE
    # Ctrl-C is how a tail ends: not an interruption of anything.
    with opened(ctx) as engine, contextlib.suppress(KeyboardInterrupt):
        problem = _not_ready(engine)
        if problem is not None:
            return problem
        follow(engine, filters, max(0, args.lines), max(0.05, args.interval), args.follow)
    return exit_codes.OK


def _not_ready(engine):
    """None when the store is at head; else the exit code, its line told."""
    state = migrate.state(engine)
    if state.ok:
        return None
    print(f"loglines: {line(engine, state)}", file=sys.stderr)
    return exit_code(state)


def follow(engine, filters, lines, interval, forever=True):
    """Print the last ``lines`` records, then (``forever``) every new one; a
    store that stops answering is waited for, said once."""
    seq, waiting = None, False
    while True:
        try:
            with connect(engine) as conn:
                if seq is None:
                    found = read.since(conn, filters, None, lines) if lines else []
                    seq = found[-1].seq if found else (read.last_seq(conn) or 0)
                else:
                    found = read.since(conn, filters, seq)
        except (StoreUnavailable, OperationalError, InterfaceError) as err:
            if not waiting:
                print(f"loglines: the store cannot be read ({type(err).__name__}); waiting",
                      file=sys.stderr, flush=True)
            waiting = True
            time.sleep(interval)
            continue
        waiting = False
        for record in found:
            out(shown(record))
            seq = max(seq, record.seq)
        sys.stdout.flush()
        if not forever:
            return
        if len(found) < read.MAX_PAGE:
            time.sleep(interval)


def run_purge(ctx):
    before_ms = round(ctx.args.before * 1000)
    with opened(ctx) as engine:
        problem = _not_ready(engine)
        if problem is not None:
            return problem
        deleted, _ = purge(engine, before_ms, max(1, ctx.args.batch))
    out(f"{deleted} records before {read.iso(before_ms)} purged")
    return exit_codes.OK


def run_user(ctx):
    if sys.stdin.isatty():
        password = getpass.getpass("password: ")
        if getpass.getpass("again: ") != password:
            print("loglines: the two passwords differ", file=sys.stderr)
            return exit_codes.FAILED
    else:
        password = sys.stdin.readline().rstrip("\r\n")
    if len(password) < 8:
        print("loglines: a password of 8 characters at least", file=sys.stderr)
        return exit_codes.FAILED
    out(f"{ctx.args.name}:{ctx.args.roles}:{hash_password(password)}")
    return exit_codes.OK
