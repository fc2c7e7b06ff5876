"""The README's main command, run in an instance folder with the programs of
one environment: migrate the store, write the supervisord configuration,
start supervisord, and wait until every program runs and the sample's
events reach the dry-run file. Shared by the checkout, `loglines init` and
wheel-install tests."""

import subprocess
import xmlrpc.client

from tests.support.redis_server import free_port
from tests.support.waiting import wait_for

SAMPLE_EVENTS = 49
# redis, the logfilewatcher, two pirus2, stats, api and the two loggers: no
# broker, since the shipped instance has one tracker.
PROGRAMS = 8


def with_free_ports(text):
    """The shipped loglines.cfg with its three ports moved to free ones."""
    web, redis, api = free_port(), free_port(), free_port()
    assert "127.0.0.1:9001" in text and "port = 6390" in text and "port = 8480" in text
    text = text.replace("127.0.0.1:9001", f"127.0.0.1:{web}").replace(
        "port = 6390", f"port = {redis}").replace("port = 8480", f"port = {api}")
    return text, web, api


def run(home, bin_dir, web, script):
    """Runs the command; returns the web UI password and the output of
    create_supervisord_config.py. ``script``: the create_supervisord_config.py to run."""
    migrated = subprocess.run([str(bin_dir / "loglines"), "store", "migrate"], cwd=home,
                              capture_output=True, text=True)
    assert migrated.returncode == 0, migrated.stderr
    made = subprocess.run([str(bin_dir / "python"), str(script)], cwd=home,
                          capture_output=True, text=True)
    assert made.returncode == 0, made.stderr
    password = (home / "var/supervisor.secret").read_text().strip()
    assert f"password {password}" in made.stdout  # printed once, as generated
    started = subprocess.run([str(bin_dir / "supervisord"), "-c", "supervisord.conf"], cwd=home)
    assert started.returncode == 0  # daemonized, as the README's command leaves it
    rpc = xmlrpc.client.ServerProxy(f"http://loglines:{password}@127.0.0.1:{web}/RPC2")

    def states():
        try:
            return {p["name"]: p["statename"] for p in rpc.supervisor.getAllProcessInfo()}
        except (OSError, xmlrpc.client.Error):
            return {}

    assert wait_for(lambda: len(states()) == PROGRAMS and set(states().values()) == {"RUNNING"},
                    timeout=60), states()
    urls = home / "var/log/dry_run_urls.log"
    assert wait_for(lambda: urls.exists() and
                    len(urls.read_text().splitlines()) == SAMPLE_EVENTS, timeout=60)
    # A clean first start: the workers waited for the embedded Redis quietly.
    noisy = [log.name for log in sorted((home / "var/log").glob("*.log"))
             if "Redis unavailable" in log.read_text(errors="replace")]
    assert noisy == []
    return password, made.stdout


def shutdown(home, bin_dir):
    conf = home / "supervisord.conf"
    if conf.exists():
        subprocess.run([str(bin_dir / "supervisorctl"), "-c", str(conf), "shutdown"],
                       capture_output=True, timeout=120)
