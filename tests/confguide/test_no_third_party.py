"""No page asks the browser for anything from another site: no CDN, analytics or fonts.

Every script, stylesheet, image, font, frame and <link> of the public pages
points at the site itself (a relative address or SITE_URL), the stylesheets
load nothing from elsewhere either, and the Content Security Policy names no
other origin, so the browser would refuse one anyway. The privacy page
promises this.
"""

import io
import re
from urllib.parse import urlsplit

import lxml.html
import pytest
from django.conf import settings
from django.contrib.staticfiles import finders
from django.core.management import call_command

from blog.models import Post
from sessions.models import Company, Speaker

pytestmark = pytest.mark.integration

EVENT = "/events/kubecon-cloudnativecon-north-america-2020/"
# Elements that make the browser fetch something, and the attributes that say what.
FETCHING = {
    "script": ("src",),
    "link": ("href",),
    "img": ("src", "srcset"),
    "source": ("src", "srcset"),
    "iframe": ("src",),
    "frame": ("src",),
    "video": ("src", "poster"),
    "audio": ("src",),
    "track": ("src",),
    "embed": ("src",),
    "object": ("data",),
    "input": ("src",),
}
CSS_URL = re.compile(r"""url\(\s*['"]?([^'")]+)|@import\s+['"]([^'"]+)""")
# Keywords a CSP source list may hold without naming an origin.
LOCAL_SOURCES = re.compile(r"^('self'|'none'|'nonce-[^']+'|'strict-dynamic'|data:)$")


@pytest.fixture
def demo(db, without_kubecon_eu_2026):
    call_command("load_demo", stdout=io.StringIO())
    # Uploaded pictures are served by the site too (MEDIA_URL).
    Speaker.objects.filter(slug="patrick-ohly").update(photo="speakers/patrick-ohly.jpg")
    Company.objects.filter(slug="intel").update(logo="companies/intel.svg")
    return Post.objects.get().get_absolute_url()


def public_pages(post_url: str) -> list[str]:
    return [
        "/",
        EVENT,
        f"{EVENT}schedule/?day=2020-11-19",
        f"{EVENT}sessions/persistent-memory-in-kubernetes/",
        "/speakers/patrick-ohly/",
        "/companies/intel/",
        "/themes/storage-csi/",
        "/blog/",
        post_url,
        "/contact/",
        "/privacy/",
    ]


def is_this_site(url: str) -> bool:
    if url.startswith("data:"):
        return True
    parts = urlsplit(url)
    if not parts.scheme and not parts.netloc:
        return True  # relative; "//host/..." has a netloc
    return url.startswith(settings.SITE_URL + "/")


def fetched_urls(html: str) -> list[tuple[str, str]]:
    tree = lxml.html.fromstring(html)
    found = []
    for tag, attributes in FETCHING.items():
        for element in tree.iter(tag):
            for attribute in attributes:
                value = element.get(attribute)
                if not value:
                    continue
                urls = (
                    [part.split()[0] for part in value.split(",")]
                    if "srcset" in attribute
                    else [value]
                )
                found += [(f"<{tag} {attribute}>", url.strip()) for url in urls]
    return found


def stylesheet_text(client, href: str) -> str:
    path = urlsplit(href).path
    if path.startswith("/" + settings.STATIC_URL.lstrip("/")):
        found = finders.find(path.removeprefix("/" + settings.STATIC_URL.lstrip("/")))
        assert found, href
        with open(found, encoding="utf-8") as css:
            return css.read()
    return client.get(path).text


def test_public_pages_fetch_nothing_from_other_sites(client, demo):
    pages = public_pages(demo)
    elsewhere, stylesheets = [], set()

    for page in pages:
        response = client.get(page)
        assert response.status_code == 200, page
        for where, url in fetched_urls(response.text):
            if not is_this_site(url):
                elsewhere.append((page, where, url))
        tree = lxml.html.fromstring(response.text)
        stylesheets |= {
            link.get("href") for link in tree.iter("link") if link.get("rel") == "stylesheet"
        }

    assert elsewhere == []
    css_elsewhere = [
        (href, url)
        for href in sorted(stylesheets)
        for match in CSS_URL.finditer(stylesheet_text(client, href))
        if not is_this_site(url := (match.group(1) or match.group(2)).strip())
    ]
    assert css_elsewhere == []
    assert len(stylesheets) >= 3  # Bootstrap, the site's own, the theme colours


def test_the_pages_show_what_the_check_looks_at(client, demo):
    """Guards the test above: it must see the pictures, scripts and stylesheets."""
    speaker = client.get("/speakers/patrick-ohly/").text
    kinds = {where for where, _ in fetched_urls(speaker)}

    assert {"<script src>", "<link href>", "<img src>"} <= kinds
    assert ("<img src>", "/media/speakers/patrick-ohly.jpg") in fetched_urls(speaker)


def test_the_content_security_policy_names_no_other_origin(client, db):
    response = client.get("/")

    policy = response["Content-Security-Policy"]
    sources = [
        (directive.split()[0], source)
        for directive in policy.split(";")
        if directive.strip()
        for source in directive.split()[1:]
    ]
    assert sources  # there is a policy, with sources
    assert [(name, source) for name, source in sources if not LOCAL_SOURCES.match(source)] == []
    assert "Content-Security-Policy-Report-Only" not in response


def test_the_check_catches_other_sites():
    page = """<html><head>
      <link rel="stylesheet" href="https://cdn.example.net/bootstrap.css">
      <link rel="preconnect" href="//fonts.example.com">
      <script src="/static/js/site.js"></script>
      <script src="https://analytics.example.com/a.js"></script>
    </head><body>
      <img src="/media/a.png" srcset="/media/a2.png 2x, https://img.example.org/b.png 3x">
      <iframe src="https://video.example.com/embed/1"></iframe>
    </body></html>"""

    elsewhere = [url for _, url in fetched_urls(page) if not is_this_site(url)]

    assert elsewhere == [
        "https://analytics.example.com/a.js",
        "https://cdn.example.net/bootstrap.css",
        "//fonts.example.com",
        "https://img.example.org/b.png",
        "https://video.example.com/embed/1",
    ]
