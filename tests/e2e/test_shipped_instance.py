"""The shipped loglines.cfg runs as is: the README's main command on a copy
of this checkout (only the three ports moved to free ones)."""

import json
import shutil
import subprocess
import urllib.request

import pytest

from tests.e2e import readme_command
from tests.e2e.pipeline import BIN, ROOT
from tests.support.waiting import wait_for

pytestmark = pytest.mark.timeout(300)


@pytest.fixture
def instance(tmp_path):
    home = tmp_path / "loglines"
    home.mkdir()
    for name in ("plugins", "samples"):
        shutil.copytree(ROOT / name, home / name)
    text, web, api = readme_command.with_free_ports((ROOT / "loglines.cfg").read_text())
    (home / "loglines.cfg").write_text(text)
    yield home, web, api
    readme_command.shutdown(home, BIN)


def test_the_shipped_configuration_runs_and_shows_events_flowing(instance):
    home, web, api = instance
    readme_command.run(home, BIN, web, ROOT / "create_supervisord_config.py")
    urls = home / "var/log/dry_run_urls.log"
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
