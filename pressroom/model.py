"""The content model: frozen dataclasses that know nothing of files or rendering."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True)
class Release:
    """A press release from content/news/."""

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

    @property
    def year(self) -> int:
        return self.date.year


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
