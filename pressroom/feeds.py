"""Feeds: what journalists subscribe to. Atom and RSS 2.0 for the site and each tag, made with
feedgen, and a JSON Feed 1.1 for the site. Returned as {output path: bytes}.

Every date comes from the releases (or the build's `now` when there are none), never from the
clock, so the same content gives byte-identical feeds.
"""

from __future__ import annotations

import html
import json
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Sequence

from pressroom import __version__, markup, urls
from pressroom.config import Config
from pressroom.model import Release
from pressroom.site import Site, Tag

if TYPE_CHECKING:
    from feedgen.feed import FeedGenerator

FEED_SIZE = 20
ATOM, RSS, JSON_FEED = "atom.xml", "rss.xml", "feed.json"
JSON_FEED_VERSION = "https://jsonfeed.org/version/1.1"


@dataclass(frozen=True)
class FeedLink:
    """One feed as a page links it: `<link rel="alternate" type=... title=... href=...>`."""

    url: str  # site-relative, like page URLs
    media_type: str
    title: str
    format: str  # "Atom", "RSS", "JSON Feed": the visible link text


def feed_links(site: Site, tag: Tag | None = None) -> list[FeedLink]:
    """The feeds of the whole site, or of one tag (Atom and RSS only)."""
    scope, title = ("", site.config.title) if tag is None else (tag.url, feed_title(site.config, tag))
    links = [
        FeedLink(scope + ATOM, "application/atom+xml", f"{title} (Atom)", "Atom"),
        FeedLink(scope + RSS, "application/rss+xml", f"{title} (RSS)", "RSS"),
    ]
    if tag is None:
        links.append(FeedLink(JSON_FEED, "application/feed+json", f"{title} (JSON Feed)", "JSON Feed"))
    return links


def feed_title(config: Config, tag: Tag | None) -> str:
    return config.title if tag is None else f"{config.title}: {tag.name}"


@dataclass(frozen=True)
class FeedJob:
    """The feeds of one scope: the whole site ("") or one tag (its URL, "tags/awards/")."""

    scope: str
    tag: Tag | None
    releases: tuple[Release, ...]  # the newest FEED_SIZE, newest first


def plan_feeds(site: Site) -> list[FeedJob]:
    jobs = [FeedJob("", None, site.releases[:FEED_SIZE])]
    return jobs + [FeedJob(tag.url, tag, tag.releases[:FEED_SIZE]) for tag in site.tags]


def make_feeds(job: FeedJob, site: Site) -> dict[str, bytes]:
    """Atom and RSS of the scope, and for the whole site the JSON Feed too."""
    files = write_xml_feeds(site, job.tag, job.releases)
    if job.tag is None:
        files[JSON_FEED] = json_feed(site, job.releases)
    return files


def render_feeds(site: Site) -> dict[str, bytes]:
    return {path: data for job in plan_feeds(site) for path, data in make_feeds(job, site).items()}


def write_xml_feeds(site: Site, tag: Tag | None, releases: Sequence[Release]) -> dict[str, bytes]:
    """One feedgen feed written twice; RSS takes its <link> from the last link given."""
    scope = "" if tag is None else tag.url
    page = {"href": site.config.base_url + scope, "rel": "alternate", "type": "text/html"}
    generator = feed_generator(site, tag, releases)
    generator.link([{"href": site.config.base_url + scope + ATOM, "rel": "self", "type": "application/atom+xml"}, page], replace=True)
    atom = generator.atom_str(pretty=True)
    generator.link([{"href": site.config.base_url + scope + RSS, "rel": "self", "type": "application/rss+xml"}, page], replace=True)
    rss = generator.rss_str(pretty=True)
    return {scope + ATOM: atom, scope + RSS: rss}


def feed_generator(site: Site, tag: Tag | None, releases: Sequence[Release]) -> FeedGenerator:
    from feedgen.feed import FeedGenerator  # here, not at the top: most rebuilds make no feed (with lxml, 30 ms)

    config = site.config
    page_url = config.base_url + ("" if tag is None else tag.url)
    updated = newest_change(releases, site.now)
    generator = FeedGenerator()
    generator.id(page_url)
    generator.title(feed_title(config, tag))
    generator.subtitle(config.description or f"News from {config.organisation.name}")
    generator.language(config.language)
    generator.author(organisation_author(config))
    generator.generator("Pressroom", version=__version__)
    if config.organisation.logo:
        generator.logo(urls.absolute(config.organisation.logo, config.base_url))
    generator.updated(updated)
    generator.lastBuildDate(updated)
    for release in releases:
        add_entry(generator, release, config)
    return generator


def add_entry(generator: FeedGenerator, release: Release, config: Config) -> None:
    url = config.base_url + release.url
    entry = generator.add_entry(order="append")
    entry.id(url)
    entry.guid(url, permalink=True)
    entry.title(release.title)
    entry.link(href=url, rel="alternate", type="text/html")
    entry.published(release.date)
    entry.updated(release.modified)
    entry.content(entry_html(release, config), type="html")
    if release.summary:
        entry.summary(release.summary)
    if release.author:
        entry.author({"name": release.author})
    for name in release.tags:
        entry.category(term=name)


def entry_html(release: Release, config: Config) -> str:
    """The full text, with the release's picture first, and every link absolute."""
    page_url = config.base_url + release.url
    text = markup.rewrite_links(str(release.body_html), lambda link: urls.absolute(link, config.base_url, page_url))
    if release.image:
        image = urls.absolute(release.image, config.base_url)
        text = f'<p><img src="{html.escape(image)}" alt="{html.escape(release.image_alt)}"></p>\n' + text
    return text


def organisation_author(config: Config) -> dict[str, str]:
    author = {"name": config.organisation.name or config.title}
    if config.organisation.url:
        author["uri"] = config.organisation.url
    return author


def newest_change(releases: Sequence[Release], now: datetime) -> datetime:
    """A feed is as new as its newest entry; an empty one is as new as the build."""
    return max((release.modified for release in releases), default=now)


def json_feed(site: Site, releases: Sequence[Release]) -> bytes:
    """JSON Feed 1.1 (https://jsonfeed.org/version/1.1); feedgen does not write it."""
    config = site.config
    author = {"name": config.organisation.name or config.title}
    if config.organisation.url:
        author["url"] = config.organisation.url
    feed = {
        "version": JSON_FEED_VERSION,
        "title": config.title,
        "home_page_url": config.base_url,
        "feed_url": config.base_url + JSON_FEED,
        "description": config.description or f"News from {config.organisation.name}",
        "language": config.language,
        "authors": [author],
        "items": [json_item(release, config) for release in releases],
    }
    if config.organisation.logo:
        feed["icon"] = urls.absolute(config.organisation.logo, config.base_url)
    return (json.dumps(feed, ensure_ascii=False, sort_keys=True, indent=2) + "\n").encode("utf-8")


def json_item(release: Release, config: Config) -> dict:
    url = config.base_url + release.url
    item = {
        "id": url,
        "url": url,
        "title": release.title,
        "content_html": entry_html(release, config),
        "date_published": release.date.isoformat(),
        "date_modified": release.modified.isoformat(),
    }
    if release.summary:
        item["summary"] = release.summary
    if release.author:
        item["authors"] = [{"name": release.author}]
    if release.tags:
        item["tags"] = list(release.tags)
    if release.image:
        item["image"] = urls.absolute(release.image, config.base_url)
    if release.lang:
        item["language"] = release.lang
    return item
