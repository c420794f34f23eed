"""The build, top to bottom: load -> parse and validate -> index -> render -> write.

All data is gathered and checked before anything is rendered, and everything is rendered
before the output changes, so a build either updates the whole site or nothing at all.

A build redoes only what changed since the previous one: content.py parses only changed
files, outputs.py remakes only outputs whose inputs changed, write.py writes only files
whose bytes changed. What a build keeps for the next lives in the Builder (the preview
server keeps one) and in the site's .pressroom-cache/ folder (for the command line). A
Builder told that only the text of items changed keeps its site index and list of outputs
too (see edits.py); the command line, which starts afresh, finds the same from the basis
its last build recorded (Basis), and works out keys only for the outputs that show the
edited items. A rebuild gives the same bytes as a clean build of the same site.
"""

from __future__ import annotations

import gc
import itertools
import operator
import os
import time
from dataclasses import dataclass, replace
from datetime import datetime
from pathlib import Path
from typing import Any, Callable, Collection, Iterable

from pressroom import calendars, edits, feeds, render, saved_index, seo, status, unchanged, workers
from pressroom.cache import Cache, code_salt
from pressroom.config import CONFIG_NAME, Config, parse_config
from pressroom.content import POOL_MINIMUM, Content, Entry, load_content, load_entries, parse_soon, probably_changed, rescan_content, save_entries, scan_content
from pressroom.depend import Fingerprints, TrackedNow, digest, htmls, tracked_site, utc
from pressroom.errors import BuildFailed, SiteError, sorted_problems
from pressroom.model import Event, Label, Page, Release
from pressroom.outputs import (
    Keys, Made, Product, Reach, Shown, check_collisions, make_outputs, pack, tracking_templates, unaffected_outputs, unpack,
)
from pressroom.parse import parse_event, parse_label, parse_page, parse_release
from pressroom.report import BuildReport
from pressroom.site import Site, build_index
from pressroom.source import list_files, read_source
from pressroom.unchanged import BUILD_INFO, LastBuild, build_now
from pressroom.write import FileState, OutputStates, Staging, build_lock, check_output_dir, clean_leftovers, scan_output, scan_output_soon

# Content folders and the parser for the files in each.
CONTENT = {
    "content/news": parse_release,
    "content/pages": parse_page,
    "content/events": parse_event,
    "content/labels": parse_label,
}


def load_config(site_dir: Path, base_url: str | None = None) -> Config:
    """pressroom.toml; `base_url` (already checked) replaces its base_url, for hosts that
    decide the address at deploy time (GitHub Pages, Netlify previews)."""
    path = site_dir / CONFIG_NAME
    if not path.is_file():
        raise BuildFailed([SiteError(CONFIG_NAME, None, "not found; is this a Pressroom site folder? Name the folder that holds pressroom.toml")])
    source = read_source(site_dir, path)
    if isinstance(source, SiteError):
        raise BuildFailed([source])
    config = parse_config(source.text, source.path)
    return replace(config, base_url=base_url) if base_url else config


def index_site(content: Content, config: Config, now: datetime, preview: bool) -> Site:
    """The site index from the parsed content, as of `now`."""
    releases: list[Release] = content.items("content/news")
    pages: list[Page] = content.items("content/pages")
    events: list[Event] = content.items("content/events")
    labels: list[Label] = content.items("content/labels")
    return build_index(releases, pages, config, now, preview=preview, events=events, labels=labels)


def plan_products(site: Site, only: Collection[str] | None = None) -> list[Product]:
    """Every output of the site: pages from templates, feeds, calendars, sitemap.xml and
    robots.txt, and build-info.json. Or only those with the ids in `only`, in the same
    order, for a rebuild that makes a few outputs of an index planned (and checked for
    collisions) before."""
    if only is not None and seo.SITEMAP in only:  # it lists every page: they are all planned
        return [product for product in plan_products(site) if product.id in only]
    jobs = render.plan_pages(site, only)
    if only is None:
        check_collisions([(job.path, job.owner, job.owner_line) for job in jobs])
    products = [Product(job.path, job, job.context, make_page) for job in jobs]
    products += [Product(job.scope + feeds.ATOM, job, {}, make_feeds) for job in feeds.plan_feeds(site) if only is None or job.scope + feeds.ATOM in only]
    products += [Product(job.path, job, {}, make_calendar) for job in calendars.plan_calendars(site, only)]
    if only is None:
        products.append(Product(seo.SITEMAP, seo.SitemapJob.of(render.sitemap_pages(jobs)), {}, make_seo))
    if only is None or BUILD_INFO in only:
        products.append(Product(BUILD_INFO, BUILD_INFO, {}, make_build_info))
    return products


def make_page(env, job: render.RenderJob, context: dict[str, Any]) -> dict[str, bytes]:
    return render.render_pages([replace(job, context=context)], env, workers.shared("site_dir"))


def make_feeds(env, job: feeds.FeedJob, inputs: dict[str, Any]) -> dict[str, bytes]:
    return feeds.make_feeds(job, workers.shared("site"))


def make_seo(env, job: seo.SitemapJob, inputs: dict[str, Any]) -> dict[str, bytes]:
    return seo.render_seo(workers.shared("site").config, job)


def make_calendar(env, job: calendars.CalendarJob, inputs: dict[str, Any]) -> dict[str, bytes]:
    return {job.path: calendars.make_calendar(job.events, workers.shared("site"), job.name)}


def make_build_info(env, path: str, inputs: dict[str, Any]) -> dict[str, bytes]:
    return {path: build_info(workers.shared("site"))}


def build_info(site: Site) -> bytes:
    change = site.next_change
    return unchanged.build_info_bytes(site.now, site.config.tz.key, change and change.moment, change and change.reason)


def asset_dirs(site_dir: Path) -> list[Path]:
    """The theme's static files first, so the site's own assets/ can replace any of them."""
    return [render.THEME_DIR / "static", site_dir / "assets"]


@dataclass(frozen=True)
class Basis:
    """What every output of a build was made from besides its own reads: the content files
    (their keys), the values templates see (configuration included), the templates, and the
    span of time in which the site index stays as it was built.

    A later build on the same basis but for the text of some items has the same site index
    but for those items, so the outputs that show none of them keep their keys: it asks
    outputs.Reach which outputs show them instead of computing fifteen thousand keys, and
    reads the site index from the cache instead of making it (see saved_index.py). This is
    what the preview's kept plan gives a live Builder, for the command line."""

    entries: bytes
    globals: bytes
    templates: tuple[tuple[tuple[str, ...], bytes], ...]
    built: datetime
    until: datetime | None
    index: bytes = b""  # names the site index in the cache made on this basis but for texts (see saved_index.py)

    @classmethod
    def of(cls, entries: dict[str, Entry], keys: Keys, made: dict[str, Made], index: Site, saved: bytes) -> Basis:
        names = {m.reads.templates for m in made.values()}
        change = index.next_change
        return cls(entries_digest(entries), keys.salt, tuple((n, keys.templates(n)) for n in sorted(names)), utc(index.now),
                   utc(change.moment) if change else None, saved)

    def spans(self, entries: bytes, now: datetime) -> bool:
        """`entries` (the digest of those the build's items were compared with) are this
        basis's, and `now` is within its span: the site index is this basis's but for texts."""
        moment = utc(now)
        return self.built <= moment and (self.until is None or moment < self.until) and entries == self.entries

    def admits(self, entries: bytes, keys: Keys, now: datetime) -> bool:
        """It spans `entries` and `now`, and the values and templates are this basis's."""
        return (self.spans(entries, now) and self.globals == keys.salt
                and all(keys.templates(names) == found for names, found in self.templates))


def entries_digest(entries: dict[str, Entry]) -> bytes:
    paths = sorted(entries)  # no path holds a NUL; keys are digests, all of one length
    return digest("\0".join(paths), b"".join([entries[path].key for path in paths]))


@dataclass
class Manifest:
    """What a successful build leaves for the next: what each output was made from.

    The cache keeps it in full now and then, and in between as the changes since the last
    full record (`base`): after one edit, a dozen outputs of fifteen thousand, not all of them
    pickled again."""

    salt: bytes
    products: dict[str, Made]
    basis: Basis | None = None
    base: Manifest | None = None  # the full record in the cache it was read from, if not itself
    token: bytes = b""  # of a full record: the changes made against it name it

    def full_record(self) -> Manifest | None:
        return self if self.token else self.base

    def __getstate__(self) -> dict[str, Any]:
        return {"salt": self.salt, "products": pack(self.products), "basis": self.basis, "token": self.token}

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.salt, self.products = state.get("salt", b""), unpack(state.get("products"))
        basis = state.get("basis")
        self.basis = basis if isinstance(basis, Basis) else None
        self.base, self.token = None, state.get("token", b"")

    @classmethod
    def read(cls, cache: Cache, name: str) -> Manifest | None:
        full, changes = cache.get(name), cache.get(name + CHANGES)
        if not isinstance(full, Manifest):
            return None
        if not isinstance(changes, Changes) or not full.token or changes.token != full.token:
            return full
        products = {pid: made for pid, made in full.products.items() if pid not in changes.removed}
        products.update(changes.manifest.products)
        return Manifest(changes.manifest.salt, products, changes.manifest.basis, base=full)

    def save(self, cache: Cache, name: str, base: Manifest | None) -> Manifest:
        """Into the cache: the changes since the full record `base`, when they are few, or
        a new full record. Returns this manifest with the full record it now builds on."""
        if base is not None and base.token and base.salt == self.salt:
            changed = {pid: made for pid, made in self.products.items() if base.products.get(pid) is not made}
            removed = frozenset(pid for pid in base.products if pid not in self.products)
            if len(changed) + len(removed) <= max(FEW_CHANGES, len(base.products) // 20):
                cache.put_many({name + CHANGES: Changes(base.token, Manifest(self.salt, changed, self.basis), removed)})
                return replace(self, base=base)
        full = replace(self, base=None, token=os.urandom(16))
        cache.put_many({name: full, name + CHANGES: None})
        return full


@dataclass
class Changes:
    """A manifest's changes since the full record with `token`."""

    token: bytes
    manifest: Manifest  # the products changed or added
    removed: frozenset[str]


CHANGES = "+changes"
SAVED_INDEX = "+index"
FEW_CHANGES = 100
CONVERTED_SLACK = 1000  # converted texts the cache may hold beyond twice the content's


@dataclass
class Plan:
    """What a build planned from its content: kept by the Builder for the next build, which
    may keep it while it only changes the text of items (see edits.py)."""

    entries: dict[str, Entry]  # the content it was planned from (the items are in `index`)
    config: Config
    salt: bytes
    index: Site
    products: list[Product]
    token: bytes = b""  # of the index in the cache it is but for texts, if any (see Basis.index)

    def holds(self, config: Config, salt: bytes, now: datetime) -> bool:
        """The same configuration and code, and the index holds at `now`."""
        return config == self.config and salt == self.salt and index_holds(self.index, now)


def index_holds(index: Site, now: datetime) -> bool:
    """No change of the index is due between the moment it was made for and `now` (an
    event ending, an embargo lifting)."""
    change = index.next_change
    return utc(index.now) <= utc(now) and (change is None or utc(now) < utc(change.moment))


class Builder:
    """Builds one site into one output folder, again and again.

    The preview server keeps one Builder alive and calls build() after every change; the
    command line makes one and builds once. Whatever a build can reuse from the previous one
    (parsed files, rendered pages) belongs here, never in module globals.
    """

    def __init__(self, site_dir: Path, output_dir: Path | None = None, *, preview: bool = False, base_url: str | None = None,
                 remember: bool = False, looked: unchanged.Look | None = None, private_output: bool = False):
        self.site_dir = site_dir.resolve()
        self.output_dir = output_dir or self.site_dir / "output"
        self.preview = preview
        self.base_url = base_url
        self.cache = Cache(self.site_dir)
        self.manifest_name = "outputs/" + digest(str(Path(self.output_dir).resolve()), str(preview)).hex()
        self._entries: dict[str, Entry] | None = None
        self._manifest: Manifest | None = None
        self._cache_identity: tuple[int, int] | None = None
        self.remember = remember  # leave a record for unchanged.reuse() (the command line does)
        self.options = unchanged.options_of(preview, base_url)
        self._looked = looked  # what unchanged.reuse() read already, if it did
        self._inputs: unchanged.Inputs | None = None
        # An output folder no one else writes (the preview's) holds what the last build left
        # there: no need to look at its ten thousand files again before each build.
        self.private_output = private_output
        # The output's files (and folders, "news/2024/", where known) as the last build left
        # them, when that is known without a look of this build's own: call it to wait.
        self._output: Callable[[], OutputStates | None] | None = None
        self._content_states: dict[str, FileState] | None = None  # the content files as the last build saw them
        self._plan: Plan | None = None  # the last successful build's
        self._text_edits: list[tuple[Any, Any]] | None = None  # this build's, if only text changed since the last parse
        self._edited_from: dict[str, Entry] | None = None  # the entries of that parse

    def build(self, now: datetime | None = None, changed: Iterable[Path] | None = None) -> BuildReport:
        """Build the whole site. `changed` names the files that changed since the last
        build, when the caller knows them (the preview server does); None means unknown."""
        started = time.perf_counter()
        # Taken now: a build that stops before it has looked at the files leaves none, and
        # the next looks at every file (the changes named to this one are not lost).
        seen, self._content_states = self._content_states, None
        problems = check_output_dir(self.site_dir, self.output_dir)
        if problems:
            raise BuildFailed(problems)
        now = now or build_now()
        collecting = gc.isenabled()
        gc.disable()  # a build makes millions of objects and no garbage cycles worth a pass
        try:
            with build_lock(self.output_dir):
                if clean_leftovers(self.output_dir):  # a killed build's files were just put in place
                    self._looked = replace(self._looked, output=None) if self._looked is not None else None
                    self._output = None
                self._take_what_was_looked_at()
                if self.remember and self._inputs is None:
                    self._inputs = unchanged.read_inputs(self.site_dir, self.options)
                report = self._build(now, (seen, list(changed)) if changed is not None and seen is not None else None)
        finally:
            self.cache.close()
            self._inputs = self._looked = None  # read afresh by the next build
            if not self.private_output:
                self._output = None
            if collecting:
                gc.enable()
        return replace(report, seconds=time.perf_counter() - started)

    def _take_what_was_looked_at(self) -> None:
        """What unchanged.reuse() read before this build took the lock (the inputs, with the
        content files' states, and the output), unless another build has run since: its
        record is then another, and this build looks again."""
        looked = self._looked
        if looked is None or looked.record is None or not looked.record.is_current(self.site_dir, self.output_dir, self.options):
            return
        self._inputs = looked.inputs
        self._output = looked.output

    def _build(self, now: datetime, since: tuple[dict[str, FileState], list[Path]] | None = None) -> BuildReport:
        plan, self._plan = self._plan, None  # kept again only by a build that succeeds
        config = load_config(self.site_dir, self.base_url)
        salt = code_salt()
        fingerprints = Fingerprints()
        content = self.parse(config, digest(salt, fingerprints.of(config)), since)
        if plan is not None and not (self._text_edits is not None and self._edited_from is plan.entries
                                     and only_content_changed(self.site_dir, since) and plan.holds(config, salt, now)):
            plan = None
        try:
            return self._make(content, config, salt, fingerprints, now, plan)
        except BuildFailed as failure:
            raise BuildFailed(failure.errors, content.warnings()) from None

    def _make(self, content: Content, config: Config, salt: bytes, fingerprints: Fingerprints, now: datetime, plan: Plan | None) -> BuildReport:
        output, self._output = self._output, None
        resolved = Path(self.output_dir).resolve()
        scanned = output or scan_output_soon(resolved)
        previous = self._manifest if self._manifest is not None else Manifest.read(self.cache, self.manifest_name)
        old = previous.products if previous is not None and previous.salt == salt else {}
        basis = previous.basis if old and self._text_edits is not None else None
        edited_from = entries_digest(self._edited_from) if basis is not None else b""
        saved = None
        edited = text_edited(content.entries, self._text_edits or ())
        if plan is not None:  # only the text of some items changed: the index is as planned
            for old_item, new_item in self._text_edits or ():
                edits.put_text(old_item, new_item)
            self._keep_planned_items(content.entries, plan.entries)
            index, products, token = replace(plan.index, now=now.astimezone(config.tz)), plan.products, plan.token
        elif basis is not None and (saved := self._saved_index_of(basis, edited_from, content.entries, now)) is not None:
            index, products, token = replace(saved, now=now.astimezone(config.tz)), None, basis.index
        else:
            index, products, token = index_site(content, config, now.astimezone(config.tz), self.preview), None, b""
        parsed = [(entry.item, entry.key, path) for path, entry in content.entries.items() if entry.item is not None]
        fingerprints.register_all((item, key) for item, key, _ in parsed)
        names = {id(item): (item, path) for item, _, path in parsed}  # what Shown names the parsed items by
        site = tracked_site(replace(index, now=TrackedNow.of(index.now)))
        env = tracking_templates(render.make_environment(self.site_dir, site), self.cache.path.parent / "templates")
        keys = Keys(site, env, salt, fingerprints)
        shown = Shown(site, names)
        reach = None
        if plan is not None or (basis is not None and basis.admits(edited_from, keys, now)):
            reach = Reach(shown, edited)
        unaffected = reach.unaffected if reach is not None else None
        # Where every output's record tells what it shows, only the outputs Reach cannot keep
        # are planned (see outputs.unaffected_outputs); otherwise all of them.
        few = products is None and reach is not None and all(made.shows is not None for made in old.values())
        if products is None and not few:
            products = plan_products(site)
        found = scanned()
        # None: the output is no longer as the last build left it
        existing, left_folders = found if found is not None else OutputStates(scan_output(resolved), {})
        staging = Staging.open(self.output_dir)
        try:
            share = {"site": site, "site_dir": self.site_dir}
            kept = None
            if few:
                kept = unaffected_outputs(old, existing, now, reach)
                products = plan_products(site, old.keys() - kept.keys())
                if len(products) + len(kept) != len(old):  # not the plan the outputs were made from
                    kept, products = None, plan_products(site)
            made = make_outputs(products, old, existing, keys, staging, now, share, unaffected, shown, kept)
            staging.put_assets(asset_dirs(self.site_dir))
            result = staging.commit(existing)
        except BaseException:
            staging.abort()
            raise
        if not token and not self.private_output:  # indexed anew: saved for the next command-line build
            token = os.urandom(16)
        manifest = Manifest(salt, made, Basis.of(content.entries, keys, made, index, token))
        self._plan = Plan(content.entries, config, salt, index, products, token) if not kept else None  # a plan of some outputs only
        if self.private_output:  # its output is as this build left it; it is gone with its Builder
            expected = OutputStates(dict(staging.expected), {})
            self._output = lambda: expected
            self._manifest = manifest
        else:
            self._manifest = manifest.save(self.cache, self.manifest_name, previous.full_record() if previous else None)
            if saved is None and plan is None:
                self.cache.put_many({self.manifest_name + SAVED_INDEX: (token, saved_index.dump(index, content.entries))})
        if content.reparsed:  # new texts may have come into the cache
            self._forget_old_texts(content.entries)
        warnings = sorted_problems(content.warnings())
        notes = status.summary_notes([*index.held_back, *index.withheld], index.now, index.next_change, len(warnings))
        pages = html_pages(made)
        if self.remember:
            # Folders where no file came or went are as they were: their times need no new look.
            folders = {} if result.touched is None else {rel: state for rel, state in left_folders.items() if rel not in result.touched}
            # Where the output was as the record says, the new record is that one but for what changed.
            changes = None
            if output is not None and found is not None and result.touched is not None:
                changes = (staging.staged, result.touched, len(staging.expected) - (BUILD_INFO in staging.expected))
            self.leave_record(index, made, {**staging.expected, **folders}, (pages, result.written + result.unchanged), notes, warnings, changes)
        return BuildReport(
            pages=pages,
            written=result.written,
            unchanged=result.unchanged,
            removed=result.removed,
            seconds=0.0,
            held_back=index.held_back,
            next_change=index.next_change,
            output_dir=self.output_dir,
            site=index,
            warnings=warnings,
            notes=notes,
        )

    def _saved_index_of(self, basis: Basis, edited_from: bytes, entries: dict[str, Entry], now: datetime) -> Site | None:
        """The site index the last build that indexed left in the cache, with this build's
        items, when they differ from those it was made of only in their text: `basis` spans
        the entries they were compared with and `now`, and names it."""
        if not basis.index or not basis.spans(edited_from, now):
            return None
        saved = self.cache.get(self.manifest_name + SAVED_INDEX)
        if not (isinstance(saved, tuple) and len(saved) == 2 and saved[0] == basis.index and isinstance(saved[1], bytes)):
            return None
        loaded = saved_index.load(saved[1], entries)
        if not (isinstance(loaded, Site) and index_holds(loaded, now)):
            return None
        return loaded

    def _forget_old_texts(self, entries: dict[str, Entry]) -> None:
        """Once the cache holds many more converted texts than the content (every version of
        every edited text stays there, and all of them again after Markdown or Pressroom
        changed), forget those no content file holds any longer."""
        if self.cache.converted_count() > 2 * len(entries) + CONVERTED_SLACK:
            self.cache.forget_converted({html.digest for entry in entries.values() if entry.item is not None for html in htmls(entry.item)})

    @staticmethod
    def _keep_planned_items(entries: dict[str, Entry], planned: dict[str, Entry]) -> None:
        """The entries of files whose text changed hold the planned items (which now have
        that text), so the next build's plan finds them."""
        for path, entry in entries.items():
            old = planned[path].item
            if entry.item is not old:
                entries[path] = entry._replace(item=old)

    def leave_record(self, index: Site, made: dict[str, Made], files: dict[str, FileState], counted: tuple[int, int], notes: str, warnings: list[SiteError],
                     changes: tuple[Collection[str], Collection[str], int] | None = None) -> None:
        """What unchanged.reuse() needs to answer the next build without building, from the
        states of the output's files (and of folders known unchanged); or, where `changes`
        names the files this build wrote and the folders it touched in an output that was
        as the last record says (and how many files it has now), from that record. None is
        left when an input changed during the build or an output holds only for this very
        moment: the next build is then a full one."""
        change = index.next_change
        windows = [m.window for pid, m in made.items() if pid != BUILD_INFO]
        if self._inputs is None or any(window.exact for window in windows):
            unchanged.forget(self.site_dir, self.output_dir, self.options)
            return
        moments = [moment for moment in [change and change.moment, *(window.before for window in windows)] if moment is not None]
        until = min(moments, key=utc) if moments else None
        last = self._looked.record if self._looked is not None else None
        output_dir = Path(self.output_dir).resolve()
        states = None
        if changes is not None and last is not None:
            written, touched, count = changes
            paths, states = last.paths, unchanged.patched_states(output_dir, last, count, {rel: files[rel] for rel in written if rel != BUILD_INFO}, touched)
        if states is None:
            paths = unchanged.output_paths((rel for rel in files if not rel.endswith("/")), last.paths if last is not None else None)
            states = unchanged.packed_states(output_dir, paths, files)
        if states is None:  # a file of the output is gone already
            unchanged.forget(self.site_dir, self.output_dir, self.options)
            return
        record = LastBuild(
            inputs=self._inputs.digest,
            by_content=list(self._inputs.by_content),
            paths=paths,
            states=states,
            top=unchanged.top_names(output_dir),
            built=utc(index.now).isoformat(),
            until=utc(until).isoformat() if until else None,
            pages=counted[0],
            files=counted[1],
            tz=index.config.tz.key,
            next_change=change.moment.isoformat() if change else None,
            next_change_reason=change.reason if change else None,
            notes=notes,
            warnings=[(w.path, w.line, w.message) for w in warnings],
        )
        unchanged.remember(self.site_dir, self.output_dir, self.options, record)

    def load(self, now: datetime) -> Site:
        """The site index as of `now`, without building: every content file read and
        checked (through the cache); raises BuildFailed with all the errors found."""
        try:
            config = load_config(self.site_dir, self.base_url)
            self._plan = None  # the content it was planned from is read again
            content = self.parse(config, digest(code_salt(), Fingerprints().of(config)))
            return index_site(content, config, now.astimezone(config.tz), self.preview)
        finally:
            self.cache.close()

    def parse(self, config: Config, salt: bytes, since: tuple[dict[str, FileState], list[Path]] | None = None) -> Content:
        """Every content file, parsed again only where it changed; errors stop the build.
        Files are looked at one by one, unless `since` gives their states as the last build
        saw them and the paths that changed since. Tells in self._text_edits whether only the
        text of items changed since the entries it started from (self._edited_from)."""
        seen_ns = time.time_ns()
        identity = self.cache.identity() if self.cache.store() is not None else None
        if identity != self._cache_identity:  # the cache was deleted: what was kept points into it
            self._entries, self._manifest, self._cache_identity = None, None, identity
        states, errors = None, []
        if since is not None:
            states = rescan_content(self.site_dir, list(CONTENT), *since)
        if states is None and self._inputs is not None and self._inputs.content is not None:
            # The look at the inputs (unchanged.read_inputs) walked content/ already.
            seen_ns = self._inputs.seen_ns
            states, errors = scan_content(self.site_dir, list(CONTENT), self._inputs.content)
        elif states is None:
            states, errors = scan_content(self.site_dir, list(CONTENT))
        self._content_states = None if errors else states
        early = None
        if self._entries is None and workers.can_fork():  # loading them takes long enough to parse a few files elsewhere
            guess = probably_changed(self.cache, states)
            if guess and len(guess) < POOL_MINIMUM:
                early = parse_soon(self.site_dir, CONTENT, config, salt, self.cache, guess)
        previous = self._entries if self._entries is not None else load_entries(self.cache)
        if early is not None and self._manifest is None:
            # While the other process parses, what the last build made (_make reads it next).
            self._manifest = Manifest.read(self.cache, self.manifest_name)
        content, changed = load_content(self.site_dir, CONTENT, config, salt, states, previous, self.cache, seen_ns, early)
        save_entries(self.cache, content.entries, set(changed) | (set(previous) - set(states)), seen_ns)
        self._entries = content.entries
        self._text_edits = edits.text_edits(previous, content.entries, changed) if previous else None
        self._edited_from = previous
        errors += content.errors() + check_templates_and_assets(self.site_dir)
        if errors:
            raise BuildFailed(errors, content.warnings())
        return content


def html_pages(made: dict[str, Made]) -> int:
    """How many HTML files the outputs have (counted without a Python loop: 15,000 outputs
    took 15 ms one by one)."""
    files = itertools.chain.from_iterable(map(operator.attrgetter("files"), made.values()))
    return sum(map(str.endswith, map(operator.itemgetter(0), files), itertools.repeat(".html")))


def text_edited(entries: dict[str, Entry], edits_: Iterable[tuple[Any, Any]]) -> set[str]:
    """The content files whose text edits (old item, new item) `entries` hold."""
    new = {id(item) for _, item in edits_}
    return {path for path, entry in entries.items() if id(entry.item) in new} if new else set()


def only_content_changed(site_dir: Path, since: tuple[dict[str, FileState], list[Path]] | None) -> bool:
    """The paths named as changed are all in content/ (no template, asset or setting)."""
    if since is None:
        return False
    content = site_dir / "content"
    return all(path == content or content in path.parents for path in map(Path, since[1]))


def check_templates_and_assets(site_dir: Path) -> list[SiteError]:
    """Links that lead out of the site, and templates that are not UTF-8 text, before Jinja
    or the copy to output/ meets them."""
    templates, errors = list_files(site_dir, "templates", "*")
    errors += [source for source in (read_source(site_dir, path) for path in templates) if isinstance(source, SiteError)]
    return errors + list_files(site_dir, "assets", "*")[1]


def load_site(site_dir: Path, now: datetime, preview: bool = False, base_url: str | None = None) -> Site:
    """Read and validate every content file; the site index as of `now`."""
    return Builder(site_dir, preview=preview, base_url=base_url).load(now)


def build(site_dir: Path, output_dir: Path | None = None, *, drafts: bool = False, now: datetime | None = None,
          base_url: str | None = None, reuse: bool = True, looked: unchanged.Look | None = None, keep: list | None = None) -> BuildReport:
    """One build, as `pressroom build` runs it: none at all when nothing changed since the
    last one (see unchanged.py; `reuse` False when the caller asked already, or needs the
    site index, which such a report has not). The Builder goes into `keep`, if given, for
    the caller to let go of (or not) when it likes."""
    if reuse:
        looked = unchanged.reuse(site_dir, output_dir, drafts=drafts, base_url=base_url, now=now)
        if looked.report is not None:
            return looked.report
    builder = Builder(site_dir, output_dir, preview=drafts, base_url=base_url, remember=True, looked=looked)
    if keep is not None:
        keep.append(builder)
    return builder.build(now)
