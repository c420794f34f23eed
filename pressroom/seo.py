"""What search engines crawl: sitemap.xml, listing every public page with its last change,
and robots.txt, which names it. (What they read inside pages is in structured_data.)"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Iterable
from xml.etree import ElementTree

from pressroom import urls
from pressroom.config import Config

SITEMAP, ROBOTS = "sitemap.xml", "robots.txt"
SITEMAP_NS = "http://www.sitemaps.org/schemas/sitemap/0.9"


@dataclass(frozen=True)
class SitemapJob:
    """Every page search engines may list: one line each, its site-relative URL and, after a
    tab, its last change (ISO 8601) or nothing. Text, because the sitemap depends on every page
    and each build sums its job up: one string of 15,000 lines costs a thousandth of 15,000
    pairs of values. (URLs are made of slugs, which hold no tab or line break.)"""

    lines: str

    @classmethod
    def of(cls, pages: Iterable[tuple[str, datetime | None]]) -> SitemapJob:
        return cls("\n".join(f"{url}\t{modified.isoformat() if modified is not None else ''}" for url, modified in pages))

    def pages(self) -> list[tuple[str, str]]:
        """(URL, last change or "") of each page."""
        return [tuple(line.split("\t")) for line in self.lines.split("\n")] if self.lines else []


def render_seo(config: Config, job: SitemapJob) -> dict[str, bytes]:
    return {SITEMAP: sitemap_xml(config, job.pages()), ROBOTS: robots_txt(config)}


def sitemap_xml(config: Config, pages: Iterable[tuple[str, str]]) -> bytes:
    """`pages`: (site-relative URL, last change as ISO 8601 text or "")."""
    urlset = ElementTree.Element("urlset", xmlns=SITEMAP_NS)
    for url, modified in sorted(pages, key=lambda page: page[0]):
        entry = ElementTree.SubElement(urlset, "url")
        ElementTree.SubElement(entry, "loc").text = urls.absolute(url, config.base_url)
        if modified:
            ElementTree.SubElement(entry, "lastmod").text = modified
    ElementTree.indent(urlset)
    return ElementTree.tostring(urlset, encoding="utf-8", xml_declaration=True) + b"\n"


def robots_txt(config: Config) -> bytes:
    """Everything may be crawled. Crawlers read robots.txt only at the root of a host, so a
    site under a sub-path should also name its sitemap in the host's own robots.txt."""
    return f"User-agent: *\nAllow: /\n\nSitemap: {urls.absolute(SITEMAP, config.base_url)}\n".encode("utf-8")
