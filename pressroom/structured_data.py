"""schema.org data for search engines, as plain dicts; templates print them with `json_ld`:
NewsArticle and BreadcrumbList on releases, Organization on the home page, Event on events."""

from __future__ import annotations

from typing import Any, Iterable

from pressroom import urls
from pressroom.config import Config
from pressroom.model import Event, Release

SCHEMA_ORG = "https://schema.org"

EVENT_STATUS = {
    "scheduled": "EventScheduled",
    "cancelled": "EventCancelled",
    "postponed": "EventPostponed",
    "moved-online": "EventMovedOnline",
}


def event_data(event: Event, config: Config) -> dict[str, Any]:
    """A schema.org Event: dates with their offsets (or plain dates for all-day events),
    a Place with its address and/or a VirtualLocation, status and organiser."""
    data: dict[str, Any] = {
        "@context": SCHEMA_ORG,
        "@type": "Event",
        "name": event.title,
        "url": urls.absolute(event.url, config.base_url),
        "startDate": event.start.date().isoformat() if event.all_day else event.start.isoformat(),
        "eventStatus": "https://schema.org/" + EVENT_STATUS[event.status],
        "eventAttendanceMode": "https://schema.org/" + attendance_mode(event),
        "location": locations(event),
        "organizer": organization(config, with_context=False),
    }
    if event.end is not None or event.all_day:
        data["endDate"] = event.last_day.isoformat() if event.all_day else event.end.isoformat()
    if event.summary:
        data["description"] = event.summary
    if event.registration_url and not event.cancelled:
        data["offers"] = {"@type": "Offer", "url": event.registration_url}
    return data


def attendance_mode(event: Event) -> str:
    if event.location is not None and event.online_url:
        return "MixedEventAttendanceMode"
    return "OnlineEventAttendanceMode" if event.online_url else "OfflineEventAttendanceMode"


def locations(event: Event) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = []
    if event.location is not None:
        place = event.location
        if place.address or place.city or place.country:
            address: Any = {"@type": "PostalAddress"}
            for key, value in (("streetAddress", place.address), ("addressLocality", place.city), ("addressCountry", place.country)):
                if value:
                    address[key] = value
        else:
            address = place.venue  # written as one line of text
        found.append({"@type": "Place", "name": place.venue or place.city, "address": address})
    if event.online_url:
        found.append({"@type": "VirtualLocation", "url": event.online_url})
    return found


def organization(config: Config, with_context: bool = True) -> dict:
    org = config.organisation
    data = {"@type": "Organization", "name": org.name or config.title, "url": org.url or config.base_url}
    if org.logo:
        data["logo"] = {"@type": "ImageObject", "url": urls.absolute(org.logo, config.base_url)}
    return {"@context": SCHEMA_ORG, **data} if with_context else data


def news_article(release: Release, config: Config) -> dict:
    """Google's NewsArticle: headline, dates with offsets, author, publisher with logo, image."""
    page = urls.absolute(release.url, config.base_url)
    publisher = organization(config, with_context=False)
    author = {"@type": "Person", "name": release.author} if release.author else publisher
    data = {
        "@context": SCHEMA_ORG,
        "@type": "NewsArticle",
        "headline": release.title,
        "description": release.summary,
        "datePublished": release.date.isoformat(),
        "dateModified": release.modified.isoformat(),
        "author": [author],
        "publisher": publisher,
        "mainEntityOfPage": {"@type": "WebPage", "@id": page},
        "url": page,
        "inLanguage": release.lang or config.language,
    }
    image = share_image(release, config)
    if image:
        data["image"] = [image]
    if release.tags:
        data["keywords"] = list(release.tags)
    return data


def share_image(release: Release | None, config: Config) -> str:
    """The picture shown when a page is shared: the release's own, else the logo."""
    if release is not None and release.image:
        return urls.absolute(release.image, config.base_url)
    return urls.absolute(config.organisation.logo, config.base_url) if config.organisation.logo else ""


def breadcrumbs(trail: Iterable[tuple[str, str]], config: Config) -> dict:
    """BreadcrumbList from (name, site-relative URL) pairs, the home page first."""
    return {
        "@context": SCHEMA_ORG,
        "@type": "BreadcrumbList",
        "itemListElement": [
            {"@type": "ListItem", "position": position, "name": name, "item": urls.absolute(url, config.base_url)}
            for position, (name, url) in enumerate(trail, start=1)
        ],
    }
