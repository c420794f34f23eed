"""The site index: everything a template lists, computed from the model and a given `now`."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Callable, Generic, Sequence, TypeVar

from pressroom import urls
from pressroom.config import Config
from pressroom.model import Event, Label, Page, Release

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
    held_back: tuple[Release, ...]  # drafts, embargoed releases and releases dated after `now`
    pages: tuple[Page, ...]
    tags: tuple[Tag, ...]
    years: tuple[Year, ...]
    preview: bool = False
    upcoming: tuple[Event, ...] = ()  # not yet over as of `now`, soonest first
    past: tuple[Event, ...] = ()  # over, latest first
    current_labels: tuple[Label, ...] = ()  # held as of `now`, most recently awarded first
    expired_labels: tuple[Label, ...] = ()  # latest expiry first
    next_change: Change | None = None
    withheld: tuple[Event | Label, ...] = ()  # embargoed events and labels, and labels not awarded yet
    latest_change: datetime | None = None  # the latest moment a published release was issued or corrected

    @property
    def menu(self) -> tuple[Page, ...]:
        return tuple(page for page in self.pages if page.menu is not None)

    @property
    def events(self) -> tuple[Event, ...]:
        return self.upcoming + self.past

    @property
    def labels(self) -> tuple[Label, ...]:
        return self.current_labels + self.expired_labels


@dataclass(frozen=True)
class Change:
    """The next moment the site's content changes by itself, and why."""

    moment: datetime
    reason: str


def build_index(
    releases: Sequence[Release],
    pages: Sequence[Page],
    config: Config,
    now: datetime,
    preview: bool = False,
    events: Sequence[Event] = (),
    labels: Sequence[Label] = (),
) -> Site:
    """Preview shows everything; a real build holds back drafts, releases dated later, labels
    awarded later and whatever is under embargo, and with a release the event and label it
    announces."""
    newest_first = sorted(releases, key=lambda r: (r.date, r.slug, r.source), reverse=True)
    now_utc = utc(now)
    out_now = {id(r) for r in newest_first if _hold_reason(r, now_utc) is None}  # asked once: ten thousand releases
    published = tuple(r for r in newest_first if preview or id(r) in out_now)
    shown = set(map(id, published))
    held_back = tuple(r for r in newest_first if id(r) not in shown)
    all_events = [*events, *(r.event for r in published if r.event)]
    all_labels = [*labels, *(r.label for r in published if r.label)]
    out_now.update(id(item) for item in [*all_events, *all_labels] if _hold_reason(item, now_utc) is None)
    shown_events = [e for e in all_events if preview or id(e) in out_now]
    shown_labels = [l for l in all_labels if preview or id(l) in out_now]
    withheld = [item for item in [*all_events, *all_labels] if not (preview or id(item) in out_now)]
    upcoming, past = split_events(shown_events, now)
    current, expired = split_labels(shown_labels, now)
    return Site(
        config=config,
        now=now,
        releases=published,
        held_back=held_back,
        pages=tuple(sorted(pages, key=lambda p: (p.menu is None, p.menu or 0, p.title, p.source))),
        tags=group_by_tag(published),
        years=group_by_year(published),
        preview=preview,
        upcoming=upcoming,
        past=past,
        current_labels=current,
        expired_labels=expired,
        # Everything not out yet, not only what is held back: a preview shows scheduled items,
        # but their banners still change when they go out.
        next_change=next_change(now, shown_events, shown_labels, [item for item in [*newest_first, *all_events, *all_labels] if id(item) not in out_now]),
        withheld=tuple(sorted(withheld, key=lambda item: (utc(goes_out(item)), item.url, item.source))),
        latest_change=max((release.modified for release in published), default=None),
    )


def goes_out(item: Release | Event | Label) -> datetime | None:
    """When an item appears on the site: a release at its date, a label when it is awarded,
    and none before its embargo. None: nothing holds it back in time (a draft waits anyway)."""
    own = item.date if isinstance(item, Release) else item.starts if isinstance(item, Label) else None
    moments = [moment for moment in (own, item.embargo) if moment is not None]
    return max(moments, key=utc) if moments else None


def hold_reason(item: Release | Event | Label, now: datetime) -> str | None:
    """Why an item is not on the site as of `now`: "draft", "embargoed", "scheduled" or None."""
    return _hold_reason(item, utc(now))


def _hold_reason(item: Release | Event | Label, now_utc: datetime) -> str | None:
    if isinstance(item, Release):
        if item.draft:
            return "draft"
        if item.embargo is None:  # most releases: out at their date
            return "scheduled" if utc(item.date) > now_utc else None
    if item.embargo and utc(item.embargo) > now_utc:
        return "embargoed"
    moment = goes_out(item)
    return "scheduled" if moment and utc(moment) > now_utc else None


def split_events(events: Sequence[Event], now: datetime) -> tuple[tuple[Event, ...], tuple[Event, ...]]:
    """Upcoming (not over yet, soonest first) and past (latest first), as of `now`."""
    ordered = sorted(events, key=lambda e: (utc(e.start), utc(e.ends), e.url, e.source))
    upcoming = tuple(e for e in ordered if utc(e.ends) > utc(now))
    past = tuple(reversed([e for e in ordered if utc(e.ends) <= utc(now)]))
    return upcoming, past


def split_labels(labels: Sequence[Label], now: datetime) -> tuple[tuple[Label, ...], tuple[Label, ...]]:
    """Current (latest awarded first) and expired (latest expiry first), as of `now`."""
    ordered = sorted(labels, key=lambda l: (l.awarded, l.url, l.source), reverse=True)
    current = tuple(label for label in ordered if label.is_current(now))
    expired = tuple(sorted((l for l in ordered if not l.is_current(now)), key=lambda l: (l.expires, l.url), reverse=True))
    return current, expired


def next_change(now: datetime, events: Sequence[Event], labels: Sequence[Label], held: Sequence[Release | Event | Label]) -> Change | None:
    """The earliest moment after `now` when an event ends, a label expires, or something held
    back goes out: when a scheduler should build the site again."""
    changes = [Change(e.ends, f"“{e.title}” ends") for e in events]
    changes += [Change(l.expires, f"the label “{l.title}” expires") for l in labels if l.expires]
    # What is not published yet is not named: build-info.json is public.
    changes += [Change(goes_out(item), held_reason_text(item, now)) for item in held if hold_reason(item, now) in ("embargoed", "scheduled")]
    future = [change for change in changes if utc(change.moment) > utc(now)]
    soonest = min(future, key=lambda c: (utc(c.moment), c.reason), default=None)
    return soonest and Change(soonest.moment.astimezone(now.tzinfo), soonest.reason)


def held_reason_text(item: Release | Event | Label, now: datetime) -> str:
    kind = "release" if isinstance(item, Release) else "event" if isinstance(item, Event) else "label"
    if hold_reason(item, now) == "embargoed":
        return f"the embargo on {'an' if kind == 'event' else 'a'} {kind} lifts"
    return "a scheduled label is awarded" if kind == "label" else "a scheduled release is due"


def utc(moment: datetime) -> datetime:
    """Aware datetimes in one zone compare by wall clock; in UTC they compare as moments."""
    return moment.astimezone(timezone.utc)


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


def paginate(items: Sequence[T], size: int, first_url: str, wanted: Callable[[str], bool] | None = None) -> list[Listing[T]]:
    """Always at least one page, so an empty listing still says "nothing yet". Only the
    pages whose URL `wanted` accepts, if given (a rebuild that makes a few of them)."""
    total = max(1, -(-len(items) // size))
    pages = []
    for n in range(1, total + 1):
        url = urls.paginated_url(first_url, n)
        if wanted is not None and not wanted(url):
            continue
        pages.append(Listing(
            number=n,
            total=total,
            url=url,
            items=tuple(items[(n - 1) * size : n * size]),
            previous_url=urls.paginated_url(first_url, n - 1) if n > 1 else None,
            next_url=urls.paginated_url(first_url, n + 1) if n < total else None,
        ))
    return pages


def tags_of(release: Release, site: Site) -> list[Tag]:
    wanted = {urls.slug_from(name) or "tag" for name in release.tags}
    return [tag for tag in site.tags if tag.slug in wanted]
