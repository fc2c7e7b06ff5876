"""Secrets kept out of what loglines shows: logs, errors, dead letters, jobs.

A URL from the configuration (a tracker endpoint, a webhook) may carry
credentials in its userinfo, a token in any query value (``apikey=``,
``token_auth=``...) and, for a webhook, in its path. ``url`` gives the form
that may be shown; ``url_secrets`` the parts to ``scrub`` from free text
such as a library's exception message, which repeats the URL as it was.
"""

from urllib.parse import parse_qsl, quote, quote_plus, unquote, urlencode, urlsplit

REDACTED = "REDACTED"
# Shorter parts (``idsite=3``, a user "u") are not scrubbed from free text:
# every "3" of a message would go, and so short a value guards nothing.
_SHORTEST_SCRUBBED = 4


def url(text, *, path=True):
    """``text`` with its userinfo and every query value replaced by
    REDACTED; with ``path=False`` the path too (a webhook's token is often
    there). Something that is not a URL is not shown at all."""
    try:
        parts = urlsplit(str(text))
        host = parts.hostname or ""
        port = f":{parts.port}" if parts.port else ""
    except ValueError:
        return REDACTED
    if not parts.scheme or not host:
        return REDACTED
    userinfo = f"{REDACTED}@" if "@" in parts.netloc else ""
    shown_path = parts.path if path else ("/" + REDACTED if parts.path.strip("/") else "")
    shown = f"{parts.scheme}://{userinfo}{parts.netloc.rpartition('@')[2] or host + port}"
    shown += shown_path
    if parts.query:
        pairs = parse_qsl(parts.query, keep_blank_values=True)
        shown += "?" + urlencode([(k, REDACTED) for k, _ in pairs])
    return shown


def url_secrets(text, *, path=True):
    """The secret parts of a URL worth scrubbing, as written and decoded,
    longest first."""
    try:
        parts = urlsplit(str(text))
    except ValueError:
        return (str(text),)
    found = [parts.netloc.rpartition("@")[0]] if "@" in parts.netloc else []
    found += [parts.username or "", parts.password or ""]
    for _, value in parse_qsl(parts.query, keep_blank_values=True):
        found += [value, quote_plus(value), quote(value, safe="")]
    if not path and parts.path.strip("/"):
        found += [parts.path, unquote(parts.path)]
    found += [unquote(s) for s in found]
    kept = {s for s in found if len(s) >= _SHORTEST_SCRUBBED}
    return tuple(sorted(kept, key=len, reverse=True))


def scrub(text, secrets):
    """Replace every secret in ``text``, longest first, so that a secret
    holding a shorter one leaves no part of itself behind."""
    for secret in sorted(secrets, key=len, reverse=True):
        if secret:
            text = text.replace(secret, REDACTED)
    return text
