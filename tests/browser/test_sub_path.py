"""A newsroom hosted under a sub-path (https://example.github.io/newsroom/): built with that
base_url and served under /newsroom/, every link, asset, feed and sitemap entry must work."""

from __future__ import annotations

import json
import urllib.error
import urllib.parse
import urllib.request

import feedparser
import pytest
from lxml import etree, html

from pressroom.pipeline import build
from tests.conftest import EXAMPLE_AS_OF, ROOT
from tests.support.server import serve_directory
from tests.support.validators import SITEMAP_NS

BASE_URL = "https://example.github.io/newsroom/"


@pytest.fixture(scope="module")
def sub_path_site(tmp_path_factory):
    out = tmp_path_factory.mktemp("sub-path") / "output"
    build(ROOT, out, now=EXAMPLE_AS_OF, base_url=BASE_URL)  # as `pressroom build --base-url` does
    return out


@pytest.fixture(scope="module")
def served(sub_path_site):
    with serve_directory(sub_path_site, prefix="/newsroom/") as base:
        yield base


def fetch(url: str) -> tuple[int, str, bytes]:
    try:
        with urllib.request.urlopen(url, timeout=10) as response:
            return response.status, response.headers.get_content_type(), response.read()
    except urllib.error.HTTPError as error:
        return error.code, "", b""


def local(url: str, served: str) -> str:
    """The published address of a page, as the test server serves it."""
    return served + url.removeprefix(BASE_URL) if url.startswith(BASE_URL) else url


def links_of(document: bytes, page: str) -> set[str]:
    tree = html.fromstring(document)
    found = set()
    for element, attribute, link, _ in tree.iterlinks():
        if element.tag == "a" and attribute != "href":
            continue
        found.add(urllib.parse.urljoin(page, link).split("#")[0])
    return found


def test_every_internal_link_and_asset_on_every_page_works(served):
    origin = served.split("/newsroom/")[0]
    seen: dict[str, int] = {}
    queue = [served, served + "no/such/page/"]  # the 404 page is served at any address
    while queue:
        url = queue.pop()
        if url in seen:
            continue
        status, kind, body = fetch(url)
        seen[url] = status
        if kind == "text/html":
            for link in links_of(body, url):
                if link.startswith(origin) and link not in seen:
                    queue.append(link)
    broken = sorted(url for url, status in seen.items() if status != 200 and not url.endswith("/no/such/page/"))
    assert broken == []
    assert len(seen) > 60  # pages, feeds, stylesheet, logo, pictures
    assert all(url.startswith(served) for url in seen), "a link left the /newsroom/ prefix"


def test_feeds_and_sitemap_point_into_the_sub_path(served):
    _, _, sitemap = fetch(served + "sitemap.xml")
    locs = [loc.text for loc in etree.fromstring(sitemap).iter(f"{{{SITEMAP_NS}}}loc")]
    assert locs and all(loc.startswith(BASE_URL) for loc in locs)
    for loc in locs:
        assert fetch(local(loc, served))[0] == 200, loc
    for feed_path in ("atom.xml", "rss.xml", "tags/awards/atom.xml"):
        status, _, data = fetch(served + feed_path)
        feed = feedparser.parse(data)
        assert status == 200 and not feed.bozo
        for entry in feed.entries:
            assert fetch(local(entry.link, served))[0] == 200, entry.link
            for link in links_of(entry.content[0].value.encode(), entry.link):
                if link.startswith(BASE_URL):
                    assert fetch(local(link, served))[0] == 200, link
    _, _, data = fetch(served + "feed.json")
    for item in json.loads(data)["items"]:
        assert fetch(local(item["url"], served))[0] == 200
        if "image" in item:
            assert fetch(local(item["image"], served))[0] == 200
    robots = fetch(served + "robots.txt")[2].decode()
    assert f"Sitemap: {BASE_URL}sitemap.xml" in robots


def test_sharing_addresses_point_into_the_sub_path(served):
    _, _, page = fetch(served + "news/2025/health-hack-oslo-2025-early-warning-for-sepsis-takes-first-prize/")
    head = html.fromstring(page).head
    addresses = head.xpath('link[@rel="canonical"]/@href | meta[starts-with(@property, "og:") and starts-with(@content, "http")]/@content')
    assert len(addresses) >= 3
    for address in addresses:
        assert address.startswith(BASE_URL) and fetch(local(address, served))[0] == 200, address


def test_the_browser_loads_styles_and_pictures_under_the_sub_path(page, served):
    page.goto(served + "news/2025/health-hack-oslo-2025-early-warning-for-sepsis-takes-first-prize/")
    assert page.evaluate("document.styleSheets.length === 1 && document.styleSheets[0].cssRules.length > 20")
    assert page.evaluate("[...document.images].every(img => img.complete && img.naturalWidth > 0)")
    page.goto(served + "no/such/page/")
    assert page.evaluate("document.styleSheets[0].cssRules.length > 20")  # the 404 page works at any depth
