"""Rendering: the site index -> {output path: bytes}, through Jinja2 templates.

Templates in the site's templates/ folder override the default theme's by name. Autoescaping
is on and undefined names are errors, so a typo in a template fails the build with its line
instead of publishing an empty string.
"""

from __future__ import annotations

import json
import linecache
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any, Callable, Collection, Iterable, Sequence

import jinja2

from pressroom import __version__, feeds, markup, structured_data, urls
from pressroom.depend import real
from pressroom.errors import BuildFailed, SiteError
from pressroom.model import Event, Label, Release
from pressroom.site import Listing, Site, paginate

THEME_DIR = Path(__file__).parent / "theme"
MONTHS = ("January", "February", "March", "April", "May", "June", "July",
          "August", "September", "October", "November", "December")


@dataclass(frozen=True)
class RenderJob:
    """One output file: which template, with what, claimed by which source."""

    url: str
    template: str
    context: dict[str, Any] = field(hash=False)
    owner: str
    owner_line: int | None = None
    modified: datetime | None = None  # the newest content on the page, for the sitemap
    listed: bool = True  # in the sitemap and open to search engines

    @property
    def path(self) -> str:
        return urls.output_path(self.url)


class _Environment(jinja2.Environment):
    def make_globals(self, d):
        """The template's globals and the environment's in one dict, where Jinja keeps a
        ChainMap of the two: every name a page looks up (url, site, config...) is then
        one lookup, not a search of both. The environment's are all set (make_environment)
        before the first template loads."""
        return {**self.globals, **(d or {})}


def tag_url_of(site: Site) -> Callable[[str], str]:
    """The `tag_url` filter: the URL of the tag page for a tag as written. Names as the
    site's tags are written are looked up (a page that shows one release's three tags then
    needs no slugify, which costs a rebuild 20 ms to load); any other is slugged."""
    known = {tag.name: tag.url for tag in real(site).tags}

    def tag_url(name: str) -> str:
        found = known.get(name)
        return found if found is not None else urls.tag_url(urls.slug_from(name) or "tag")

    return tag_url


def make_environment(site_dir: Path | None, site: Site) -> jinja2.Environment:
    folders = [str(site_dir / "templates")] if site_dir and (site_dir / "templates").is_dir() else []
    theme = str(THEME_DIR / "templates")
    env = _Environment(
        # A site's template replaces the theme's of the same name, and may extend it as
        # "theme/<name>" to change only some blocks.
        loader=jinja2.ChoiceLoader([jinja2.FileSystemLoader(folders + [theme]), jinja2.PrefixLoader({"theme": jinja2.FileSystemLoader(theme)})]),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    config = site.config
    # Every output's key holds the whole configuration (the globals, see outputs.Keys), so
    # the links need not note their reads of it: worked out once, not for each of 20 links.
    base_path, base_url = real(config).base_path, real(config).base_url
    env.globals.update(
        site=site,
        config=config,
        generator=f"Pressroom {__version__}",
        tag_pages=frozenset(tag.url for tag in site.tags),
        url=lambda path="": urls.link(path, base_path),
        absolute_url=lambda path="": urls.absolute(path, base_url),
        year_url=urls.year_url,
        feed_links=lambda tag=None: feeds.feed_links(site, tag),
        share_image=lambda release=None: structured_data.share_image(release, config),
        news_article_ld=lambda release: structured_data.news_article(release, config),
        organization_ld=lambda: structured_data.organization(config),
        breadcrumbs_ld=lambda trail: structured_data.breadcrumbs(trail, config),
        event_json_ld=lambda event: structured_data.event_data(event, config),
    )
    env.filters.update(
        long_date=long_date,
        when=when,
        iso=lambda moment: moment.isoformat(),
        tag_url=tag_url_of(site),
        json_ld=json_ld,
        event_when=event_when,
        event_when_parts=event_when_parts,
        day_range=day_range,
        where=where,
        label_texts=label_texts,
        event_calendar=urls.event_calendar_path,
        site_links=lambda html: jinja2.utils.markupsafe.Markup(markup.rewrite_links(str(html), lambda link: site_link(link, base_path))),
    )
    return env


def site_link(link: str, base_path: str) -> str:
    """In a release's text, "/news/2024/x/" means this site's root, wherever it is hosted;
    a link that already names the base path ("/newsroom/news/...") is left as written."""
    if not link.startswith("/") or link.startswith("//") or link.startswith(base_path):
        return link
    return urls.link(link, base_path)


def long_date(moment: date) -> str:
    """"9 January 2024": written out, so no reader confuses day and month."""
    return f"{moment.day} {MONTHS[moment.month - 1]} {moment.year}"


def day_range(first: date, last: date) -> str:
    """ "11–13 May 2027", "30 April – 2 May 2027", or one day."""
    return "".join(day_range_parts(first, last))


def day_range_parts(first: date, last: date) -> tuple[str, str, str, str]:
    """(first, separator, last, "") with what both share written once."""
    if first == last:
        return long_date(first), "", "", ""
    if (first.year, first.month) == (last.year, last.month):
        return str(first.day), "–", long_date(last), ""
    if first.year == last.year:
        return f"{first.day} {MONTHS[first.month - 1]}", " – ", long_date(last), ""
    return long_date(first), " – ", long_date(last), ""


def event_when(event: Event) -> str:
    """When an event takes place, for people: in its own time zone, with the zone named.

    "24 January 2024, 13:00–18:00 CET (Brussels time)"; an all-day event has dates only."""
    return "".join(event_when_parts(event))


def event_when_parts(event: Event) -> tuple[str, str, str, str]:
    """(start, separator, end, zone): templates wrap start and end in <time> elements."""
    if event.all_day:
        return day_range_parts(event.start.date(), event.last_day)
    start, end = event.start, event.end
    start_text = f"{long_date(start)}, {start:%H:%M}"
    zone = zone_city(event.timezone)
    if end is None or end == start:
        return start_text, "", "", f" {zone_abbreviation(start)}{zone}"
    same_zone = zone_abbreviation(start) == zone_abbreviation(end)
    if not same_zone:
        start_text += f" {zone_abbreviation(start)}"
    same_day = end.date() == start.date()
    separator = "–" if same_day and same_zone else " – "
    end_text = f"{end:%H:%M}" if same_day else f"{long_date(end)}, {end:%H:%M}"
    return start_text, separator, end_text, f" {zone_abbreviation(end)}{zone}"


def when(moment: datetime) -> str:
    """"9 January 2024, 09:00 CET": a moment as people say it, in the site's own time."""
    return f"{long_date(moment)}, {moment:%H:%M} {zone_abbreviation(moment)}"


def zone_abbreviation(moment: datetime) -> str:
    """ "CET", "CEST"; "UTC+03:00" where the zone has no common abbreviation."""
    name = moment.tzname() or ""
    if name and name[0] not in "+-":
        return name
    offset = moment.utcoffset() or timedelta()
    minutes = int(offset.total_seconds() // 60)
    return f"UTC{'-' if minutes < 0 else '+'}{abs(minutes) // 60:02d}:{abs(minutes) % 60:02d}"


def zone_city(zone: str) -> str:
    """ " (Brussels time)" from "Europe/Brussels"; nothing for UTC."""
    if "/" not in zone or zone.startswith("Etc/"):
        return ""
    return f" ({zone.rsplit('/', 1)[-1].replace('_', ' ')} time)"


def label_texts(label: Label) -> dict[str, tuple[str, str]]:
    """What a label says while it is held, and after ("Bronze label 2024–2026"): pages are
    built with one, and the browser switches to the other once the label expires."""
    level = f"{label.level_name} label"
    issuer = label.issuer.key.upper()
    until = f", valid until {long_date(label.valid_until)}" if label.valid_until else ""
    return {
        "status": (level + until, f"{level} {label.period}"),
        "title": (f"{level} from {label.issuer.name}{until}", f"{level} from {label.issuer.name}, held {label.period}"),
        "badge": (f"{issuer} · valid to {label.valid_until.year}" if label.valid_until else f"{issuer} · since {label.awarded.year}",
                  f"{issuer} · {label.period}"),
    }


def where(event: Event) -> str:
    """The place in one line, "Online" for an online-only event."""
    if event.location is not None:
        return ", ".join(event.location.parts)
    return "Online" if event.online_url else ""


def json_ld(data: Any) -> jinja2.utils.markupsafe.Markup:
    """JSON for a <script type="application/ld+json">, safe against "</script>" in the text."""
    text = json.dumps(data, ensure_ascii=False, sort_keys=True, indent=None)
    text = text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
    return jinja2.utils.markupsafe.Markup(text)


def plan_pages(site: Site, only: Collection[str] | None = None) -> list[RenderJob]:
    """Every page of the site, generated ones first so a content file that collides is named;
    or only the pages written to the paths in `only` (a rebuild that makes a few of them)."""

    wanted_urls = urls_written_to(only) if only is not None else None

    def wanted(url: str) -> bool:
        return wanted_urls is None or url in wanted_urls

    def chosen(items: Sequence[Any]) -> Sequence[Any]:  # ten thousand releases, a dozen wanted: no call for each
        return items if wanted_urls is None else [item for item in items if item.url in wanted_urls]

    def pages_of(items: Sequence[Release], first_url: str) -> list[Listing]:
        return paginate(items, size, first_url, None if only is None else wanted)

    size = site.config.page_size
    newest = site.latest_change  # known to the index: a rebuild need not read ten thousand releases
    jobs = [
        RenderJob("", "home.html", {"releases": site.releases[:size], "page_title": ""}, "the home page", modified=newest),
        RenderJob("404.html", "404.html", {"page_title": "Page not found"}, "the 404 page", listed=False),
        RenderJob("tags/", "tags.html", {"tags": site.tags, "page_title": "Tags"}, "the tags index", modified=newest),
        RenderJob("events/", "events.html", {"page_title": "Events"}, "the events index"),
        RenderJob("labels/", "labels.html", {"page_title": "Labels"}, "the labels index"),
    ]
    jobs = [job for job in jobs if wanted(job.url)]
    for listing in pages_of(site.releases, "news/"):
        jobs.append(RenderJob(listing.url, "list.html", {"listing": listing, "page_title": "News", "kind": "news"}, "the news listing", modified=newest_change(listing.items)))
    for year in site.years:
        for listing in pages_of(year.releases, year.url):
            jobs.append(RenderJob(listing.url, "list.html", {"listing": listing, "page_title": f"News from {year.year}", "kind": "year", "year": year}, f"the {year.year} archive", modified=newest_change(listing.items)))
    for tag in site.tags:
        for listing in pages_of(tag.releases, tag.url):
            jobs.append(RenderJob(listing.url, "list.html", {"listing": listing, "page_title": f"Tagged “{tag.name}”", "kind": "tag", "tag": tag}, f"the tag page of “{tag.name}”", modified=newest_change(listing.items)))
    for release in chosen(site.releases):
        jobs.append(RenderJob(release.url, "release.html", {"release": release, "page_title": release.title}, release.source, release.line, modified=release.modified))
    for page in chosen(site.pages):
        jobs.append(RenderJob(page.url, "page.html", {"page": page, "page_title": page.title}, page.source, page.line))
    for event in chosen(site.events):
        jobs.append(RenderJob(event.url, "event.html", {"event": event, "page_title": event.title}, owner_of(event), event.line))
    for label in chosen(site.labels):
        jobs.append(RenderJob(label.url, "label.html", {"label": label, "page_title": label.title}, owner_of(label), label.line))
    return jobs


def urls_written_to(paths: Collection[str]) -> set[str]:
    """The URLs whose pages are written to `paths` (urls.output_path turned around)."""
    candidates = set(paths) | {path[: -len("index.html")] for path in paths if path.endswith("index.html")}
    return {url for url in candidates if urls.output_path(url) in paths}


def owner_of(item: Event | Label) -> str:
    """The file that made an event or label, for a message about a path both want."""
    kind = "event" if isinstance(item, Event) else "label"
    return f"the {kind} in {item.source}" if item.release_url else item.source


def newest_change(releases: Iterable[Release]) -> datetime | None:
    return max((release.modified for release in releases), default=None)


def sitemap_pages(jobs: Iterable[RenderJob]) -> list[tuple[str, datetime | None]]:
    """Listed pages and their last change, where their content tells it (None elsewhere:
    a made-up date would change with every build and teach search engines to ignore it)."""
    return [(job.url, job.modified) for job in jobs if job.listed]


def render_pages(jobs: Iterable[RenderJob], env: jinja2.Environment, site_dir: Path | None) -> dict[str, bytes]:
    jobs = list(jobs)
    errors = urls.find_collisions([(job.path, job.owner, job.owner_line) for job in jobs])
    if errors:
        raise BuildFailed(errors)
    files: dict[str, bytes] = {}
    for job in jobs:
        try:
            template = env.get_template(job.template)
            html = template.render(page_url=job.url, **job.context)
        except Exception as exc:  # noqa: BLE001 - every template failure becomes a located message
            errors.append(template_error(exc, site_dir, job.template))
            if len(errors) >= 20:
                break
            continue
        files[job.path] = html.encode("utf-8")
    if errors:
        raise BuildFailed(errors)
    return files


def template_error(exc: BaseException, site_dir: Path | None, template_name: str) -> SiteError:
    """The template file and line where rendering failed, and what went wrong."""
    if isinstance(exc, jinja2.TemplateSyntaxError):
        return SiteError(display_path(exc.filename, site_dir, exc.name or template_name), exc.lineno, f"template syntax error: {exc.message}")
    frames = template_frames(exc)
    filename, line = loop_entry(frames) if isinstance(exc, RecursionError) else (frames[-1] if frames else (None, None))
    where = display_path(filename, site_dir, template_name)
    if isinstance(exc, jinja2.TemplateNotFound):
        return SiteError(where, line, f'the template "{exc.name}" does not exist; check the name, or add templates/{exc.name}')
    if isinstance(exc, jinja2.UndefinedError):
        return SiteError(where, line, f"{exc.message}; check the spelling, or guard it with {{% if ... is defined %}}")
    if isinstance(exc, RecursionError):
        return SiteError(where, line, "the template calls itself without end (an include or macro loop)")
    return SiteError(where, line, f"the template failed: {type(exc).__name__}: {exc}")


def template_frames(exc: BaseException) -> list[tuple[str, int]]:
    """(template file, line) of each template frame, outermost first."""
    frames = []
    tb = exc.__traceback__
    while tb is not None:
        code = tb.tb_frame.f_code.co_filename
        if code.endswith((".html", ".xml", ".txt", ".j2", ".ics")) or "/templates/" in code:
            frames.append((code, tb.tb_lineno))
        tb = tb.tb_next
    return frames


def loop_entry(frames: list[tuple[str, int]]) -> tuple[str | None, int | None]:
    """The line that calls itself: among the frames of the cycle, the first that is not
    an {% extends %} or {% block %} (which every page of the loop passes through)."""
    if not frames:
        return None, None
    counts = Counter(frames)
    most = max(counts.values())
    repeated = [frame for frame in dict.fromkeys(frames) if counts[frame] * 2 > most]  # the frames of the cycle
    for filename, line in repeated:
        text = linecache.getline(filename, line)
        if "extends" not in text and "block" not in text:
            return filename, line
    return repeated[0]


def display_path(filename: str | None, site_dir: Path | None, fallback: str) -> str:
    if not filename:
        return f"templates/{fallback}"
    path = Path(filename)
    for root in filter(None, [site_dir, THEME_DIR.parent.parent]):
        try:
            return path.resolve().relative_to(Path(root).resolve()).as_posix()
        except ValueError:
            continue
    return filename
