"""Hand-built stats records, as pirus2 puts them on its stats_queue."""

import itertools

T0 = 1_764_547_200  # 2025-12-01 00:00:00 UTC
_keys = itertools.count(1)


def event(t, item="oai:repo:1", kind="R", client="192.0.2.1", agent="Mozilla/5.0",
          url=None, service="repo", key=None):
    url = url or (f"/{item.rsplit(':', 1)[1]}/1/a.pdf" if kind == "R"
                  else f"/{item.rsplit(':', 1)[1]}/")
    return {"k": f"{key or next(_keys):032x}", "s": service, "t": t, "m": "GET", "st": 200,
            "u": url, "a": agent, "c": client, "i": item, "kd": kind}


def excluded(t, reason, agent="Googlebot/2.1", url="/1/1/a.pdf", service="repo", key=None,
             status=200, method="GET"):
    record = {"k": f"{key or next(_keys):032x}", "s": service, "t": t, "r": reason}
    if not reason.startswith(("method_", "status_")):
        record.update(m=method, st=status, u=url, a=agent, c="192.0.2.9")
    return record
