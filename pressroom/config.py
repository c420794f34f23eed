"""pressroom.toml -> a frozen Config. Every problem in the file is reported at once."""

from __future__ import annotations

import difflib
import re
import tomllib
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any, Mapping
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pressroom.errors import BuildFailed, SiteError

CONFIG_NAME = "pressroom.toml"


@dataclass(frozen=True)
class Organisation:
    name: str
    url: str = ""
    logo: str = ""


@dataclass(frozen=True)
class Issuer:
    """A body that awards labels, with its levels from lowest to highest."""

    key: str
    name: str
    url: str
    levels: tuple[str, ...]
    valid_years: int


@dataclass(frozen=True)
class Config:
    title: str
    base_url: str
    language: str = "en"
    timezone: str = "UTC"
    timezone_set: bool = False  # False: "UTC" is only the default, not the site's choice
    description: str = ""
    page_size: int = 10
    organisation: Organisation = Organisation(name="")
    issuers: Mapping[str, Issuer] = field(default_factory=lambda: MappingProxyType({}))
    raw_html: bool = True

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    @property
    def base_path(self) -> str:
        """The path part of base_url, e.g. "/newsroom/" for a site hosted under a sub-path."""
        match = re.match(r"^[a-z]+://[^/]+(/.*)$", self.base_url)
        return match.group(1) if match else "/"


TOP_KEYS = {
    "title": str,
    "base_url": str,
    "language": str,
    "timezone": str,
    "description": str,
    "page_size": int,
    "organisation": dict,
    "issuers": dict,
    "markdown": dict,
}
ORGANISATION_KEYS = {"name": str, "url": str, "logo": str}
ISSUER_KEYS = {"name": str, "url": str, "levels": list, "valid_years": int}
MARKDOWN_KEYS = {"raw_html": bool}


def parse_config(text: str, path: str = CONFIG_NAME) -> Config:
    """Validate the text of pressroom.toml; raise BuildFailed listing every problem."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        line = _toml_error_line(str(exc))
        raise BuildFailed([SiteError(path, line, f"this is not valid TOML: {exc}")]) from None

    errors: list[SiteError] = []

    def error(key: str, message: str) -> None:
        errors.append(SiteError(path, _key_line(text, key), message))

    _check_keys(data, TOP_KEYS, "", error)
    for required in ("title", "base_url"):
        if required not in data:
            errors.append(SiteError(path, 1, f'"{required}" is missing; add a line like {_EXAMPLES[required]}'))

    base_url = data.get("base_url", "https://example.org/")
    if isinstance(base_url, str):
        if normal_base_url(base_url) is None:
            error("base_url", f'base_url: {base_url_problem(base_url)}')
        else:
            base_url = normal_base_url(base_url)

    timezone = data.get("timezone", "UTC")
    if isinstance(timezone, str):
        try:
            ZoneInfo(timezone)
        except (ZoneInfoNotFoundError, ValueError):
            error("timezone", f'timezone: "{timezone}" is not a known time zone; write one like "Europe/Oslo"')

    page_size = data.get("page_size", 10)
    if isinstance(page_size, int) and not 1 <= page_size <= 1000:
        error("page_size", f"page_size: {page_size} is out of range; use a number from 1 to 1000")

    org = data.get("organisation", {})
    if isinstance(org, dict):
        _check_keys(org, ORGANISATION_KEYS, "organisation.", error)
    markdown = data.get("markdown", {})
    if isinstance(markdown, dict):
        _check_keys(markdown, MARKDOWN_KEYS, "markdown.", error)

    issuers = {}
    for key, value in (data.get("issuers") or {}).items():
        if not isinstance(value, dict):
            error(key, f"issuers.{key}: write it as a table [issuers.{key}] with name, url, levels, valid_years")
            continue
        _check_keys(value, ISSUER_KEYS, f"issuers.{key}.", error)
        levels = value.get("levels", [])
        if not levels or not all(isinstance(level, str) for level in levels):
            error(f"issuers.{key}", f'issuers.{key}.levels: list the levels from lowest to highest, like ["bronze", "silver", "gold"]')
            levels = []
        valid_years = value.get("valid_years", 0)
        if isinstance(valid_years, int) and valid_years < 0:
            error(f"issuers.{key}", f"issuers.{key}.valid_years: must be 0 (no expiry) or more")
        issuers[key] = Issuer(
            key=key,
            name=str(value.get("name", key)),
            url=str(value.get("url", "")),
            levels=tuple(level.lower() for level in levels),
            valid_years=valid_years if isinstance(valid_years, int) else 0,
        )

    if errors:
        raise BuildFailed(errors)

    title = data["title"]
    return Config(
        title=title,
        base_url=base_url,
        language=data.get("language", "en"),
        timezone=timezone,
        timezone_set="timezone" in data,
        description=data.get("description", ""),
        page_size=page_size,
        organisation=Organisation(
            name=org.get("name", title), url=org.get("url", ""), logo=org.get("logo", "")
        ),
        issuers=MappingProxyType(issuers),
        raw_html=markdown.get("raw_html", True),
    )


def normal_base_url(text: str) -> str | None:
    """The site's address with its closing slash, or None when it is not a web address."""
    if not re.match(r"^https?://[^/\s]+(/\S*)?$", text):
        return None
    return text if text.endswith("/") else text + "/"


def base_url_problem(text: str) -> str:
    return f'"{text}" is not a web address; write one like "https://news.example.org/"'


_EXAMPLES = {"title": 'title = "Our Newsroom"', "base_url": 'base_url = "https://news.example.org/"'}


def _check_keys(table: dict, known: dict[str, type], prefix: str, error) -> None:
    for key, value in table.items():
        if key not in known:
            error(key, f"{prefix}{key}: unknown setting{suggest(key, known)}")
        elif not isinstance(value, known[key]) or (known[key] is int and isinstance(value, bool)):
            error(key, f"{prefix}{key}: expected {_type_name(known[key])}, got {_type_name(type(value))}")


def suggest(word: str, known: Any) -> str:
    """A ' (did you mean "x"?)' hint, or an empty string when nothing is close."""
    close = difflib.get_close_matches(word, list(known), n=1, cutoff=0.6)
    if close:
        return f'; did you mean "{close[0]}"?'
    return "; known ones are " + ", ".join(sorted(known))


def _type_name(kind: type) -> str:
    return {str: "text", int: "a whole number", bool: "true or false", list: "a list", dict: "a table"}.get(
        kind, kind.__name__
    )


def _key_line(text: str, key: str) -> int | None:
    """The first line that sets or opens `key`; TOML parsers give no positions."""
    last = key.rsplit(".", 1)[-1]
    pattern = re.compile(rf'^\s*(\[[^\]]*\b{re.escape(key)}\]|"?{re.escape(last)}"?\s*=)')
    for number, line in enumerate(text.splitlines(), start=1):
        if pattern.match(line):
            return number
    return None


def _toml_error_line(message: str) -> int | None:
    match = re.search(r"line (\d+)", message)
    return int(match.group(1)) if match else None
