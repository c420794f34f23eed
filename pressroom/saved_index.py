"""The site index of the last build that made one, kept in the cache for the next
`pressroom build`.

The preview server keeps its last plan in memory and, when only the text of some items
changed (see edits.py), builds from it instead of indexing ten thousand releases again. A
command-line build is a new process: it reads the index the last build that made one left
in the cache, at a third of the cost of making it (at 10,000 releases, 1.7 MB read in
0.05 s against 0.15 s to index).

The parsed items in it are not stored again but named by their content file (and, for
the event or label block of a release, by the field that holds it): loading gives the
items the build has just read from its content entries, the edited ones with their new
text, as a fresh index would hold them. Entries read from the cache hold stand-ins, not read
yet (see lazy.py); a block of such an item is given out as a stand-in too, which becomes the
very block the item holds when either is read, so loading reads no item at all.

(Every output's product was kept too, at first: 15,000 of them took longer to read in a
new process, 0.19 s, than to plan again, and 0.3 s to store.)
"""

from __future__ import annotations

import copyreg
import io
import pickle
from types import MappingProxyType
from typing import Any, Callable

from pressroom import lazy
from pressroom.content import Entry

ITEM_PARTS = ("event", "label")  # blocks of a release the index also lists on their own


def dump(index: Any, entries: dict[str, Entry]) -> bytes:
    """`index` pickled, with the items of `entries` (and their blocks) named, not stored."""
    names: dict[int, tuple[Any, str, str]] = {}
    for path, entry in entries.items():
        item = entry.item
        if item is None:
            continue
        names[id(item)] = (item, path, "")
        for part in ITEM_PARTS:
            block = getattr(item, part, None)
            if block is not None:
                names[id(block)] = (block, path, part)

    def named(obj: Any) -> Any:
        found = names.get(id(obj))
        if found is not None and found[0] is obj:
            block = found[2] != ""  # a block is given out unread with its item (lazy.part_of): of this class, these fields
            return _item, (found[1], found[2], lazy.item_class(type(obj)) if block else None, lazy.kept_fields(obj) if block else None)
        return obj.__reduce_ex__(pickle.HIGHEST_PROTOCOL)

    out = io.BytesIO()
    pickler = pickle.Pickler(out, pickle.HIGHEST_PROTOCOL)
    pickler.dispatch_table = {**copyreg.dispatch_table, MappingProxyType: _reduce_proxy,
                              **{type(item): named for item, _, _ in names.values()}}
    pickler.dump(index)
    return out.getvalue()


def load(data: bytes, entries: dict[str, Entry]) -> Any:
    """The index `dump` stored, holding the items of `entries` where it named items; None
    if it names an item `entries` does not have, or cannot be read at all."""
    try:
        return _Unpickler(io.BytesIO(data), entries).load()
    except Exception:  # noqa: BLE001 - a damaged or stale index is a missing one: the build indexes
        return None


class _Unpickler(pickle.Unpickler):
    def __init__(self, file: io.BytesIO, entries: dict[str, Entry]):
        super().__init__(file)
        self._entries = entries

    def find_class(self, module: str, name: str) -> Any:
        if module == __name__ and name == _item.__name__:
            return self._item_of
        return super().find_class(module, name)

    def _item_of(self, path: str, part: str, kind: type | None, kept: dict[str, Any] | None) -> Any:
        item = self._entries[path].item
        # A block of an item not read yet is not read either (see lazy.part_of)
        found = lazy.part_of(item, part, kind, kept or {}) if part else item
        if found is None:
            raise LookupError(f"{path} has no {part or 'item'}")
        return found


def _item(path: str, part: str, kind: type | None, kept: dict[str, Any] | None) -> Any:
    """Stands for an item in the pickle; loading asks the build's entries instead."""
    raise LookupError("a saved index is read with saved_index.load")


def _proxy(values: dict) -> MappingProxyType:
    return MappingProxyType(values)


def _reduce_proxy(proxy: MappingProxyType) -> tuple[Callable[[dict], MappingProxyType], tuple[dict]]:
    return _proxy, (dict(proxy),)
