"""The pipeline under a real supervisord: logfilewatcher -> broker -> pirus2
-> tracker and the article/other loggers, with the embedded Redis as a
supervised program. Processes are really killed, stopped and rotated."""

import os
import signal
import stat
import urllib.error
import urllib.request
import uuid

import pytest

from tests.e2e.pipeline import PASSWORD, Pipeline
from tests.support.tracker import Tracker
from tests.support.waiting import wait_for

pytestmark = pytest.mark.timeout(300)


@pytest.fixture(scope="module")
def tracker():
    with Tracker() as t:
        yield t


@pytest.fixture(scope="module")
def pipeline(tmp_path_factory, tracker):
    p = Pipeline(tmp_path_factory.mktemp("instance"), tracker.url)
    # Started from a shell's usual umask, which must not decide who reads the files.
    previous = os.umask(0o022)
    try:
        p.start()
    finally:
        os.umask(previous)
    yield p
    p.stop()


@pytest.fixture(autouse=True)
def healthy_tracker(tracker):
    tracker.status, tracker.hang = 200, 0
    yield
    tracker.status, tracker.hang = 200, 0


def marker():
    return "m" + uuid.uuid4().hex[:8]


def delivered(tracker, prefix):
    return [p["svc_dat"] for p in list(tracker.accepted) if p["svc_dat"].startswith(prefix)]


def all_delivered(tracker, paths):
    prefix = "/" + paths[0].split("/")[1] + "/"  # the test's marker
    return lambda: set(paths) <= set(delivered(tracker, prefix))


def test_lines_become_tracker_gets_and_logged_lines(pipeline, tracker):
    m = marker()
    events = [f"/{m}/{i}" for i in range(30)]
    pipeline.write(*(f"GET {e} 200" for e in events), f"GET /{m}/partial 206")
    assert wait_for(all_delivered(tracker, events), timeout=60)
    assert sorted(delivered(tracker, f"/{m}/")) == sorted(events)
    got = next(p for p in tracker.accepted if p["svc_dat"] == events[0])
    assert got == {"url_ver": "Z39.88-2004", "rfr_id": "repo.example.ac.uk", "svc_dat": events[0]}
    articles = pipeline.home / "out/articles.log"
    other = pipeline.home / "out/other.log"
    assert wait_for(lambda: other.exists() and f"GET /{m}/partial 206" in other.read_text())
    assert wait_for(lambda: articles.exists()
                    and sum(m in line for line in articles.read_text().splitlines()) == 30)


def test_sigkill_of_a_pirus2_process_loses_no_event(pipeline, tracker):
    m = marker()
    tracker.hang = 0.05  # keep batches in flight when the kill lands
    events = [f"/{m}/{i}" for i in range(200)]
    pipeline.write(*(f"GET {e} 200" for e in events))
    assert wait_for(lambda: len(delivered(tracker, f"/{m}/")) >= 20, timeout=60)
    victim = pipeline.states()["worker_pirus2:worker_pirus2_00"]
    os.kill(victim["pid"], signal.SIGKILL)
    assert wait_for(lambda: pipeline.states()["worker_pirus2:worker_pirus2_00"]["pid"]
                    not in (0, victim["pid"]), timeout=30)  # supervisord restarted it
    tracker.hang = 0
    assert wait_for(all_delivered(tracker, events), timeout=120)
    assert wait_for(lambda: pipeline.quiet(pipeline.store()), timeout=60)


def test_supervisorctl_stop_mid_batch_loses_nothing(pipeline, tracker):
    m = marker()
    tracker.hang = 0.05
    events = [f"/{m}/{i}" for i in range(150)]
    pipeline.write(*(f"GET {e} 200" for e in events))
    assert wait_for(lambda: len(delivered(tracker, f"/{m}/")) >= 10, timeout=60)
    result = pipeline.supervisorctl("stop", "worker_pirus2:*")
    assert "stopped" in result.stdout
    states = pipeline.states()
    for name in ("worker_pirus2:worker_pirus2_00", "worker_pirus2:worker_pirus2_01"):
        assert states[name]["statename"] == "STOPPED"
        assert states[name]["exitstatus"] == 0  # left by itself, not SIGKILLed
    store = pipeline.store()
    assert store.queue("pirus2").stats().inflight == 0  # what it held was settled or given back
    tracker.hang = 0
    pipeline.supervisorctl("start", "worker_pirus2:*")
    assert wait_for(all_delivered(tracker, events), timeout=120)


def test_an_outage_then_recovery_delivers_everything_and_a_400_only_dead_letters_its_event(
        pipeline, tracker):
    m = marker()
    tracker.status = 503
    events = [f"/{m}/{i}" for i in range(20)]
    pipeline.write(*(f"GET {e} 200" for e in events))
    assert wait_for(lambda: sum(p["svc_dat"].startswith(f"/{m}/") for p in tracker.refused) >= 40)
    tracker.status = lambda params: 400 if params["svc_dat"] == f"/{m}/bad" else 200
    pipeline.write(f"GET /{m}/bad 200")
    assert wait_for(all_delivered(tracker, events), timeout=60)
    store = pipeline.store()
    assert wait_for(lambda: store.queue("pirus2").stats().dead >= 1, timeout=30)
    dead = [d for d in store.queue("pirus2").dead_items(limit=1000) if m.encode() in d.payload]
    assert len(dead) == 1 and b"/bad" in dead[0].payload
    assert dead[0].error.startswith("tracker answered HTTP 400")


def test_rotation_by_rename_and_by_copytruncate_loses_no_line(pipeline, tracker):
    m = marker()
    expected = []
    for round_ in range(3):
        batch = [f"/{m}/{round_}-{i}" for i in range(40)]
        expected += batch
        pipeline.write(*(f"GET {e} 200" for e in batch[:20]))
        if round_ % 2 == 0:  # rename + create, lines still going to the old file first
            os.rename(pipeline.log, pipeline.log.with_name(f"rotated-{m}-{round_}"))
            pipeline.write(*(f"GET {e} 200" for e in batch[20:]))
        else:  # copytruncate: copy, then truncate in place, once the tailer caught up
            assert wait_for(all_delivered(tracker, expected[:-20]), timeout=60)
            data = pipeline.log.read_bytes()
            pipeline.log.with_name(f"copied-{m}-{round_}").write_bytes(data)
            with open(pipeline.log, "r+b") as handle:
                handle.truncate(0)
            pipeline.write(*(f"GET {e} 200" for e in batch[20:]))
    assert wait_for(all_delivered(tracker, expected), timeout=120)


def test_restarting_the_logfilewatcher_loses_and_repeats_nothing(pipeline, tracker):
    m = marker()
    first = [f"/{m}/a{i}" for i in range(30)]
    pipeline.write(*(f"GET {e} 200" for e in first))
    assert wait_for(all_delivered(tracker, first), timeout=60)
    pipeline.supervisorctl("stop", "logger_logfilewatcher")
    second = [f"/{m}/b{i}" for i in range(30)]
    pipeline.write(*(f"GET {e} 200" for e in second))
    pipeline.supervisorctl("start", "logger_logfilewatcher")
    assert wait_for(all_delivered(tracker, first + second), timeout=60)
    assert wait_for(lambda: pipeline.quiet(pipeline.store()), timeout=60)
    got = delivered(tracker, f"/{m}/")
    assert sorted(got) == sorted(first + second)  # a clean stop repeats nothing


def test_the_web_ui_wants_the_password_and_lists_every_program(pipeline):
    url = f"http://127.0.0.1:{pipeline.web_port}/"
    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(url, timeout=10)
    assert refused.value.code == 401
    auth = urllib.request.HTTPPasswordMgrWithDefaultRealm()
    auth.add_password(None, url, "tester", PASSWORD)
    opener = urllib.request.build_opener(urllib.request.HTTPBasicAuthHandler(auth))
    page = opener.open(url, timeout=10).read().decode()
    for name in ("process_redis", "logger_logfilewatcher", "worker_broker", "worker_pirus2_00",
                 "worker_pirus2_01", "logger_articlelogger", "logger_otherlogger"):
        assert name in page
    assert page.count("running") >= 7


def test_disable_and_enable_round_trip_through_supervisorctl_update(pipeline):
    assert "logger_otherlogger" in " ".join(pipeline.states())
    pipeline.loglines("disable", "logger_otherlogger")
    pipeline.supervisorctl("update")
    assert wait_for(lambda: "logger_otherlogger:logger_otherlogger" not in pipeline.states())
    pipeline.loglines("enable", "logger_otherlogger")
    pipeline.supervisorctl("update")
    assert wait_for(pipeline.all_running, timeout=30)
    assert "logger_otherlogger:logger_otherlogger" in pipeline.states()


def test_workers_ride_out_a_redis_crash_without_exiting(pipeline, tracker):
    m = marker()
    workers = {n: p["pid"] for n, p in pipeline.states().items() if "redis" not in n}
    first = [f"/{m}/a{i}" for i in range(20)]
    pipeline.write(*(f"GET {e} 200" for e in first))
    assert wait_for(all_delivered(tracker, first), timeout=60)
    redis_pid = pipeline.states()["process_redis:process_redis"]["pid"]
    os.kill(redis_pid, signal.SIGKILL)  # `loglines redis` exec'd: this is redis-server
    second = [f"/{m}/b{i}" for i in range(20)]
    pipeline.write(*(f"GET {e} 200" for e in second))
    assert wait_for(lambda: pipeline.states()["process_redis:process_redis"]["pid"]
                    not in (0, redis_pid), timeout=30)  # supervisord brought it back
    assert wait_for(all_delivered(tracker, first + second), timeout=90)
    after = {n: p["pid"] for n, p in pipeline.states().items() if "redis" not in n}
    assert after == workers  # no worker exited or was restarted


def _readable_by_others(path, home):
    """Whether a user outside the owner's group could read ``path``: every
    folder from ``home`` down to it lets others through, and it lets them read."""
    folders = [home / p for p in path.relative_to(home).parents if p != type(p)(".")]
    through = all(stat.S_IMODE(f.stat().st_mode) & stat.S_IXOTH for f in folders)
    return through and bool(stat.S_IMODE(path.stat().st_mode) & stat.S_IROTH)


def test_no_file_the_instance_writes_is_readable_by_other_users(pipeline, tracker):
    m = marker()
    pipeline.write(f"GET /{m}/0 200", f"GET /{m}/partial 206")
    assert wait_for(all_delivered(tracker, [f"/{m}/0"]), timeout=60)
    other = pipeline.home / "out/other.log"
    assert wait_for(lambda: other.exists() and m in other.read_text())
    written_by_the_test = {pipeline.cfg, pipeline.home / "logs", pipeline.home / "plugins"}
    files = [p for p in pipeline.home.rglob("*") if p.is_file() and not p.is_symlink()
             and not any(w == p or w in p.parents for w in written_by_the_test)]
    names = {str(p.relative_to(pipeline.home)) for p in files}
    # Every kind: logged usage, the AOF, worker and supervisord logs, checkpoints, secrets.
    assert {"out/articles.log", "out/other.log", "var/log/supervisord.log",
            "var/log/worker_pirus2_00.log", "var/redis.secret"} <= names, names
    assert any(".aof" in n for n in names) and any(n.startswith("var/tail") for n in names), names
    assert [str(p) for p in files if _readable_by_others(p, pipeline.home)] == []
    folders = [pipeline.home / d for d in ("var", "out", "var/redis", "var/log")]
    assert {str(f): oct(stat.S_IMODE(f.stat().st_mode) & 0o007) for f in folders} == {
        str(f): "0o0" for f in folders}
