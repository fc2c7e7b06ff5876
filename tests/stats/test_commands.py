"""loglines stats show|top|coverage|rebuild|backfill, on both databases."""

import bz2
import gzip
import textwrap

from loglines.cli import exit_codes
from loglines.cli.main import main
from tests.stats.test_stats_worker import ITEM, LINES, figures, line, push, write_config
from tests.workers.conftest import run_worker


def run(capsys, cfg, *argv):
    capsys.readouterr()  # what the workers logged before (to stdout, as under supervisord)
    code = main(["--config", str(cfg), *argv])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def filled(tmp_path, redis_server, prefix, store_url, lines=LINES):
    config = write_config(tmp_path, redis_server, prefix, store_url)
    push(config, lines)
    run_worker(config, "worker_pirus2")
    run_worker(config, "worker_stats")
    return config


def test_show_and_top_print_the_figures(tmp_path, redis_server, prefix, store_engine,
                                         store_url, capsys):
    config = filled(tmp_path, redis_server, prefix, store_url)
    code, out, _ = run(capsys, config.path, "stats", "show", ITEM)
    assert code == exit_codes.OK
    assert out.splitlines() == ["period   TII  UII  TIR  UIR", "2025-12    3    2    2    2"]
    code, out, _ = run(capsys, config.path, "stats", "show", ITEM, "--month", "2025-12")
    assert code == exit_codes.OK
    assert out.splitlines()[1] == "2025-12-01    3    2    2    2"
    code, out, _ = run(capsys, config.path, "stats", "top", "--month", "2025-12")
    assert code == exit_codes.OK
    assert [row.split()[0] for row in out.splitlines()[1:]] == [ITEM, "oai:repo.example.ac.uk:8"]
    code, out, _ = run(capsys, config.path, "stats", "show", "oai:nothing:1")
    assert code == exit_codes.OK
    assert out.strip() == "oai:nothing:1: no usage"


def test_coverage_names_the_hours_with_no_line(tmp_path, redis_server, prefix, store_engine,
                                               store_url, capsys):
    config = filled(tmp_path, redis_server, prefix, store_url)
    code, out, _ = run(capsys, config.path, "stats", "coverage")
    assert code == exit_codes.OK
    # Lines on 1 Dec 10:00 and 11:00, and on 2 Dec 09:00: 21 empty hours.
    assert out.splitlines()[0] == ("repo.example.ac.uk: 2025-12-01 10:00 UTC to 2025-12-02 "
                                   "10:00 UTC, 21 hours with no line at all")
    assert out.splitlines()[1] == "  no line 2025-12-01 12:00 UTC to 2025-12-02 09:00 UTC"


def test_rebuild_applies_a_new_robots_rule_without_the_logs(tmp_path, redis_server, prefix,
                                                           store_engine, store_url, capsys):
    config = filled(tmp_path, redis_server, prefix, store_url)
    before = figures(store_url)
    text = config.path.read_text()
    # The site now also excludes Firefox, and no longer needs the robots
    # list to exclude Googlebot... which it still does: one event fewer.
    config.path.write_text(text.replace("oai_prefix = repo.example.ac.uk",
                                        "oai_prefix = repo.example.ac.uk\n"
                                        "exclude_user_agents = Firefox/120"))
    code, out, err = run(capsys, config.path, "stats", "rebuild")
    assert code == exit_codes.OK, err
    assert "event -> excluded_user_agent" in out
    after = figures(store_url)
    assert not any(k[0] == "item_metrics_daily" for k in after)  # every event was Firefox
    # The four events of 1 December and the style sheet (the agent is looked
    # at before the URL).
    assert after["excluded_daily", "2025-12-01", "excluded_user_agent", "lines"] == 5
    assert "1 not_an_item_url -> excluded_user_agent" in out
    config.path.write_text(text)  # the rule dropped again: the figures come back
    code, out, _ = run(capsys, config.path, "stats", "rebuild", "--since", "2025-12-01")
    assert code == exit_codes.OK
    assert figures(store_url) == before


def test_backfill_fills_history_once_from_compressed_archives(tmp_path, redis_server, prefix,
                                                              store_engine, store_url, capsys):
    config = filled(tmp_path, redis_server, prefix, store_url, lines=LINES[:1])
    old = [line("203.0.113.7", f"{day:02d}/Nov/2025:08:00:00", "/id/eprint/7/1/paper.pdf")
           for day in range(1, 31)]
    (tmp_path / "access.log.2.gz").write_bytes(gzip.compress(
        "".join(f"{x}\n" for x in old[:15]).encode()))
    (tmp_path / "access.log.1.bz2").write_bytes(bz2.compress(
        "".join(f"{x}\n" for x in old[15:] + LINES[:1]).encode()))
    files = [str(tmp_path / "access.log.2.gz"), str(tmp_path / "access.log.1.bz2")]
    code, out, err = run(capsys, config.path, "stats", "backfill", "--service",
                         "repo.example.ac.uk", "-q", *files)
    assert code == exit_codes.OK, err
    assert "2 files (0 read before), 30 lines stored (30 events), 1 stored before" in out
    got = figures(store_url)
    assert got["item_metrics_monthly", "2025-11", ITEM, "Total_Item_Requests"] == 30
    assert got["item_metrics_monthly", "2025-12", ITEM, "Total_Item_Requests"] == 1
    code, out, _ = run(capsys, config.path, "stats", "backfill", "--service",
                       "repo.example.ac.uk", "-q", "--force", *files)
    assert "0 lines stored (0 events), 31 stored before" in out
    assert figures(store_url) == got


def test_a_statistic_plugin_is_counted_from_history_and_a_broken_one_is_named(
        tmp_path, redis_server, prefix, store_engine, store_url, caplog):
    config = filled(tmp_path, redis_server, prefix, store_url)
    plugins = tmp_path / "plugins"
    plugins.mkdir()
    (plugins / "downloads_by_hour.py").write_text(textwrap.dedent('''
        from loglines.store.schema import REQUEST
        name = "downloads_by_hour"
        description = "File downloads per hour of the day"
        fields = ("downloads",)
        period = "all"
        key = "hour"
        backlog = 365

        def usage(change):
            if change.hit.kind == REQUEST:
                yield f"{change.hit.t // 3600 % 24:02d}", "downloads", change.delta
    '''))
    (plugins / "broken.py").write_text("name = 'broken'\nfields = (\n")
    text = config.path.read_text().replace(
        "kind = stats", "kind = stats\nstatistics = builtin, downloads_by_hour, broken")
    config.path.write_text(text)
    from loglines.config import load

    config = load(config.path)
    run_worker(config, "worker_stats")
    assert "broken.py failed to load: SyntaxError" in caplog.text
    assert "statistic downloads_by_hour (version 1) is new here" in caplog.text
    got = figures(store_url)
    assert got["downloads_by_hour", "all", "10", "downloads"] == 1
    assert got["downloads_by_hour", "all", "11", "downloads"] == 1
    assert got["downloads_by_hour", "all", "09", "downloads"] == 1
    assert got["item_metrics_monthly", "2025-12", ITEM, "Total_Item_Requests"] == 2


def test_status_reports_the_store_and_its_gaps(tmp_path, redis_server, prefix, store_engine,
                                               store_url, capsys):
    config = filled(tmp_path, redis_server, prefix, store_url)
    code, out, _ = run(capsys, config.path, "status")
    assert code == exit_codes.OK
    assert "revision 0002 (head): ok" in out
    assert ("  repo.example.ac.uk: lines from 2025-12-01 10:00 UTC to 2025-12-02 10:00 UTC, "
            "21 hours with none; no line 2025-12-01 12:00 UTC to 2025-12-02 09:00 UTC") in out


def test_status_warns_when_the_store_is_not_migrated(tmp_path, redis_server, prefix, capsys):
    config = write_config(tmp_path, redis_server, prefix,
                          f"sqlite:///{tmp_path}/var/store/new.sqlite3")
    code, out, _ = run(capsys, config.path, "status")
    assert code == exit_codes.OK
    assert "WARNING: the statistics' store: not migrated" in out


def test_a_statistic_whose_key_is_a_column_name_is_refused():
    import pytest

    from loglines.stats.statistic import BadStatistic, Statistic

    with pytest.raises(BadStatistic, match="also the name of a column"):
        Statistic("s", "d", ("period", "n"), "day", "n", 0, "1", lines=lambda line: ())
