"""Dependencies: what each output was made from, so a rebuild redoes only what changed.

Every output of a build is a function of values: its own inputs (a RenderJob's template,
URL and context), whatever it read from the site index while it was made, the templates it
loaded, and the build's `now`. Values are summed up as fingerprints (a hash of their
content, so equal values have equal fingerprints in every process and every build). Reads
are recorded while an output is made: attributes of the site through `TrackedSite`, and
comparisons with `now` through `TrackedNow`, so a page that only asks "is this release
dated before now?" depends on the answer, not on the clock. If everything an output read
last time is unchanged, making it again would read the same and give the same bytes.
"""

from __future__ import annotations

import contextvars
import dataclasses
import enum
import hashlib
import zlib
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta, timezone, tzinfo
from pathlib import PurePath
from types import MappingProxyType
from typing import Any, Callable, Iterable, Iterator

DIGEST_SIZE = 16


def digest(*parts: bytes | str) -> bytes:
    """A short stable hash of some bytes or text; parts are length-prefixed, never ambiguous."""
    h = hashlib.blake2b(digest_size=DIGEST_SIZE)
    for part in parts:
        data = part.encode("utf-8", "surrogatepass") if isinstance(part, str) else part
        h.update(b"%d:" % len(data))
        h.update(data)
    return h.digest()


class Html:
    """Converted Markdown, held zlib-compressed, or only named by its digest once a store
    (the build cache) keeps the bytes: ten thousand release bodies need not be in memory.

    Templates use it like a string of HTML (`{{ release.body_html | safe }}`); Python code
    that needs the text calls str(). It is deliberately not a str, so code that would
    silently treat it as one fails loudly instead."""

    __slots__ = ("data", "digest", "store")

    def __init__(self, data: bytes | None, digest_: bytes, store: Any = None):
        self.data = data  # zlib-compressed UTF-8, or None when `store` has it
        self.digest = digest_
        self.store = store  # anything with load(digest) -> compressed bytes

    @classmethod
    def of(cls, text: str) -> Html:
        raw = text.encode("utf-8", "surrogatepass")
        return cls(zlib.compress(raw, 1), digest(raw))

    def stored_in(self, store: Any) -> None:
        """Let `store` (which now has the bytes) keep them."""
        self.data, self.store = None, store

    def __str__(self) -> str:
        data = self.data if self.data is not None else self.store.load(self.digest)
        return zlib.decompress(data).decode("utf-8", "surrogatepass")

    __html__ = __str__

    def __bool__(self) -> bool:
        return self.digest != _EMPTY_DIGEST

    def __eq__(self, other: object) -> bool:
        if isinstance(other, Html):
            return self.digest == other.digest
        if isinstance(other, str):
            return str(self) == other
        return NotImplemented

    def __hash__(self) -> int:
        return hash(self.digest)

    def __repr__(self) -> str:
        return f"Html({self.digest.hex()[:12]})"

    def __reduce__(self):
        return (Html, (self.data, self.digest, self.store))


_EMPTY_DIGEST = digest(b"")


def htmls(item: Any) -> Iterator[Html]:
    """Every Html inside a model object (as compact() placed them)."""
    for name in field_names(type(item)):
        value = getattr(item, name)
        if type(value) is Html:
            yield value
        elif field_names(type(value)):
            yield from htmls(value)
        elif type(value) is tuple:
            for member in value:
                yield from htmls(member)


def compact(item: Any, html_of: Callable[[str], Html] = Html.of) -> Any:
    """The same model object with every `body_html` text held as Html (recursively)."""
    if not dataclasses.is_dataclass(item) or isinstance(item, type):
        return item
    changes = {}
    for f in dataclasses.fields(item):
        value = getattr(item, f.name)
        if f.name == "body_html" and isinstance(value, str):
            changes[f.name] = html_of(value)
        elif dataclasses.is_dataclass(value) and not isinstance(value, type):
            new = compact(value, html_of)
            if new is not value:
                changes[f.name] = new
        elif isinstance(value, tuple) and value and dataclasses.is_dataclass(value[0]):
            new_items = tuple(compact(v, html_of) for v in value)
            if any(a is not b for a, b in zip(new_items, value)):
                changes[f.name] = new_items
    return dataclasses.replace(item, **changes) if changes else item


class Unfingerprintable(Exception):
    """A value whose content cannot be summed up: whatever read it is always rebuilt."""


_SCALARS = (int, float, bool, type(None), complex)
_REPRS = (datetime, date, time, timedelta, timezone, tzinfo)


def hash_of(data: bytes) -> bytes:
    return hashlib.blake2b(data, digest_size=DIGEST_SIZE).digest()


class Fingerprints:
    """Fingerprints of values within one build, remembered by object (values are immutable).

    Objects parsed from a file are registered with the key of that file (its content and
    everything that went into parsing it), so they need not be walked field by field.
    put() writes a value's unambiguous encoding into a list of bytes, so a caller can sum
    up many values with one hash."""

    def __init__(self) -> None:
        self._known: dict[int, tuple[Any, bytes]] = {}  # registered, and remembered
        self.registered: dict[int, tuple[Any, bytes]] = {}  # id -> (object, key)

    def register_all(self, pairs: Iterable[tuple[Any, bytes]]) -> None:
        """Know each object of the (object, key) pairs by its key (the parsed items, by the
        keys of their content files), ten thousand at once."""
        found = {id(obj): (obj, key) for obj, key in pairs}
        self._known.update(found)
        self.registered.update(found)

    def known(self, obj: Any) -> bytes | None:
        """The key an object was registered with, or None."""
        found = self.registered.get(id(obj))
        return found[1] if found is not None and found[0] is obj else None

    def of(self, value: Any) -> bytes:
        known = self._known.get(id(value))
        if known is not None and known[0] is value:
            return known[1]
        out: list[bytes] = []
        self._encode(value, out)
        result = hash_of(b"".join(out))
        if _worth_remembering(value):
            self._known[id(value)] = (value, result)
        return result

    def put(self, value: Any, out: list[bytes]) -> None:
        kind = type(value)
        if kind is str:
            data = value.encode("utf-8", "surrogatepass")
            out.append(b"s%d:" % len(data))
            out.append(data)
        elif kind is int or kind is bool or value is None:
            out.append(b"n%r;" % value)
        elif kind is datetime:  # dates are everywhere in specs; spared the walk below
            out.append(b"t%s|%s;" % (value.isoformat().encode(), str(value.tzinfo).encode()))
        else:
            known = self._known.get(id(value))
            if known is not None and known[0] is value:
                out.append(b"k")
                out.append(known[1])
            elif _worth_remembering(value):
                out.append(b"k")
                out.append(self.of(value))
            else:
                self._encode(value, out)

    def _encode(self, value: Any, out: list[bytes]) -> None:
        kind = type(value)
        put = self.put
        if kind is tuple or kind is list:
            out.append(b"(%d" % len(value))
            for item in value:
                put(item, out)
            out.append(b")")
        elif kind is Html:
            out.append(b"h")
            out.append(value.digest)
        elif _field_count(kind):
            out.append(b"d" + _qualname(kind).encode() + b"{")
            for name in field_names(kind):
                put(getattr(value, name), out)
            out.append(b"}")
        elif kind is str or kind is int or kind is bool or value is None:
            put(value, out)
        elif kind in _SCALARS:
            out.append(b"n" + repr(value).encode() + b";")
        elif isinstance(value, (dict, MappingProxyType)):
            items = sorted(self._encoded(k) + self._encoded(v) for k, v in value.items())
            out.append(b"{%d" % len(items))
            out.extend(items)
            out.append(b"}")
        elif isinstance(value, (set, frozenset)):
            members = sorted(self._encoded(v) for v in value)
            out.append(b"<%d" % len(members) + b"".join(members) + b">")
        elif isinstance(value, str):  # Markup and other str subclasses
            out.append(b"S" + _qualname(kind).encode() + b":")
            put(str.__str__(value), out)
        elif isinstance(value, (tuple, list)):  # named tuples
            out.append(b"T" + _qualname(kind).encode())
            self._encode(tuple(value), out)
        elif isinstance(value, _REPRS):
            out.append(b"r" + _qualname(kind).encode() + _moment_repr(value).encode() + b";")
        elif isinstance(value, enum.Enum):
            out.append(b"e" + _qualname(kind).encode() + b"." + value.name.encode() + b";")
        elif isinstance(value, (bytes, PurePath)):
            out.append(b"b" + repr(value).encode() + b";")
        else:
            raise Unfingerprintable(kind.__name__)

    def _encoded(self, value: Any) -> bytes:
        """One value's encoding, length-prefixed, for sorting the members of a dict or set."""
        out: list[bytes] = []
        self.put(value, out)
        data = b"".join(out)
        return b"%d:" % len(data) + data


def _worth_remembering(value: Any) -> bool:
    """Big or shared values are remembered; small throwaway ones are cheaper to redo."""
    kind = type(value)
    if kind is tuple or kind is list:
        return len(value) > 32
    return _field_count(kind) > 4


_field_names_of: dict[type, tuple[str, ...]] = {}


def field_names(kind: type) -> tuple[str, ...]:
    """The fields of a dataclass, in order; () for any other type."""
    names = _field_names_of.get(kind)
    if names is None:
        fields = getattr(kind, "__dataclass_fields__", None)
        names = tuple(f.name for f in dataclasses.fields(kind)) if isinstance(fields, dict) else ()
        _field_names_of[kind] = names
    return names


_field_counts: dict[type, int] = {}


def _field_count(kind: type) -> int:
    """How many fields a dataclass has; 0 for anything else."""
    count = _field_counts.get(kind)
    if count is None:
        fields = getattr(kind, "__dataclass_fields__", None)
        count = _field_counts[kind] = len(fields) if isinstance(fields, dict) and fields else 0
    return count


def is_dataclass_object(value: Any) -> bool:
    return _field_count(type(value)) > 0


def _qualname(kind: type) -> str:
    return f"{kind.__module__}.{kind.__qualname__}"


def _moment_repr(value: Any) -> str:
    if isinstance(value, datetime):
        return repr(plain(value))  # TrackedNow's own repr would record a read
    return repr(value)


# ----------------------------------------------------------------------------- recording


FULL: tuple = ("full",)


class Node:
    __slots__ = ("attrs", "items", "length", "full")

    def __init__(self) -> None:
        self.attrs: dict[str, Node] | None = None
        self.items: Node | None = None
        self.length = False
        self.full = False

    def attr(self, name: str) -> Node:
        if self.attrs is None:
            self.attrs = {}
        node = self.attrs.get(name)
        if node is None:
            node = self.attrs[name] = Node()
        return node

    def item(self) -> Node:
        if self.items is None:
            self.items = Node()
        return self.items

    def shape(self) -> tuple:
        """A hashable summary: FULL, or (sorted (name, shape) pairs, shape of items, length).
        A watched object whose node stayed empty was only passed around, never looked into."""
        if self.full:
            return FULL
        return (self.attr_shapes(), self.items.shape() if self.items is not None else None, self.length)

    def attr_shapes(self) -> tuple:
        return tuple(sorted((name, node.shape()) for name, node in (self.attrs or {}).items()))


@dataclass
class Reads:
    """What one output read while it was made."""

    site: Node = field(default_factory=Node)  # what was read of the site, how deep
    inputs: Node = field(default_factory=Node)  # what was read of the output's own inputs
    templates: set[str] = field(default_factory=set)
    moments: list[datetime] = field(default_factory=list)  # compared with `now`
    exact_now: bool = False  # `now` itself was used (printed, added to, ...)


_current: contextvars.ContextVar[Reads | None] = contextvars.ContextVar("pressroom_reads", default=None)


class recording:
    """`with recording() as reads:` collects what the code inside reads."""

    def __enter__(self) -> Reads:
        self.reads = Reads()
        self._token = _current.set(self.reads)
        return self.reads

    def __exit__(self, *exc: object) -> None:
        _current.reset(self._token)


def note_template(name: str) -> None:
    reads = _current.get()
    if reads is not None:
        reads.templates.add(name)


def _note_exact() -> None:
    reads = _current.get()
    if reads is not None:
        reads.exact_now = True


def _note_moment(other: Any) -> None:
    reads = _current.get()
    if reads is None:
        return
    if isinstance(other, datetime) and other.tzinfo is not None:
        reads.moments.append(other)
    else:
        reads.exact_now = True


def _compare(op):
    base = getattr(datetime, op)

    def compare(self, other):
        _note_moment(other)
        return base(plain(self), other)

    compare.__name__ = op
    return compare


class TrackedNow(datetime):
    """The build's `now`, recording how it is used: comparisons note the moment compared
    with (so the answer can be checked against a later `now`); any other use means the
    output depends on the exact moment."""

    @classmethod
    def of(cls, moment: datetime) -> TrackedNow:
        now = cls(*_fields(moment), fold=datetime.__getattribute__(moment, "fold"))
        now._plain = plain(moment)
        return now

    __lt__, __le__, __gt__, __ge__ = _compare("__lt__"), _compare("__le__"), _compare("__gt__"), _compare("__ge__")
    __eq__, __ne__ = _compare("__eq__"), _compare("__ne__")

    def __hash__(self) -> int:
        _note_exact()
        return hash(plain(self))

    def astimezone(self, tz: tzinfo | None = None) -> TrackedNow:
        """The same instant elsewhere: comparisons with it are still only comparisons."""
        return TrackedNow.of(datetime.astimezone(plain(self), tz))

    def __getattribute__(self, name: str) -> Any:
        if name[0] != "_" and name != "astimezone":
            _note_exact()
        return datetime.__getattribute__(self, name)

    def __format__(self, spec: str) -> str:
        _note_exact()
        return format(plain(self), spec)

    def __str__(self) -> str:
        _note_exact()
        return str(plain(self))

    def __repr__(self) -> str:
        _note_exact()
        return repr(plain(self))

    def __add__(self, other):
        _note_exact()
        return plain(self) + other

    __radd__ = __add__

    def __sub__(self, other):
        _note_exact()
        return plain(self) - other

    def __rsub__(self, other):
        _note_exact()
        return other - plain(self)

    def __reduce__(self):
        return (TrackedNow.of, (plain(self),))


def _whole_tuple(value: Any) -> tuple:
    """A tuple added to a watched one, read whole, as the watched one is (without watching
    each member on the way)."""
    return value._whole() if type(value) is WatchedTuple else tuple(value)


def plain(moment: datetime) -> datetime:
    """A plain datetime with the same value, whose use is not recorded."""
    if type(moment) is datetime:
        return moment
    cached = getattr(moment, "_plain", None) if type(moment) is TrackedNow else None
    if cached is not None:
        return cached
    return datetime(*_fields(moment), fold=datetime.__getattribute__(moment, "fold"))


def _fields(moment: datetime) -> tuple:
    get = datetime.__getattribute__
    return tuple(get(moment, name) for name in ("year", "month", "day", "hour", "minute", "second", "microsecond", "tzinfo"))


# ----------------------------------------------------------------- what was read, how deep
#
# Reads of the site are recorded as a tree of Nodes: "site.years, the length of each year's
# releases, and each year's url" is years -> items -> {releases -> length, url}. A node
# with nothing below it stands for the whole value. An edit to a release then changes the
# pages that show that release, not every page that counts releases per year.

def _watch(value: Any, node: Node) -> Any:
    """The value, watched through `node` if it is an object or a tuple worth looking into."""
    kind = type(value)
    if kind in _leaf_kinds:  # most reads: text, numbers, dates
        node.full = True
        return value
    value = real(value)  # already watched (a property returned what it read): watch anew
    kind = type(value)
    if kind is tuple:
        return WatchedTuple(value, node)
    if hasattr(kind, "__dataclass_fields__"):
        if not isinstance(value, type):
            return _watched_class(kind)._wrap(value, node)
    else:
        _leaf_kinds.add(kind)
    node.full = True  # text, numbers, dates...: used as they are
    return value


_leaf_kinds: set[type] = set()  # kinds of values that are used as they are (not tuples nor dataclasses)


class WatchedTuple(tuple):
    """A tuple that notes whether its length or its items were used."""

    def __new__(cls, items: tuple, node: Node):
        self = tuple.__new__(cls, items)
        self._node = node
        return self

    def __len__(self) -> int:
        self._node.length = True
        return tuple.__len__(self)

    def __iter__(self):
        node = self._node.item()
        for item in tuple.__iter__(self):
            yield _watch(item, node)

    def __reversed__(self):
        node = self._node.item()
        for item in reversed(tuple(tuple.__iter__(self))):
            yield _watch(item, node)

    def __getitem__(self, index):
        self._node.length = True  # which item, or how many, depends on the length
        if isinstance(index, slice):
            return WatchedTuple(tuple.__getitem__(self, index), self._node)
        return _watch(tuple.__getitem__(self, index), self._node.item())

    def _whole(self) -> tuple:
        self._node.full = True
        return tuple(tuple.__iter__(self))

    def __contains__(self, value) -> bool:
        return value in self._whole()

    def __eq__(self, other) -> bool:
        return self._whole() == (other._whole() if type(other) is WatchedTuple else other)

    def __ne__(self, other) -> bool:
        return not self == other

    def __hash__(self) -> int:
        return hash(self._whole())

    def __lt__(self, other):
        return self._whole() < other

    def __le__(self, other):
        return self._whole() <= other

    def __gt__(self, other):
        return self._whole() > other

    def __ge__(self, other):
        return self._whole() >= other

    def __add__(self, other):
        return self._whole() + _whole_tuple(other)

    def __radd__(self, other):
        return _whole_tuple(other) + self._whole()

    def __mul__(self, count):
        return self._whole() * count

    __rmul__ = __mul__

    def count(self, value) -> int:
        return self._whole().count(value)

    def index(self, *args) -> int:
        return self._whole().index(*args)

    def __repr__(self) -> str:
        return repr(self._whole())

    def __reduce__(self):
        return (tuple, (self._whole(),))


_watched_classes: dict[type, type] = {}
_CURRENT_ROOT: Any = Node()  # marks the site, which records into whatever output is being made


def _watched_class(kind: type) -> type:
    """A subclass of a dataclass whose attribute reads are noted in a Node."""
    watched = _watched_classes.get(kind)
    if watched is not None:
        return watched

    get = object.__getattribute__

    def _node_of(self) -> Node | None:
        node = object.__getattribute__(self, "_pressroom_node")
        if node is _CURRENT_ROOT:
            reads = _current.get()
            return reads.site if reads is not None else None
        return node

    def __getattribute__(self, name: str) -> Any:
        if name[0] == "_":
            if name == "__dict__":
                node = _node_of(self)
                if node is not None:
                    node.full = True
            return get(self, name)
        value = get(self, name)
        if callable(value) or isinstance(value, TrackedNow):
            return value  # a method notes what it reads itself; `now` notes how it is used
        node = get(self, "_pressroom_node")  # _node_of(self), without the call
        if node is _CURRENT_ROOT:
            reads = _current.get()
            node = reads.site if reads is not None else None
        return value if node is None else _watch(value, node.attr(name))

    def _whole(self) -> Any:
        node = _node_of(self)
        if node is not None:
            node.full = True
        return object.__getattribute__(self, "_pressroom_real")

    @classmethod
    def _wrap(cls, real: Any, node: Node | None) -> Any:
        self = object.__new__(cls)
        if hasattr(real, "__dict__"):
            object.__getattribute__(self, "__dict__").update(vars(real))
        else:
            for f in dataclasses.fields(real):
                object.__setattr__(self, f.name, getattr(real, f.name))
        object.__setattr__(self, "_pressroom_node", node)
        object.__setattr__(self, "_pressroom_real", real)
        return self

    namespace = {
        "__getattribute__": __getattribute__,
        "_wrap": _wrap,
        "__module__": kind.__module__,
        "__eq__": lambda self, other: _whole(self) == (_whole(other) if type(other) in _watched_kinds else other),
        "__ne__": lambda self, other: not self == other,
        "__hash__": lambda self: hash(_whole(self)),
        "__repr__": lambda self: repr(_whole(self)),
        "__str__": lambda self: str(_whole(self)),
        "__format__": lambda self, spec: format(_whole(self), spec),
        "__reduce_ex__": lambda self, protocol: _whole(self).__reduce_ex__(protocol),
    }
    watched = type(kind.__name__, (kind,), namespace)
    _watched_classes[kind] = watched
    _watched_kinds.add(watched)
    return watched


def tracked_site(site: Any) -> Any:
    """The site index, noting what each output reads of it (see Reads.site)."""
    return _watched_class(type(site))._wrap(site, _CURRENT_ROOT)


def real(value: Any) -> Any:
    """The value behind a watched one (for code that must not note reads)."""
    kind = type(value)
    if kind is WatchedTuple:
        return tuple(tuple.__iter__(value))
    if kind in _watched_kinds:
        return object.__getattribute__(value, "_pressroom_real")
    return value


_watched_kinds: set[type] = set()


def site_shape(reads: Reads) -> tuple:
    """What an output read of the site: FULL, or sorted (attribute, shape) pairs."""
    return FULL if reads.site.full else reads.site.attr_shapes()


def watch_inputs(inputs: dict[str, Any], reads: Reads) -> dict[str, Any]:
    """An output's own inputs, noting what it reads of them into `reads.inputs`."""
    return {name: _watch(value, reads.inputs.attr(name)) for name, value in inputs.items()}


# ------------------------------------------------------------------------- now windows


@dataclass(frozen=True)
class Window:
    """The moments `now` may move to without changing what an output read of it.

    Between two moments the output compared `now` with, every comparison gives the same
    answer. `exact` means the output used `now` itself and holds only for that moment."""

    now: datetime
    after: datetime | None = None  # the latest moment compared with, before `now`
    before: datetime | None = None  # the earliest moment compared with, after `now`
    exact: bool = False

    @classmethod
    def of(cls, now: datetime, reads: Reads) -> Window:
        now = utc(now)
        if reads.exact_now:
            return cls(now, exact=True)
        after = before = None
        for moment in reads.moments:
            moment = utc(moment)
            if moment == now:
                return cls(now, exact=True)
            if moment < now:
                after = moment if after is None or moment > after else after
            else:
                before = moment if before is None or moment < before else before
        return cls(now, after, before)

    def holds(self, now: datetime) -> bool:
        return self.holds_utc(utc(now))

    def holds_utc(self, now: datetime) -> bool:
        """holds() for a `now` already in UTC (see utc())."""
        if self.exact:
            return now == self.now
        return (self.after is None or now > self.after) and (self.before is None or now < self.before)

    def __and__(self, other: Window) -> Window:
        """Both windows at once (they are taken at the same `now`)."""
        if self.exact or other.exact:
            return Window(self.now, exact=True)
        return Window(self.now, _latest(self.after, other.after), _earliest(self.before, other.before))


def utc(moment: datetime) -> datetime:
    return plain(datetime.astimezone(moment, timezone.utc))


def _latest(a: datetime | None, b: datetime | None) -> datetime | None:
    return b if a is None else a if b is None else max(a, b)


def _earliest(a: datetime | None, b: datetime | None) -> datetime | None:
    return b if a is None else a if b is None else min(a, b)


def everything(windows: Iterator[Window], now: datetime) -> Window:
    result = Window(utc(now))
    for window in windows:
        result = result & window
    return result
