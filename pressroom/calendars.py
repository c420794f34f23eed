"""Calendars: one .ics per event and events/calendar.ics with all of them, as {path: bytes}.

Made with the icalendar library. UIDs come from each event's URL, so a calendar that
subscribed keeps one entry per event across builds. The files are plain iCalendar objects
with no METHOD (that is for invitations sent by e-mail), so DTSTAMP is, as RFC 5545 defines
it for them, when the event's information was last revised: the date (or last correction)
of the release that announced it, the embargo of a standalone event, else its start. Never
the build's clock: a calendar changes only when its events do, and a rebuild leaves it
untouched. Times are written in UTC (…Z), converted from the event's own zone with its DST
rules: every calendar program reads UTC the same way, while generated VTIMEZONE blocks list
DST changes as RDATEs, which some readers (dateutil, so vobject) ignore, shifting summer
events by an hour. All-day events are plain dates.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import TYPE_CHECKING, Collection, Sequence

from pressroom import __version__, urls
from pressroom.model import Event
from pressroom.site import Site

if TYPE_CHECKING:
    import icalendar

ALL_EVENTS = "events/calendar.ics"
STATUS = {"scheduled": "CONFIRMED", "moved-online": "CONFIRMED", "postponed": "TENTATIVE", "cancelled": "CANCELLED"}


@dataclass(frozen=True)
class CalendarJob:
    """One .ics file: its path, its events and its name."""

    path: str
    events: tuple[Event, ...]
    name: str


def plan_calendars(site: Site, only: Collection[str] | None = None) -> list[CalendarJob]:
    """Every calendar, or those with the paths in `only` (a rebuild that makes a few)."""
    paths = [(urls.event_calendar_path(event.url), event) for event in site.events]  # (an address asks nothing else: lazy.KEPT)
    jobs = [CalendarJob(path, (event,), event.title) for path, event in paths if only is None or path in only]
    if only is None or ALL_EVENTS in only:
        everything = sorted(site.events, key=lambda e: (e.start.astimezone(timezone.utc), e.url))
        jobs.append(CalendarJob(ALL_EVENTS, tuple(everything), f"{site.config.title}: events"))
    return jobs


def calendar_files(site: Site) -> dict[str, bytes]:
    return {job.path: make_calendar(job.events, site, job.name) for job in plan_calendars(site)}


def make_calendar(events: Sequence[Event], site: Site, name: str) -> bytes:
    import icalendar  # here, not at the top: most rebuilds make no calendar (a tenth of a second)

    calendar = icalendar.Calendar()
    calendar.add("prodid", f"-//Pressroom {__version__}//{site.config.title}//EN")
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("name", name)
    calendar.add("x-wr-calname", name)
    for event in events:
        calendar.add_component(make_vevent(event, site))
    return calendar.to_ical()


def make_vevent(event: Event, site: Site) -> icalendar.Event:
    import icalendar

    page = site.config.base_url + event.url
    vevent = icalendar.Event()
    vevent.add("uid", event_uid(event, site.config.base_url))
    vevent.add("dtstamp", stamp(event))
    vevent.add("summary", event.title)
    if event.all_day:
        vevent.add("dtstart", event.start.date())
        vevent.add("dtend", event.ends.date())  # the day after the last: iCalendar's end is exclusive
    else:
        vevent.add("dtstart", event.start.astimezone(timezone.utc))
        if event.end is not None:
            vevent.add("dtend", event.end.astimezone(timezone.utc))
    vevent.add("status", STATUS[event.status])
    place = ", ".join(event.location.parts) if event.location else event.online_url
    if place:
        vevent.add("location", place)
    vevent.add("url", page)
    vevent.add("description", description(event, page))
    if event.tags:
        vevent.add("categories", list(event.tags))
    return vevent


def stamp(event: Event) -> datetime:
    """When the information was issued, in UTC, as DTSTAMP wants it."""
    return (event.announced or event.embargo or event.start).astimezone(timezone.utc)


def event_uid(event: Event, base_url: str) -> str:
    """ "events-2024-medic-nest@newsroom.medvia.example": stable for as long as the URL is."""
    host = re.sub(r"^[a-z]+://", "", base_url).split("/")[0]
    return f"{event.url.strip('/').replace('/', '-')}@{host}"


def description(event: Event, page: str) -> str:
    lines = [event.summary] if event.summary else []
    if event.status != "scheduled":
        lines.append(f"Status: {event.status.replace('-', ' ')}.")
    if event.online_url:
        lines.append(f"Join online: {event.online_url}")
    if event.registration_url and not event.cancelled:
        lines.append(f"Registration: {event.registration_url}")
    lines.append(f"More: {page}")
    return "\n\n".join(lines)
