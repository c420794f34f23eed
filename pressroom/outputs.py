"""Making the output files: only those whose inputs changed, in the worker pool when many.

Each product (a page from a template, or any other function that returns files) gets a
key: a fingerprint of its own inputs, of every site attribute and template it read when it
was last made, and of Pressroom's code. A product whose key, `now` window and files on disk
are as the previous build left them is not made again. Made products are staged (written
only when their bytes differ from the output's) and remembered with what they read.

Checking ten thousand products must take a fraction of a second, so this module counts
its steps: one hash per product, shared values summed up once per build.
"""

from __future__ import annotations

import itertools
import operator
import os
from dataclasses import dataclass
from types import MappingProxyType
from datetime import datetime
from pathlib import Path
from typing import Any, Callable, Iterable, NamedTuple, Sequence

import jinja2

from pressroom import workers
from pressroom.depend import (
    FULL, Fingerprints, Html, Unfingerprintable, Window, digest, field_names, hash_of, note_template, real, recording,
    site_shape, utc, watch_inputs,
)
from pressroom.errors import BuildFailed, SiteError
from pressroom.lazy import unread
from pressroom.urls import find_collisions
from pressroom.write import FileState, Staging, stage_file

POOL_MINIMUM = 64  # fewer products than this are made in the building process
MAX_ERRORS = 20


@dataclass(frozen=True)
class Product:
    """Output files made by one call: make(env, spec, inputs) -> {path: bytes}.

    `spec` (a RenderJob) is summed up in full, except where it holds `inputs` (the job's
    context): of those, only what make() reads counts."""

    id: str
    spec: Any
    inputs: dict[str, Any]
    make: Callable[[jinja2.Environment, Any, dict[str, Any]], dict[str, bytes]]


class Reads(NamedTuple):
    """What a product read: of the site, of its inputs (see depend.Node.shape), templates."""

    site: tuple
    inputs: tuple
    templates: tuple[str, ...]


class Made(NamedTuple):
    """What a product was made from, and the files it left in the output."""

    key: bytes
    reads: Reads
    window: Window
    files: tuple[tuple[str, FileState], ...]
    shows: frozenset[str] | None = None  # the content files of the items it shows (see Shown.of), if known


def tracking_templates(env: jinja2.Environment, compiled: Path | None = None) -> jinja2.Environment:
    """Note every template a render loads (extends, include, import) as a read; keep the
    compiled templates in `compiled` (a folder of the cache), so a rebuild need not compile."""
    get_template, select_template = env.get_template, env.select_template

    def get(name, parent=None, globals=None):
        if isinstance(name, str):
            note_template(name)
        return get_template(name, parent, globals)

    def select(names, parent=None, globals=None):
        for name in names:
            if isinstance(name, str):
                note_template(name)
        return select_template(names, parent, globals)

    env.get_template, env.select_template = get, select
    env.auto_reload = False  # one build sees one version of each template
    if compiled is not None:
        try:
            compiled.mkdir(parents=True, exist_ok=True)
            if os.access(compiled, os.W_OK):
                env.bytecode_cache = jinja2.FileSystemBytecodeCache(str(compiled))
        except OSError:
            pass
    return env


class Keys:
    """Keys of products, computed in the building process for this build's site."""

    def __init__(self, site: Any, env: jinja2.Environment, salt: bytes, fingerprints: Fingerprints):
        self.site, self.env, self.fp = real(site), env, fingerprints
        self._known = fingerprints.registered
        self.salt = digest(salt, self._globals())
        self._site_reads: dict[int, bytes | None] = {}
        self._templates: dict[tuple[str, ...], bytes] = {}
        self._interned: dict[Any, Any] = {}

    def _globals(self) -> bytes:
        """Values (not functions) the templates see besides the site, such as config."""
        values = {name: value for name, value in self.env.globals.items() if name != "site" and not callable(value)}
        return self.fp.of(values)

    def intern(self, value: Any) -> Any:
        """One object for equal values: what is summed up is remembered by object."""
        return self._interned.setdefault(value, value)

    def of(self, product: Product, reads: Reads) -> bytes | None:
        out = [self.salt]
        try:
            self.put_spec(product, out)
            for name, shape in reads.inputs:
                out.append(name.encode())
                self.project(product.inputs.get(name), shape, out)
            out.append(self.site_read(reads.site))
        except Unfingerprintable:
            return None
        out.append(self.templates(reads.templates))
        return hash_of(b"".join(out))

    def put_spec(self, product: Product, out: list[bytes]) -> None:
        spec = product.spec
        names = field_names(type(spec))
        if not names:
            self.fp.put(spec, out)
            return
        put = self.fp.put
        for name in names:
            value = getattr(spec, name)
            if type(value) is str:  # the usual case, without a call
                data = value.encode("utf-8", "surrogatepass")
                out += (b"s%d:" % len(data), data)
            elif value is not product.inputs:
                put(value, out)

    def site_read(self, shape: tuple) -> bytes:
        """What a product read of the site, summed up once per build for each shape."""
        found = self._site_reads.get(id(shape))
        if found is None:
            out: list[bytes] = []
            if shape == FULL:
                self.fp.put(real_fields(self.site), out)
            else:
                for name, sub in shape:
                    out.append(name.encode())
                    try:
                        self.project(getattr(self.site, name), sub, out)
                    except AttributeError:
                        out.append(b"-")
            found = self._site_reads[id(shape)] = hash_of(b"".join(out))
            self._interned.setdefault(("shape", id(shape)), shape)  # keeps the id taken
        return found

    def project(self, value: Any, shape: tuple, out: list[bytes]) -> None:
        """Only the parts of `value` that `shape` says were read. A parsed item counts
        whole: its key is at hand, and one changed file changes few outputs anyway."""
        known = self._known.get(id(value))
        if known is not None and known[0] is value:
            out += (b"k", known[1])
        elif shape is FULL or shape == FULL:
            if type(value) is str:
                data = value.encode("utf-8", "surrogatepass")
                out += (b"s%d:" % len(data), data)
            else:
                self.fp.put(value, out)
        elif type(value) is tuple:
            _, items, length = shape
            out.append(b"(%d" % len(value) if length else b"(")
            if items is not None:
                registered = self._known
                for item in value:
                    known = registered.get(id(item))
                    if known is not None and known[0] is item:
                        out += (b"k", known[1])
                    else:
                        self.project(item, items, out)
            out.append(b")")
        elif field_names(type(value)):
            out.append(b"{")
            for name, sub in shape[0]:
                out.append(name.encode())
                try:
                    self.project(getattr(value, name), sub, out)
                except AttributeError:
                    out.append(b"-")
            out.append(b"}")
        else:
            self.fp.put(value, out)

    def templates(self, names: tuple[str, ...]) -> bytes:
        found = self._templates.get(names)
        if found is None:
            parts = []
            for name in names:
                try:
                    source, _, _ = self.env.loader.get_source(self.env, name)
                    parts += [name, source]
                except jinja2.TemplateNotFound:
                    parts += [name, "(missing)"]
            found = self._templates[names] = digest(*parts)
        return found


_PLAIN = frozenset({str, int, bool, float, type(None), datetime, Html})  # never hold a parsed item


class Shown:
    """Which parsed items a product shows: those met on the walk Keys.of makes through what
    it read (its spec whole, its inputs and the site along the shapes it read), named as in
    `names` (id -> (item, content file)). A product's key can change with an edit of the
    text of an item only if it shows that item (see edits.py: such an edit leaves the rest
    of the index as it was), so outputs.Reach asks this instead of summing keys up.

    Made.shows keeps the answer for spec and inputs; the site's part is asked per shape, as
    a page that reads every release would otherwise name ten thousand of them."""

    def __init__(self, site: Any, names: dict[int, tuple[Any, str]]):
        self.site = real(site)
        self._names = names
        self._site_reads: dict[int, tuple[tuple, frozenset[str]]] = {}
        self._seen: dict[int, tuple[Any, frozenset[str]]] = {}

    def of(self, product: Product, reads: Reads) -> frozenset[str]:
        """The items the product's spec holds, and those it read of its inputs."""
        found: set[str] = set()
        spec, inputs = product.spec, product.inputs
        names = field_names(type(spec))
        if not names:
            found |= self.anywhere(spec)
        for name in names:
            value = getattr(spec, name)
            if type(value) not in _PLAIN and value is not inputs:
                found |= self.anywhere(value)
        known = self._names
        for name, shape in reads.inputs:
            value = inputs.get(name)
            item = known.get(id(value))
            if item is not None and item[0] is value:
                found.add(item[1])
            elif type(value) not in _PLAIN:
                self.along(value, shape, found)
        return frozenset(found)

    def of_site(self, shape: tuple) -> frozenset[str]:
        """The items a product that read `shape` of the site read, once per shape."""
        cached = self._site_reads.get(id(shape))
        if cached is None or cached[0] is not shape:
            if shape == FULL:
                found = set().union(*(self.anywhere(value) for value in real_fields(self.site).values()))
            else:
                found = set()
                for name, sub in shape:
                    self.along(getattr(self.site, name, None), sub, found)
            cached = self._site_reads[id(shape)] = (shape, frozenset(found))
        return cached[1]

    def along(self, value: Any, shape: tuple, found: set[str]) -> None:
        """As Keys.project walks."""
        known = self._names
        item = known.get(id(value))
        if item is not None and item[0] is value:
            found.add(item[1])
        elif shape is FULL or shape == FULL:
            found |= self.anywhere(value)
        elif type(value) is tuple:
            items = shape[1]
            if items is None:
                return
            for member in value:  # mostly parsed items: named here, without a call each
                item = known.get(id(member))
                if item is not None and item[0] is member:
                    found.add(item[1])
                elif type(member) not in _PLAIN:
                    self.along(member, items, found)
        elif unread(value):
            return  # (and its name, if it has one, was looked up above)
        elif field_names(type(value)):
            for name, sub in shape[0]:
                member = getattr(value, name, None)
                if type(member) not in _PLAIN:
                    self.along(member, sub, found)
        else:
            found |= self.anywhere(value)

    def anywhere(self, value: Any) -> frozenset[str]:
        """As Fingerprints.put walks: into everything."""
        kind = type(value)
        if kind in _PLAIN:
            return _NO_ITEMS
        seen = self._seen.get(id(value))
        if seen is not None and seen[0] is value:
            return seen[1]
        item = self._names.get(id(value))
        if item is not None and item[0] is value:
            answer = frozenset((item[1],))
        elif unread(value):
            answer = _NO_ITEMS
        elif field_names(kind):
            answer = _NO_ITEMS.union(*(self.anywhere(getattr(value, name)) for name in field_names(kind)))
        elif isinstance(value, (dict, MappingProxyType)):
            answer = _NO_ITEMS.union(*(self.anywhere(k) | self.anywhere(v) for k, v in value.items()))
        elif isinstance(value, (tuple, list, set, frozenset)):
            answer = _NO_ITEMS.union(*(self.anywhere(member) for member in value))
        else:
            answer = _NO_ITEMS  # text, numbers, moments: no parsed item inside
        self._seen[id(value)] = (value, answer)
        return answer


_NO_ITEMS: frozenset[str] = frozenset()


class Reach:
    """Whether a product's key could have changed because the text of some items changed
    (see edits.py): only if it shows one of them (see Shown), which Made.shows tells
    without a walk for every product made since Pressroom last changed."""

    def __init__(self, shown: Shown, items: Iterable[str]):
        self.shown = shown
        self.items = frozenset(items)

    def unaffected(self, product: Product | None, made: Made) -> bool:
        """Made's key is still the product's key (never for one that had none). The product
        is needed only where Made does not tell what it shows."""
        if not made.key or not self.items.isdisjoint(self.shown.of_site(made.reads.site)):
            return False
        shows = made.shows if made.shows is not None else self.shown.of(product, made.reads)
        return self.items.isdisjoint(shows)

    def untouched(self, previous: dict[str, Made], now_utc: datetime) -> dict[str, Made]:
        """Those of `previous` whose window holds at `now_utc` and that unaffected() keeps,
        where Made tells what each shows; in one pass that judges each read of the site once
        (they are shared): 15,000 calls of unaffected() took 40-60 ms."""
        items, of_site = self.items, self.shown.of_site
        clear: dict[int, bool] = {}
        kept = {}
        for pid, made in previous.items():
            key, reads, window, _, shows = made
            if key and shows is not None and items.isdisjoint(shows):
                free = clear.get(id(reads.site))
                if free is None:
                    free = clear[id(reads.site)] = items.isdisjoint(of_site(reads.site))
                if free and window.holds_utc(now_utc):
                    kept[pid] = made
        return kept


def real_fields(site: Any) -> dict[str, Any]:
    """All of the site, as a product that used it whole may have."""
    return {name: getattr(site, name) for name in field_names(type(site))}


def check_collisions(claims: list[tuple[str, str, int | None]]) -> None:
    errors = find_collisions(claims)
    if errors:
        raise BuildFailed(errors)


def make_outputs(
    products: Sequence[Product],
    previous: dict[str, Made],
    existing: dict[str, FileState],
    keys: Keys,
    staging: Staging,
    now: datetime,
    share: dict[str, Any],
    unaffected: Callable[[Product, Made], bool] | None = None,
    shown: Shown | None = None,
    kept: dict[str, Made] | None = None,
) -> dict[str, Made]:
    """Keep what is still good, make the rest; every file ends up recorded in `staging`.
    `share` is what makers find with workers.shared() (such as the site). `unaffected`
    tells, where it can, that a product's key is as before without computing it; `shown`
    names the items each product made shows, for a later build's Reach. `kept` are outputs
    known to be good without their products (see unaffected_outputs)."""
    made: dict[str, Made] = {}
    for pid, old in (kept or {}).items():
        made[pid] = old
        for rel, state in old.files:
            staging.keep(rel, state)
    todo: list[int] = []
    now_utc = utc(now)
    for index, product in enumerate(products):
        old = previous.get(product.id)
        if (old is not None and old.window.holds_utc(now_utc) and ((unaffected is not None and unaffected(product, old)) or keys.of(product, old.reads) == old.key)
                and in_place(old, existing)):
            made[product.id] = old
            for rel, state in old.files:
                staging.keep(rel, state)
            continue
        todo.append(index)
    share = {**share, "products": products, "env": keys.env, "now": now, "staging": staging}
    errors: list[SiteError] = []
    for results in workers.run_chunks(make_chunk, todo, share=share, minimum=POOL_MINIMUM):
        for index, files, reads, window, problems in results:
            if problems:
                errors.extend(problems)
                continue
            product = products[index]
            reads = keys.intern(Reads(keys.intern(reads[0]), keys.intern(reads[1]), keys.intern(reads[2])))
            for rel, (changed, state) in files.items():
                staging.record(rel, changed, state)
            key = keys.of(product, reads) or b""
            shows = shown.of(product, reads) if shown is not None else None
            made[product.id] = Made(key, reads, keys.intern(window), tuple((rel, state) for rel, (_, state) in files.items()), shows)
        if len(errors) >= MAX_ERRORS:
            break
    if errors:
        raise BuildFailed(errors)
    return made


def unaffected_outputs(previous: dict[str, Made], existing: dict[str, FileState], now: datetime, reach: Reach) -> dict[str, Made]:
    """The outputs of the last build that an edit of text leaves as they were: their window
    holds, Reach says so from what each shows (Made.shows), their files are in place. A
    rebuild keeps them without planning them: at ten thousand releases, planning all the
    outputs costs more than making the dozen an edit changes."""
    kept = reach.untouched(previous, utc(now))
    files = dict(itertools.chain.from_iterable(map(operator.attrgetter("files"), previous.values())))
    if files.items() <= existing.items():  # mostly: no file was moved (compared without a Python loop)
        return kept
    return {pid: old for pid, old in kept.items() if in_place(old, existing)}


def in_place(made: Made, existing: dict[str, FileState]) -> bool:
    """The output's files are as the build that made it left them."""
    return all(existing.get(rel) == state for rel, state in made.files)


def make_chunk(indices: Sequence[int]) -> list[tuple]:
    """Runs in a worker (or in the building process): make, record the reads, stage."""
    products: Sequence[Product] = workers.shared("products")
    env = workers.shared("env")
    now = workers.shared("now")
    staging: Staging = workers.shared("staging")
    results = []
    failures = 0
    for index in indices:
        product = products[index]
        with recording() as reads:
            try:
                files = product.make(env, product.spec, watch_inputs(product.inputs, reads))
            except BuildFailed as failure:
                results.append((index, None, None, None, failure.errors))
                failures += 1
                if failures >= MAX_ERRORS:
                    break
                continue
        staged = {rel: stage_file(staging.path, staging.output_dir, staging.fresh, rel, data) for rel, data in files.items()}
        shapes = (site_shape(reads), reads.inputs.attr_shapes(), tuple(sorted(reads.templates)))
        results.append((index, staged, shapes, Window.of(now, reads), ()))
    return results


def pack(made: dict[str, Made]) -> tuple:
    """For the cache, in columns: ten thousand products pickle as a few long lists, and
    what many share (reads, windows) is stored once."""
    reads: dict[Reads, int] = {}
    windows: dict[Window, int] = {}
    keys, read_of, window_of, sizes, mtimes, other_files = [], [], [], [], [], {}
    shows = [m.shows for m in made.values()]  # the names are the entries' own strings: pickled once each
    for pid, m in made.items():
        keys.append(m.key.ljust(16, b"\0")[:16])
        read_of.append(reads.setdefault(m.reads, len(reads)))
        window_of.append(windows.setdefault(m.window, len(windows)))
        if len(m.files) == 1 and m.files[0][0] == pid:
            sizes.append(m.files[0][1][0])
            mtimes.append(m.files[0][1][1])
        else:
            sizes.append(-1)
            mtimes.append(0)
            other_files[pid] = m.files
    return (list(made), b"".join(keys), [tuple(r) for r in reads], read_of, list(windows), window_of, sizes, mtimes, other_files, shows)


def unpack(packed: Any) -> dict[str, Made]:
    try:
        ids, keys, reads, read_of, windows, window_of, sizes, mtimes, other_files, shows = packed
        reads = [Reads(*r) for r in reads]
        files = [((pid, (size, mtime)),) if size >= 0 else other_files[pid] for pid, size, mtime in zip(ids, sizes, mtimes, strict=True)]
        key_of = [keys[i : i + 16] for i in range(0, 16 * len(ids), 16)]
        made = map(Made._make, zip(key_of, map(reads.__getitem__, read_of), map(windows.__getitem__, window_of), files, shows, strict=True))
        return dict(zip(ids, made))  # column by column: 15,000 records in two thirds of the time of a loop
    except (TypeError, ValueError, IndexError, KeyError):
        return {}
