import pytest

from blog.rendering import render_markdown

pytestmark = pytest.mark.unit


def test_markdown_renders_emphasis_lists_and_links():
    html = render_markdown("Read **this**:\n\n- [CSI](https://kubernetes-csi.github.io/)\n")

    assert "<strong>this</strong>" in html
    assert (
        '<li><a href="https://kubernetes-csi.github.io/" rel="noopener noreferrer nofollow">'
        "CSI</a></li>"
    ) in html


@pytest.mark.parametrize(
    ("hostile", "forbidden"),
    [
        ("<script>alert('x')</script>Hello", ["<script", "alert("]),
        ("[click](javascript:alert(1))", ["javascript:"]),
        ('<a href="javascript:alert(1)">click</a>', ["javascript:"]),
        ('<img src="x.png" onerror="alert(1)">', ["onerror", "alert("]),
        ('<p onclick="steal()">Hi</p>', ["onclick", "steal"]),
        ('<iframe src="https://evil.example"></iframe>', ["<iframe", "evil.example"]),
        ("<style>body{display:none}</style>Hi", ["<style", "display:none"]),
        ('<div style="position:fixed">x</div>', ["style=", "position:fixed"]),
        ('<form action="https://evil.example"><input name="p"></form>', ["<form", "<input"]),
        ("[x](data:text/html;base64,PHNjcmlwdD4=)", ["data:text"]),
        ("<svg><script>alert(1)</script></svg>", ["<svg", "<script"]),
        ("<!-- <script>alert(1)</script> -->", ["<script", "<!--"]),
    ],
)
def test_hostile_markdown_is_sanitised(hostile, forbidden):
    html = render_markdown(hostile).lower()

    for fragment in forbidden:
        assert fragment not in html


def test_raw_html_keeps_only_harmless_formatting():
    assert render_markdown("<em>fine</em> <marquee>old</marquee>") == "<p><em>fine</em> old</p>"
