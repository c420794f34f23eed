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
    """(site-relative URL, last change or None) of every page search engines may list."""

    pages: tuple[tuple[str, datetime | None], ...]


def render_seo(config: Config, job: SitemapJob) -> dict[str, bytes]:
    return {SITEMAP: sitemap_xml(config, job.pages), ROBOTS: robots_txt(config)}


def sitemap_xml(config: Config, pages: Iterable[tuple[str, datetime | None]]) -> bytes:
    urlset = ElementTree.Element("urlset", xmlns=SITEMAP_NS)
    for url, modified in sorted(pages, key=lambda page: page[0]):
        entry = ElementTree.SubElement(urlset, "url")
        ElementTree.SubElement(entry, "loc").text = urls.absolute(url, config.base_url)
        if modified is not None:
            ElementTree.SubElement(entry, "lastmod").text = modified.isoformat()
    ElementTree.indent(urlset)
    return ElementTree.tostring(urlset, encoding="utf-8", xml_declaration=True) + b"\n"


def robots_txt(config: Config) -> bytes:
    """Everything may be crawled. Crawlers read robots.txt only at the root of a host, so a
    site under a sub-path should also name its sitemap in the host's own robots.txt."""
    return f"User-agent: *\nAllow: /\n\nSitemap: {urls.absolute(SITEMAP, config.base_url)}\n".encode("utf-8")
