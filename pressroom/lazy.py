"""Parsed items as the cache keeps them: each pickled on its own, read when first used.

A rebuild after one edit at ten thousand releases renders a dozen pages, yet unpickling
every parsed item cost it 0.15-0.2 s. The cache now holds each item's pickle as bytes of
its own (pickled()); loading the entries makes stand-ins that hold those bytes
(stand_in()), and a stand-in turns into the item itself, its class and its fields, the
first time anything is asked of it. Code that reads an item cannot tell the difference;
code that only passes items on, counts them or knows them by identity (the saved site
index, the fingerprints, the record of what each page shows) never pays for them.

A stand-in is an object of a subclass of the item's class with the same name, fields and
methods, whose only difference is that reading any attribute first fills in the fields
and sets the object's class to the item's own. Python allows that change of class because
the two classes lay out their objects alike. The few fields in KEPT are kept beside the
bytes and answered without reading.
"""

from __future__ import annotations

import pickle
from typing import Any

# What a rebuild asks of every item without showing it: a stand-in answers it unread.
# (Planning the pages of a few addresses looks at the address of every item.)
KEPT = ("url",)
_PICKLED = "_pressroom_pickled"  # in a stand-in's __dict__, until it is read
_PARTS = "_pressroom_parts"  # in an item's stand-in: stand-ins for its blocks given out (see part_of)
_WHOLE = "_pressroom_whole"  # in a block's stand-in: (the item's stand-in, the field that holds it)
_PROTOCOL = pickle.HIGHEST_PROTOCOL


def pickled(item: Any) -> tuple[type, bytes, dict[str, Any]]:
    """(class, bytes, KEPT fields) for stand_in(); a stand-in not read yet gives its own."""
    if type(item) in _stand_in_kinds:
        state = object.__getattribute__(item, "__dict__")
        data = state.get(_PICKLED)
        if data is not None:
            return _real_class_of[type(item)], data, {name: state[name] for name in KEPT if name in state}
        read(item)
    return type(item), pickle.dumps(item, _PROTOCOL), kept_fields(item)


def stand_in(kind: type, data: bytes, kept: dict[str, Any]) -> Any:
    """A stand-in for the item of class `kind` that `data` pickles."""
    obj = object.__new__(_stand_in_class(kind))
    state = object.__getattribute__(obj, "__dict__")
    state.update(kept)
    state[_PICKLED] = data
    return obj


def read(obj: Any) -> Any:
    """The object, read in if it is a stand-in (for code that looks at its type first)."""
    if unread(obj):
        _read(obj)
    return obj


def unread(obj: Any) -> bool:
    """A stand-in not read yet. Nothing inside it exists as an object yet, so nothing
    inside it is any object the build knows by identity."""
    return type(obj) in _stand_in_kinds


def kept_fields(obj: Any) -> dict[str, Any]:
    """The KEPT fields of an item or a block, read."""
    return {name: getattr(obj, name) for name in KEPT if hasattr(obj, name)}


def part_of(item: Any, name: str, kind: type, kept: dict[str, Any]) -> Any:
    """item.<name> (an object of class `kind`, such as a release's event block, whose KEPT
    fields are `kept`) without reading the item: a stand-in for the block, which becomes
    the very object the item holds when either is read."""
    if type(item) not in _stand_in_kinds:
        return getattr(item, name)
    state = object.__getattribute__(item, "__dict__")
    parts = state.setdefault(_PARTS, {})
    block = parts.get(name)
    if block is None:
        block = parts[name] = object.__new__(_stand_in_class(kind))
        block_state = object.__getattribute__(block, "__dict__")
        block_state.update(kept)
        block_state[_WHOLE] = (item, name)
    return block


def item_class(kind: type) -> type:
    """The item's class, for the class of an item or of a stand-in for one."""
    return _real_class_of.get(kind, kind)


def _read(obj: Any) -> None:
    """Fill in the stand-in's fields from its bytes and give it the item's class; a block's
    stand-in, by reading its item."""
    state = object.__getattribute__(obj, "__dict__")
    data = state.get(_PICKLED)
    if data is None:
        whole = state.get(_WHOLE)
        if whole is not None:
            _read(whole[0])
        return
    item = pickle.loads(data)
    for name, block in state.get(_PARTS, {}).items():
        real = item.__dict__.get(name)
        if type(real) is not _real_class_of[type(block)]:
            raise LookupError(f"{item.source}: the cache gave out its {name}, which it does not have; delete .pressroom-cache/ and build again")
        _become(block, real)
        item.__dict__[name] = block
    _become(obj, item)


def _become(stand_in_: Any, real: Any) -> None:
    state = object.__getattribute__(stand_in_, "__dict__")
    state.clear()
    state.update(real.__dict__)
    object.__setattr__(stand_in_, "__class__", type(real))


def _read_then_get(self: Any, name: str) -> Any:
    if name in KEPT:
        state = object.__getattribute__(self, "__dict__")
        if name in state:
            return state[name]
    _read(self)
    return object.__getattribute__(self, name)


_stand_in_classes: dict[type, type] = {}
_real_class_of: dict[type, type] = {}
_stand_in_kinds: set[type] = set()


def _stand_in_class(kind: type) -> type:
    found = _stand_in_classes.get(kind)
    if found is None:
        # The item's name and module: what names a class (in fingerprints, in messages) is
        # the same for the stand-in as for the item it stands for.
        namespace = {"__getattribute__": _read_then_get, "__module__": kind.__module__, "__qualname__": kind.__qualname__}
        found = _stand_in_classes[kind] = type(kind.__name__, (kind,), namespace)
        _real_class_of[found] = kind
        _stand_in_kinds.add(found)
    return found
