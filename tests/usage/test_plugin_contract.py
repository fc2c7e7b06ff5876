"""The 2010 plugin contract, through loglines.usage.item.tracker_params as the
pirus2 worker calls it: a 2010-shaped plugin unchanged, and the defaults."""

from pathlib import Path

from loglines.config import PluginConfigView, load
from loglines.usage import plugin as plugins
from loglines.usage.item import tracker_params
from tests.support.data import CFG_2010

from .helpers import FIREFOX, ROOT, SECTION, line, message

PLUGIN_2010 = Path(__file__).resolve().parent / "plugins_2010" / "default_utils.py"
ORA = "ora.bodleian.ox.ac.uk"


def payload(logline, service=ORA):
    return message(logline, service).encode("utf-8")


def test_a_2010_plugin_runs_unchanged_with_the_2010_configuration():
    config = load(CFG_2010)
    plugin = plugins.load(config, SECTION, str(PLUGIN_2010))
    view = PluginConfigView(config.raw)
    params = tracker_params(plugin, view, SECTION, payload(line("/objects/uuid:1/datastreams/A")))
    assert params == [
        ("url_ver", "Z39.88-2004"),  # from the 2010 file
        ("svc_dat", "Accepted version"),  # the plugin's default: not in the file
        ("rfr_id", ORA),  # from the 2010 file
        ("rft_id", "info:doi:http://dx.doi.org/10.1016/S0022-460X(03)00773-9"),
        ("svc_format", "application/pdf"),
        ("req_id", "urn:ip:192.0.2.10"),
        ("req_dat", FIREFOX),
    ]
    assert tracker_params(plugin, view, SECTION, payload("not a log line")) is None


def test_the_fedora_plugin_with_the_2010_configuration():
    config = load(CFG_2010)
    view = PluginConfigView(config.raw)
    fedora = plugins.load(config, SECTION, str(ROOT / "plugins" / "fedora.py"))
    params = dict(tracker_params(fedora, view, SECTION,
                                 payload(line("/objects/uuid:1/datastreams/A"), ORA + " ")))
    assert params["rfr_id"] == ORA and params["rft.artnum"] == f"oai:{ORA}:uuid:1"
    assert params["svc_dat"] == f"https://{ORA}/objects/uuid:1/datastreams/A"
    robot = payload(line("/objects/uuid:1/datastreams/A", agent="msnbot/2.0"))
    assert tracker_params(fedora, view, SECTION, robot) is None


def test_the_shipped_configuration_names_the_eprints_plugin_and_it_loads():
    config = load(ROOT / "loglines.cfg")
    section = config.program(SECTION)
    eprints = plugins.load(config, SECTION, section.options.repository_plugin)
    view = PluginConfigView(config.raw)
    params = dict(tracker_params(eprints, view, SECTION,
                                 payload(line("/1234/1/paper.pdf"), "repo.example.ac.uk")))
    assert params["rft.artnum"] == "oai:repo.example.ac.uk:1234"
    assert params["rft_dat"] == "Request"
    assert tracker_params(eprints, view, SECTION, payload(line("/favicon.ico"))) is None


def test_every_default_plugin_loads_through_the_loader():
    config = load(CFG_2010)
    for name in ("eprints", "dspace", "fedora", "generic"):
        loaded = plugins.load(config, SECTION, str(ROOT / "plugins" / f"{name}.py"))
        assert callable(loaded.module.parseline) and callable(loaded.module.get_openurl_params)
