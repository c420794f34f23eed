"""What is waiting to go out, and when: for the build summary and `pressroom status`.

Pure functions of the site index and its `now`; the command line prints what they return.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Sequence

from pressroom.model import Event, Label, Release
from pressroom.render import when
from pressroom.site import Change, Site, goes_out, hold_reason, utc

Item = Release | Event | Label


def kind_of(item: Item) -> str:
    return "release" if isinstance(item, Release) else "event" if isinstance(item, Event) else "label"


def named(item: Item) -> str:
    """ "“Title”" for a release, "the event “Title”" for the others."""
    return f"“{item.title}”" if isinstance(item, Release) else f"the {kind_of(item)} “{item.title}”"


def by_moment(items: Sequence[Item]) -> list[Item]:
    return sorted(items, key=lambda item: (utc(goes_out(item)), item.source, item.title))


def held_back_summary(held: Sequence[Item], now: datetime) -> str:
    """"held back: 1 draft(s), 1 scheduled, 1 embargoed: “X” until 9 January 2024, 09:00 CET"."""
    reasons = [hold_reason(item, now) for item in held]
    parts = [f"{reasons.count('draft')} draft(s)", f"{reasons.count('scheduled')} scheduled"]
    embargoed = by_moment([item for item, reason in zip(held, reasons) if reason == "embargoed"])
    if embargoed:
        parts.append(f"{len(embargoed)} embargoed: " + ", ".join(f"{named(item)} until {when(goes_out(item))}" for item in embargoed))
    return "held back: " + ", ".join(parts)


def summary_notes(held: Sequence[Item], now: datetime, next_change: Change | None, warnings: int) -> str:
    """The end of a build's summary line: what is held back, the next change, warnings."""
    notes = ""
    if held:
        notes += "; " + held_back_summary(held, now)
    if next_change:
        notes += f"; next change {when(next_change.moment)}: {next_change.reason}"
    if warnings:
        notes += f"; {warnings} warning{'s' if warnings != 1 else ''}"
    return notes


def in_words(moment: datetime, now: datetime) -> str:
    """ "in 45 minutes", "in 5 hours", "in 12 days": how far off a moment is."""
    minutes = int((utc(moment) - utc(now)).total_seconds() // 60)
    if minutes < 0:
        return "now due"
    if minutes < 120:
        return f"in {minutes} minute{'s' if minutes != 1 else ''}"
    if minutes < 48 * 60:
        return f"in {minutes // 60} hours"
    return f"in {minutes // (24 * 60)} days"


def status_lines(site: Site, days: int) -> list[str]:
    """`pressroom status`, in plain words: what is held back and when it goes out, events
    that start or end and labels that expire within `days`, and when to build again."""
    now, soon = site.now, site.now + timedelta(days=days)
    held = [*site.held_back, *site.withheld]
    waiting = by_moment([item for item in held if hold_reason(item, now) in ("embargoed", "scheduled")])
    drafts = sorted((item for item in held if hold_reason(item, now) == "draft"), key=lambda item: item.source)
    lines = [f"{site.config.title}, as of {when(now)}:", ""]

    lines.append("Waiting to go out:" if waiting else "Nothing is embargoed or scheduled.")
    for item in waiting:
        moment = goes_out(item)
        lines.append(f"  {when(moment)} ({in_words(moment, now)}): {hold_reason(item, now)} {kind_of(item)} “{item.title}” ({item.source}){extras(item)}")
    if drafts:
        lines += ["", f"Drafts, which go out only once they say draft: false ({len(drafts)}):"]
        lines += [f"  “{item.title}” ({item.source})" for item in drafts]

    changes = event_changes(site.upcoming, now, soon)
    lines += ["", f"Events starting or ending in the next {days} days:" if changes else f"No event starts or ends in the next {days} days."]
    lines += [f"  {when(moment)} ({in_words(moment, now)}): “{event.title}” {what}" for moment, what, event in changes]

    expiring = [label for label in site.current_labels if label.expires and utc(label.expires) <= utc(soon)]
    lines += ["", f"Labels expiring in the next {days} days:" if expiring else f"No label expires in the next {days} days."]
    lines += [f"  {when(label.expires)} ({in_words(label.expires, now)}): “{label.title}” is held until {label.valid_until.isoformat()}" for label in expiring]

    lines.append("")
    if site.next_change:
        change = site.next_change
        lines.append(f"Build the site again on {when(change.moment)} ({in_words(change.moment, now)}): {change.reason}.")
    else:
        lines.append("Nothing on the site changes by itself: build it again after your next change.")
    return lines


def extras(item: Item) -> str:
    parts = [kind for kind in ("event", "label") if isinstance(item, Release) and getattr(item, kind)]
    return f", with its {' and '.join(parts)}" if parts else ""


def event_changes(events: Sequence[Event], now: datetime, soon: datetime) -> list[tuple[datetime, str, Event]]:
    """Events that start, or that are under way and end, between now and `soon`."""
    changes = []
    for event in events:
        status = "" if event.status == "scheduled" else f" ({event.status.replace('-', ' ')})"
        if utc(now) < utc(event.start) <= utc(soon):
            changes.append((event.start, f"starts{status}", event))
        elif utc(event.start) <= utc(now) < utc(event.ends) <= utc(soon):
            changes.append((event.ends, f"ends{status}", event))
    return sorted(changes, key=lambda change: (utc(change[0]), change[2].title))
