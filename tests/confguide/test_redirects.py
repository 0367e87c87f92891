import pytest
from django.test import RequestFactory

from confguide.redirects import safe_next_url

pytestmark = pytest.mark.unit


@pytest.mark.parametrize(
    ("target", "expected"),
    [
        ("/events/kubecon/", "/events/kubecon/"),
        ("http://testserver/speakers/", "http://testserver/speakers/"),
        ("https://evil.example/", "/fallback/"),
        ("//evil.example/path", "/fallback/"),
        ("javascript:alert(1)", "/fallback/"),
        ("", "/fallback/"),
        (None, "/fallback/"),
    ],
)
def test_safe_next_url_keeps_only_this_sites_addresses(target, expected):
    request = RequestFactory().post("/time-zone/")

    assert safe_next_url(request, target, fallback="/fallback/") == expected


def test_safe_next_url_refuses_a_downgrade_from_https():
    request = RequestFactory().post("/time-zone/", secure=True)

    assert safe_next_url(request, "http://testserver/events/", fallback="/") == "/"
