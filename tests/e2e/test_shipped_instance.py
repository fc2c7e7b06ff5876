"""The shipped loglines.cfg runs as is: the README's main command on a copy
of this checkout (only the three ports moved to free ones)."""

import json
import shutil
import subprocess
import urllib.request
import xmlrpc.client

import pytest

from tests.e2e.pipeline import BIN, ROOT
from tests.support.redis_server import free_port
from tests.support.waiting import wait_for

pytestmark = pytest.mark.timeout(300)


@pytest.fixture
def instance(tmp_path):
    home = tmp_path / "loglines"
    home.mkdir()
    for name in ("plugins", "samples"):
        shutil.copytree(ROOT / name, home / name)
    web, redis, api = free_port(), free_port(), free_port()
    text = (ROOT / "loglines.cfg").read_text()
    assert "127.0.0.1:9001" in text and "port = 6390" in text and "port = 8480" in text
    (home / "loglines.cfg").write_text(
        text.replace("127.0.0.1:9001", f"127.0.0.1:{web}").replace(
            "port = 6390", f"port = {redis}").replace("port = 8480", f"port = {api}"))
    yield home, web, api
    conf = home / "supervisord.conf"
    if conf.exists():
        subprocess.run([str(BIN / "supervisorctl"), "-c", str(conf), "shutdown"],
                       capture_output=True, timeout=120)


def test_the_shipped_configuration_runs_and_shows_events_flowing(instance):
    home, web, api = instance
    migrated = subprocess.run([str(BIN / "loglines"), "store", "migrate"], cwd=home,
                              capture_output=True, text=True)
    assert migrated.returncode == 0, migrated.stderr
    made = subprocess.run([str(BIN / "python"), str(ROOT / "create_supervisord_config.py")],
                          cwd=home, capture_output=True, text=True)
    assert made.returncode == 0, made.stderr
    password = (home / "var/supervisor.secret").read_text().strip()
    assert f"password {password}" in made.stdout  # printed once, as generated
    started = subprocess.run([str(BIN / "supervisord"), "-c", "supervisord.conf"], cwd=home)
    assert started.returncode == 0  # daemonized, as the README's command leaves it
    rpc = xmlrpc.client.ServerProxy(f"http://loglines:{password}@127.0.0.1:{web}/RPC2")

    def states():
        try:
            return {p["name"]: p["statename"] for p in rpc.supervisor.getAllProcessInfo()}
        except (OSError, xmlrpc.client.Error):
            return {}

    assert wait_for(lambda: len(states()) == 9 and set(states().values()) == {"RUNNING"},
                    timeout=60), states()
    urls = home / "var/log/dry_run_urls.log"
    assert wait_for(lambda: urls.exists() and len(urls.read_text().splitlines()) == 49,
                    timeout=60)
    sent = urls.read_text().splitlines()
    assert all(u.startswith("https://irus.jisc.ac.uk/counter/test/?url_ver=Z39.88-2004&")
               for u in sent)
    # two pirus2 processes share the work, so the order of the URLs varies
    assert any("rft.artnum=oai%3Arepo.example.ac.uk%3A103&" in u for u in sent)
    articles, other = home / "logs/articles.log", home / "logs/other.log"
    assert wait_for(lambda: articles.exists() and other.exists() and
                    len(articles.read_text().splitlines()) == 49 and
                    len(other.read_text().splitlines()) == 71, timeout=60)
    status = subprocess.run([str(BIN / "loglines"), "status"], cwd=home, capture_output=True,
                            text=True)
    assert status.returncode == 0 and "worker_pirus2" in status.stdout
    assert "excluded_robot" in status.stdout

    def top():
        shown = subprocess.run([str(BIN / "loglines"), "stats", "top", "--limit", "1000"],
                               cwd=home, capture_output=True, text=True)
        return shown.stdout.splitlines()[1:]

    # Every event of the sample is counted (double clicks filtered) locally.
    assert wait_for(lambda: any(row.startswith("oai:repo.example.ac.uk:103 ") for row in top()),
                    timeout=30), top()

    # The dashboard and the SUSHI service answer on the api program's port.
    with urllib.request.urlopen(f"http://127.0.0.1:{api}/", timeout=10) as page:
        assert page.status == 200 and b"<title>" in page.read()
    with urllib.request.urlopen(f"http://127.0.0.1:{api}/r51/status", timeout=10) as answer:
        assert json.loads(answer.read())[0]["Service_Active"] is True
