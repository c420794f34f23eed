"""The site index: everything a template lists, computed from the model and a given `now`."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Generic, Sequence, TypeVar

from pressroom import urls
from pressroom.config import Config
from pressroom.model import Page, Release

T = TypeVar("T")


@dataclass(frozen=True)
class Tag:
    name: str
    slug: str
    url: str
    releases: tuple[Release, ...]


@dataclass(frozen=True)
class Year:
    year: int
    url: str
    releases: tuple[Release, ...]


@dataclass(frozen=True)
class Listing(Generic[T]):
    """One page of a paginated list."""

    number: int
    total: int
    url: str
    items: tuple[T, ...]
    previous_url: str | None
    next_url: str | None


@dataclass(frozen=True)
class Site:
    config: Config
    now: datetime
    releases: tuple[Release, ...]  # published, newest first
    held_back: tuple[Release, ...]  # drafts and releases dated after `now`
    pages: tuple[Page, ...]
    tags: tuple[Tag, ...]
    years: tuple[Year, ...]
    preview: bool = False

    @property
    def menu(self) -> tuple[Page, ...]:
        return tuple(page for page in self.pages if page.menu is not None)


def build_index(
    releases: Sequence[Release], pages: Sequence[Page], config: Config, now: datetime, preview: bool = False
) -> Site:
    """Preview shows drafts and future releases; a real build holds them back."""
    newest_first = sorted(releases, key=lambda r: (r.date, r.slug, r.source), reverse=True)
    published = tuple(r for r in newest_first if preview or is_published(r, now))
    held_back = tuple(r for r in newest_first if r not in published)
    return Site(
        config=config,
        now=now,
        releases=published,
        held_back=held_back,
        pages=tuple(sorted(pages, key=lambda p: (p.menu is None, p.menu or 0, p.title, p.source))),
        tags=group_by_tag(published),
        years=group_by_year(published),
        preview=preview,
    )


def is_published(release: Release, now: datetime) -> bool:
    return not release.draft and release.date <= now


def group_by_tag(releases: Sequence[Release]) -> tuple[Tag, ...]:
    """Tags that slug alike ("Awards", "awards") are one tag, named as first written."""
    names: dict[str, str] = {}
    members: dict[str, list[Release]] = {}
    for release in releases:
        for name in release.tags:
            slug = urls.slug_from(name) or "tag"
            names.setdefault(slug, name)
            members.setdefault(slug, []).append(release)
    return tuple(
        Tag(name=names[slug], slug=slug, url=urls.tag_url(slug), releases=tuple(members[slug]))
        for slug in sorted(members, key=lambda s: (names[s].casefold(), s))
    )


def group_by_year(releases: Sequence[Release]) -> tuple[Year, ...]:
    by_year: dict[int, list[Release]] = {}
    for release in releases:
        by_year.setdefault(release.year, []).append(release)
    return tuple(Year(year, urls.year_url(year), tuple(items)) for year, items in sorted(by_year.items(), reverse=True))


def paginate(items: Sequence[T], size: int, first_url: str) -> list[Listing[T]]:
    """Always at least one page, so an empty listing still says "nothing yet"."""
    chunks = [tuple(items[i : i + size]) for i in range(0, len(items), size)] or [()]
    total = len(chunks)
    return [
        Listing(
            number=n,
            total=total,
            url=urls.paginated_url(first_url, n),
            items=chunk,
            previous_url=urls.paginated_url(first_url, n - 1) if n > 1 else None,
            next_url=urls.paginated_url(first_url, n + 1) if n < total else None,
        )
        for n, chunk in enumerate(chunks, start=1)
    ]


def tags_of(release: Release, site: Site) -> list[Tag]:
    wanted = {urls.slug_from(name) or "tag" for name in release.tags}
    return [tag for tag in site.tags if tag.slug in wanted]
