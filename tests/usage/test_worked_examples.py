"""docs/tracker-protocol.md, "Worked examples": all eight, exactly."""

from .helpers import FIREFOX, evaluate, expected, line, view

UUID = "8d33bdfb-e7ba-43e6-a93a-f445b7e8a1e2"


def test_1_eprints_download_is_a_request_with_all_nine_keys():
    params, pl = evaluate("eprints", '192.0.2.10 - - [17/Oct/2010:03:04:42 +0000] "GET '
                          '/1234/1/paper.pdf HTTP/1.1" 200 280090 "https://scholar.google.com/" '
                          '"Mozilla/5.0 (X11; Linux x86_64) Firefox/128.0"')
    assert params == {
        "url_ver": "Z39.88-2004",
        "url_tim": "2010-10-17T03:04:42Z",
        "req_id": "192.0.2.10",
        "req_dat": "Mozilla/5.0 (X11; Linux x86_64) Firefox/128.0",
        "rft.artnum": "oai:repo.example.ac.uk:1234",
        "rfr_id": "repo.example.ac.uk",
        "rfr_dat": "https://scholar.google.com/",
        "svc_dat": "https://repo.example.ac.uk/1234/1/paper.pdf",
        "rft_dat": "Request",
    }
    assert "excluded" not in pl


def test_2_eprints_abstract_page_is_an_investigation():
    params, _ = evaluate("eprints", line("/1234/"))
    assert params == expected("/1234/", "Investigation", "1234")


def test_3_eprints_thumbnail_is_not_sent():
    params, pl = evaluate("eprints", line("/1234/1.haspreviewThumbnailVersion/paper.pdf"))
    assert params == {} and pl["excluded"] == "thumbnail"


def test_4_partial_content_is_not_sent():
    params, pl = evaluate("eprints", line("/1234/1/paper.pdf", status=206))
    assert params == {} and pl["excluded"] == "status_206"


def test_5_a_robot_is_not_sent():
    params, pl = evaluate("dspace", line("/bitstream/handle/10256/23347/document.pdf",
                                         agent="Mozilla/5.0 (compatible; Googlebot/2.1)"))
    assert params == {} and pl["excluded"] == "robot"


def test_6_a_time_offset_is_converted_to_utc():
    params, _ = evaluate("eprints", line("/1234/1/paper.pdf", time="01/Apr/2009:01:14:27 +0100"))
    assert params == expected("/1234/1/paper.pdf", "Request", "1234",
                              url_tim="2009-04-01T00:14:27Z")


def test_7_head_of_a_dspace7_bitstream_is_not_sent_and_needs_no_lookup():
    # No REST API is reachable at this address: a lookup would raise.
    config = view(dspace_rest_url="http://127.0.0.1:9/server")
    params, pl = evaluate("dspace", line(f"/server/api/core/bitstreams/{UUID}/content",
                                         method="HEAD"), config)
    assert params == {} and pl["excluded"] == "method_HEAD"


def test_8_python_urllib_is_a_robot():
    params, pl = evaluate("eprints", line("/1234/1/paper.pdf", agent="Python-urllib/2.5"))
    assert params == {} and pl["excluded"] == "robot"
    assert evaluate("eprints", line("/1234/1/paper.pdf", agent=FIREFOX))[0]
