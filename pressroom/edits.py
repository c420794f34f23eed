"""Edits to the text of items only, which leave the site index and the list of outputs as
they were.

Most saves in the preview change the words of a release, not its title, date, tags or
anything else the site index sorts, groups or counts by. Then the index, the plan of every
output and the keys of the outputs that do not show that release are the same as in the
last build; recomputing them costs most of a rebuild at ten thousand releases. A Builder
that keeps its last plan (see pipeline.Plan) instead puts the new text into the items the
plan holds and asks outputs.Reach which outputs read them.
"""

from __future__ import annotations

import dataclasses
from typing import Any

from pressroom import lazy
from pressroom.content import Entry

# The fields an edit may change while the index stays as it is: nothing but the page of the
# item itself and the outputs that show its text read them.
TEXT_FIELDS = ("body_html", "summary")


def text_edits(previous: dict[str, Entry], entries: dict[str, Entry], changed: dict[str, Entry]) -> list[tuple[Any, Any]] | None:
    """(old item, new item) for each changed file, where every change is to the text of an
    item; None where a file came or went, failed, or changed anything else."""
    if len(entries) != len(previous) or any(path not in previous for path in entries):
        return None
    pairs = []
    for path, entry in changed.items():
        if entry.salt != previous[path].salt:  # parsed with other settings or code: all of them were
            return None
        old, new = previous[path].item, entry.item
        if old is None or new is None or entry.errors:
            return None
        if new is not old:  # (read again, its text as it was: the same item, still unread)
            if not same_but_text(lazy.read(old), new):
                return None
            pairs.append((old, new))
    return pairs


def same_but_text(old: Any, new: Any) -> bool:
    """Every field but the text equal, the ones equality skips (the line of the title) too."""
    if type(old) is not type(new) or not dataclasses.is_dataclass(old):
        return False
    return all(f.name in TEXT_FIELDS or identical(getattr(old, f.name), getattr(new, f.name)) for f in dataclasses.fields(old))


def identical(a: Any, b: Any) -> bool:
    """Equal, down to fields that equality skips (an event block's line)."""
    if type(a) is not type(b):
        return False
    if dataclasses.is_dataclass(a) and not isinstance(a, type):
        return all(identical(getattr(a, f.name), getattr(b, f.name)) for f in dataclasses.fields(a))
    if type(a) is tuple:
        return len(a) == len(b) and all(identical(x, y) for x, y in zip(a, b))
    return a == b


def put_text(old: Any, new: Any) -> None:
    """Give the item the plan holds (and every listing that holds it) the new text. The
    model is frozen for everyone else; this is the one place that knows the object is the
    same item, parsed again."""
    lazy.read(old)  # its fields filled in from the cache first, so the new text stays
    for name in TEXT_FIELDS:
        object.__setattr__(old, name, getattr(new, name))
