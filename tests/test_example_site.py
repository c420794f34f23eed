"""The example site as the web's own tools see it: the W3C Nu Html Checker, feed readers
(feedparser), the RFC 4287 and sitemaps.org schemas, and search engines' structured data."""

from __future__ import annotations

import json
from pathlib import Path

import feedparser
from lxml import etree, html

from pressroom.config import parse_config
from tests.conftest import ROOT, html_pages
from tests.support.validators import SITEMAP_NS, format_vnu_errors, run_vnu, validate_atom, validate_sitemap

CONFIG = parse_config((ROOT / "pressroom.toml").read_text(encoding="utf-8"))
BASE = CONFIG.base_url
RELEASE = "news/2025/health-hack-oslo-2025-early-warning-for-sepsis-takes-first-prize/index.html"


def page_url(path: str) -> str:
    return BASE + path.removesuffix("index.html")


def head_of(site: Path, path: str):
    return html.fromstring((site / path).read_bytes()).head


def meta(head, key: str, value: str) -> list[str]:
    return head.xpath(f"meta[@{key}=$value]/@content", value=value)


def structured_data(site: Path, path: str) -> dict[str, dict]:
    """The page's JSON-LD blocks, by @type."""
    blocks = html.fromstring((site / path).read_bytes()).xpath('//script[@type="application/ld+json"]/text()')
    return {data["@type"]: data for data in map(json.loads, blocks)}


def public_pages(site: Path) -> list[str]:
    return [path for path in html_pages(site) if path != "404.html"]


def test_every_page_is_valid_html(example_site):
    errors = run_vnu([example_site])  # one JVM for every page
    assert errors == [], format_vnu_errors(errors)


def test_every_feed_parses_without_a_bozo_error(example_site):
    feeds = sorted(example_site.rglob("*.xml"))
    feeds = [path for path in feeds if path.name in ("atom.xml", "rss.xml")]
    assert len(feeds) > 2
    for path in feeds:
        feed = feedparser.parse(path.read_bytes())
        assert not feed.bozo, f"{path}: {feed.get('bozo_exception')}"
        assert feed.entries, path


def test_every_atom_feed_validates_against_rfc_4287(example_site):
    for path in sorted(example_site.rglob("atom.xml")):
        assert validate_atom(path.read_bytes()) == [], path


def test_the_json_feed_is_json_feed_1_1_with_the_newest_releases(example_site):
    feed = json.loads((example_site / "feed.json").read_bytes())
    atom = feedparser.parse((example_site / "atom.xml").read_bytes())
    assert feed["version"] == "https://jsonfeed.org/version/1.1"
    assert [item["url"] for item in feed["items"]] == [entry.link for entry in atom.entries]
    assert all(item["content_html"] and item["date_published"][-6] in "+-" for item in feed["items"])


def test_the_sitemap_validates_and_lists_every_public_page(example_site):
    data = (example_site / "sitemap.xml").read_bytes()
    assert validate_sitemap(data) == []
    entries = etree.fromstring(data).findall(f"{{{SITEMAP_NS}}}url")
    assert sorted(e.findtext(f"{{{SITEMAP_NS}}}loc") for e in entries) == sorted(page_url(p) for p in public_pages(example_site))
    lastmod = {e.findtext(f"{{{SITEMAP_NS}}}loc"): e.findtext(f"{{{SITEMAP_NS}}}lastmod") for e in entries}
    dated = [url for url in lastmod if url.startswith((BASE + "news/", BASE + "tags/")) or url == BASE]
    assert len(dated) > 30 and all(lastmod[url] for url in dated)  # every page of releases says when it changed
    assert lastmod[BASE + "news/2025/health-hack-oslo-2025-early-warning-for-sepsis-takes-first-prize/"] == "2025-02-11T11:00:00+01:00"


def test_robots_txt_names_the_sitemap(example_site):
    assert f"Sitemap: {BASE}sitemap.xml" in (example_site / "robots.txt").read_text().splitlines()


def test_every_page_links_the_site_feeds_and_tag_pages_their_own(example_site):
    for path in html_pages(example_site):
        links = head_of(example_site, path).xpath('link[@rel="alternate"]')
        types = {(link.get("type"), link.get("href")) for link in links}
        assert {("application/atom+xml", "/atom.xml"), ("application/rss+xml", "/rss.xml"), ("application/feed+json", "/feed.json")} <= types, path
    tag_links = head_of(example_site, "tags/awards/index.html").xpath('link[@rel="alternate"]/@href')
    assert "/tags/awards/atom.xml" in tag_links and "/tags/awards/rss.xml" in tag_links


def test_every_public_page_has_canonical_description_and_sharing_tags(example_site):
    for path in public_pages(example_site):
        head = head_of(example_site, path)
        canonical = head.xpath('link[@rel="canonical"]/@href')
        assert canonical == [page_url(path)], path
        [description] = meta(head, "name", "description")
        assert len(description) > 20, path
        assert meta(head, "property", "og:url") == canonical, path
        assert meta(head, "property", "og:title") and meta(head, "property", "og:description") == [description], path
        assert meta(head, "property", "og:image")[0].startswith(BASE), path
        assert meta(head, "name", "twitter:card")[0] in ("summary", "summary_large_image"), path


def test_a_release_is_shared_as_an_article_with_its_picture(example_site):
    head = head_of(example_site, RELEASE)
    assert meta(head, "property", "og:type") == ["article"]
    assert meta(head, "property", "og:image") == [BASE + "assets/images/health-hack-oslo-2025.svg"]
    assert meta(head, "property", "og:image:alt")[0].startswith("Illustration of a gold trophy")
    assert meta(head, "name", "twitter:card") == ["summary_large_image"]
    assert meta(head, "property", "article:published_time") == ["2025-02-11T11:00:00+01:00"]
    home = head_of(example_site, "index.html")
    assert meta(home, "property", "og:type") == ["website"]
    assert meta(home, "property", "og:image") == [BASE + "assets/medvia-logo.svg"]


def test_the_404_page_is_kept_out_of_search_engines(example_site):
    head = head_of(example_site, "404.html")
    assert meta(head, "name", "robots") == ["noindex"]
    assert not head.xpath('link[@rel="canonical"]')


def test_every_release_is_a_news_article_with_breadcrumbs(example_site):
    releases = [p for p in public_pages(example_site) if p.count("/") == 3 and p.startswith("news/2")]
    assert len(releases) > 10
    for path in releases:
        data = structured_data(example_site, path)
        article = data["NewsArticle"]
        for required in ("headline", "datePublished", "dateModified", "author", "publisher", "image", "mainEntityOfPage"):
            assert article[required], (path, required)
        assert article["mainEntityOfPage"]["@id"] == page_url(path)
        assert article["publisher"]["logo"]["url"] == BASE + "assets/medvia-logo.svg"
        crumbs = data["BreadcrumbList"]["itemListElement"]
        assert [c["position"] for c in crumbs] == [1, 2, 3, 4] and crumbs[-1]["item"] == page_url(path)


def test_the_home_page_describes_the_organisation(example_site):
    org = structured_data(example_site, "index.html")["Organization"]
    assert (org["name"], org["url"], org["logo"]["url"]) == ("MEDVIA", "https://medvia.example/", BASE + "assets/medvia-logo.svg")


def test_every_page_has_one_h1_and_no_skipped_heading_levels(example_site):
    for path in html_pages(example_site):
        levels = [int(h.tag[1]) for h in html.fromstring((example_site / path).read_bytes()).body.iter("h1", "h2", "h3", "h4", "h5", "h6")]
        assert levels.count(1) == 1 and levels[0] == 1, (path, levels)
        skips = [(a, b) for a, b in zip(levels, levels[1:]) if b > a + 1]
        assert skips == [], (path, levels)
