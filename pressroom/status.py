"""What is waiting to go out, and when: for the build summary and `pressroom status`.

Pure functions of the site index and `now`; the command line prints what they return.
"""

from __future__ import annotations

from datetime import datetime
from typing import Sequence

from pressroom.model import Release
from pressroom.render import when
from pressroom.site import goes_out, hold_reason


def held_back_summary(held_back: Sequence[Release], now: datetime) -> str:
    """"held back: 1 draft(s), 1 scheduled, 1 embargoed: “X” until 9 January 2024, 09:00 CET"."""
    reasons = [hold_reason(release, now) for release in held_back]
    parts = [f"{reasons.count('draft')} draft(s)", f"{reasons.count('scheduled')} scheduled"]
    embargoed = sorted((r for r, reason in zip(held_back, reasons) if reason == "embargoed"), key=lambda r: (goes_out(r), r.source))
    if embargoed:
        parts.append(f"{len(embargoed)} embargoed: " + ", ".join(f"“{r.title}” until {when(goes_out(r))}" for r in embargoed))
    return "held back: " + ", ".join(parts)
