"""The site's one outbound fetcher reaches the public internet and nothing else.

Local https servers (a trustme CA signs their certificate) stand in for feeds;
loopback is "internal" unless a test lists it in FETCH_ALLOWED_INTERNAL_HOSTS.
"""

import ipaddress
import socket
import ssl
import threading

import pytest
from hypothesis import given
from hypothesis import strategies as st

from confguide.fetch import (
    UNREACHABLE,
    FetchError,
    ResponseTooLarge,
    fetch,
    is_public_address,
)
from tests.conftest import LocalHandler

pytestmark = pytest.mark.unit

LIMIT = 64 * 1024
FEED = b'{"schedule": "the organisers\' feed"}'


class Feed(LocalHandler):
    """Answers every GET with FEED, except the paths below."""

    def do_GET(self):
        if self.path.startswith("/redirect?to="):
            self.send_response(302)
            self.send_header("Location", self.path.removeprefix("/redirect?to="))
            self.send_header("Content-Length", "0")
            self.end_headers()
        elif self.path == "/missing":
            self.send_error(404)
        elif self.path == "/host":
            self._answer(f"Host: {self.headers['Host']}".encode())
        else:
            self._answer(FEED)

    def _answer(self, body: bytes):
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


@pytest.fixture
def connection_attempts(monkeypatch):
    """Every outgoing connect() in the test, as (address, port); connecting still works."""
    attempts = []
    connect = socket.socket.connect

    def recording(sock, address):
        attempts.append(tuple(address[:2]))
        return connect(sock, address)

    monkeypatch.setattr(socket.socket, "connect", recording)
    return attempts


@pytest.fixture
def allow(settings):
    def allow(*entries: str):
        settings.FETCH_ALLOWED_INTERNAL_HOSTS = list(entries)

    allow()
    return allow


def get(url: str, context: ssl.SSLContext, **kwargs) -> bytes:
    return fetch(url, max_bytes=kwargs.pop("max_bytes", LIMIT), ssl_context=context, **kwargs)


def refusal(url: str, context: ssl.SSLContext | None = None) -> str:
    with pytest.raises(FetchError) as caught:
        fetch(url, max_bytes=LIMIT, ssl_context=context)
    return str(caught.value)


# --- What the fetcher reaches ------------------------------------------------


def test_fetch_a_listed_internal_host_gets_the_feed(
    https_server, allow, tls_client_context, connection_attempts
):
    server = https_server(Feed)
    allow("127.0.0.1")

    body = get(f"{server.url}/schedule.json", tls_client_context)

    assert body == FEED
    assert server.requests == ["/schedule.json"]


@pytest.mark.parametrize(
    ("entry", "host"),
    [("127.0.0.0/8", "127.0.0.1"), ("localhost", "localhost"), ("LOCALHOST.", "localhost")],
)
def test_fetch_allowed_internal_hosts_takes_networks_and_names(
    https_server, allow, tls_client_context, entry, host
):
    server = https_server(Feed)
    allow(entry)

    body = get(f"https://{host}:{server.port}/schedule.json", tls_client_context)

    assert body == FEED


def test_fetch_follows_a_redirect_within_the_rules(https_server, allow, tls_client_context):
    server = https_server(Feed)
    allow("127.0.0.1")

    body = get(f"{server.url}/redirect?to=/moved.json", tls_client_context)

    assert body == FEED
    assert server.requests == ["/redirect?to=/moved.json", "/moved.json"]


def test_fetch_an_http_error_names_the_status(https_server, allow, tls_client_context):
    server = https_server(Feed)
    allow("127.0.0.1")

    assert refusal(f"{server.url}/missing", tls_client_context) == (
        "The feed answered 404 Not Found."
    )


# --- Internal addresses are refused before connecting ------------------------


def test_fetch_refuses_loopback_without_connecting(https_server, allow, tls_client_context):
    server = https_server(Feed)

    message = refusal(f"{server.url}/schedule.json", tls_client_context)

    assert message == UNREACHABLE
    assert server.connections == []


def test_fetch_refuses_localhost_by_name(https_server, allow, tls_client_context):
    server = https_server(Feed)

    message = refusal(f"https://localhost:{server.port}/schedule.json", tls_client_context)

    assert message == UNREACHABLE
    assert server.connections == []


def test_fetch_refuses_ipv6_loopback(https_server, allow, tls_client_context):
    server = https_server(Feed, host="::1")

    message = refusal(f"{server.url}/schedule.json", tls_client_context)

    assert message == UNREACHABLE
    assert server.connections == []


@pytest.mark.parametrize(
    "host",
    [
        "10.1.2.3",  # private
        "172.16.0.1",
        "192.168.1.1",
        "169.254.169.254",  # link-local: the cloud's metadata service
        "[fe80::1]",
        "100.64.0.1",  # carrier-grade NAT
        "0.0.0.0",  # unspecified: Linux connects it to loopback
        "[::]",
        "224.0.0.1",  # multicast
        "[ff02::1]",
        "240.0.0.1",  # reserved
        "192.0.2.1",  # documentation
        "[2001:db8::1]",
        "[fd00:ec2::254]",  # unique local: the metadata service over IPv6
        "[fec0::1]",  # site-local
        "[::ffff:127.0.0.1]",  # IPv4-mapped
        "[::ffff:169.254.169.254]",
        "[::7f00:1]",  # IPv4-compatible
        "[64:ff9b::a01:203]",  # NAT64 of 10.1.2.3
        "[2002:a01:203::1]",  # 6to4 of 10.1.2.3
        "[2001:0:4136:e378:8000:63bf:f5fe:fdfc]",  # Teredo
    ],
)
def test_fetch_refuses_internal_addresses_without_connecting(allow, host, connection_attempts):
    message = refusal(f"https://{host}/latest/meta-data/")

    assert message == UNREACHABLE
    assert connection_attempts == []


def test_fetch_refuses_a_name_with_any_internal_address(monkeypatch, allow, connection_attempts):
    # A public address first does not excuse an internal one after it.
    def lookup(host, port, *args, **kwargs):
        return [
            (socket.AF_INET, socket.SOCK_STREAM, 6, "", ("93.184.215.14", port)),
            (socket.AF_INET, socket.SOCK_STREAM, 6, "", ("10.0.0.5", port)),
        ]

    monkeypatch.setattr(socket, "getaddrinfo", lookup)

    assert refusal("https://schedule.example.org/feed.json") == UNREACHABLE
    assert connection_attempts == []


def test_fetch_refuses_a_redirect_to_an_internal_address(
    https_server, allow, tls_client_context, connection_attempts
):
    server = https_server(Feed)
    allow("127.0.0.1")

    message = refusal(
        f"{server.url}/redirect?to=https://169.254.169.254/latest/meta-data/", tls_client_context
    )

    assert message == UNREACHABLE
    assert connection_attempts == [("127.0.0.1", server.port)]


def test_fetch_refuses_a_redirect_to_plain_http(https_server, allow, tls_client_context):
    server = https_server(Feed)
    allow("127.0.0.1")

    message = refusal(f"{server.url}/redirect?to=http://127.0.0.1/", tls_client_context)

    assert message == "Only https:// feed addresses are accepted (got “http://127.0.0.1/”)."


def test_fetch_stops_after_five_redirects(https_server, allow, tls_client_context):
    server = https_server(Feed)
    allow("127.0.0.1")
    loop = "/redirect?to=" * 10 + "/feed.json"

    message = refusal(f"{server.url}{loop}", tls_client_context)

    assert message == "The feed redirected more than 5 times."
    assert len(server.requests) == 6


def test_fetch_connects_to_the_address_it_checked(
    https_server, allow, tls_client_context, monkeypatch, connection_attempts
):
    """DNS rebinding: a name that answers an allowed address, then an internal one."""
    server = https_server(Feed, host="127.0.0.2")
    allow("127.0.0.2")
    lookups = []

    def rebinding(host, port, *args, **kwargs):
        lookups.append(host)
        address = "127.0.0.2" if len(lookups) == 1 else "127.0.0.1"
        return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", (address, port))]

    monkeypatch.setattr(socket, "getaddrinfo", rebinding)

    body = get(f"https://schedule.example.org:{server.port}/host", tls_client_context)

    assert lookups == ["schedule.example.org"]
    assert connection_attempts == [("127.0.0.2", server.port)]
    # TLS verified the certificate for the name, and the request named it.
    assert body == f"Host: schedule.example.org:{server.port}".encode()


# --- One answer for every failure ---------------------------------------------


def _closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_fetch_every_failure_reads_the_same(https_server, allow, tls_client_context, monkeypatch):
    server = https_server(Feed)
    allow("127.0.0.1", "schedule.example.org")
    refused_address = refusal(f"https://169.254.169.254:{server.port}/", tls_client_context)
    refused_port = refusal(f"https://127.0.0.1:{_closed_port()}/", tls_client_context)
    untrusted = refusal(f"{server.url}/schedule.json", ssl.create_default_context())

    def no_such_name(*args, **kwargs):
        raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")

    monkeypatch.setattr(socket, "getaddrinfo", no_such_name)
    unknown_name = refusal("https://schedule.example.org/", tls_client_context)

    assert {refused_address, refused_port, untrusted, unknown_name} == {UNREACHABLE}


# --- Limits -------------------------------------------------------------------


class Trickle(LocalHandler):
    """Sends its answer one byte a second, from the status line or from the body."""

    protocol_version = "HTTP/1.0"

    def do_GET(self):
        head = b"HTTP/1.0 200 OK\r\nContent-Length: 600\r\n\r\n"
        if self.path == "/body":
            self.wfile.write(head)
            head = b""
        try:
            for byte in head + b"x" * 600:
                self.wfile.write(bytes([byte]))
                if self.server.stopping.wait(1):
                    return
        except OSError:
            return  # the client hung up, as it should


def _within(seconds: float, call):
    """call()'s outcome, failing the test rather than hanging it if it runs on."""
    outcome = {}

    def run():
        try:
            outcome["value"] = call()
        except BaseException as error:  # re-raised in the test's thread
            outcome["error"] = error

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    thread.join(seconds)
    assert not thread.is_alive(), f"the fetch was still running after {seconds} s"
    if "error" in outcome:
        raise outcome["error"]
    return outcome["value"]


@pytest.mark.parametrize("from_", ["/status-line", "/body"])
def test_fetch_the_deadline_stops_a_trickling_feed(
    https_server, allow, settings, tls_client_context, from_
):
    server = https_server(Trickle)
    allow("127.0.0.1")
    settings.FETCH_TIMEOUT = 2  # each byte comes well within any per-read timeout

    with pytest.raises(FetchError) as caught:
        _within(30, lambda: get(f"{server.url}{from_}", tls_client_context))

    assert str(caught.value) == UNREACHABLE


class Unmeasured(LocalHandler):
    """Streams a body larger than the limit, without a Content-Length."""

    protocol_version = "HTTP/1.0"

    def do_GET(self):
        self.send_response(200)
        if self.path == "/measured":
            self.send_header("Content-Length", str(LIMIT * 4))
        self.end_headers()
        try:
            self.wfile.write(b"x" * LIMIT * 4)
        except OSError:
            return  # the client stopped reading at the limit


def test_fetch_stops_reading_a_body_without_length_at_the_limit(
    https_server, allow, tls_client_context
):
    server = https_server(Unmeasured)
    allow("127.0.0.1")

    with pytest.raises(ResponseTooLarge) as caught:
        get(f"{server.url}/streamed", tls_client_context, max_bytes=LIMIT)

    assert (caught.value.size, caught.value.exact) == (LIMIT + 1, False)


def test_fetch_refuses_a_declared_length_over_the_limit(https_server, allow, tls_client_context):
    server = https_server(Unmeasured)
    allow("127.0.0.1")

    with pytest.raises(ResponseTooLarge) as caught:
        get(f"{server.url}/measured", tls_client_context, max_bytes=LIMIT)

    assert (caught.value.size, caught.value.exact) == (LIMIT * 4, True)


# --- The address rule ---------------------------------------------------------


@pytest.mark.parametrize(
    "url",
    ["http://example.org/feed.json", "ftp://example.org/feed", "file:///etc/passwd", "https://"],
)
def test_fetch_only_https(url):
    assert refusal(url) == f"Only https:// feed addresses are accepted (got “{url}”)."


def test_fetch_a_malformed_address_says_so():
    assert refusal("https://example.org:99999/") == (
        "The feed address is not valid (got “https://example.org:99999/”)."
    )


internal_ipv4 = (
    st.integers(0, 2**32 - 1)
    .map(ipaddress.IPv4Address)
    .filter(lambda address: not is_public_address(address))
)


@given(internal_ipv4)
def test_is_public_address_sees_ipv4_inside_ipv6(address):
    embedded = int(address)
    forms = [
        ipaddress.IPv6Address(f"::ffff:{address}"),  # mapped
        ipaddress.IPv6Address(embedded),  # compatible
        ipaddress.IPv6Address(int(ipaddress.IPv6Address("64:ff9b::")) | embedded),  # NAT64
        ipaddress.IPv6Address((0x2002 << 112) | (embedded << 80)),  # 6to4
    ]

    assert [is_public_address(form) for form in forms] == [False] * 4
