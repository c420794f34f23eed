"""Links from a page, and full addresses for feeds and sharing, on a site at a domain's root
or under a sub-path."""

import pytest

from pressroom import urls
from pressroom.markup import rewrite_links

BASE = "https://example.github.io/newsroom/"


@pytest.mark.parametrize("path, expected", [
    ("", "/newsroom/"),
    ("news/2024/a/", "/newsroom/news/2024/a/"),
    ("/assets/logo.svg", "/newsroom/assets/logo.svg"),
    ("https://cdn.example.org/p.jpg", "https://cdn.example.org/p.jpg"),
    ("//cdn.example.org/p.jpg", "//cdn.example.org/p.jpg"),
    ("mailto:press@example.org", "mailto:press@example.org"),
    ("#main", "#main"),
])
def test_link_from_a_page(path, expected):
    assert urls.link(path, "/newsroom/") == expected


@pytest.mark.parametrize("path, page, expected", [
    ("news/", None, BASE + "news/"),
    ("/assets/a.png", BASE + "news/2024/a/", BASE + "assets/a.png"),
    ("report.pdf", BASE + "news/2024/a/", BASE + "news/2024/a/report.pdf"),
    ("../", BASE + "news/2024/a/", BASE + "news/2024/"),
    ("#part", BASE + "news/2024/a/", BASE + "news/2024/a/#part"),
    ("https://other.example/", BASE, "https://other.example/"),
])
def test_absolute_address(path, page, expected):
    assert urls.absolute(path, BASE, page) == expected


def test_rewrite_links_changes_attributes_of_tags_only():
    html = """<p><a title="x" href="/a/">a</a> <img alt="" src='/b.png'> <code>&lt;a href="/c/"&gt;</code> href="/d/"</p>"""
    assert rewrite_links(html, lambda link: "X" + link) == (
        """<p><a title="x" href="X/a/">a</a> <img alt="" src='X/b.png'> <code>&lt;a href="/c/"&gt;</code> href="/d/"</p>"""
    )
