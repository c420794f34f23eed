"""The content model: frozen dataclasses that know nothing of files or rendering."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone

from pressroom.config import Issuer

EVENT_STATUSES = ("scheduled", "cancelled", "postponed", "moved-online")


@dataclass(frozen=True)
class Location:
    """Where an event takes place; a location written as one line of text is all `venue`."""

    venue: str = ""
    address: str = ""
    city: str = ""
    country: str = ""

    @property
    def parts(self) -> tuple[str, ...]:
        return tuple(part for part in (self.venue, self.address, self.city, self.country) if part)


@dataclass(frozen=True)
class Event:
    """An event, standalone (content/events/) or announced in a release's `event:` block.

    `start` and `end` are aware and in the event's own time zone. For an all-day event they
    are midnights: `end` is the midnight after the last day (the moment the event is over)."""

    source: str
    title: str
    start: datetime
    end: datetime | None
    timezone: str  # "Europe/Brussels"
    slug: str
    url: str  # "events/2024/slug/"
    all_day: bool = False
    body_html: str = ""
    summary: str = ""
    tags: tuple[str, ...] = ()
    location: Location | None = None
    online_url: str = ""
    registration_url: str = ""
    status: str = "scheduled"
    release_url: str = ""  # the release that announced it, if any
    release_title: str = ""
    embargo: datetime | None = None  # kept out of every output until this moment
    line: int = field(default=1, compare=False)  # the line that names it (slug:, or title:), for messages
    announced: datetime | None = None  # when the release that announced it was issued or last corrected

    @property
    def year(self) -> int:
        return self.start.year

    @property
    def ends(self) -> datetime:
        """When the event is over: its end, else the end of its day (all-day) or its start."""
        if self.end is not None:
            return self.end
        return self.start + timedelta(days=1) if self.all_day else self.start

    @property
    def last_day(self) -> date:
        """The last calendar day the event takes place on (all-day ends are exclusive)."""
        if self.all_day:
            return (self.ends - timedelta(days=1)).date()
        return (self.end or self.start).date()

    @property
    def cancelled(self) -> bool:
        return self.status == "cancelled"

    @property
    def online_only(self) -> bool:
        return bool(self.online_url) and self.location is None


@dataclass(frozen=True)
class Label:
    """An award held for a period: from `awarded` to `valid_until` (inclusive, None: no end).

    `expires` is the first moment the label is no longer held, in the site's time zone."""

    source: str
    title: str
    issuer: Issuer
    level: str
    awarded: date
    valid_until: date | None
    expires: datetime | None
    starts: datetime  # the first moment the label is held
    slug: str
    url: str  # "labels/slug/"
    link: str = ""  # the issuer's page about this label
    body_html: str = ""
    summary: str = ""
    release_url: str = ""
    release_title: str = ""
    embargo: datetime | None = None  # kept out of every output until this moment
    line: int = field(default=1, compare=False)  # the line that names it (slug:, or title:), for messages

    def is_current(self, now: datetime) -> bool:
        return self.expires is None or now.astimezone(timezone.utc) < self.expires.astimezone(timezone.utc)

    @property
    def level_name(self) -> str:
        """ "Bronze"; a level of up to three letters is an abbreviation: "NCE"."""
        return self.level.upper() if len(self.level) <= 3 else self.level.replace("-", " ").capitalize()

    @property
    def period(self) -> str:
        """ "2024–2026", or "since 2024" for a label that does not expire."""
        if self.valid_until is None:
            return f"since {self.awarded.year}"
        if self.valid_until.year == self.awarded.year:
            return str(self.awarded.year)
        return f"{self.awarded.year}–{self.valid_until.year}"

    @property
    def next_levels(self) -> tuple[str, ...]:
        levels = self.issuer.levels
        return levels[levels.index(self.level) + 1 :] if self.level in levels else ()


@dataclass(frozen=True)
class Release:
    """A press release from content/news/, with the event and label it announces, if any."""

    source: str  # "content/news/2024/x.md", for messages
    title: str
    date: datetime  # aware, in the site's time zone
    slug: str
    url: str  # site-relative: "news/2024/slug/"
    body_html: str
    summary: str = ""
    tags: tuple[str, ...] = ()
    author: str = ""
    image: str = ""
    image_alt: str = ""
    draft: bool = False
    lang: str = ""
    event: Event | None = None
    label: Label | None = None
    embargo: datetime | None = None  # kept out of every output until this moment
    line: int = field(default=1, compare=False)  # the line that names it (slug:, or title:), for messages
    updated: datetime | None = None  # set when a published release was corrected

    @property
    def year(self) -> int:
        return self.date.year

    @property
    def modified(self) -> datetime:
        """When the text last changed: what feeds, sitemaps and search engines are told."""
        return self.updated or self.date


@dataclass(frozen=True)
class Page:
    """A standalone page from content/pages/, such as About or Contact."""

    source: str
    title: str
    slug: str
    url: str
    body_html: str
    summary: str = ""
    menu: int | None = None
    line: int = field(default=1, compare=False)  # the line that names it (slug:, or title:), for messages
