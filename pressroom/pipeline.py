"""The build, top to bottom: load -> parse and validate -> index -> render -> write.

All data is gathered and checked before anything is rendered, and everything is rendered
before anything is written, so a build either writes a whole site or nothing at all.
"""

from __future__ import annotations

import json
import os
import time
from dataclasses import dataclass, field, replace
from datetime import datetime, timezone
from pathlib import Path
from typing import Callable, Iterable, TypeVar

from pressroom import render
from pressroom.calendars import calendar_files
from pressroom.config import CONFIG_NAME, Config, parse_config
from pressroom.errors import BuildFailed, SiteError
from pressroom.model import Event, Label, Page, Release
from pressroom.parse import parse_event, parse_label, parse_page, parse_release
from pressroom.site import Change, Site, build_index
from pressroom.source import Document, list_files, read_source, split_document
from pressroom.write import build_lock, check_output_dir, clean_leftovers, write_site

T = TypeVar("T")


@dataclass(frozen=True)
class BuildReport:
    pages: int
    written: int
    unchanged: int
    removed: int
    seconds: float
    held_back: tuple[Release, ...]
    output_dir: Path
    next_change: Change | None = None
    site: Site | None = field(default=None, repr=False, compare=False)  # what was built, for check and status


def build_now() -> datetime:
    """The moment the build is "as of": SOURCE_DATE_EPOCH when set, for reproducible builds."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    if epoch:
        try:
            return datetime.fromtimestamp(int(epoch), timezone.utc)
        except (ValueError, OverflowError, OSError):
            raise BuildFailed([SiteError("SOURCE_DATE_EPOCH", None, f'"{epoch}" is not a number of seconds since 1970; unset it or fix it')]) from None
    return datetime.now(timezone.utc)


def load_config(site_dir: Path, base_url: str | None = None) -> Config:
    """pressroom.toml; `base_url` (already checked) replaces its base_url, for hosts that
    decide the address at deploy time (GitHub Pages, Netlify previews)."""
    path = site_dir / CONFIG_NAME
    if not path.is_file():
        raise BuildFailed([SiteError(CONFIG_NAME, None, "not found; is this a Pressroom site folder? Name the folder that holds pressroom.toml")])
    source = read_source(site_dir, path)
    if isinstance(source, SiteError):
        raise BuildFailed([source])
    config = parse_config(source.text, source.path)
    return replace(config, base_url=base_url) if base_url else config


def load_documents(site_dir: Path, folder: str, errors: list[SiteError]) -> list[Document]:
    paths, problems = list_files(site_dir, folder)
    errors.extend(problems)
    documents = []
    for path in paths:
        source = read_source(site_dir, path)
        document = source if isinstance(source, SiteError) else split_document(source)
        if isinstance(document, SiteError):
            errors.append(document)
        else:
            documents.append(document)
    return documents


def check_templates_and_assets(site_dir: Path) -> list[SiteError]:
    """Links that lead out of the site, and templates that are not UTF-8 text, before Jinja
    or the copy to output/ meets them."""
    templates, errors = list_files(site_dir, "templates", "*")
    errors += [source for source in (read_source(site_dir, path) for path in templates) if isinstance(source, SiteError)]
    return errors + list_files(site_dir, "assets", "*")[1]


def parse_all(documents: list[Document], parse: Callable[[Document, Config], T | list[SiteError]], config: Config, errors: list[SiteError]) -> list[T]:
    parsed = []
    for document in documents:
        result = parse(document, config)
        if isinstance(result, list):
            errors.extend(result)
        else:
            parsed.append(result)
    return parsed


def load_site(site_dir: Path, now: datetime, preview: bool = False, base_url: str | None = None) -> Site:
    """Read and validate every content file; raise BuildFailed with all the errors found."""
    config = load_config(site_dir, base_url)
    errors: list[SiteError] = []
    releases: list[Release] = parse_all(load_documents(site_dir, "content/news", errors), parse_release, config, errors)
    pages: list[Page] = parse_all(load_documents(site_dir, "content/pages", errors), parse_page, config, errors)
    events: list[Event] = parse_all(load_documents(site_dir, "content/events", errors), parse_event, config, errors)
    labels: list[Label] = parse_all(load_documents(site_dir, "content/labels", errors), parse_label, config, errors)
    errors.extend(check_templates_and_assets(site_dir))
    if errors:
        raise BuildFailed(errors)
    return build_index(releases, pages, config, now.astimezone(config.tz), preview=preview, events=events, labels=labels)


def render_site(site: Site, site_dir: Path) -> dict[str, bytes]:
    """Pages from templates, then the calendars and build-info.json beside them."""
    env = render.make_environment(site_dir, site)
    files = render.render_pages(render.plan_pages(site), env, site_dir)
    return {**files, **calendar_files(site), BUILD_INFO: build_info(site)}


BUILD_INFO = "build-info.json"


def build_info(site: Site) -> bytes:
    """When the site was built as of, and when it next changes by itself: a scheduler that
    reads `next_change` knows when to build again (null: nothing is scheduled to change)."""
    change = site.next_change
    info = {
        "build_time": site.now.isoformat(),
        "next_change": change.moment.astimezone(site.config.tz).isoformat() if change else None,
        "next_change_reason": change.reason if change else None,
    }
    return (json.dumps(info, ensure_ascii=False, indent=2) + "\n").encode("utf-8")


def asset_dirs(site_dir: Path) -> list[Path]:
    """The theme's static files first, so the site's own assets/ can replace any of them."""
    return [render.THEME_DIR / "static", site_dir / "assets"]


class Builder:
    """Builds one site into one output folder, again and again.

    The preview server keeps one Builder alive and calls build() after every change; the
    command line makes one and builds once. Whatever a build can reuse from the previous one
    (parsed files, rendered pages) belongs here, never in module globals.
    """

    def __init__(self, site_dir: Path, output_dir: Path | None = None, *, preview: bool = False, base_url: str | None = None):
        self.site_dir = site_dir.resolve()
        self.output_dir = output_dir or self.site_dir / "output"
        self.preview = preview
        self.base_url = base_url

    def build(self, now: datetime | None = None, changed: Iterable[Path] | None = None) -> BuildReport:
        """Build the whole site. `changed` names the files that changed since the last
        build, when the caller knows them (the preview server does); None means unknown."""
        started = time.perf_counter()
        problems = check_output_dir(self.site_dir, self.output_dir)
        if problems:
            raise BuildFailed(problems)
        with build_lock(self.output_dir):
            clean_leftovers(self.output_dir)
            site = load_site(self.site_dir, now or build_now(), preview=self.preview, base_url=self.base_url)
            files = render_site(site, self.site_dir)
            result = write_site(files, asset_dirs(self.site_dir), self.output_dir)
        return BuildReport(
            pages=sum(1 for path in files if path.endswith(".html")),
            written=result.written,
            unchanged=result.unchanged,
            removed=result.removed,
            seconds=time.perf_counter() - started,
            held_back=site.held_back,
            next_change=site.next_change,
            output_dir=self.output_dir,
            site=site,
        )


def build(site_dir: Path, output_dir: Path | None = None, *, drafts: bool = False, now: datetime | None = None, base_url: str | None = None) -> BuildReport:
    """One build, as `pressroom build` runs it."""
    return Builder(site_dir, output_dir, preview=drafts, base_url=base_url).build(now)
