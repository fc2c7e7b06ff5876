"""The schema's revision: bringing it to head, and telling where it stands.

Alembic is driven from here and configured in code, so there is no
alembic.ini to ship or to find; the revisions are the scripts in
``migrations/versions/``. Only ``loglines store migrate`` calls
``upgrade``: no worker changes the schema on its own.
"""

import logging
from dataclasses import dataclass
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from alembic.script.revision import RevisionError
from alembic.util import CommandError
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from ..errors import StoreError
from .engine import connect, database_file, describe, reason, writing

# Alembic tells every step at INFO ("Context impl SQLiteImpl."), even when it
# only reads the revision; loglines logs one line per notable event.
logging.getLogger("alembic").setLevel(logging.WARNING)

MIGRATIONS = Path(__file__).resolve().parent / "migrations"

OK = "ok"
NOT_MIGRATED = "not migrated"
BEHIND = "behind"
UNKNOWN = "unknown revision"  # ahead of this loglines, or from elsewhere
UNREACHABLE = "unreachable"

FIX = "run `loglines store migrate`"

# The advisory lock a migration holds on PostgreSQL, so that two `loglines
# store migrate` at once take turns and the second finds head; the number
# only has to be loglines' own ("logl").
_LOCK = 0x6C6F676C


@dataclass(frozen=True)
class State:
    status: str  # one of the names above
    revision: str | None = None  # the database's
    head: str | None = None  # this loglines' newest
    detail: str = ""  # why unreachable, or that no file exists yet

    @property
    def ok(self):
        return self.status == OK

    def describe(self):
        """One line: the revision and whether that is right, with the fix."""
        if self.status == OK:
            return f"revision {self.revision} (head): ok"
        if self.status == NOT_MIGRATED:
            why = f"{self.detail}; " if self.detail else ""
            return f"not migrated ({why}{FIX})"
        if self.status == BEHIND:
            return f"revision {self.revision}, behind head {self.head} ({FIX})"
        if self.status == UNKNOWN:
            return (f"revision {self.revision}, unknown to this loglines (head {self.head}): "
                    "migrated by a newer version?")
        return f"unreachable: {self.detail}"


def alembic_config(connection=None):
    """Alembic's configuration, built here; ``connection`` is handed to
    ``migrations/env.py``. Also what a new revision is made with:
    ``alembic.command.revision(alembic_config(), "why", rev_id="0002")``."""
    config = Config()
    # Alembic reads options through ConfigParser, where "%" is special.
    config.set_main_option("script_location", str(MIGRATIONS).replace("%", "%%"))
    config.attributes["connection"] = connection
    return config


def _scripts():
    return ScriptDirectory.from_config(alembic_config())


def head():
    """The newest revision this loglines knows."""
    return _scripts().get_current_head()


def known(revision):
    try:
        return _scripts().get_revision(revision) is not None
    except (CommandError, RevisionError):
        return False


def _revision(connection):
    return MigrationContext.configure(connection).get_current_revision()


def current(engine):
    """The database's revision; None when it was never migrated. Raises
    StoreUnavailable when the database cannot be reached."""
    with connect(engine) as connection:
        return _revision(connection)


def state(engine):
    """Where the database stands against head, as a State; never raises
    for a database that cannot be reached, and never creates one."""
    target = head()
    path = database_file(engine.url)
    if path is not None and not path.exists():
        return State(NOT_MIGRATED, head=target, detail="no database file yet")
    try:
        with engine.connect() as connection:
            revision = _revision(connection)
    except DBAPIError as err:
        return State(UNREACHABLE, head=target, detail=reason(err, engine.url))
    if revision is None:
        return State(NOT_MIGRATED, head=target)
    if revision == target:
        return State(OK, revision, target)
    return State(BEHIND if known(revision) else UNKNOWN, revision, target)


def upgrade(engine):
    """Create the schema or bring it to head, in one transaction; returns
    (revision before, revision after). Refuses a revision it does not know."""
    try:
        with writing(engine) as connection:
            return _upgrade(connection, engine.url)
    except DBAPIError as err:
        raise StoreError(f"store {describe(engine.url)}: migration failed, nothing was "
                         f"changed: {reason(err, engine.url)}") from err


def _upgrade(connection, url):
    if connection.dialect.name == "postgresql":
        connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _LOCK})
    before = _revision(connection)
    if before is not None and not known(before):
        raise StoreError(f"store {describe(url)}: revision {before}, unknown to this loglines "
                         f"(head {head()}): migrated by a newer version? Nothing was changed")
    command.upgrade(alembic_config(connection), "head")
    return before, _revision(connection)
