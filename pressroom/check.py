"""The site check: what a reader would trip over, found before they do.

Links, anchors, images and downloads are checked in the BUILT output, read with a real HTML
parser, so a link written in a template counts as much as one in a release. Each finding is
traced back to the content file and line that holds it when it can be, else it names the
output page and its line. Content checks (summaries, duplicate titles) read the site index.
A finding is either broken (a reader meets an error) or a warning (worth a look).
"""

from __future__ import annotations

import functools
import os
import re
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from datetime import datetime, timedelta
from html.parser import HTMLParser
from pathlib import Path
from typing import Iterable, Mapping
from urllib.parse import unquote, urljoin, urlsplit

from pressroom import urls
from pressroom.errors import SiteError
from pressroom.model import Event, Label, Release
from pressroom.render import long_date, when
from pressroom.site import Site, goes_out, hold_reason, utc
from pressroom.front_matter import split_document
from pressroom.source import SourceFile

NOT_CHECKED = ("mailto:", "tel:", "sms:", "javascript:", "data:", "blob:")
ALWAYS_THERE = {"", "top"}  # "#" and "#top" scroll to the top of any page
PAGE_SUFFIXES = ("", ".html", ".htm")


@dataclass(frozen=True, order=True)
class Finding:
    where: SiteError
    broken: bool  # False: a warning, worth a look but no reason to stop a deploy

    def __str__(self) -> str:
        return str(self.where) if self.broken else str(SiteError(self.where.path, self.where.line, f"warning: {self.where.message}"))


@dataclass(frozen=True)
class Ref:
    """A link or an embedded file on a page, as its HTML gives it."""

    tag: str
    target: str
    line: int
    alt: str | None = None  # <img> only; None when the alt attribute is missing

    @property
    def is_image(self) -> bool:
        return self.tag in ("img", "og:image", "twitter:image") or (self.tag == "source" and _looks_like_image(self.target))


@dataclass(frozen=True)
class PageScan:
    ids: frozenset[str]
    refs: tuple[Ref, ...]


class _Scanner(HTMLParser):
    LINKS = {"a": "href", "area": "href", "link": "href"}
    FILES = {"img": "src", "script": "src", "iframe": "src", "embed": "src", "video": "src", "audio": "src", "source": "src", "track": "src"}
    META_URLS = ("og:image", "og:url", "twitter:image")

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.ids: set[str] = set()
        self.refs: list[Ref] = []

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        line = self.getpos()[0]
        for name in ("id",) + (("name",) if tag == "a" else ()):
            if attributes.get(name):
                self.ids.add(attributes[name])
        for wanted in (self.LINKS.get(tag), self.FILES.get(tag), "poster" if tag == "video" else None):
            if wanted and attributes.get(wanted) is not None:
                alt = attributes.get("alt") if tag == "img" else None
                self.refs.append(Ref(tag, attributes[wanted].strip(), line, alt))
        if tag in ("img", "source") and attributes.get("srcset"):
            for candidate in attributes["srcset"].split(","):
                if candidate.strip():
                    self.refs.append(Ref("srcset", candidate.split()[0], line))
        if tag == "meta" and attributes.get("property", attributes.get("name")) in self.META_URLS and attributes.get("content"):
            self.refs.append(Ref(attributes.get("property") or attributes["name"], attributes["content"].strip(), line))

    handle_startendtag = handle_starttag


def scan_page(html: str) -> PageScan:
    scanner = _Scanner()
    scanner.feed(html)
    scanner.close()
    return PageScan(frozenset(scanner.ids), tuple(scanner.refs))


def page_url(rel: str) -> str:
    """The site-relative URL an output file is served at: "news/x/index.html" -> "news/x/"."""
    return rel[: -len("index.html")] if rel == "index.html" or rel.endswith("/index.html") else rel


def resolve(target: str, from_url: str, base_url: str) -> tuple[str, str] | None:
    """(site-relative path, fragment) of a link into the site, or None for anything else."""
    absolute = absolute_path(target, from_url, base_url)
    if absolute is None or not absolute[0].startswith(urlsplit(base_url).path):
        return None  # elsewhere on the same host: not ours to judge
    path = absolute[0][len(urlsplit(base_url).path) :]
    return None if path.startswith("/") else (path, absolute[1])  # "%2F" decodes to a second slash


def absolute_path(target: str, from_url: str, base_url: str) -> tuple[str, str] | None:
    """(path from the root of the host, fragment) of a link to the site's host, or None."""
    if not target or target.lower().startswith(NOT_CHECKED):
        return None
    if target.startswith(("/", "http:", "https:")) and not target.startswith("//"):
        from_url = ""  # the same wherever it is written: one answer serves every page
    return _absolute_path(target, from_url, base_url)


@functools.lru_cache(maxsize=65536)
def _absolute_path(target: str, from_url: str, base_url: str) -> tuple[str, str] | None:
    base = urlsplit(base_url)
    parts = urlsplit(urljoin(urljoin(base_url, from_url), target))
    if parts.scheme not in ("http", "https") or parts.netloc.lower() != base.netloc.lower():
        return None
    return unquote(parts.path), unquote(parts.fragment)


def find_file(path: str, files: frozenset[str]) -> str | None:
    """The output file a web server answers `path` with, or None (a 404)."""
    for candidate in (path + "index.html" if path == "" or path.endswith("/") else path, path + "/index.html"):
        if candidate in files:
            return candidate
    return None


def check_refs(pages: Mapping[str, PageScan], files: frozenset[str], base_url: str, held: Mapping[str, str]) -> list[tuple[str, Ref, str]]:
    """Every problem with a reference as (page, ref, message), before tracing. `held` names
    the held-back releases by their path, so a link to one says why it leads nowhere yet."""
    return [
        (rel, ref, message)
        for rel in sorted(pages)
        for ref in distinct_refs(pages[rel].refs, rel, base_url)
        for message in ref_problems(ref, rel, pages, files, base_url, held)
    ]


def distinct_refs(refs: tuple[Ref, ...], rel: str, base_url: str) -> list[Ref]:
    """Sharing tags repeat the page's own picture by its full address: judge it once, where
    the page shows it, so a missing picture is named at the line that wrote it."""
    shown = {resolve(ref.target, page_url(rel), base_url) for ref in refs if ref.tag not in _Scanner.META_URLS}
    return [ref for ref in refs if ref.tag not in _Scanner.META_URLS or resolve(ref.target, page_url(rel), base_url) not in shown]


def ref_problems(ref: Ref, rel: str, pages: Mapping[str, PageScan], files: frozenset[str], base_url: str, held: Mapping[str, str]) -> list[str]:
    problems = []
    if ref.tag == "img" and ref.alt is None:
        problems.append(no_alt_message(ref))
    resolved = resolve(ref.target, page_url(rel), base_url)
    if resolved is None:
        stray = absolute_path(ref.target, page_url(rel), base_url)
        if stray and find_file(stray[0].lstrip("/"), files):
            base_path = urlsplit(base_url).path
            path = stray[0].lstrip("/")
            problems.append(f'broken link: "{ref.target}" leaves the site, which lives under {base_path}; write /{path} in a text '
                            f"(Pressroom puts {base_path} in front), or {{{{ url('{path}') }}}} in a template")
        return problems
    path, fragment = resolved
    found = find_file(path, files)
    if found is None:
        problems.append(f'broken link: "{ref.target}" leads to {held[path]}' if path in held else missing_message(ref, path))
    elif fragment not in ALWAYS_THERE and not fragment.startswith(":~:") and found in pages and fragment not in pages[found].ids:
        where = "this page" if found == rel else f"/{path}"
        problems.append(f'broken link: "{ref.target}" points to an anchor #{fragment} that {where} does not have')
    return problems


def no_alt_message(ref: Ref) -> str:
    return f'the image "{ref.target}" has no alt text; describe it for people who cannot see it, like ![what it shows]({ref.target})'


def missing_message(ref: Ref, path: str) -> str:
    if ref.is_image or ref.tag == "srcset":
        return f'missing image: "{ref.target}" is not in the site; put the file in assets/ and write its address, like /assets/images/photo.jpg'
    if ref.tag in ("a", "area", "link", "og:url") and path.endswith(".md"):
        return f'broken link: "{ref.target}" points to a Markdown file; link to the page\'s address instead, like /news/2024/its-slug/'
    if ref.tag in ("a", "area", "link", "og:url") and Path(path).suffix in PAGE_SUFFIXES:
        return f'broken link: "{ref.target}" leads to no page of the site'
    return f'missing file: "{ref.target}" is not in the site; put it in assets/ and write its address, like /assets/files/report.pdf'


def _looks_like_image(target: str) -> bool:
    return Path(urlsplit(target).path).suffix.lower() in (".png", ".jpg", ".jpeg", ".gif", ".svg", ".webp", ".avif")


# --- tracing a problem back to the file and line the user wrote ----------------------------


def trace_line(source: SourceFile, ref: Ref, base_path: str) -> int | None:
    """The line of `source` that wrote this reference: as written in Markdown or raw HTML,
    or as the whole value of a front matter field (which templates prefix with the base path)."""
    lines = source.text.split("\n")
    written = {ref.target, ref.target.replace("&", "&amp;"), unquote(ref.target)}
    for number, line in enumerate(lines, start=1):
        if any(len(form) > 1 and form in line for form in written):
            return number
    if ref.target.startswith(base_path):
        value = re.escape(ref.target[len(base_path) :])
        field = re.compile(rf"""^\s*[\w.-]+:\s*(["']?)/?{value}\1\s*(#.*)?$""")
        for number, line in enumerate(lines, start=1):
            if field.match(line):
                return number
    return None


def trace(problems: Iterable[tuple[str, Ref, str]], owners: Mapping[str, SourceFile], output_dir: Path, base_path: str) -> list[Finding]:
    """Name the content file and line of each problem; a problem no content file holds
    comes from a template, so it is named once, on the first page that shows it."""
    traced: set[Finding] = set()
    untraced: dict[str, list[tuple[str, Ref]]] = {}
    for rel, ref, message in problems:
        source = owners.get(rel)
        line = trace_line(source, ref, base_path) if source else None
        if source and line:
            traced.add(Finding(SiteError(source.path, line, message), True))
        else:
            untraced.setdefault(message, []).append((rel, ref))
    for message, places in untraced.items():
        rel, ref = min(places, key=lambda place: (place[0], place[1].line))
        pages = len({place[0] for place in places})
        also = f" (on {pages} pages)" if pages > 1 else ""
        traced.add(Finding(SiteError(str(output_dir / rel), ref.line, message + also), True))
    return list(traced)


# --- checks of the content itself ------------------------------------------------------------


RECENT = timedelta(days=30)


def content_findings(site: Site, sources: Mapping[str, SourceFile]) -> list[Finding]:
    documents = {path: split_document(source) for path, source in sources.items()}
    documents = {path: doc for path, doc in documents.items() if not isinstance(doc, SiteError)}
    releases = sorted(site.releases + site.held_back, key=lambda r: r.source)
    findings = [
        Finding(SiteError(release.source, documents[release.source].line("title"), "no summary; listings, feeds and search results show the first paragraph instead. Add a line summary: with one or two sentences"), False)
        for release in releases
        if release.source in documents and not str(documents[release.source].meta.get("summary") or "").strip()
    ]
    findings += [event_finding(event, site.now, documents.get(event.source)) for event in site.past]
    events = [*site.events, *(item for item in site.withheld if isinstance(item, Event))]
    labels = [*site.labels, *(item for item in site.withheld if isinstance(item, Label))]
    for kind, items in (("release", releases), ("page", site.pages), ("event", events), ("label", labels)):
        findings += duplicate_titles([(item.title, item.source) for item in items], kind)
    return [finding for finding in findings if finding]


def event_finding(event: Event, now: datetime, document) -> Finding | None:
    """A past event whose status says it is still to come, or was postponed to no new date."""
    prefix = "event." if event.release_url else ""
    keys = [prefix + key for key in ("status", "end", "start") if prefix + key in (document.lines if document else {})]
    line = document.line(keys[0]) if keys else None
    if event.status == "postponed":
        message = f"the event “{event.title}” is postponed and its date has passed; give it its new start: and end:, and set status: scheduled"
    elif event.status == "scheduled" and utc(now) - utc(event.ends) <= RECENT:
        message = f"the event “{event.title}” ended on {long_date(event.ends)} and is still marked as scheduled; if it did not take place, set status: cancelled or postponed"
    else:
        return None
    return Finding(SiteError(event.source, line, message), False)


def duplicate_titles(items: list[tuple[str, str]], kind: str) -> list[Finding]:
    first: dict[str, str] = {}
    findings = []
    for title, path in sorted(items, key=lambda item: item[1]):
        key = " ".join(title.casefold().split())
        if key in first:
            findings.append(Finding(SiteError(path, None, f'the {kind} title "{title}" is also the title of {first[key]}; give each {kind} its own, so readers and search engines can tell them apart'), False))
        else:
            first[key] = path
    return findings


# --- the edge: read the output folder and the sources ------------------------------------------


PARALLEL_FROM = 400  # pages; below this, starting worker processes costs more than it saves


def read_output(output_dir: Path) -> tuple[frozenset[str], dict[str, PageScan]]:
    """Every file of the output, and every page read; big sites are read on all processors."""
    files = frozenset(p.relative_to(output_dir).as_posix() for p in output_dir.rglob("*") if p.is_file())
    rels = sorted(rel for rel in files if rel.endswith((".html", ".htm")))
    paths = [output_dir / rel for rel in rels]
    workers = min(os.cpu_count() or 1, 4)
    if len(rels) < PARALLEL_FROM or workers < 2:
        return files, dict(zip(rels, map(scan_file, paths)))
    with ProcessPoolExecutor(max_workers=workers) as pool:
        return files, dict(zip(rels, pool.map(scan_file, paths, chunksize=max(16, len(paths) // (workers * 4)))))


def scan_file(path: Path) -> PageScan:
    return scan_page(path.read_text("utf-8", errors="replace"))


def read_sources(site_dir: Path, paths: Iterable[str]) -> dict[str, SourceFile]:
    sources = {}
    for path in sorted(set(paths)):
        try:
            sources[path] = SourceFile(path, (site_dir / path).read_text("utf-8-sig").replace("\r\n", "\n").replace("\r", "\n"))
        except (OSError, UnicodeDecodeError):
            continue  # it was read for the build a moment ago; without it, the output page is named
    return sources


def held_back_description(item: Release | Event | Label, now: datetime) -> str:
    reason = hold_reason(item, now)
    until = f" until {when(goes_out(item))}" if reason != "draft" else ""
    return f"{item.source}, which is {'a draft' if reason == 'draft' else reason}{until}: it is not on the site yet"


def check_site(site: Site, site_dir: Path, output_dir: Path) -> list[Finding]:
    """Everything the check finds in the built site in output_dir, broken ones first."""
    files, pages = read_output(output_dir)
    items = [*site.releases, *site.pages, *site.events, *site.labels]
    owners_by_page = {urls.output_path(item.url): item.source for item in items}
    sources = read_sources(site_dir, [*owners_by_page.values(), *(item.source for item in [*site.held_back, *site.withheld])])
    owners = {rel: sources[owner] for rel, owner in owners_by_page.items() if owner in sources}
    base_path = site.config.base_path
    held = {item.url: held_back_description(item, site.now) for item in [*site.held_back, *site.withheld]}
    problems = check_refs(pages, files, site.config.base_url, held)  # content images without alt text fail the build
    findings = trace(problems, owners, output_dir, base_path) + content_findings(site, sources)
    return sorted(findings, key=lambda f: (not f.broken, f.where.path, f.where.line or 0, f.where.message))
