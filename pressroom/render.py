"""Rendering: the site index -> {output path: bytes}, through Jinja2 templates.

Templates in the site's templates/ folder override the default theme's by name. Autoescaping
is on and undefined names are errors, so a typo in a template fails the build with its line
instead of publishing an empty string.
"""

from __future__ import annotations

import json
import sys
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any, Callable, Iterable

import jinja2

from pressroom import __version__, urls
from pressroom.errors import BuildFailed, SiteError
from pressroom.site import Site, paginate

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

    @property
    def path(self) -> str:
        return urls.output_path(self.url)


def make_environment(site_dir: Path | None, site: Site) -> jinja2.Environment:
    folders = [str(site_dir / "templates")] if site_dir and (site_dir / "templates").is_dir() else []
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(folders + [str(THEME_DIR / "templates")]),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    base_path = site.config.base_path
    base_url = site.config.base_url
    env.globals.update(
        site=site,
        config=site.config,
        generator=f"Pressroom {__version__}",
        url=lambda path="": base_path + path.lstrip("/"),
        absolute_url=lambda path="": base_url + path.lstrip("/"),
    )
    env.filters.update(
        long_date=long_date,
        iso=lambda moment: moment.isoformat(),
        tag_url=lambda name: urls.tag_url(urls.slug_from(name) or "tag"),
        json_ld=json_ld,
    )
    return env


def long_date(moment: datetime) -> str:
    """"9 January 2024": written out, so no reader confuses day and month."""
    return f"{moment.day} {MONTHS[moment.month - 1]} {moment.year}"


def json_ld(data: Any) -> jinja2.utils.markupsafe.Markup:
    """JSON for a <script type="application/ld+json">, safe against "</script>" in the text."""
    text = json.dumps(data, ensure_ascii=False, sort_keys=True, indent=None)
    text = text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
    return jinja2.utils.markupsafe.Markup(text)


def plan_pages(site: Site) -> list[RenderJob]:
    """Every page of the site, generated ones first so a content file that collides is named."""
    size = site.config.page_size
    jobs = [
        RenderJob("", "home.html", {"releases": site.releases[:size], "page_title": ""}, "the home page"),
        RenderJob("404.html", "404.html", {"page_title": "Page not found"}, "the 404 page"),
        RenderJob("tags/", "tags.html", {"tags": site.tags, "page_title": "Tags"}, "the tags index"),
    ]
    for listing in paginate(site.releases, size, "news/"):
        jobs.append(RenderJob(listing.url, "list.html", {"listing": listing, "page_title": "News", "kind": "news"}, "the news listing"))
    for year in site.years:
        for listing in paginate(year.releases, size, year.url):
            jobs.append(RenderJob(listing.url, "list.html", {"listing": listing, "page_title": f"News from {year.year}", "kind": "year"}, f"the {year.year} archive"))
    for tag in site.tags:
        for listing in paginate(tag.releases, size, tag.url):
            jobs.append(RenderJob(listing.url, "list.html", {"listing": listing, "page_title": f"Tagged “{tag.name}”", "kind": "tag", "tag": tag}, f"the tag page of “{tag.name}”"))
    for release in site.releases:
        jobs.append(RenderJob(release.url, "release.html", {"release": release, "page_title": release.title}, release.source))
    for page in site.pages:
        jobs.append(RenderJob(page.url, "page.html", {"page": page, "page_title": page.title}, page.source))
    return jobs


def render_pages(jobs: Iterable[RenderJob], env: jinja2.Environment, site_dir: Path | None) -> dict[str, bytes]:
    jobs = list(jobs)
    errors = urls.find_collisions([(job.path, job.owner) for job in jobs])
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
    filename, line = None, None
    tb = exc.__traceback__
    while tb is not None:
        code = tb.tb_frame.f_code.co_filename
        if code.endswith((".html", ".xml", ".txt", ".j2")) or "/templates/" in code:
            filename, line = code, tb.tb_lineno
        tb = tb.tb_next
    where = display_path(filename, site_dir, template_name)
    if isinstance(exc, jinja2.TemplateNotFound):
        return SiteError(where, line, f'the template "{exc.name}" does not exist; check the name, or add templates/{exc.name}')
    if isinstance(exc, jinja2.UndefinedError):
        return SiteError(where, line, f"{exc.message}; check the spelling, or guard it with {{% if ... is defined %}}")
    if isinstance(exc, RecursionError):
        return SiteError(where, line, "the template calls itself without end (an include or macro loop)")
    return SiteError(where, line, f"the template failed: {type(exc).__name__}: {exc}")


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
