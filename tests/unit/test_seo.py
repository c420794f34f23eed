"""sitemap.xml and robots.txt, checked against the sitemaps.org schema."""

from datetime import datetime, timedelta, timezone

from lxml import etree

from pressroom import seo
from pressroom.config import parse_config
from pressroom.model import Page, Release
from pressroom.render import plan_pages, sitemap_pages
from pressroom.site import build_index
from tests.conftest import MINIMAL_CONFIG
from tests.support.validators import SITEMAP_NS, validate_sitemap

CONFIG = parse_config(MINIMAL_CONFIG.replace('url = "https://example.org/"', 'url = "https://example.org/"\nlogo = "assets/logo.png"'))
NOW = datetime(2025, 1, 1, tzinfo=timezone.utc)
OSLO = timezone(timedelta(hours=1))


def release(slug="a", day=9, **fields) -> Release:
    values = dict(source=f"content/news/{slug}.md", title=f"Title {slug}", date=datetime(2024, 1, day, 9, tzinfo=OSLO), slug=slug,
                  url=f"news/2024/{slug}/", body_html="<p>x</p>", summary="The summary", tags=("awards",))
    return Release(**{**values, **fields})


def sitemap_of(releases, pages=(), config=CONFIG) -> dict[str, str]:
    site = build_index(releases, list(pages), config, NOW)
    data = seo.render_seo(config, seo.SitemapJob.of(sitemap_pages(plan_pages(site))))[seo.SITEMAP]
    assert validate_sitemap(data) == []
    root = etree.fromstring(data)
    ns = {"s": SITEMAP_NS}
    return {url.findtext("s:loc", namespaces=ns): url.findtext("s:lastmod", namespaces=ns) for url in root.findall("s:url", ns)}


def test_sitemap_lists_every_public_page_with_its_last_change():
    about = Page("content/pages/about.md", "About", "about", "about/", "<p>x</p>")
    entries = sitemap_of([release("a", 9), release("b", 10, updated=datetime(2024, 2, 1, 8, tzinfo=OSLO))], [about])
    assert entries == {
        "https://news.example.org/": "2024-02-01T08:00:00+01:00",
        "https://news.example.org/about/": None,  # no date of its own, and none is made up
        "https://news.example.org/events/": None,
        "https://news.example.org/labels/": None,
        "https://news.example.org/news/": "2024-02-01T08:00:00+01:00",
        "https://news.example.org/news/2024/": "2024-02-01T08:00:00+01:00",
        "https://news.example.org/news/2024/a/": "2024-01-09T09:00:00+01:00",
        "https://news.example.org/news/2024/b/": "2024-02-01T08:00:00+01:00",
        "https://news.example.org/tags/": "2024-02-01T08:00:00+01:00",
        "https://news.example.org/tags/awards/": "2024-02-01T08:00:00+01:00",
    }


def test_sitemap_leaves_out_the_404_page_and_keeps_pagination():
    entries = sitemap_of([release(f"r{n}", n + 1) for n in range(3)])
    assert "https://news.example.org/404.html" not in entries
    assert entries["https://news.example.org/news/page/2/"] == "2024-01-01T09:00:00+01:00"


def test_sitemap_of_a_sub_path_site():
    config = parse_config(MINIMAL_CONFIG.replace("https://news.example.org/", "https://example.github.io/newsroom/"))
    entries = sitemap_of([release()], config=config)
    assert "https://example.github.io/newsroom/news/2024/a/" in entries
    assert all(url.startswith("https://example.github.io/newsroom/") for url in entries)


def test_robots_txt_allows_everything_and_names_the_sitemap():
    assert seo.robots_txt(CONFIG).decode() == "User-agent: *\nAllow: /\n\nSitemap: https://news.example.org/sitemap.xml\n"
