"""What a build tells the person who ran it."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pressroom.errors import SiteError

if TYPE_CHECKING:
    from pressroom.site import Change


@dataclass(frozen=True)
class BuildReport:
    pages: int
    written: int
    unchanged: int
    removed: int
    seconds: float
    held_back: tuple[Any, ...]  # releases kept out: drafts, scheduled, embargoed
    output_dir: Path
    next_change: Change | None = None
    site: Any = field(default=None, repr=False, compare=False)  # what was built, for check and status; None when nothing was
    warnings: tuple[SiteError, ...] = ()
    notes: str = ""  # the end of the summary line: what is held back, the next change, warnings
