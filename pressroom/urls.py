"""The one URL scheme of the site. URLs here are site-relative ("news/2024/slug/"); templates
turn them into links under the base URL's path, so a site can live under a sub-path."""

from __future__ import annotations

import functools
import re
from urllib.parse import urljoin

from pressroom.errors import SiteError

SLUG_PATTERN = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
_HAS_SCHEME = re.compile(r"^(?:[a-zA-Z][a-zA-Z0-9+.-]*:|//)")


@functools.lru_cache(maxsize=16384)
def slug_from(text: str) -> str:
    """A readable ASCII slug: "Tromsø cluster meets" -> "tromso-cluster-meets"."""
    from slugify import slugify  # here: a rebuild that slugs nothing does not load it (20 ms, most of it a regular expression)

    return slugify(text, max_length=80, word_boundary=True)


def is_valid_slug(slug: str) -> bool:
    return bool(SLUG_PATTERN.match(slug)) and len(slug) <= 200


def release_url(year: int, slug: str) -> str:
    return f"news/{year}/{slug}/"


def event_url(year: int, slug: str) -> str:
    return f"events/{year}/{slug}/"


def event_calendar_path(event_url: str) -> str:
    """ "events/2024/slug/" -> "events/2024/slug.ics", beside the event's page."""
    return event_url.rstrip("/") + ".ics"


def label_url(slug: str) -> str:
    return f"labels/{slug}/"


def page_url(slug: str) -> str:
    return f"{slug}/"


def tag_url(tag_slug: str) -> str:
    return f"tags/{tag_slug}/"


def year_url(year: int) -> str:
    return f"news/{year}/"


def paginated_url(first: str, number: int) -> str:
    """Page 1 lives at the listing's own URL; page N at first + "page/N/"."""
    return first if number == 1 else f"{first}page/{number}/"


def output_path(url: str) -> str:
    """Pretty URLs: "news/x/" is written as "news/x/index.html"."""
    if url == "" or url.endswith("/"):
        return url + "index.html"
    return url


def find_collisions(claims: list[tuple[str, str, int | None]]) -> list[SiteError]:
    """Two things written to one path: name both (file and line), so the user can rename one."""
    owners: dict[str, tuple[str, int | None]] = {}
    errors = []
    for path, owner, line in claims:
        if path in owners and owners[path][0] != owner:
            first, first_line = owners[path]
            where = f"{first}:{first_line}" if first_line else first
            errors.append(SiteError(owner, line, f"would be written to /{path}, like {where}; give one of them another slug"))
        else:
            owners.setdefault(path, (owner, line))
    return errors


def link(path: str, base_path: str) -> str:
    """A link as a page writes it: site paths ("news/x/" or "/news/x/") go under the base
    path, so a site hosted under a sub-path such as /newsroom/ works; other links stay."""
    if _HAS_SCHEME.match(path) or path.startswith(("#", "?")):
        return path
    return base_path + path.lstrip("/")


def absolute(path: str, base_url: str, page_url: str | None = None) -> str:
    """A full address, for what is read away from the site (feeds, sitemaps, sharing):
    a site path joins base_url; a relative link joins the page it is on."""
    if _HAS_SCHEME.match(path):
        return path
    if page_url is None or path.startswith("/"):
        return base_url + path.lstrip("/")
    return urljoin(page_url, path)
