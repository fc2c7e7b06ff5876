"""loglines ship: now, again for a window (replacing the earlier packages
at the target: PUT to the stored report id, or the same file in a
folder), a dry run, the lock, and ship status."""

import json

from loglines.cli.main import main
from loglines.shipping.periods import DAY, text
from tests.shipping.conftest import START, TODAY, book_of
from tests.support.packages import unpack


def ship(config, *args):
    return main(["--config", str(config.path), "ship", *args])


def test_ship_now_then_again_by_put_replaces_the_reports(instance, ingress, redis_client,
                                                         capsys):
    config = instance(target="put")
    assert ship(config) == 0
    assert "6 packages gathered, 6 shipped" in capsys.readouterr().out
    first = {u.name: u for u in ingress.uploads}
    assert {u.method for u in first.values()} == {"POST"}
    book = book_of(config, redis_client)
    assert all(book.report_id(n) for n in first)
    # the first day again, on request: the same packages PUT to their reports
    assert ship(config, "--since", text(START), "--until", text(START + DAY)) == 0
    again = ingress.uploads[len(first):]
    assert len(again) == 2
    for u in again:
        assert u.method == "PUT"
        assert u.path == f"/ingress/{book.report_id(u.name)}"
        assert u.content_sha256 == first[u.name].content_sha256
    assert book.last() == {"daily.csv": TODAY, "summary.json": TODAY}


def test_a_folder_target_holds_one_file_per_package(instance, tmp_path, capsys):
    config = instance(target="folder")
    assert ship(config) == 0
    target = tmp_path / "target"
    files = sorted(p.name for p in target.iterdir())
    assert len(files) == 6
    before = {p.name: p.read_bytes() for p in target.iterdir()}
    assert ship(config, "--since", text(START), "--until", text(TODAY)) == 0
    assert sorted(p.name for p in target.iterdir()) == files  # replaced, not added
    manifests = {n: json.loads(unpack(b)["manifest.json"])["content_sha256"]
                 for n, b in before.items()}
    for p in target.iterdir():
        assert json.loads(unpack(p.read_bytes())["manifest.json"])["content_sha256"] == \
            manifests[p.name]


def test_a_dry_run_leaves_the_packages_in_a_folder_and_ships_nothing(instance, ingress,
                                                                     redis_client, capsys):
    config = instance()
    assert ship(config, "--dry-run") == 0
    said = capsys.readouterr().out
    assert "dry run: 6 packages in " in said
    folder = said.split(" packages in ")[1].split(" (")[0]
    from pathlib import Path
    assert len(list(Path(folder).glob("*.tar.gz"))) == 6
    assert ingress.uploads == []
    assert book_of(config, redis_client).last() == {}


def test_one_gatherer_at_a_time(instance, ingress, redis_client, capsys):
    config = instance()
    book = book_of(config, redis_client)
    token = book.lock()
    try:
        assert ship(config) == 1
        assert "another gatherer of this section is running" in capsys.readouterr().out
    finally:
        book.unlock(token)
    assert ingress.uploads == []
    assert ship(config) == 0


def test_ship_status_says_what_was_shipped_and_what_waits(instance, ingress, capsys):
    config = instance()
    first_day = text(START)
    ingress.status = lambda u: 400 if json.loads(u.files["manifest.json"])["since"] == \
        first_day else 200
    ingress.body = b"daily rows refused: column n is not a date"
    assert ship(config) == 1
    capsys.readouterr()
    assert ship(config, "status") == 0
    said = capsys.readouterr().out
    # the first day was refused: neither collector has gone past it
    assert f"summary.json                 site         {first_day}" in said
    assert f"daily.csv                    site         {first_day}" in said
    assert "waiting: 2 packages" in said
    assert said.count("refused HTTP 400: 'daily rows refused: column n is not a date'") == 2
    assert "shipped (latest 4):" in said  # the two later days


def test_a_window_needs_both_ends(instance, capsys):
    config = instance()
    assert ship(config, "--since", "2025-12-01") == 3
    assert "--since and --until go together" in capsys.readouterr().err


def test_bearer_auth_headers_and_content_type_as_configured(tmp_path, redis_server, prefix,
                                                            capsys):
    import textwrap

    from loglines.config import load
    from tests.shipping.conftest import SITE
    from tests.support.ingress import Ingress

    with Ingress(token="tok-abcdef0123456789") as ingress:
        cfg = tmp_path / "loglines.cfg"
        cfg.write_text(textwrap.dedent(f"""
            [queues]
            prefix = {prefix}
            [redis]
            port = {redis_server.port}
            [worker_ship]
            kind = shipper
            target = post
            url = {ingress.url}
            auth = bearer
            token = tok-abcdef0123456789
            content_type = application/x-tar+gzip
            headers = X-Repository: repo.example.ac.uk, X-Api-Key: key-987654321
            collectors = {SITE}
            groups = site
            period = day
            start = {text(START)}
            settle = 0
        """))
        config = load(cfg)
        (config.instance_dir / "var/ship/worker_ship/outbox").mkdir(parents=True)
        leftover = config.instance_dir / "var/ship/worker_ship/outbox/shipped-before.tar.gz"
        leftover.write_bytes(b"a package shipped just before a crash")
        assert ship(config) == 0
        assert ingress.problems == [] and len(ingress.uploads) == 3
        for u in ingress.uploads:
            assert u.content_type == "application/x-tar+gzip"
            assert u.headers["X-Repository"] == "repo.example.ac.uk"
            assert u.headers["X-Api-Key"] == "key-987654321"
        assert not leftover.exists()  # tidied under the lock
    said = capsys.readouterr()
    assert "tok-abcdef0123456789" not in said.out + said.err
    assert "key-987654321" not in said.out + said.err


def test_a_refused_package_gathered_again_gets_a_new_job(instance, ingress, redis_client,
                                                         capsys):
    config = instance()
    ingress.status = 400
    assert ship(config) == 1
    assert ingress.uploads == []
    ingress.status = 200
    assert ship(config, "--since", text(START), "--until", text(TODAY)) == 0
    assert len(ingress.uploads) == len({u.name for u in ingress.uploads}) == 6
    book = book_of(config, redis_client)
    assert book.waiting() == {}
    assert book.last() == {"daily.csv": TODAY, "summary.json": TODAY}


def test_an_api_section_that_is_not_there_is_one_line(instance, capsys):
    config = instance(extra="api_section = worker_nosuch\n")
    assert ship(config) == 3
    assert "[worker_ship] api_section: no section of kind api named 'worker_nosuch'" in \
        capsys.readouterr().err


def test_a_gatherer_that_lost_its_lock_records_nothing(instance, ingress, redis_client,
                                                       tmp_path, capsys):
    plugin = tmp_path / "slow.py"
    plugin.write_text(
        "from loglines.shipping.registry import register\n\n\n"
        "@register('config', '1', config=True)\n"
        "def config(g):\n    return {}\n\n\n"
        "@register('slow', '1', format='csv', group='site')\n"
        "def slow(g):\n"
        "    # as if this took longer than the lock is held: it expires meanwhile\n"
        "    lock = '{' + g.config.queues.prefix + '}:ship:worker_ship:lock'\n"
        "    g.queues.client.delete(lock)\n"
        "    return [['n'], [1]]\n")
    config = instance(collectors=plugin)
    assert ship(config) == 1
    assert "lock ran out during a collection" in capsys.readouterr().out
    book = book_of(config, redis_client)
    assert book.waiting() == {} and book.last() == {}
    assert ingress.uploads == []
