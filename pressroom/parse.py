"""Front matter -> model objects. Each field is checked; every problem names its line."""

from __future__ import annotations

import re
from datetime import date, datetime, time, timedelta, timezone, tzinfo
from pathlib import PurePosixPath
from typing import Any

from pressroom import markup, urls
from pressroom.config import Config, suggest
from pressroom.errors import SiteError
from pressroom.model import Page, Release
from pressroom.source import Document

RELEASE_FIELDS = ("title", "date", "summary", "tags", "author", "image", "image_alt", "draft", "slug", "lang", "event", "label")
PAGE_FIELDS = ("title", "menu", "summary", "slug")

_DATE_TEXT = re.compile(
    r"^(\d{4})-(\d{1,2})-(\d{1,2})"
    r"(?:[T ](\d{1,2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?)?"
    r"\s*(Z|[+-]\d{2}(?::?\d{2})?)?$"
)
_LANG = re.compile(r"^[a-zA-Z]{2,3}(-[A-Za-z0-9]{2,8})*$")
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
        self.errors.append(SiteError(self.doc.path, self.doc.line(name), f"{name}: {message}"))

    def sorted_errors(self) -> list[SiteError]:
        return sorted(self.errors, key=lambda e: e.line or 0)

    def present(self, key: str) -> bool:
        return self.meta.get(key) is not None

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
        if isinstance(value, bool) or isinstance(value, (list, dict)) or isinstance(value, (date, datetime)):
            kind = {list: "a list", dict: "a block of fields"}.get(type(value), repr(value))
            self.error(key, f"expected text, got {kind}; write it on one line, in quotes if need be")
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

    def text_list(self, key: str) -> tuple[str, ...]:
        value = self.meta.get(key)
        if value is None:
            return ()
        if isinstance(value, str):
            value = value.split(",")
        if not isinstance(value, list) or any(isinstance(v, (list, dict)) for v in value):
            self.error(key, f"expected a list like {key}: [awards, events]")
            return ()
        items = (" ".join(str(v).split()) for v in value if v is not None)
        return tuple(dict.fromkeys(item for item in items if item))


def parse_moment(value: Any, tz: tzinfo) -> datetime | str:
    """A date or date-time from YAML; one without an offset is read in `tz`.

    Returns the error message instead of raising, so callers can attach their line."""
    if isinstance(value, datetime):
        return value if value.tzinfo else value.replace(tzinfo=tz)
    if isinstance(value, date):
        return datetime.combine(value, time(), tz)
    if isinstance(value, bool) or not isinstance(value, (str, int)):
        return f"{_show(value)} is not a date; {DATE_EXAMPLE}"
    if isinstance(value, int):
        return f"{value} is not a full date; {DATE_EXAMPLE}"
    match = _DATE_TEXT.match(value.strip())
    if not match:
        return f'"{value}" is not a date; {DATE_EXAMPLE}'
    year, month, day, hour, minute, second, offset = match.groups()
    try:
        moment = datetime(int(year), int(month), int(day), int(hour or 0), int(minute or 0), int(second or 0))
    except ValueError as exc:
        return f'"{value}" is not a date ({exc}); {DATE_EXAMPLE}'
    if offset is None:
        return moment.replace(tzinfo=tz)
    return moment.replace(tzinfo=_offset(offset))


def _offset(text: str) -> tzinfo:
    if text == "Z":
        return timezone.utc
    sign = -1 if text[0] == "-" else 1
    digits = text[1:].replace(":", "")
    hours, minutes = int(digits[:2]), int(digits[2:4] or 0)
    return timezone(sign * timedelta(hours=hours, minutes=minutes))


def _show(value: Any) -> str:
    text = repr(value) if not isinstance(value, str) else f'"{value}"'
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
    slug = slug_field(fields, title, doc.path)
    image = fields.text("image")
    image_alt = fields.text("image_alt")
    if image and not image_alt:
        fields.error("image", "has no image_alt; add image_alt: with a short description of the picture for people who cannot see it")
    lang = fields.text("lang")
    if lang and not _LANG.match(lang):
        fields.error("lang", f'"{lang}" is not a language code; write for example lang: nb or lang: en')
    tags = fields.text_list("tags")
    author = fields.text("author")
    summary = fields.text("summary")
    draft = fields.flag("draft")
    if fields.errors:
        return fields.sorted_errors()
    moment = moment.astimezone(config.tz)
    body_html = markup.to_html(doc.body, config.raw_html)
    return Release(
        source=doc.path,
        title=title,
        date=moment,
        slug=slug,
        url=urls.release_url(moment.year, slug),
        body_html=body_html,
        summary=summary or markup.first_paragraph(body_html),
        tags=tags,
        author=author,
        image=image,
        image_alt=image_alt,
        draft=draft,
        lang=lang,
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
    body_html = markup.to_html(doc.body, config.raw_html)
    return Page(
        source=doc.path,
        title=title,
        slug=slug,
        url=urls.page_url(slug),
        body_html=body_html,
        summary=summary or markup.first_paragraph(body_html),
        menu=menu,
    )

