"""Plugin settings: read from the worker section once, with the spec's defaults."""

import json
import textwrap
from configparser import ConfigParser

import pytest

from loglines.config import PluginConfigView, load
from loglines.errors import ConfigError
from loglines.usage import Reader, message, settings_for
from loglines.usage.settings import DEFAULTS, log_format_for

from .helpers import HOST, SECTION, evaluate, line, plugin, view

MINIMAL = f"""
[{SECTION}]
listento = pirus2
repository_plugin = eprints
dry_run = true
"""


def write(tmp_path, text):
    path = tmp_path / "loglines.cfg"
    path.write_text(textwrap.dedent(text))
    return path


def test_the_spec_declares_the_defaults_the_plugins_use(tmp_path):
    options = load(write(tmp_path, MINIMAL)).program(SECTION).options
    for key, default in DEFAULTS.items():
        if key != "rfr_id":  # passed to plugins unchecked (an OpenURL key)
            value = getattr(options, key)
            assert (list(value) if isinstance(value, tuple) else value) == default, key
    assert options.exclude_datastreams == plugin("fedora").DEFAULT_EXCLUDED
    assert options.lookup_timeout == plugin("dspace").build_extra(Reader(view(), SECTION))[
        "timeout"]
    for value in (options.dspace_rest_url, options.request_pattern,
                  options.investigation_pattern, options.id_pattern):
        assert value is None


@pytest.mark.parametrize(("text", "problem"), [
    ("req_id = mac", "[worker_pirus2] req_id: expected one of ip, urn, hash, got 'mac'"),
    ("lookup_timeout = soon", "[worker_pirus2] lookup_timeout: expected a number"),
    ("log_format = a, b", "[worker_pirus2] log_format: expected a single value"),
])
def test_the_loader_checks_the_plugin_keys(tmp_path, text, problem):
    with pytest.raises(ConfigError) as info:
        load(write(tmp_path, MINIMAL + text + "\n"))
    assert any(problem in line for line in info.value.problems)


def test_values_as_written_in_loglines_cfg_are_read_with_configobj_rules(tmp_path):
    path = write(tmp_path, MINIMAL + """
    log_format = '%h %l %u %t "%r" %>s %b "%{Referer}i" "%{User-agent}i" "%{X-Forwarded-For}i"'
    exclude_user_agents = Zotero, "^Check{1,2}er$"
    trusted_proxies = 10.0.0.0/8
    request_pattern = "^/files/(?P<id>[0-9]{1,6})/"
    req_id_salt = ${SALT}
    """)
    reader = Reader(PluginConfigView(load(path, environ={"SALT": "pepper"}).raw), SECTION)
    assert reader.text("log_format").startswith('%h %l %u %t "%r"')
    assert reader.list("exclude_user_agents") == ["Zotero", "^Check{1,2}er$"]
    assert reader.list("trusted_proxies") == ["10.0.0.0/8"]
    assert reader.text("request_pattern") == "^/files/(?P<id>[0-9]{1,6})/"
    assert reader.text("req_id_salt") == "pepper"
    assert reader.list("exclude_ips", ["x"]) == ["x"] and reader.text("base_url") is None


def test_a_configparser_with_percent_signs_and_lists():
    c = ConfigParser()
    c.read_string(f"[{SECTION}]\nlog_format = %h %l %u %t \"%r\" %>s %b\nexclude_ips = "
                  "10.0.0.0/8, 2001:db8::/32\n")
    reader = Reader(c, SECTION)
    assert reader.text("log_format") == '%h %l %u %t "%r" %>s %b'
    assert reader.list("exclude_ips") == ["10.0.0.0/8", "2001:db8::/32"]


@pytest.mark.parametrize(("keys", "problem"), [
    ({"exclude_user_agents": "'(unclosed'"}, "[worker_pirus2] exclude_user_agents: not a valid"),
    ({"exclude_ips": "10.0.0.0/8, nonsense"}, "[worker_pirus2] exclude_ips: not an IP"),
    ({"trusted_proxies": "10.0.0.300"}, "[worker_pirus2] trusted_proxies: not an IP"),
    ({"log_format": "%h %t"}, "[worker_pirus2] log_format: the format has no status"),
    ({"lookup_timeout": "soon"}, "[worker_pirus2] lookup_timeout: expected a number"),
    ({"dspace_rest_url": "localhost:8080"}, "[worker_pirus2] dspace_rest_url: expected an"),
])
def test_bad_values_are_config_errors_naming_section_and_key(keys, problem):
    with pytest.raises(ConfigError) as info:
        evaluate("dspace", line("/handle/1/2"), view(**keys))
    assert str(info.value).startswith(problem)


def test_generic_bad_regex():
    with pytest.raises(ConfigError, match=r"\[worker_pirus2\] id_pattern: not a valid regex"):
        evaluate("generic", line("/x"), view(id_pattern="(?P<id"))


def test_settings_are_built_once_per_configuration_and_section():
    module, config, built = plugin("fedora"), view(), []
    original = module.build_extra

    def counting(reader):
        built.append(reader.section)
        return original(reader)

    for second in range(50):
        text = line("/objects/a:1/datastreams/PDF", time=f"17/Oct/2010:03:04:{second:02d} +0000")
        pl = module.parseline(json.dumps({"service": HOST, "logline": text}))
        assert usage_params(counting, config, pl)
    assert built == [SECTION]
    assert settings_for(config, SECTION) is settings_for(config, SECTION)
    assert settings_for(config, SECTION) is not settings_for(view(), SECTION)


def usage_params(build_extra, config, pl):
    from loglines import usage

    settings = usage.settings_for(config, SECTION, build_extra)
    return usage.openurl_params(settings, pl, plugin("fedora").classify)


COMMON = '192.0.2.10 - - [17/Oct/2010:03:04:42 +0000] "GET /1234/1/paper.pdf HTTP/1.1" 200 9'


def test_parseline_told_the_section_parses_with_its_format_and_untold_with_combined():
    module, jmsg = plugin("eprints"), json.dumps({"service": HOST, "logline": COMMON})
    common, combined = view(log_format="common"), view()
    told = module.parseline(jmsg, common, SECTION)
    assert told["log_format"] == "common" and told["status"] == 200
    assert module.parseline(jmsg, combined, SECTION)["rejected_kind"] == "truncated_line"
    untold = module.parseline(jmsg)  # a 2010-style parseline(jmsg) is told nothing
    assert untold["rejected_kind"] == "truncated_line"  # combined expects a referer
    # The evaluation parses it again with the section's format. Common has no
    # user agent, so every line is a robot (a site excludes robots upstream);
    # here it shows the line was read with the right format.
    assert module.get_openurl_params(common, SECTION, untold) == {}
    assert untold["excluded"] == "robot" and untold["log_format"] == "common"


def test_each_view_keeps_its_own_settings_and_format():
    first, second = view(log_format="common"), view()
    assert message.parse_message(json.dumps({"logline": COMMON}), first, SECTION)["status"] == 200
    assert settings_for(second, SECTION).log_format.spec != settings_for(first, SECTION) \
        .log_format.spec
    assert settings_for(first, SECTION).log_format is log_format_for(first, SECTION)
    assert first.built is not second.built and settings_for(first, SECTION) in \
        first.built.values()
