"""The generator adds the listener and the notify worker only with [notify]."""

from tests.supervisord.helpers import generated, groups, parse_back, write_cfg

BASE = """
[redis]
port = 6390

[worker_pirus2]
listento = pirus2
repository_plugin = eprints
endpoint_url = https://irus.jisc.ac.uk/counter/test/
"""
NOTIFY = """
[notify]
webhook_url = https://hooks.example.org/loglines?token=${HOOK_TOKEN}
smtp_host = mail.example.org
mail_to = ops@example.org
timeout = 20
"""


def test_notify_adds_the_listener_and_the_worker(tmp_path):
    path = write_cfg(tmp_path / "inst", BASE + NOTIFY)
    _, result = generated(path, environ={"HOOK_TOKEN": "s3cr%t"})
    server, _ = parse_back(tmp_path / "inst", result)
    found = groups(server)
    listener = found["loglines_notify"]
    assert sorted(e.__name__ for e in listener.pool_events) == [
        "ProcessStateExitedEvent", "ProcessStateFatalEvent", "Tick60Event"]
    (process,) = listener.process_configs
    assert process.command.endswith(f"--config {path} notify-listener")
    assert process.redirect_stderr is False
    (sender,) = found["loglines_notify_worker"].process_configs
    assert sender.command.endswith(f"--config {path} notify-worker")
    assert sender.stopwaitsecs == 70
    main = next(f for f in result.files if f.path == "supervisord.conf").content
    assert "s3cr" not in main  # the webhook's secret stays in loglines.cfg


def test_without_notify_nothing_is_added(tmp_path):
    path = write_cfg(tmp_path / "inst", BASE)
    _, result = generated(path)
    server, _ = parse_back(tmp_path / "inst", result)
    assert set(groups(server)) == {"worker_pirus2"}
    assert all("loglines_notify" not in f.content for f in result.files)
