"""A real PostgreSQL server for the tests, started by the test session in
a temp folder on a free port, and databases on it made and dropped per test.

The binaries are the ones the ``pgserver`` package ships (a test extra:
PostgreSQL 16 from PyPI), else Debian's ``/usr/lib/postgresql/*/bin``, or
the folder named by ``LOGLINES_TEST_PG_BIN``. ``initdb`` and ``postgres``
are run here directly (not through pgserver), for control over the folder,
the port and the stop.

PostgreSQL refuses to run as root. Run as root, the server runs as
``nobody`` in a folder under the system temp folder that ``nobody`` owns
(pytest's own temp folders are closed to other users).

The server listens on 127.0.0.1 only, with no Unix socket, and asks for
the superuser's password (scram-sha-256), as a real one would. Durability
is off (fsync, synchronous_commit): a test server need not survive a
power cut, and it saves seconds.
"""

import glob
import importlib.util
import os
import pwd
import shutil
import signal
import subprocess
import tempfile
import time
import uuid
from pathlib import Path

import psycopg
from psycopg import sql
from sqlalchemy.engine import URL

from tests.support.redis_server import free_port

USER = "loglines"
UNPRIVILEGED = "nobody"


def find_bin():
    """The folder holding initdb and postgres, or None."""
    candidates = []
    if os.environ.get("LOGLINES_TEST_PG_BIN"):
        candidates.append(Path(os.environ["LOGLINES_TEST_PG_BIN"]))
    # Found without importing pgserver: its import sets up lock files.
    spec = importlib.util.find_spec("pgserver")
    if spec and spec.submodule_search_locations:
        candidates += [Path(p) / "pginstall" / "bin" for p in spec.submodule_search_locations]
    candidates += [Path(p) for p in sorted(glob.glob("/usr/lib/postgresql/*/bin"), reverse=True)]
    for folder in candidates:
        if (folder / "initdb").is_file() and (folder / "postgres").is_file():
            return folder
    return None


class PostgresServer:
    def __init__(self, bin_dir=None, port=None, password=None, durable=False):
        self.bin_dir = bin_dir or find_bin()
        if self.bin_dir is None:
            raise RuntimeError("no PostgreSQL binaries: install the test extras (pgserver), "
                               "or set LOGLINES_TEST_PG_BIN to a folder holding initdb")
        self.port = port or free_port()
        # Letters and digits plus what a URL must escape, so that tests see
        # both that escaping works and that the password is never shown.
        self.password = password or f"pw-{uuid.uuid4().hex[:12]}@:/%"
        # A server that a test kills must keep what it committed.
        self.durable = durable
        self.folder = None
        self.process = None
        self._as = _unprivileged() if os.geteuid() == 0 else {}

    @property
    def data_dir(self):
        return self.folder / "data"

    @property
    def log_path(self):
        return self.folder / "postgres.log"

    def start(self):
        self.folder = Path(tempfile.mkdtemp(prefix="loglines-pg-"))
        self._own(self.folder)
        self._initdb()
        self._launch()
        return self

    def _launch(self):
        log = open(self.log_path, "ab")  # noqa: SIM115
        self.process = subprocess.Popen(
            [str(self.bin_dir / "postgres"), "-D", str(self.data_dir), "-p", str(self.port),
             "-c", "listen_addresses=127.0.0.1", "-c", "unix_socket_directories=",
             *(() if self.durable else ("-c", "fsync=off", "-c", "synchronous_commit=off",
                                        "-c", "full_page_writes=off"))],
            stdout=log, stderr=log, env=_env(), start_new_session=True, **self._as,
        )
        log.close()
        self.wait_ready()

    def kill(self):
        """SIGKILL the server and its backends, as a crash of the machine's
        PostgreSQL would (a backend left alive would keep its shared memory
        and the next start would refuse); ``restart`` brings it back on the
        same folder and port."""
        os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait()

    def restart(self):
        self._launch()

    def _initdb(self):
        pwfile = self.folder / "pwfile"
        pwfile.write_text(self.password + "\n")
        pwfile.chmod(0o600)
        self._own(pwfile)
        try:
            subprocess.run(
                [str(self.bin_dir / "initdb"), "-D", str(self.data_dir), "-U", USER,
                 f"--pwfile={pwfile}", "--auth=scram-sha-256", "--encoding=UTF8",
                 "--locale=C", "--no-sync", "--no-instructions"],
                check=True, capture_output=True, env=_env(), **self._as,
            )
        except subprocess.CalledProcessError as err:
            who = f" (run as {UNPRIVILEGED}, who must be able to read and run {self.bin_dir})" \
                if self._as else ""
            raise RuntimeError(f"initdb failed{who}: {err.stderr.decode(errors='replace')}") \
                from None
        finally:
            pwfile.unlink()

    def _own(self, path):
        if self._as:
            os.chown(path, self._as["user"], self._as["group"])

    def wait_ready(self, timeout=30.0):
        deadline = time.monotonic() + timeout
        while True:
            try:
                psycopg.connect(**self._params("postgres"), connect_timeout=1).close()
                return
            except psycopg.OperationalError:
                if time.monotonic() > deadline or self.process.poll() is not None:
                    raise RuntimeError(f"PostgreSQL on port {self.port} did not start:\n"
                                       f"{self.log_path.read_text()[-2000:]}") from None
                time.sleep(0.05)

    def _params(self, database):
        return {"host": "127.0.0.1", "port": self.port, "user": USER,
                "password": self.password, "dbname": database}

    def url(self, database="postgres"):
        """The SQLAlchemy URL of ``database``, password included (escaped)."""
        return URL.create("postgresql+psycopg", username=USER, password=self.password,
                          host="127.0.0.1", port=self.port, database=database,
                          ).render_as_string(hide_password=False)

    def _admin(self, statement):
        # CREATE/DROP DATABASE cannot run inside a transaction.
        with psycopg.connect(**self._params("postgres"), autocommit=True) as connection:
            connection.execute(statement)

    def create_database(self):
        """A new empty database with a name of its own; returns the name."""
        name = f"t_{uuid.uuid4().hex[:16]}"
        self._admin(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
        return name

    def drop_database(self, name):
        # FORCE: a test that left a connection open must not keep its database.
        self._admin(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)")
                    .format(sql.Identifier(name)))

    def __enter__(self):
        return self

    def __exit__(self, *exc_info):
        self.stop()

    def stop(self):
        if self.process and self.process.poll() is None:
            self.process.send_signal(signal.SIGINT)  # "fast" shutdown: ends sessions
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.process = None
        if self.folder:
            shutil.rmtree(self.folder, ignore_errors=True)
            self.folder = None


def _unprivileged():
    entry = pwd.getpwnam(UNPRIVILEGED)
    return {"user": entry.pw_uid, "group": entry.pw_gid, "extra_groups": []}


def _env():
    return {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "LC_ALL": "C"}
