"""Where a webhook may post, and the post itself (the guard against SSRF).

A callback URL is checked when it is registered and again before every delivery: its host is
resolved (``socket.getaddrinfo``) and every address it resolves to must be a public one, not
loopback, private (RFC 1918, unique-local ``fc00::/7``), link-local (``169.254.0.0/16``, the
cloud metadata service), multicast, reserved, unspecified or shared (``100.64.0.0/10``), also
when hidden in an IPv4-mapped, NAT64 or 6to4 IPv6 address or spelled oddly (``0x7f000001``,
``2130706433``, ``127.1``: the resolver turns them into the address that is checked). URLs
carrying credentials (``user:pass@``) are refused. ``WEBHOOK_ALLOWED_HOSTS`` (host names, IPs or
CIDRs) lets an intranet receiver through.

The post connects to exactly the address that was checked (no second DNS lookup, so a name
that rebinds between check and connect reaches nothing else), sends the original ``Host``
header and, for https, sends SNI for and verifies the certificate against the original host
name. Redirects are never followed and no proxy is used. Whatever goes wrong on the wire
(refused, reset, timed out, TLS, not HTTP) raises one ``DeliveryFailed`` with no detail, so the
delivery log never tells an open port from a closed one.
"""

import contextlib
import ipaddress
import logging
import socket
from collections.abc import Iterable
from dataclasses import dataclass
from urllib.parse import SplitResult, urlsplit

import certifi
import urllib3
from urllib3.exceptions import ConnectTimeoutError, NewConnectionError

log = logging.getLogger(__name__)

Address = ipaddress.IPv4Address | ipaddress.IPv6Address
Network = ipaddress.IPv4Network | ipaddress.IPv6Network

NAT64 = ipaddress.ip_network("64:ff9b::/96")
SHARED = ipaddress.ip_network("100.64.0.0/10")  # carrier-grade NAT, not global
MAX_ADDRESSES = 3  # addresses of one name tried in turn when the connection cannot be opened
CA_CERTS = certifi.where()


class UrlInvalid(ValueError):
    """Not an http(s) URL with a host name (the message is Chinese)."""


class AddressRefused(Exception):
    """The URL's host is, or resolves to, an address a webhook may not reach."""


class DeliveryFailed(Exception):
    """No HTTP answer: name not resolved, connection refused or reset, timeout, TLS, garbage."""


@dataclass(frozen=True)
class Target:
    """A checked URL: connect to ``address``, present ``hostname`` (Host, SNI, certificate)."""

    scheme: str
    hostname: str  # lower case, IDNA (ASCII), no brackets
    port: int
    host_header: str
    path: str  # path and query
    addresses: tuple[str, ...]  # every one checked, in the resolver's order


# -- allow-list -------------------------------------------------------------------------------


def parse_allowed(entries: Iterable[str]) -> tuple[frozenset[str], tuple[Network, ...]]:
    """Split ``WEBHOOK_ALLOWED_HOSTS`` entries into host names and networks (an IP is a /32 or
    /128 network). Raises ``ValueError`` naming an entry that is neither."""
    names, networks = set(), []
    for raw in entries:
        entry = raw.strip().lower().rstrip(".")
        if not entry:
            continue
        try:
            networks.append(ipaddress.ip_network(entry.strip("[]"), strict=False))
            continue
        except ValueError:
            pass
        try:
            names.add(_idna(entry))
        except UrlInvalid:
            raise ValueError(raw) from None
    return frozenset(names), tuple(networks)


# -- checking ---------------------------------------------------------------------------------


def _idna(host: str) -> str:
    try:
        ascii_host = host.encode("idna").decode("ascii").lower()
    except UnicodeError:
        raise UrlInvalid("回调地址（URL）的主机名无效。") from None
    if not ascii_host or any(not (c.isalnum() or c in "-.") for c in ascii_host):
        raise UrlInvalid("回调地址（URL）的主机名无效。")
    return ascii_host


def split(url: str) -> tuple[SplitResult, str, int]:
    """The URL's parts, its host (IDNA, or an IP without brackets) and port, or ``UrlInvalid``
    with a Chinese reason."""
    try:
        parts = urlsplit(url)
        scheme, host, port = parts.scheme, parts.hostname, parts.port
    except ValueError:
        scheme = host = port = None
    if scheme not in ("http", "https") or not host or any(c.isspace() for c in url):
        raise UrlInvalid("回调地址（URL）必须以 http:// 或 https:// 开头并包含主机名。")
    if parts.username is not None or parts.password is not None or "@" in parts.netloc:
        raise UrlInvalid("回调地址（URL）不能包含用户名或密码。")
    try:
        host = str(ipaddress.ip_address(host))
    except ValueError:
        host = _idna(host.rstrip("."))
    return parts, host, port or (443 if scheme == "https" else 80)


def _embedded_ipv4(address: Address) -> ipaddress.IPv4Address | None:
    """The IPv4 address an IPv6 one carries (mapped, NAT64, 6to4), if any."""
    if address.version != 6:
        return None
    if address.ipv4_mapped is not None:
        return address.ipv4_mapped
    if address in NAT64:
        return ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)
    return address.sixtofour


def is_forbidden(address: Address) -> bool:
    """Whether a webhook may not reach ``address`` (unless allow-listed)."""
    embedded = _embedded_ipv4(address)
    if embedded is not None and is_forbidden(embedded):
        return True
    if address.version == 6 and address.scope_id:
        return True  # an interface-scoped address is local by definition
    return (
        address.is_loopback
        or address.is_private
        or address.is_link_local
        or address.is_multicast
        or address.is_reserved
        or address.is_unspecified
        or getattr(address, "is_site_local", False)
        or address in SHARED
        or not address.is_global
    )


def resolve(host: str, port: int) -> list[str]:
    """The addresses ``host`` resolves to (TCP), in the resolver's order, without duplicates.
    Raises ``DeliveryFailed`` when it does not resolve."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (OSError, UnicodeError):
        raise DeliveryFailed from None
    seen = []
    for _family, _type, _proto, _name, sockaddr in infos:
        if sockaddr[0] not in seen:
            seen.append(sockaddr[0])
    if not seen:
        raise DeliveryFailed
    return seen


def target_for(url: str, allowed: Iterable[str] = ()) -> Target:
    """Check ``url`` now: ``UrlInvalid`` (malformed, credentials), ``DeliveryFailed`` (the name
    does not resolve) or ``AddressRefused`` (an address it resolves to is not allowed)."""
    parts, host, port = split(url)
    names, networks = parse_allowed(allowed)

    def check(address: Address) -> None:
        if is_forbidden(address) and not (
            host in names or any(_within(address, network) for network in networks)
        ):
            raise AddressRefused

    with contextlib.suppress(ValueError):  # an IP literal: refused before any lookup
        check(ipaddress.ip_address(host))
    addresses = resolve(host, port)
    for text in addresses:
        check(ipaddress.ip_address(text))
    bracketed = f"[{host}]" if ":" in host else host
    default_port = 443 if parts.scheme == "https" else 80
    host_header = bracketed if port == default_port else f"{bracketed}:{port}"
    path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    return Target(parts.scheme, host, port, host_header, path, tuple(addresses))


def _within(address: Address, network: Network) -> bool:
    if address.version == 6 and address.scope_id:
        address = ipaddress.IPv6Address(str(address).split("%")[0])
    embedded = _embedded_ipv4(address)
    return address in network or (embedded is not None and embedded in network)


# -- posting ----------------------------------------------------------------------------------


def _pool(target: Target, address: str, timeout: float) -> urllib3.HTTPConnectionPool:
    options = {
        "timeout": urllib3.Timeout(connect=timeout, read=timeout),
        "retries": False,
        "maxsize": 1,
    }
    if target.scheme == "https":
        return urllib3.HTTPSConnectionPool(
            address, target.port, server_hostname=target.hostname,
            assert_hostname=target.hostname, cert_reqs="CERT_REQUIRED", ca_certs=CA_CERTS,
            **options,
        )  # fmt: skip
    return urllib3.HTTPConnectionPool(address, target.port, **options)


def post(target: Target, body: bytes, headers: dict, timeout: float) -> int:
    """POST ``body`` to the checked target; the HTTP status (a redirect is returned, not
    followed). Raises ``DeliveryFailed`` (no detail) when no HTTP answer came."""
    headers = {**headers, "Host": target.host_header}
    for address in target.addresses[:MAX_ADDRESSES]:
        pool = _pool(target, address, timeout)
        try:
            response = pool.urlopen(
                "POST", target.path, body=body, headers=headers, redirect=False,
                retries=False, preload_content=False, assert_same_host=False,
            )  # fmt: skip
            status = response.status
            response.release_conn()
            return status
        except (NewConnectionError, ConnectTimeoutError):
            log.info("webhook: cannot connect to an address of %s", target.hostname)
            continue  # nothing was sent: try the name's next checked address
        except Exception as err:  # whatever it was, the delivery log only says it failed
            log.info("webhook: delivery to %s failed: %s", target.hostname, type(err).__name__)
            raise DeliveryFailed from None
        finally:
            pool.close()
    raise DeliveryFailed
