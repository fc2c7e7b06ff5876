"""The complete plugin shown in the README works as the README says."""

import json
import re
from pathlib import Path

from loglines.cli.main import main

ROOT = Path(__file__).resolve().parents[2]


def readme_plugin():
    text = (ROOT / "README.md").read_text()
    section = text[text.index("## Writing a plugin"):]
    return re.search(r"```python\n(.*?)```", section, re.S).group(1)


def test_the_readme_plugin_finds_its_events(tmp_path, capsys):
    (tmp_path / "plugins").mkdir()
    (tmp_path / "plugins/myrepo.py").write_text(readme_plugin())
    (tmp_path / "loglines.cfg").write_text(
        "[worker_pirus2]\nlistento = pirus2\nrepository_plugin = myrepo\n"
        "endpoint_url = https://irus.jisc.ac.uk/counter/test/\n"
        "base_url = https://repo.example.ac.uk\noai_prefix = repo.example.ac.uk\n")
    ua = '"https://example.org/" "Mozilla/5.0 (X11; Linux x86_64) Firefox/128.0"'
    (tmp_path / "access.log").write_text(
        f'192.0.2.1 - - [01/Apr/2009:01:14:27 +0100] "GET /files/7/a.pdf HTTP/1.1" 200 9 {ua}\n'
        f'192.0.2.1 - - [01/Apr/2009:01:14:28 +0100] "GET /items/7 HTTP/1.1" 200 9 {ua}\n'
        f'192.0.2.1 - - [01/Apr/2009:01:14:29 +0100] "GET /about HTTP/1.1" 200 9 {ua}\n')
    code = main(["--config", str(tmp_path / "loglines.cfg"), "plugin-test", "--json",
                 str(tmp_path / "access.log")])
    assert code == 0
    verdicts = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert [v["verdict"] for v in verdicts] == ["event", "event", "not_event"]
    assert verdicts[0]["params"]["rft_dat"] == "Request"
    assert verdicts[0]["params"]["rft.artnum"] == "oai:repo.example.ac.uk:7"
    assert verdicts[0]["params"]["url_tim"] == "2009-04-01T00:14:27Z"
    assert verdicts[1]["params"]["rft_dat"] == "Investigation"
    assert verdicts[2]["reason"] == "not_an_item_url"
