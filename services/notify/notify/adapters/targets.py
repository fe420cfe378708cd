"""Where a webhook may go. Organisations choose their webhook URLs, so a URL is a request to make
notify open a connection somewhere: only http(s), no credentials in the URL, a usual port, and
only globally routable addresses — unless the operator allow-lists a private receiver.

The name is resolved once, every address it resolves to is checked, and the connection is made
to one of those checked addresses (`VettedBackend`): a name that answers differently the second
time (DNS rebinding) never gets a second lookup. TLS still sends the host name (SNI) and checks the
certificate against it, because httpcore starts TLS with the origin's host, not the dialled address.
"""

from __future__ import annotations

import asyncio
import ipaddress
import socket
import ssl
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass, field
from urllib.parse import urlsplit

import httpcore
import httpx

from notify.adapters.failures import DeliveryError

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network
Resolver = Callable[[str, int], Awaitable[list[IPAddress]]]

# Privileged ports other than HTTP's own belong to other protocols (SMTP 25, SSH 22, …): a POST
# there is a cross-protocol attack, never a webhook receiver.
WEB_PORTS = frozenset({80, 443})
FIRST_UNPRIVILEGED_PORT = 1024
NAT64 = ipaddress.IPv6Network("64:ff9b::/96")
SHARED_ADDRESS_SPACE = ipaddress.IPv4Network("100.64.0.0/10")  # carrier NAT; cloud metadata lives here too


def _forbidden() -> DeliveryError:
    return DeliveryError("forbidden_target", permanent=True)


def _invalid() -> DeliveryError:
    return DeliveryError("invalid_url", permanent=True)


def _embedded_ipv4(ip: IPAddress) -> list[ipaddress.IPv4Address]:
    """IPv4 addresses an IPv6 address carries (mapped, 6to4, Teredo, NAT64): each must pass too."""
    if isinstance(ip, ipaddress.IPv4Address):
        return []
    found = [a for a in (ip.ipv4_mapped, ip.sixtofour) if a is not None]
    if ip.teredo is not None:
        found += list(ip.teredo)
    if ip in NAT64:
        found.append(ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF))
    return found


def is_public(ip: IPAddress) -> bool:
    """Globally routable, and no IPv4 address inside it that is not."""
    for a in (ip, *_embedded_ipv4(ip)):
        if not a.is_global or a.is_multicast or a.is_reserved or a.is_loopback or a.is_link_local:
            return False
        if a.is_unspecified or a.is_private or (isinstance(a, ipaddress.IPv4Address) and a in SHARED_ADDRESS_SPACE):
            return False
    return True


@dataclass(frozen=True)
class TargetPolicy:
    """Public addresses, plus the operator's allow-list of private networks and host names."""

    networks: tuple[IPNetwork, ...] = ()
    hosts: frozenset[str] = field(default_factory=frozenset)

    @classmethod
    def parse(cls, text: str) -> TargetPolicy:
        """`"127.0.0.1/32, 10.8.0.0/16, hooks.intranet"`: CIDRs (or single addresses) and host names."""
        networks: list[IPNetwork] = []
        hosts: set[str] = set()
        for item in (part.strip() for part in text.split(",")):
            if not item:
                continue
            try:
                networks.append(ipaddress.ip_network(item, strict=False))
            except ValueError:
                hosts.add(_normal_host(item))
        return cls(tuple(networks), frozenset(hosts))

    def check_url(self, url: str) -> httpx.URL:
        """Everything that can be checked without DNS; raises a permanent DeliveryError."""
        try:
            parsed = httpx.URL(url)
            netloc = urlsplit(url).netloc
        except (httpx.InvalidURL, ValueError):
            raise _invalid() from None
        # Two parsers reading one URL differently is how filters get bypassed: any "@" or "\" in
        # the authority is refused whichever parser would have seen credentials in it.
        if parsed.scheme not in ("http", "https") or not parsed.host or parsed.userinfo:
            raise _invalid()
        if "@" in netloc or "\\" in url:
            raise _invalid()
        port = parsed.port if parsed.port is not None else (443 if parsed.scheme == "https" else 80)
        if port not in WEB_PORTS and port < FIRST_UNPRIVILEGED_PORT:
            raise _forbidden()
        host = _normal_host(parsed.host)
        literal = _literal(host)
        if literal is not None:
            self.check_address(host, literal)
        elif (host == "localhost" or host.endswith(".localhost")) and host not in self.hosts:
            raise _forbidden()
        return parsed

    def check_address(self, host: str, ip: IPAddress) -> None:
        """An address the host resolved to (or that the URL names) may be dialled."""
        if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
            ip = ip.ipv4_mapped  # ::ffff:a.b.c.d is a.b.c.d, for the allow-list as for the checks
        if ip.is_unspecified or ip.is_multicast:
            raise _forbidden()
        if _normal_host(host) in self.hosts or any(ip in net for net in self.networks):
            return
        if not is_public(ip):
            raise _forbidden()

    async def vet(self, host: str, port: int, resolver: Resolver) -> list[IPAddress]:
        """Resolve once and check every answer: one forbidden address refuses the whole name."""
        literal = _literal(_normal_host(host))
        addresses = [literal] if literal is not None else await resolver(host, port)
        if not addresses:
            raise DeliveryError("dns")
        for ip in addresses:
            self.check_address(host, ip)
        return list(dict.fromkeys(addresses))


def _normal_host(host: str) -> str:
    return host.strip().strip("[]").rstrip(".").lower()


def _literal(host: str) -> IPAddress | None:
    """The address a host names literally; the legacy forms inet_aton accepts ("127.1", "2130706433",
    "0x7f.1") are refused outright, since they exist only to slip past filters."""
    try:
        return ipaddress.ip_address(host)
    except ValueError:
        pass
    try:
        socket.inet_aton(host)
    except OSError:
        return None
    raise _forbidden()


async def system_resolver(host: str, port: int) -> list[IPAddress]:
    """The machine's resolver (getaddrinfo, off the event loop)."""
    try:
        infos = await asyncio.get_running_loop().getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (OSError, UnicodeError):
        raise DeliveryError("dns") from None
    found: list[IPAddress] = []
    for info in infos:
        try:
            found.append(ipaddress.ip_address(str(info[4][0]).split("%", 1)[0]))
        except ValueError:
            continue
    return found


class VettedBackend(httpcore.AsyncNetworkBackend):
    """httpcore's network layer with the check built in: resolve once, vet, dial the vetted address."""

    def __init__(
        self,
        policy: TargetPolicy,
        resolver: Resolver = system_resolver,
        inner: httpcore.AsyncNetworkBackend | None = None,
    ) -> None:
        self.policy, self.resolver = policy, resolver
        self._inner = inner or httpcore.AnyIOBackend()

    async def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[httpcore.SOCKET_OPTION] | None = None,
    ) -> httpcore.AsyncNetworkStream:
        addresses = await self.policy.vet(host, port, self.resolver)
        failure: Exception | None = None
        for ip in addresses:
            try:
                return await self._inner.connect_tcp(
                    str(ip), port, timeout=timeout, local_address=local_address, socket_options=socket_options
                )
            except (httpcore.ConnectError, httpcore.ConnectTimeout) as exc:
                failure = exc
        assert failure is not None
        raise failure

    async def connect_unix_socket(
        self, path: str, timeout: float | None = None, socket_options: Iterable[httpcore.SOCKET_OPTION] | None = None
    ) -> httpcore.AsyncNetworkStream:
        raise _forbidden()

    async def sleep(self, seconds: float) -> None:
        await self._inner.sleep(seconds)


class VettedTransport(httpx.AsyncHTTPTransport):
    """httpx's own transport, its connection pool dialling through a VettedBackend.

    httpx takes no network backend argument; its transport only delegates to `_pool`, so the pool
    is replaced by one built with the backend (the way httpx-socks plugs in its proxies)."""

    def __init__(self, backend: VettedBackend, *, ssl_context: ssl.SSLContext, limits: httpx.Limits) -> None:
        super().__init__(verify=ssl_context, trust_env=False, limits=limits)
        self._pool = httpcore.AsyncConnectionPool(
            ssl_context=ssl_context,
            max_connections=limits.max_connections,
            max_keepalive_connections=limits.max_keepalive_connections,
            keepalive_expiry=limits.keepalive_expiry,
            network_backend=backend,
        )
