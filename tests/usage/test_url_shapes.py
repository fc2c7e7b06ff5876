"""docs/tracker-protocol.md, "URL shapes per platform": eligible and not."""

import pytest

from .helpers import HOST, evaluate, line, view

UUID = "3f0c1f1e-0c35-4d43-a7a5-6bd1c2f7c0de"
THUMB_UUID = "9b1a7e2c-5d2f-4c1b-8a3e-0f6d2c4b8a91"
REQ, INV = "Request", "Investigation"

SHAPES = [
    # EPrints 3
    ("eprints", "/1234/1/paper.pdf", (REQ, "1234")),
    ("eprints", "/id/eprint/1234/1/paper.pdf", (REQ, "1234")),
    ("eprints", "/1234/2/data%20set.zip", (REQ, "1234")),
    ("eprints", "/1234/1/paper.pdf?download=1", (REQ, "1234")),
    ("eprints", "/1234/", (INV, "1234")),
    ("eprints", "/1234", (INV, "1234")),
    ("eprints", "/id/eprint/1234", (INV, "1234")),
    ("eprints", "/id/eprint/1234/", (INV, "1234")),
    ("eprints", "/1234/1.haspreviewThumbnailVersion/paper.pdf", "thumbnail"),
    ("eprints", "/id/eprint/1234/1.hassmallThumbnailVersion/paper.pdf", "thumbnail"),
    ("eprints", "/1234/3.hasindexcodesVersion/indexcodes.txt", "derived_document"),
    ("eprints", "/1234/1/", "not_an_item_url"),
    ("eprints", "/0/", "not_an_item_url"),
    ("eprints", "/cgi/export/eprint/1234/BibTeX/repo-eprint-1234.bib", "not_an_item_url"),
    ("eprints", "/view/year/2010.html", "not_an_item_url"),
    ("eprints", "/style/auto.css", "not_an_item_url"),
    # DSpace 5 and 6, JSPUI and XMLUI
    ("dspace", "/bitstream/handle/10256/23347/document.pdf?sequence=1", (REQ, "10256/23347")),
    ("dspace", "/xmlui/bitstream/handle/123456789/42/thesis.pdf?sequence=1&isAllowed=y",
     (REQ, "123456789/42")),
    ("dspace", "/jspui/bitstream/123456789/42/1/thesis.pdf", (REQ, "123456789/42")),
    ("dspace", "/bitstream/20.500.12345/678/3/data.csv", (REQ, "20.500.12345/678")),
    ("dspace", "/handle/123456789/42", (INV, "123456789/42")),
    ("dspace", "/handle/123456789/42?show=full", (INV, "123456789/42")),
    ("dspace", "/xmlui/handle/123456789/42/", (INV, "123456789/42")),
    ("dspace", "/handle/123456789/42/browse?type=title", "not_an_item_url"),
    ("dspace", "/bitstream/handle/123456789/42/thesis.pdf.jpg?sequence=3", "thumbnail"),
    ("dspace", "/bitstream/handle/123456789/42/thesis.pdf.txt?sequence=4", "extracted_text"),
    ("dspace", "/discover?query=thesis", "not_an_item_url"),
    # DSpace 7+
    ("dspace", f"/server/api/core/bitstreams/{UUID}/content", (REQ, "123456789/7")),
    ("dspace", f"/server/api/core/bitstreams/{THUMB_UUID}/content", "not_original_bundle"),
    ("dspace", f"/bitstreams/{UUID}/download", "download_page"),
    ("dspace", f"/server/api/core/bitstreams/{UUID}", "not_an_item_url"),
    ("dspace", f"/items/{UUID}", "not_an_item_url"),
    # Fedora 3
    ("fedora", "/objects/uuid:abcd-1234/datastreams/ATTACHMENT1", (REQ, "uuid:abcd-1234")),
    ("fedora", "/objects/uuid:abcd-1234/datastreams/ATTACHMENT1/content", (REQ, "uuid:abcd-1234")),
    ("fedora", "/fedora/objects/ora:1234/datastreams/PDF1/content", (REQ, "ora:1234")),
    ("fedora", "/objects/uuid%3Aabcd-1234/datastreams/ATTACHMENT1", (REQ, "uuid:abcd-1234")),
    ("fedora", "/fedora/get/ora:99/PDF", (REQ, "ora:99")),
    ("fedora", "/objects/uuid:abcd/datastreams/DC", "metadata_datastream"),
    ("fedora", "/objects/uuid:abcd/datastreams/MODS/content", "metadata_datastream"),
    ("fedora", "/objects/uuid:abcd/datastreams/MARC21", "metadata_datastream"),
    ("fedora", "/objects/uuid:abcd/datastreams/RELS-EXT", "metadata_datastream"),
    ("fedora", "/objects/uuid:abcd/datastreams/FULLTEXT", "metadata_datastream"),
    ("fedora", "/objects/uuid:abcd", "not_an_item_url"),
    ("fedora", "/objects/uuid:abcd/datastreams", "not_an_item_url"),
    # Islandora 7 in front of Fedora 3
    ("fedora", "/islandora/object/ir:123/datastream/OBJ/download", (REQ, "ir:123")),
    ("fedora", "/islandora/object/ir%3A123/datastream/OBJ/view", (REQ, "ir:123")),
    ("fedora", "/islandora/object/ir%253A123/datastream/PDF/thesis.pdf", (REQ, "ir:123")),
    ("fedora", "/islandora/object/uuid:ab-12/datastream/OBJ", (REQ, "uuid:ab-12")),
    ("fedora", "/islandora/object/ir:123/datastream/MODS/view", "metadata_datastream"),
    ("fedora", "/islandora/object/ir%3A123/datastream/DC/download", "metadata_datastream"),
    ("fedora", "/islandora/object/ir:123", "not_an_item_url"),
    ("fedora", "/islandora/object/ir:123/datastream/OBJ/a/b", "not_an_item_url"),
    ("fedora", "/islandora/search/thesis", "not_an_item_url"),
]


@pytest.fixture
def configs(dspace_api):
    dspace_api.bitstreams[UUID] = ("ORIGINAL", "123456789/7", True)
    dspace_api.bitstreams[THUMB_UUID] = ("THUMBNAIL", "123456789/7", True)
    return {"eprints": view(), "fedora": view(),
            "dspace": view(dspace_rest_url=dspace_api.url)}


def test_there_are_enough_shapes():
    assert len(SHAPES) >= 30
    assert {p for p, _, _ in SHAPES} == {"eprints", "dspace", "fedora"}


@pytest.mark.parametrize(("name", "path", "outcome"), SHAPES)
def test_url_shape(configs, name, path, outcome):
    params, pl = evaluate(name, line(path), configs[name])
    if isinstance(outcome, str):
        assert (params, pl["excluded"]) == ({}, outcome)
        return
    rft_dat, item = outcome
    assert params["rft_dat"] == rft_dat
    assert params["rft.artnum"] == f"oai:{HOST}:{item}"
    assert "excluded" not in pl


def test_svc_dat_is_the_url_requested_with_its_query():
    params, _ = evaluate("dspace", line("/bitstream/handle/10256/23347/document.pdf?sequence=1"))
    assert params["svc_dat"] == f"https://{HOST}/bitstream/handle/10256/23347/document.pdf" \
                                "?sequence=1"


def test_dspace7_svc_dat_leaves_out_the_query(configs):
    path = f"/server/api/core/bitstreams/{UUID}/content"
    params, _ = evaluate("dspace", line(path + "?authentication-token=secret"), configs["dspace"])
    assert params["svc_dat"] == f"https://{HOST}{path}"


def test_fedora_excluded_datastreams_are_configurable():
    config = view(exclude_datastreams="DC, THUMBNAIL")
    params, pl = evaluate("fedora", line("/objects/ora:1/datastreams/THUMBNAIL"), config)
    assert pl["excluded"] == "metadata_datastream"
    params, _ = evaluate("fedora", line("/objects/ora:1/datastreams/MODS"), config)
    assert params["rft.artnum"] == f"oai:{HOST}:ora:1"


GENERIC = {
    "request_pattern": r"'^/download\.php\?id=(?P<id>\d+)$'",
    "investigation_pattern": r"^/record/(\d+)/?$",
    "id_pattern": r"^/record/(?P<id>\d+)",
}


@pytest.mark.parametrize(("path", "outcome"), [
    ("/download.php?id=42", (REQ, "42")),
    ("/record/42", (INV, "42")),
    ("/record/42/", (INV, "42")),
    ("/download.php?id=x", "not_an_item_url"),
    ("/about", "not_an_item_url"),
])
def test_generic_plugin_patterns_from_the_configuration(path, outcome):
    params, pl = evaluate("generic", line(path), view(**GENERIC))
    if isinstance(outcome, str):
        assert (params, pl["excluded"]) == ({}, outcome)
    else:
        assert (params["rft_dat"], params["rft.artnum"]) == (outcome[0], f"oai:{HOST}:{outcome[1]}")


def test_generic_plugin_without_patterns_sends_nothing():
    params, pl = evaluate("generic", line("/1234/1/paper.pdf"))
    assert (params, pl["excluded"]) == ({}, "not_an_item_url")


def test_generic_pattern_without_an_id_is_not_an_event():
    params, pl = evaluate("generic", line("/files/a.pdf"), view(request_pattern=r"\.pdf$"))
    assert (params, pl["excluded"]) == ({}, "no_item_id")


LOG4J = "2010-10-17 03:04:42,123 INFO  [http-8080-Processor23] fedora.server.access: "


@pytest.mark.parametrize("prefix", [LOG4J, "[main] INFO - ", ""])
def test_the_log4j_combined_format_reads_a_fedora_servlet_log(prefix):
    config = view(log_format="log4j_combined")
    logline = prefix + line("/fedora/objects/ora:1234/datastreams/PDF1/content")
    params, pl = evaluate("fedora", logline, config)
    assert params["rft.artnum"] == f"oai:{HOST}:ora:1234"
    assert params["url_tim"] == "2010-10-17T03:04:42Z" and params["req_id"] == "192.0.2.10"
    assert pl["status"] == 200


def test_combined_alone_does_not_read_a_log4j_prefixed_line():
    _, pl = evaluate("fedora", LOG4J + line("/objects/ora:1/datastreams/PDF"), view())
    assert pl["excluded"].startswith("unparseable")
