"""Front matter -> model objects. Each field is checked; every problem names its line."""

from __future__ import annotations

import dataclasses
import difflib
import json
import re
from datetime import date, datetime, time, timedelta, timezone, tzinfo
from pathlib import PurePosixPath
from typing import Any, Callable, TypeVar
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from pressroom import markup, urls
from pressroom.config import Config, suggest
from pressroom.errors import SiteError
from pressroom.model import EVENT_STATUSES, Event, Label, Location, Page, Release
from pressroom.source import Document

T = TypeVar("T")

RELEASE_FIELDS = ("title", "date", "embargo", "updated", "summary", "tags", "author", "image", "image_alt", "draft", "slug", "lang", "event", "label")
PAGE_FIELDS = ("title", "menu", "summary", "slug")
EVENT_FIELDS = ("title", "name", "start", "end", "all_day", "timezone", "location", "online_url", "registration_url", "status", "summary", "tags", "slug", "embargo")
LOCATION_FIELDS = ("venue", "address", "city", "country")
LABEL_FIELDS = ("title", "issuer", "level", "awarded", "valid_until", "url", "summary", "slug", "embargo")

_DATE_TEXT = re.compile(
    r"^(\d{4})-(\d{1,2})-(\d{1,2})"
    r"(?:[Tt ]\s*(\d{1,2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?)?"
    r"\s*(Z|[+-]\d{2}(?::?\d{2})?)?$"
)
_LANG = re.compile(r"^[a-zA-Z]{2,3}(-[A-Za-z0-9]{2,8})*$")
_DATE_WORDS = re.compile(r"^(?P<day>\d{1,2})\.? (?P<month>[A-Za-z]{3,9})\.? (?P<year>\d{4})$")
_DATE_WORDS_US = re.compile(r"^(?P<month>[A-Za-z]{3,9})\.? (?P<day>\d{1,2}),? (?P<year>\d{4})$")
_DATE_SLASHED = re.compile(r"^\d{1,2}[./-]\d{1,2}[./-]\d{2,4}$")
MONTH_NAMES = ("january", "february", "march", "april", "may", "june", "july", "august", "september", "october", "november", "december")
MAX_LIST_ITEMS = 100  # tags of one release: each becomes a page of the site
DATE_EXAMPLE = "write 2024-01-09 or 2024-01-09T09:00:00+01:00"


class Fields:
    """Reads typed values out of one front matter mapping, collecting errors as it goes."""

    def __init__(self, doc: Document, meta: dict[str, Any] | None = None, prefix: str = ""):
        self.doc = doc
        self.meta = doc.meta if meta is None else meta
        self.prefix = prefix
        self.errors: list[SiteError] = []

    def error(self, key: str, message: str) -> None:
        name = self.prefix + key
        shown = name if name.isprintable() else json.dumps(name)  # a message stays one line
        self.errors.append(SiteError(self.doc.path, self.doc.line(name), f"{shown}: {message}"))

    def sorted_errors(self) -> list[SiteError]:
        return sorted(self.errors, key=lambda e: e.line or 0)

    def present(self, key: str) -> bool:
        return self.meta.get(key) is not None

    def naming_line(self) -> int:
        """The line that decides the address: slug: if given, else title:."""
        return self.doc.line(self.prefix + ("slug" if self.present("slug") else "title"))

    def markdown(self, body: str, raw_html: bool) -> str:
        """The body as HTML; text that would stall Markdown is an error at its line."""
        try:
            return markup.to_html(body, raw_html)
        except markup.MarkupTooDeep as exc:
            self.errors.append(SiteError(self.doc.path, self.doc.body_line + exc.line - 1, exc.message))
            return ""

    def check_known(self, known: tuple[str, ...]) -> None:
        for key in self.meta:
            if str(key) not in known:
                self.error(str(key), f"unknown field{suggest(str(key), known)}")

    def text(self, key: str, required: bool = False, default: str = "") -> str:
        value = self.meta.get(key)
        if value is None:
            if required:
                self.error(key, f"is missing; add a line {key}: ...")
            return default
        if isinstance(value, bool) or not isinstance(value, (str, int, float)):
            self.error(key, f"expected text, got {_show(value)}; write it on one line, in quotes if need be")
            return default
        text = " ".join(str(value).split())
        if required and not text:
            self.error(key, f"is empty; write the {key} after {key}:")
        return text

    def flag(self, key: str, default: bool = False) -> bool:
        value = self.meta.get(key)
        if value is None:
            return default
        if not isinstance(value, bool):
            self.error(key, f"{_show(value)} is not true or false; write {key}: true or {key}: false")
            return default
        return value

    def number(self, key: str) -> int | None:
        value = self.meta.get(key)
        if value is None:
            return None
        if isinstance(value, bool) or not isinstance(value, int):
            self.error(key, f"{_show(value)} is not a whole number; write for example {key}: 1")
            return None
        return value

    def moment(self, key: str, tz: tzinfo, required: bool = False) -> datetime | None:
        value = self.meta.get(key)
        if value is None:
            if required:
                self.error(key, f"is missing; {DATE_EXAMPLE}")
            return None
        parsed = parse_moment(value, tz)
        if isinstance(parsed, str):
            self.error(key, parsed)
            return None
        return parsed

    def web_address(self, key: str) -> str:
        address = self.text(key)
        if address and not re.match(r"^https?://[^\s/]+\S*$", address):
            self.error(key, f'"{address}" is not a web address; write it in full, like https://example.org/register')
            return ""
        return address

    def block(self, key: str, read: Callable[[Fields], T]) -> T | None:
        """A nested block of fields (`event:`, `label:`), read with errors at their own lines."""
        value = self.meta.get(key)
        if value is None:
            return None
        if not isinstance(value, dict):
            self.error(key, f"write the {key}'s fields indented below {key}:, one per line")
            return None
        inner = Fields(self.doc, value, f"{self.prefix}{key}.")
        result = read(inner)
        self.errors.extend(inner.errors)
        return result

    def text_list(self, key: str) -> tuple[str, ...]:
        value = self.meta.get(key)
        if value is None:
            return ()
        if isinstance(value, (str, int, float)) and not isinstance(value, bool):
            value = str(value).split(",")
        if not isinstance(value, list) or any(isinstance(v, (list, dict)) for v in value):
            self.error(key, f"expected a list like {key}: [awards, events]")
            return ()
        items = (" ".join(str(v).split()) for v in value if v is not None)
        unique = tuple(dict.fromkeys(item for item in items if item))
        if len(unique) > MAX_LIST_ITEMS:
            self.error(key, f"has {len(unique):,} entries; at most {MAX_LIST_ITEMS} are allowed. A few well-chosen ones help readers most")
            return ()
        return unique


def parse_moment(value: Any, tz: tzinfo) -> datetime | str:
    """A date or date-time from YAML; one without an offset is read in `tz`.

    Returns the error message instead of raising, so callers can attach their line."""
    when = parse_when(value)
    if isinstance(when, str):
        return when
    if isinstance(when, datetime):
        return when if when.tzinfo else when.replace(tzinfo=tz)
    return datetime.combine(when, time(), tz)


def parse_when(value: Any) -> date | datetime | str:
    """A date, a date-time as written (aware only if it has an offset), or an error message."""
    if isinstance(value, (date, datetime)):
        return value
    if isinstance(value, (list, tuple, set, dict, bytes)):
        return f"expected a date, got {_show(value)}; {DATE_EXAMPLE}"
    if isinstance(value, bool) or not isinstance(value, (str, int)):
        return f"{_show(value)} is not a date; {DATE_EXAMPLE}"
    if isinstance(value, int):
        return f"{value} is not a full date; {DATE_EXAMPLE}"
    match = _DATE_TEXT.match(value.strip())
    if not match:
        return _date_in_words(value.strip()) or _date_problem(value)
    year, month, day, hour, minute, second, offset = match.groups()
    try:
        moment = datetime(int(year), int(month), int(day), int(hour or 0), int(minute or 0), int(second or 0))
    except ValueError as exc:
        return f'"{value}" is not a date ({exc}); {DATE_EXAMPLE}'
    if hour is None:
        return moment.date() if offset is None else moment.replace(tzinfo=_offset(offset))
    return moment if offset is None else moment.replace(tzinfo=_offset(offset))


def _date_in_words(text: str) -> date | None:
    """"9 January 2024", "9 Jan 2024" and "January 9, 2024": English month names cannot be misread."""
    match = _DATE_WORDS.match(text) or _DATE_WORDS_US.match(text)
    if not match:
        return None
    parts = match.groupdict()
    word = parts["month"].lower()
    month = next((n for n, name in enumerate(MONTH_NAMES, start=1) if name.startswith(word) or (word == "sept" and n == 9)), None)
    try:
        return date(int(parts["year"]), month, int(parts["day"])) if month else None
    except ValueError:
        return None


def _date_problem(value: str) -> str:
    if _DATE_SLASHED.match(value.strip()):
        return f'"{value}" can be read two ways (day first or month first); {DATE_EXAMPLE}'
    return f'"{value}" is not a date; {DATE_EXAMPLE}'


def _offset(text: str) -> tzinfo:
    if text == "Z":
        return timezone.utc
    sign = -1 if text[0] == "-" else 1
    digits = text[1:].replace(":", "")
    hours, minutes = int(digits[:2]), int(digits[2:4] or 0)
    return timezone(sign * timedelta(hours=hours, minutes=minutes))


def _show(value: Any) -> str:
    """A value as the user wrote it, or what kind of thing it is, never a Python repr."""
    if isinstance(value, (list, tuple, set, dict, bytes)):
        return {dict: "a block of fields", bytes: "binary data"}.get(type(value), "a list")
    text = str(value).lower() if isinstance(value, bool) else f'"{value}"' if isinstance(value, str) else str(value)
    return text if len(text) <= 60 else text[:57] + "..."


def slug_field(fields: Fields, title: str, path: str) -> str:
    """An explicit slug must be safe as one URL segment; otherwise one is made from the title."""
    if fields.present("slug"):
        slug = fields.text("slug")
        if not urls.is_valid_slug(slug):
            fields.error("slug", f'"{slug}" is not a usable slug; use lowercase letters, digits and hyphens, like {urls.slug_from(slug) or "my-release"}')
        return slug
    return urls.slug_from(title) or urls.slug_from(PurePosixPath(path).stem) or "untitled"


def parse_release(doc: Document, config: Config) -> Release | list[SiteError]:
    fields = Fields(doc)
    fields.check_known(RELEASE_FIELDS)
    title = fields.text("title", required=True)
    moment = fields.moment("date", config.tz, required=True)
    embargo = fields.moment("embargo", config.tz)
    updated = fields.moment("updated", config.tz)
    if moment and updated and updated < moment:
        fields.error("updated", f"{updated.isoformat()} is before the date of the release; updated: is when it was corrected, after it was issued")
    slug = slug_field(fields, title, doc.path)
    image = fields.text("image")
    image_alt = fields.text("image_alt")
    if image and not markup.is_safe_url(image):
        fields.error("image", f"{_show(image)} is not a picture address; write one like /assets/images/photo.jpg or https://...")
    if image and not image_alt:
        fields.error("image", "has no image_alt; add image_alt: with a short description of the picture for people who cannot see it")
    lang = fields.text("lang")
    if lang and not _LANG.match(lang):
        fields.error("lang", f'"{lang}" is not a language code; write for example lang: nb or lang: en')
    tags = fields.text_list("tags")
    author = fields.text("author")
    summary = fields.text("summary")
    draft = fields.flag("draft")
    event = fields.block("event", lambda inner: read_event(inner, config))
    awarded = moment.astimezone(config.tz).date() if moment else None
    label = fields.block("label", lambda inner: read_label(inner, config, awarded=awarded))
    if fields.errors:
        return fields.sorted_errors()
    moment = moment.astimezone(config.tz)
    body_html = fields.markdown(doc.body, config.raw_html)
    if fields.errors:
        return fields.sorted_errors()
    url = urls.release_url(moment.year, slug)
    announced = {"release_url": url, "release_title": title}
    return Release(
        line=fields.naming_line(),
        event=event and dataclasses.replace(event, **announced, announced=(updated or moment).astimezone(config.tz)),
        label=label and dataclasses.replace(label, **announced),
        source=doc.path,
        title=title,
        date=moment,
        slug=slug,
        url=url,
        body_html=body_html,
        summary=summary or markup.first_paragraph(body_html),
        tags=tags,
        author=author,
        image=image,
        image_alt=image_alt,
        draft=draft,
        lang=lang,
        embargo=embargo.astimezone(config.tz) if embargo else None,
        updated=updated.astimezone(config.tz) if updated else None,
    )


def parse_page(doc: Document, config: Config) -> Page | list[SiteError]:
    fields = Fields(doc)
    fields.check_known(PAGE_FIELDS)
    title = fields.text("title", required=True)
    slug = slug_field(fields, PurePosixPath(doc.path).stem, doc.path)
    menu = fields.number("menu")
    summary = fields.text("summary")
    if fields.errors:
        return fields.sorted_errors()
    body_html = fields.markdown(doc.body, config.raw_html)
    if fields.errors:
        return fields.sorted_errors()
    return Page(
        line=fields.naming_line(),
        source=doc.path,
        title=title,
        slug=slug,
        url=urls.page_url(slug),
        body_html=body_html,
        summary=summary or markup.first_paragraph(body_html),
        menu=menu,
    )



def parse_event(doc: Document, config: Config) -> Event | list[SiteError]:
    """A standalone event from content/events/."""
    fields = Fields(doc)
    event = read_event(fields, config, body=doc.body)
    return fields.sorted_errors() if fields.errors else event


def parse_label(doc: Document, config: Config) -> Label | list[SiteError]:
    """A standalone label from content/labels/."""
    fields = Fields(doc)
    label = read_label(fields, config, body=doc.body)
    return fields.sorted_errors() if fields.errors else label


def read_event(fields: Fields, config: Config, body: str = "") -> Event | None:
    """The fields of an event, from its own file or from a release's `event:` block."""
    fields.check_known(EVENT_FIELDS)
    title = event_title(fields)
    zone_name, zone = event_zone(fields, config)
    first = parse_when(fields.meta.get("start"))
    all_day = fields.flag("all_day", default=isinstance(first, date) and not isinstance(first, datetime))
    start = event_moment(fields, "start", zone, all_day, config)
    end = event_moment(fields, "end", zone, all_day, config)
    if start and end and (end <= start if all_day else end < start):
        fields.error("end", f"{fields.meta['end']} is before start ({fields.meta['start']}); an event cannot end before it starts")
    status = fields.text("status", default="scheduled").lower()
    if status not in EVENT_STATUSES:
        fields.error("status", f'"{status}" is not a status{suggest(status, EVENT_STATUSES)}')
    location = read_location(fields)
    online_url = fields.web_address("online_url")
    if status == "moved-online" and not online_url:
        fields.error("status", "moved-online needs online_url: the address where people can join")
    registration_url = fields.web_address("registration_url")
    tags = fields.text_list("tags")
    summary = fields.text("summary")
    slug = slug_field(fields, title, fields.doc.path)
    embargo = fields.moment("embargo", config.tz)
    body_html = fields.markdown(body, config.raw_html)
    if fields.errors or start is None:
        return None
    return Event(
        line=fields.naming_line(),
        source=fields.doc.path,
        title=title,
        start=start,
        end=end,
        timezone=zone_name,
        slug=slug,
        url=urls.event_url(start.year, slug),
        all_day=all_day,
        body_html=body_html,
        summary=summary or markup.first_paragraph(body_html),
        tags=tags,
        location=location,
        online_url=online_url,
        registration_url=registration_url,
        status=status,
        embargo=embargo and embargo.astimezone(config.tz),
    )


def event_title(fields: Fields) -> str:
    if fields.present("title") and fields.present("name"):
        fields.error("name", "an event has a title or a name, not both; keep one")
    key = "name" if fields.present("name") and not fields.present("title") else "title"
    return fields.text(key, required=True)


def event_zone(fields: Fields, config: Config) -> tuple[str, ZoneInfo | None]:
    """The event's own time zone, else the site's; None when neither is known."""
    name = fields.text("timezone")
    if not name:
        return (config.timezone, config.tz) if config.timezone_set else ("", None)
    try:
        return name, ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        close = difflib.get_close_matches(name, sorted(available_timezones()), n=1)
        hint = f'did you mean "{close[0]}"?' if close else "write one like Europe/Oslo or America/New_York"
        fields.error("timezone", f'"{name}" is not a known time zone; {hint}')
        return name, None


def event_moment(fields: Fields, key: str, zone: ZoneInfo | None, all_day: bool, config: Config) -> datetime | None:
    """`start` or `end` as an aware moment in the event's zone; an all-day end is the
    midnight after its (inclusive) last day."""
    value = fields.meta.get(key)
    if value is None:
        if key == "start":
            fields.error(key, f"is missing; {DATE_EXAMPLE}")
        return None
    when = parse_when(value)
    if isinstance(when, str):
        fields.error(key, when)
        return None
    if all_day:
        if isinstance(when, datetime):
            fields.error(key, f"{value} has a time, but the event is all day; write the date only, like {key}: {when.date()}")
            return None
        day = when + timedelta(days=1) if key == "end" else when
        return datetime.combine(day, time(), zone or config.tz)
    if not isinstance(when, datetime):
        fields.error(key, f"{value} has no time; write {key}: {value}T09:00, or add all_day: true for an event that lasts whole days")
        return None
    if zone is None:
        if when.tzinfo is None and fields.present("timezone"):
            return None  # the unknown zone is reported already
        if when.tzinfo is None:
            fields.error(key, f"{value} has no offset and the time zone is unknown; add timezone: Europe/Oslo (the event's zone), or write the offset, like {when.isoformat()}+01:00")
            return None
        return when
    if when.tzinfo is None:
        moment = when.replace(tzinfo=zone)
        if moment.astimezone(timezone.utc).astimezone(zone).replace(tzinfo=None) != when:
            fields.error(key, f"{value} does not exist in {zone.key}: the clocks go forward that night; pick a time outside the skipped hour")
        return moment
    local = when.astimezone(zone)
    if local.utcoffset() != when.utcoffset():
        fields.error(key, f"{value}: the offset {_hours(when.utcoffset())} is not {zone.key}'s on that day ({_hours(local.utcoffset())}); "
                     f"correct the offset, or set timezone: to the zone where the event takes place")
    return local


def _hours(offset: timedelta | None) -> str:
    minutes = int((offset or timedelta()).total_seconds() // 60)
    sign = "-" if minutes < 0 else "+"
    return f"{sign}{abs(minutes) // 60:02d}:{abs(minutes) % 60:02d}"


def read_location(fields: Fields) -> Location | None:
    """One line of text, or a block with venue, address, city and country."""
    value = fields.meta.get("location")
    if isinstance(value, dict):
        return fields.block("location", read_location_block)
    text = fields.text("location")
    return Location(venue=text) if text else None


def read_location_block(fields: Fields) -> Location | None:
    fields.check_known(LOCATION_FIELDS)
    location = Location(*(fields.text(key) for key in LOCATION_FIELDS))
    if not location.parts:
        fields.error("venue", "the location is empty; write at least venue: or city:")
        return None
    return location


def read_label(fields: Fields, config: Config, body: str = "", awarded: date | None = None) -> Label | None:
    """The fields of a label; in a release, `awarded` defaults to the release's date."""
    fields.check_known(LABEL_FIELDS)
    issuer = label_issuer(fields, config)
    level = fields.text("level", required=True).lower()
    if issuer and level and level not in issuer.levels:
        fields.error("level", f'"{level}" is not a level of {issuer.name}; use one of {", ".join(issuer.levels)}')
    if fields.present("awarded") or awarded is None:
        moment = fields.moment("awarded", config.tz, required=True)
        awarded = moment.astimezone(config.tz).date() if moment else None
    until = fields.moment("valid_until", config.tz)
    valid_until = until.astimezone(config.tz).date() if until else None
    if awarded and valid_until and valid_until < awarded:
        fields.error("valid_until", f"{valid_until} is before awarded ({awarded}); a label cannot expire before it is awarded")
    link = fields.web_address("url")
    summary = fields.text("summary")
    title = fields.text("title")
    embargo = fields.moment("embargo", config.tz)
    body_html = fields.markdown(body, config.raw_html)
    if fields.errors or issuer is None or awarded is None:
        return None
    if valid_until is None and issuer.valid_years:
        valid_until = add_years(awarded, issuer.valid_years)
    title = title or f"{issuer.name} – {level.capitalize()}"
    slug = slug_field(fields, title, fields.doc.path)
    return Label(
        line=fields.naming_line(),
        source=fields.doc.path,
        title=title,
        issuer=issuer,
        level=level,
        awarded=awarded,
        valid_until=valid_until,
        expires=datetime.combine(valid_until + timedelta(days=1), time(), config.tz) if valid_until else None,
        starts=datetime.combine(awarded, time(), config.tz),
        slug=slug,
        url=urls.label_url(slug),
        link=link,
        body_html=body_html,
        summary=summary or markup.first_paragraph(body_html),
        embargo=embargo and embargo.astimezone(config.tz),
    )


def label_issuer(fields: Fields, config: Config):
    key = fields.text("issuer", required=True)
    if not key:
        return None
    issuer = config.issuers.get(key.lower())
    if issuer is None:
        if config.issuers:
            fields.error("issuer", f'"{key}" is not an issuer in pressroom.toml{suggest(key.lower(), config.issuers)}')
        else:
            fields.error("issuer", f'"{key}" is not an issuer in pressroom.toml; add [issuers.{key.lower()}] there with name, url, levels and valid_years')
    return issuer


def add_years(day: date, years: int) -> date:
    """The same day `years` later; 29 February becomes 28 February."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return day.replace(year=day.year + years, day=28)
