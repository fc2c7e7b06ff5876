"""The client's IP address behind trusted proxies.

X-Forwarded-For is a list the client itself can start: anything it sends
arrives at the left. Only the entries appended by our own proxies can be
believed, so the client is the right-most address that is not a trusted
proxy, and the header is ignored altogether when the peer that sent it is
not a trusted proxy. Never the left-most blindly.
"""

import functools
import ipaddress
import re

_PORT_V4 = re.compile(r"^(\d{1,3}(?:\.\d{1,3}){3}):\d+$")
_BRACKETED = re.compile(r"^\[([^\]]+)\](?::\d+)?$")


@functools.lru_cache(maxsize=65536)
def parse_ip(text):
    """An ip_address from a log or header value (``[v6]:port``, ``v4:port``,
    IPv4-mapped IPv6 as IPv4), or None when it is not an address."""
    text = text.strip()
    match = _BRACKETED.match(text) or _PORT_V4.match(text)
    if match:
        text = match.group(1)
    try:
        address = ipaddress.ip_address(text.split("%", 1)[0])
    except ValueError:
        return None
    if address.version == 6 and address.ipv4_mapped is not None:
        return address.ipv4_mapped
    return address


@functools.lru_cache(maxsize=65536)
def normalise(text):
    """The address as the tracker gets it (``2001:db8::1``, not ``2001:DB8:0::1``);
    a value that is no address (HostnameLookups on) is kept as it is."""
    address = parse_ip(text)
    return str(address) if address is not None else text.strip()


class ClientIP:
    def __init__(self, trusted_proxies=()):
        self.trusted = tuple(trusted_proxies)

    def is_trusted(self, address):
        return any(address in net for net in self.trusted)

    def __call__(self, peer, forwarded_for=None):
        """The client of a hit that ``peer`` sent with ``forwarded_for``."""
        peer_address = parse_ip(peer or "")
        if not self.trusted or peer_address is None or not self.is_trusted(peer_address):
            return normalise(peer or "")
        client = peer_address
        for entry in reversed((forwarded_for or "").split(",")):
            address = parse_ip(entry)
            if address is None:  # "unknown", "-", junk: nothing left of it can be believed
                break
            client = address
            if not self.is_trusted(address):
                break
        return str(client)
