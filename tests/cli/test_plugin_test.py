"""loglines plugin-test on the shipped configuration and sample log."""

import json
import subprocess
import sys
from pathlib import Path

from loglines.cli.main import main

ROOT = Path(__file__).resolve().parents[2]
CFG = str(ROOT / "loglines.cfg")
SAMPLE = ROOT / "samples/access.log"


def test_every_sample_line_gets_a_verdict(capsys):
    assert main(["--config", CFG, "plugin-test", "--json", str(SAMPLE)]) == 0
    verdicts = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert len(verdicts) == len(SAMPLE.read_text().splitlines()) == 120
    kinds = {v["verdict"] for v in verdicts}
    assert kinds == {"event", "not_event"}
    events = [v for v in verdicts if v["verdict"] == "event"]
    assert len(events) == 49
    first = events[0]
    assert first["params"]["rft.artnum"] == "oai:repo.example.ac.uk:103"
    assert first["url"].startswith("https://irus.jisc.ac.uk/counter/test/?url_ver=Z39.88-2004")
    reasons = {v["reason"] for v in verdicts if v["verdict"] == "not_event"}
    assert {"robot", "status_206", "thumbnail"} <= reasons


def test_text_output_and_summary(capsys, tmp_path):
    lines = tmp_path / "lines.log"
    lines.write_text(
        '192.0.2.10 - - [17/Oct/2010:03:04:42 +0000] "GET /1234/1/paper.pdf HTTP/1.1" 200 280090 '
        '"https://scholar.google.com/" "Mozilla/5.0 (X11; Linux x86_64) Firefox/128.0"\n'
        "not a log line at all\n")
    assert main(["--config", CFG, "plugin-test", str(lines)]) == 0
    out = capsys.readouterr().out
    expected = ("EVENT  https://irus.jisc.ac.uk/counter/test/?url_ver=Z39.88-2004"
                "&url_tim=2010-10-17T03%3A04%3A42Z&req_id=192.0.2.10")
    assert expected in out
    assert "not an event: unparseable" in out
    assert "1 events, 1 not events, 0 bad, 0 to retry" in out


def test_reads_stdin_and_another_plugin(tmp_path):
    plugin = tmp_path / "boom.py"
    plugin.write_text("def parseline(j):\n    raise ValueError('no')\n"
                      "def get_openurl_params(c, s, pl):\n    return {}\n")
    result = subprocess.run(
        [sys.executable, "-m", "loglines", "--config", CFG, "plugin-test", "--plugin",
         str(plugin)], input="anything\n", capture_output=True, text=True, cwd=ROOT)
    assert result.returncode == 0
    assert "BAD: plugin raised ValueError: no" in result.stdout
    assert "0 events, 0 not events, 1 bad" in result.stdout


def test_an_unknown_section_is_one_line(capsys):
    assert main(["--config", CFG, "plugin-test", "--section", "worker_nope"]) == 3
    assert capsys.readouterr().err.strip().endswith(
        "no pirus2 section worker_nope (there are: worker_pirus2); name one with --section")
