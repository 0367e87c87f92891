import pytest

from sessions.models import Theme
from sessions.templatetags.conference import theme_badge

pytestmark = pytest.mark.unit


def test_theme_badge_links_to_the_theme_page_with_its_colour_class():
    theme = Theme(name="Storage & CSI", slug="storage-csi", colour="#1d5f8a")

    html = theme_badge(theme)

    assert html == (
        f'<a class="badge theme-badge {theme.css_class}" href="/themes/storage-csi/">'
        "Storage &amp; CSI</a>"
    )


def test_theme_badge_takes_another_link_and_escapes_it():
    theme = Theme(name="<b>Security</b>", slug="security", colour="#f5d142")

    html = theme_badge(theme, '/blog/themes/security/?a=1&b="2"')

    assert 'href="/blog/themes/security/?a=1&amp;b=&quot;2&quot;"' in html
    assert "&lt;b&gt;Security&lt;/b&gt;</a>" in html
