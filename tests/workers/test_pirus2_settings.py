"""The pirus2 worker builds its plugin's settings once, when it starts, on
the view it passes to every plugin call; nothing is kept in module state."""

import json
from pathlib import Path

from loglines.outputs import pirus2
from loglines.usage import settings
from tests.workers.conftest import run_worker, worker_context

EPRINTS = Path(__file__).resolve().parents[2] / "plugins" / "eprints.py"
UA = '"-" "Mozilla/5.0 (X11; Linux x86_64) Firefox/128.0"'


def message(path, n):
    line = f'192.0.2.{n % 250} - - [17/Oct/2010:03:04:{n % 60:02d} +0000] "GET {path} ' \
           f'HTTP/1.1" 200 9 {UA}'
    return json.dumps({"service": "repo.example.ac.uk", "logline": line})


def counted(monkeypatch, name):
    calls = []
    original = getattr(settings, name)

    def counting(*args):
        calls.append(args[1:])
        return original(*args)

    monkeypatch.setattr(settings, name, counting)
    return calls


def test_the_plugin_settings_are_built_once_per_worker(instance, monkeypatch, tracker):
    config = instance(plugin=EPRINTS, extra="base_url = https://repo.example.ac.uk")
    builds, formats = counted(monkeypatch, "_build"), counted(monkeypatch, "compile_format")
    ctx = worker_context(config, "worker_pirus2")
    ctx.queue("pirus2").push([message(f"/{n}/1/paper.pdf", n) for n in range(1, 41)]
                             + [message("/favicon.ico", 0)] * 10)
    run_worker(config, "worker_pirus2")
    assert ctx.store.counts("worker_pirus2")["delivered"] == 40
    assert len(builds) == 1 and len(formats) == 1  # at start, by check_config
    # A second worker (another view) builds its own: nothing is shared.
    pirus2.Pirus2(worker_context(config, "worker_pirus2")).client.close()
    assert len(builds) == 2


def test_the_worker_tells_parseline_the_view_and_section(instance):
    config = instance(plugin=EPRINTS, extra="log_format = common")
    worker = pirus2.Pirus2(worker_context(config, "worker_pirus2"))
    try:
        assert worker.plugin.parse_told
        line = '192.0.2.1 - - [17/Oct/2010:03:04:42 +0000] "GET /1/1/a.pdf HTTP/1.1" 200 9'
        parsed = worker.plugin.parseline(json.dumps({"service": "s", "logline": line}),
                                         worker.view, "worker_pirus2")
        assert parsed["log_format"] == "common" and parsed["status"] == 200
    finally:
        worker.client.close()
