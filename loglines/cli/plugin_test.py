"""loglines plugin-test: what a plugin makes of some log lines, before going live.

Reads lines from files or stdin, wraps each as the queue message the
logfilewatcher would push, runs it through the plugin exactly as the pirus2
worker does, and prints what was parsed, whether it is an event (and why
not), and the tracker URL that would be sent. Nothing is sent.
"""

import json
import sys
from collections import Counter
from urllib.parse import urlsplit

from ..config import PluginConfigView
from ..errors import ConfigError
from ..outputs.delivery.urls import Endpoint
from ..usage import plugin as plugins
from ..usage.item import BadItem, evaluate
from .context import out
from .help_text import examples


def add_parser(subparsers):
    p = subparsers.add_parser("plugin-test", help="run log lines through a plugin and show "
                              "what would be sent (sends nothing)",
        epilog=examples(
            "loglines plugin-test /var/log/apache2/access.log.1",
            "tail -n 1000 /var/log/apache2/access.log | loglines plugin-test --plugin fedora"))
    p.add_argument("files", nargs="*", metavar="FILE", help="log files (default: stdin)")
    p.add_argument("--section", help="the pirus2 section whose plugin and settings to use "
                   "(default: the first one)")
    p.add_argument("--plugin", help="another plugin than the section's (name or path)")
    p.add_argument("--service", help="the service name put in each message (default: the "
                   "servicename of the first logfilewatcher)")
    p.add_argument("--json", action="store_true", help="one JSON object per line")
    p.set_defaults(handler=run, needs_context=True)


def _section(config, name):
    pirus2 = [n for n, p in config.programs.items() if p.kind == "pirus2"]
    if name is None and pirus2:
        return config.program(pirus2[0])
    if name in pirus2:
        return config.program(name)
    raise ConfigError(f"{config.path}: no pirus2 section {name or ''} (there are: "
                      f"{', '.join(pirus2) or 'none'}); name one with --section")


def _service(config, given):
    if given:
        return given
    for program in config.programs.values():
        if program.kind == "logfilewatcher":
            return program.options.servicename
    return "localhost"


def _lines(files):
    if not files:
        yield from sys.stdin
        return
    for name in files:
        with open(name, encoding="utf-8", errors="replace") as handle:
            yield from handle


def judge(plugin, view, section, endpoint, service, line):
    """One line's verdict, as a dict (what --json prints)."""
    line = line.rstrip("\r\n")
    payload = json.dumps({"service": service, "logline": line}).encode("utf-8")
    verdict = {"logline": line}
    try:
        result = evaluate(plugin, view, section, payload)
    except BadItem as err:
        kind = "retry" if err.temporary else "bad"
        return verdict | {"verdict": kind, "reason": str(err)}
    verdict["parsed"] = result.parsed if isinstance(result.parsed, dict) else repr(result.parsed)
    if result.params is None:
        return verdict | {"verdict": "not_event", "reason": result.exclusion or "not an event"}
    return verdict | {"verdict": "event", "params": dict(result.params),
                      "url": endpoint.event_url(result.params).shown}


def run(ctx):
    config = ctx.config
    section = _section(config, ctx.args.section)
    plugin = plugins.load(config, section.name,
                          ctx.args.plugin or section.options.repository_plugin)
    view = PluginConfigView(config.raw)
    plugin.check_config(view, section.name)
    endpoint = Endpoint(section.options.endpoint_url or "http://tracker.invalid/")
    service = _service(config, ctx.args.service)
    tally = Counter()
    for number, line in enumerate(_lines(ctx.args.files), 1):
        verdict = judge(plugin, view, section.name, endpoint, service, line)
        tally[verdict["verdict"]] += 1
        if verdict["verdict"] == "not_event":
            tally[f"  {verdict['reason']}"] += 1
        _show(number, verdict, ctx.args.json)
    if not ctx.args.json:
        out(f"{tally['event']} events, {tally['not_event']} not events, {tally['bad']} bad, "
            f"{tally['retry']} to retry (plugin {plugin.path.name}, section {section.name}, "
            f"tracker {urlsplit(endpoint.origin).netloc})")
        for key, n in sorted(tally.items()):
            if key.startswith("  "):
                out(f"  not an event, {key.strip()}: {n}")
    return 0


def _show(number, verdict, as_json):
    if as_json:
        out(json.dumps({"line": number, **verdict}, default=str, sort_keys=True))
        return
    out(f"line {number}: {verdict['logline'][:160]}")
    if isinstance(verdict.get("parsed"), dict):
        fields = {k: v for k, v in verdict["parsed"].items() if k != "logline"}
        out(f"  parsed: {json.dumps(fields, default=str, sort_keys=True)[:400]}")
    if verdict["verdict"] == "event":
        out(f"  EVENT  {verdict['url']}")
    elif verdict["verdict"] == "not_event":
        out(f"  not an event: {verdict['reason']}")
    else:
        out(f"  {verdict['verdict'].upper()}: {verdict['reason']}")
