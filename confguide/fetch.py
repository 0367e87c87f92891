"""The project's one way to fetch a URL from outside: https to public addresses only.

An editor types the URL and sees what comes back, so an unchecked fetcher would
let them read the site's own network (the database host, an admin console, the
cloud's metadata service at 169.254.169.254). Here:

- the URL must be https;
- its host is resolved once, and every address it resolves to must be globally
  routable (or listed in FETCH_ALLOWED_INTERNAL_HOSTS);
- the connection goes to that checked address, so a second DNS answer cannot
  swap it (DNS rebinding), while TLS still verifies the certificate for the
  host name and the Host header names it;
- redirects are followed here, each hop checked the same way;
- one deadline (FETCH_TIMEOUT) covers the whole fetch, connecting, TLS and every
  read, so a feed that trickles a byte at a time cannot hold a worker;
- the body is refused past `max_bytes`, by its Content-Length or while reading;
- every network, TLS or address failure gives the same message, so the answers
  cannot be used to scan ports or hosts. The reason goes to the log.

fetch_if_changed() is the conditional form for feeds fetched again and again: it
sends the validators (ETag, Last-Modified) of the last response, and a 304 Not
Modified comes back as a result without a body.
"""

from __future__ import annotations

import http.client
import io
import ipaddress
import logging
import socket
import ssl
import time
from dataclasses import dataclass
from http import HTTPStatus
from urllib.parse import quote, urljoin, urlsplit

from django.conf import settings

logger = logging.getLogger(__name__)

UNREACHABLE = "The feed could not be fetched."
MAX_REDIRECTS = 5
REDIRECT_STATUSES = {301, 302, 303, 307, 308}
READ_SIZE = 64 * 1024
USER_AGENT = "confguide"
_PRINTABLE_ASCII = "".join(chr(c) for c in range(0x21, 0x7F))

type IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
type IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network

# Where the low 32 bits of an IPv6 address are an IPv4 address the packet goes to.
_IPV4_COMPATIBLE = ipaddress.IPv6Network("::/96")
_NAT64 = ipaddress.IPv6Network("64:ff9b::/96")


class FetchError(Exception):
    """The URL could not be fetched; the message is safe to show to whoever asked.

    `status` is the HTTP status the server answered, when it answered one.
    """

    def __init__(self, message: str, *, status: int | None = None):
        self.status = status
        super().__init__(message)


class ResponseTooLarge(FetchError):
    """The body is over `max_bytes`: `size` is its length, or (exact=False) only
    what was read when reading stopped past the limit."""

    def __init__(self, size: int, *, limit: int, exact: bool, status: int | None = None):
        self.size, self.limit, self.exact = size, limit, exact
        super().__init__(f"The feed is larger than {limit} bytes.", status=status)


@dataclass(frozen=True)
class Fetched:
    """A response: its body (None for 304 Not Modified) and its validators, if it sent any."""

    status: int
    body: bytes | None
    etag: str = ""
    last_modified: str = ""

    @property
    def not_modified(self) -> bool:
        return self.body is None


class _Refused(Exception):
    """An internal reason to fail with the generic message (logged, never shown)."""


def fetch(
    url: str,
    *,
    max_bytes: int,
    timeout: float | None = None,
    ssl_context: ssl.SSLContext | None = None,
) -> bytes:
    """The body of an https URL on the public internet, following redirects.

    `timeout` is the deadline in seconds for the whole fetch (default: the
    FETCH_TIMEOUT setting). Raises FetchError (ResponseTooLarge past max_bytes).
    """
    fetched = _fetch(url, {}, max_bytes=max_bytes, timeout=timeout, ssl_context=ssl_context)
    if fetched.body is None:  # a 304 nobody asked for: there is no body to give
        raise FetchError(f"The feed answered {_status(fetched.status)}.")
    return fetched.body


def fetch_if_changed(
    url: str,
    *,
    max_bytes: int,
    etag: str = "",
    last_modified: str = "",
    timeout: float | None = None,
    ssl_context: ssl.SSLContext | None = None,
) -> Fetched:
    """As fetch(), asking the server to answer 304 if the body has not changed since
    the response that carried `etag` / `last_modified` (either may be blank)."""
    headers = {}
    if etag:
        headers["If-None-Match"] = etag
    if last_modified:
        headers["If-Modified-Since"] = last_modified
    return _fetch(url, headers, max_bytes=max_bytes, timeout=timeout, ssl_context=ssl_context)


def _fetch(
    url: str,
    headers: dict[str, str],
    *,
    max_bytes: int,
    timeout: float | None,
    ssl_context: ssl.SSLContext | None,
) -> Fetched:
    context = ssl_context or ssl.create_default_context()
    if not (context.check_hostname and context.verify_mode == ssl.CERT_REQUIRED):
        raise ValueError("fetch() needs an SSL context that verifies certificates and hosts.")
    deadline = _Deadline(settings.FETCH_TIMEOUT if timeout is None else timeout)
    allowed = _AllowedInternal(settings.FETCH_ALLOWED_INTERNAL_HOSTS)
    for _hop in range(MAX_REDIRECTS + 1):
        target = _Target.of(url)
        try:
            addresses = target.resolve(allowed)
            response_or_location = _get(target, addresses, context, deadline, max_bytes, headers)
        except _Refused as reason:
            logger.warning("Refused to fetch %s: %s", url, reason)
            raise FetchError(UNREACHABLE) from None
        except (OSError, http.client.HTTPException) as error:
            # Covers timeouts, refused and reset connections and every TLS failure.
            logger.warning("Could not fetch %s: %r", url, error)
            raise FetchError(UNREACHABLE) from None
        if isinstance(response_or_location, Fetched):
            return response_or_location
        url = urljoin(url, response_or_location)
    raise FetchError(f"The feed redirected more than {MAX_REDIRECTS} times.")


def check_url(url: str) -> None:
    """Refuse, without any network traffic, a URL fetch() would never fetch."""
    _Target.of(url)


def is_public_address(address: IPAddress) -> bool:
    """Whether packets to this address go to the public internet.

    `is_global` alone lets through multicast, deprecated site-local IPv6, and IPv6
    forms that carry an IPv4 address (::ffff:127.0.0.1, ::7f00:1,
    64:ff9b::a00:1), which reach that IPv4 address.
    """
    if isinstance(address, ipaddress.IPv6Address):
        embedded = address.ipv4_mapped
        if embedded is None and (address in _IPV4_COMPATIBLE or address in _NAT64):
            embedded = ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)
        if embedded is not None:
            return is_public_address(embedded)
        tunnelled = [address.sixtofour, *(address.teredo or ())]
        if address.is_site_local or not all(
            is_public_address(inner) for inner in tunnelled if inner is not None
        ):
            return False
    return address.is_global and not (
        address.is_multicast
        or address.is_private
        or address.is_reserved
        or address.is_loopback
        or address.is_link_local
        or address.is_unspecified
    )


class _Deadline:
    def __init__(self, seconds: float):
        self.ends = time.monotonic() + seconds

    def left(self) -> float:
        """Seconds left, for a socket timeout; TimeoutError once none are."""
        remaining = self.ends - time.monotonic()
        if remaining <= 0:
            raise TimeoutError("the fetch took longer than its deadline")
        return remaining


class _AllowedInternal:
    """FETCH_ALLOWED_INTERNAL_HOSTS: host names, and addresses or networks (CIDR)."""

    def __init__(self, entries: list[str]):
        self.names: set[str] = set()
        self.networks: list[IPNetwork] = []
        for entry in entries:
            entry = entry.strip().strip("[]")
            try:
                self.networks.append(ipaddress.ip_network(entry, strict=False))
            except ValueError:
                self.names.add(entry.lower().rstrip("."))

    def allows(self, host: str, address: IPAddress) -> bool:
        return host in self.names or any(address in network for network in self.networks)


class _Target:
    """An https URL taken apart: the host (IDNA), port and the request's path."""

    def __init__(self, url: str, host: str, port: int, path: str):
        self.url, self.host, self.port, self.path = url, host, port, path

    @classmethod
    def of(cls, url: str) -> _Target:
        shown = url[:200]
        try:
            parts = urlsplit(url)
            port = parts.port or 443
        except ValueError:
            raise FetchError(f"The feed address is not valid (got “{shown}”).") from None
        if parts.scheme != "https" or not parts.hostname:
            raise FetchError(f"Only https:// feed addresses are accepted (got “{shown}”).")
        host = parts.hostname.rstrip(".")
        try:
            if not host.isascii():
                host = host.encode("idna").decode("ascii")
        except UnicodeError:
            host = ""
        if not host or any(c.isspace() or not c.isprintable() for c in host):
            raise FetchError(f"The feed address is not valid (got “{shown}”).")
        path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
        # As a browser sends it: spaces, control and non-ASCII characters escaped.
        return cls(url, host, port, quote(path, safe=_PRINTABLE_ASCII))

    def resolve(self, allowed: _AllowedInternal) -> list[tuple]:
        """Every address the host resolves to, each checked; the one lookup there is."""
        try:
            found = socket.getaddrinfo(self.host, self.port, type=socket.SOCK_STREAM)
        except (socket.gaierror, UnicodeError) as error:
            raise _Refused(f"{self.host} does not resolve ({error})") from None
        if not found:
            raise _Refused(f"{self.host} does not resolve")
        for *_, sockaddr in found:
            address = ipaddress.ip_address(sockaddr[0])
            if not (is_public_address(address) or allowed.allows(self.host, address)):
                raise _Refused(f"{self.host} resolves to {address}, which is not public")
        return found


class _PinnedHTTPSConnection(http.client.HTTPSConnection):
    """HTTPS to an address resolved and checked beforehand, never looked up again.

    TLS (SNI, certificate and host name check) and the Host header use the
    URL's host name; every send and receive gets only the time left.
    """

    def __init__(self, target: _Target, addresses, context, deadline: _Deadline):
        super().__init__(target.host, target.port, context=context)
        self._addresses = addresses
        self._deadline = deadline

    def connect(self) -> None:
        raw = self._connect_to_a_checked_address()
        try:
            raw.settimeout(self._deadline.left())  # the handshake's own deadline
            tls = self._context.wrap_socket(raw, server_hostname=self.host)
        except BaseException:
            raw.close()
            raise
        self.sock = _DeadlineSocket(tls, self._deadline)

    def _connect_to_a_checked_address(self) -> socket.socket:
        error: OSError = OSError("no address")
        for family, kind, proto, _, sockaddr in self._addresses:
            sock = socket.socket(family, kind, proto)
            try:
                sock.settimeout(self._deadline.left())
                sock.connect(sockaddr)
                return sock
            except OSError as failed:
                sock.close()
                error = failed
        raise error


class _DeadlineSocket:
    """What http.client uses of a socket, each call limited to the time left."""

    def __init__(self, sock: ssl.SSLSocket, deadline: _Deadline):
        self._sock, self._deadline = sock, deadline

    def sendall(self, data) -> None:
        self._sock.settimeout(self._deadline.left())
        self._sock.sendall(data)

    def makefile(self, mode: str) -> io.BufferedReader:
        # A buffered read may take many receives; each one gets the time left.
        raw = self._sock.makefile(mode, buffering=0)
        return io.BufferedReader(_DeadlineReader(raw, self._sock, self._deadline))

    def close(self) -> None:
        # As for any socket, the connection stays open until the response is closed too.
        self._sock.close()


class _DeadlineReader(io.RawIOBase):
    def __init__(self, raw: io.RawIOBase, sock: ssl.SSLSocket, deadline: _Deadline):
        self._raw, self._sock, self._deadline = raw, sock, deadline

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int | None:
        self._sock.settimeout(self._deadline.left())
        return self._raw.readinto(buffer)

    def close(self) -> None:
        self._raw.close()
        super().close()


def _get(
    target: _Target,
    addresses,
    context,
    deadline: _Deadline,
    max_bytes: int,
    headers: dict[str, str],
) -> Fetched | str:
    """The response, or the Location a redirect points to."""
    connection = _PinnedHTTPSConnection(target, addresses, context, deadline)
    try:
        connection.request(
            "GET", target.path, headers={"User-Agent": USER_AGENT, "Accept": "*/*", **headers}
        )
        with connection.getresponse() as response:
            return _read(response, max_bytes)
    finally:
        connection.close()


def _read(response: http.client.HTTPResponse, max_bytes: int) -> Fetched | str:
    if response.status in REDIRECT_STATUSES and response.getheader("Location"):
        return response.getheader("Location")
    etag = _validator(response.getheader("ETag"))
    last_modified = _validator(response.getheader("Last-Modified"))
    if response.status == HTTPStatus.NOT_MODIFIED:
        return Fetched(response.status, None, etag, last_modified)
    if not 200 <= response.status < 300:
        raise FetchError(f"The feed answered {_status(response.status)}.", status=response.status)
    if response.length is not None and response.length > max_bytes:
        raise ResponseTooLarge(response.length, limit=max_bytes, exact=True, status=response.status)
    body = bytearray()
    while chunk := response.read(min(READ_SIZE, max_bytes + 1 - len(body))):
        body += chunk
        if len(body) > max_bytes:
            # Reading stops one byte past the limit; the full size stays unknown.
            raise ResponseTooLarge(len(body), limit=max_bytes, exact=False, status=response.status)
    return Fetched(response.status, bytes(body), etag, last_modified)


def _validator(value: str | None) -> str:
    """A validator to send back as it came; "" for none, or for one too odd to send
    (a header line break or an absurd length would not be a validator anyway)."""
    if not value or len(value) > 200 or not value.isprintable():
        return ""
    return value.strip()


def _status(code: int) -> str:
    try:
        return f"{code} {HTTPStatus(code).phrase}"
    except ValueError:
        return str(code)
