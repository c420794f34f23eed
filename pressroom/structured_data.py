"""schema.org data for search engines, as plain dicts; templates print them with `json_ld`."""

from __future__ import annotations

from typing import Any

from pressroom.config import Config
from pressroom.model import Event

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
        "@context": "https://schema.org",
        "@type": "Event",
        "name": event.title,
        "url": config.base_url + event.url,
        "startDate": event.start.date().isoformat() if event.all_day else event.start.isoformat(),
        "eventStatus": "https://schema.org/" + EVENT_STATUS[event.status],
        "eventAttendanceMode": "https://schema.org/" + attendance_mode(event),
        "location": locations(event),
        "organizer": {"@type": "Organization", "name": config.organisation.name, "url": config.organisation.url or config.base_url},
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
