"""Shared by the supervisord tests: a config in tmp_path, and the generated
files written out and read back with supervisor's own parsers."""

import textwrap
from pathlib import Path

from supervisor.options import ClientOptions, ServerOptions, UnhosedConfigParser

from loglines.config import load
from loglines.supervisord import generate

LOGLINES = ["/opt/loglines/bin/loglines"]
PASSWORD = "golden-password"


def write_cfg(directory, text, name="loglines.cfg"):
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / name
    path.write_text(textwrap.dedent(text))
    return path


def generated(path, environ=None, password=None):
    """Load and generate; the password is the configured one, else PASSWORD."""
    config = load(path, environ=environ or {})
    password = password or config.supervisor.password or PASSWORD
    return config, generate(config, loglines_command=LOGLINES, password=password)


def write_out(instance, result):
    """The files as the command would leave them, every program enabled
    (a copy, so the test does not depend on symlinks)."""
    for directory in result.directories:
        Path(directory).mkdir(parents=True, exist_ok=True)
    for file in result.files:
        path = instance / file.path
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(file.content)
        if file.path.startswith("workers_available/"):
            enabled = instance / "workers_enabled" / path.name
            enabled.parent.mkdir(exist_ok=True)
            enabled.write_text(file.content)


def parse_back(instance, result):
    """supervisord's and supervisorctl's view of the written files."""
    write_out(instance, result)
    server = ServerOptions()
    server.configfile = str(instance / "supervisord.conf")
    server.process_config(do_usage=False)
    client = ClientOptions()
    client.configfile = str(instance / "supervisord.conf")
    client.process_config(do_usage=False)
    return server, client.configroot.supervisorctl


def groups(server):
    return {g.name: g for g in server.process_group_configs}


def inet_server(server):
    (config,) = server.configroot.supervisord.server_configs
    return config


def sections_and_keys(instance):
    """Every section and key supervisord sees, across all files read."""
    parser = UnhosedConfigParser()
    parser.read([str(instance / "supervisord.conf"),
                 *sorted(str(p) for p in (instance / "workers_enabled").glob("*.conf"))])
    return {section: sorted(parser.options(section)) for section in parser.sections()}


MAIN_KEYS = {
    "supervisord": ["childlogdir", "directory", "logfile", "loglevel", "nodaemon", "pidfile",
                    "umask"],
    "inet_http_server": ["password", "port", "username"],
    "rpcinterface:supervisor": ["supervisor.rpcinterface_factory"],
    "supervisorctl": ["password", "serverurl", "username"],
    "include": ["files"],
}
PROGRAM_KEYS = sorted([
    "autorestart", "autostart", "command", "directory", "killasgroup", "numprocs", "priority",
    "process_name", "redirect_stderr", "stdout_logfile", "stopsignal", "stopwaitsecs", "umask",
])
