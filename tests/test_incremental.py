"""A rebuild that reuses the cache gives exactly the bytes of a clean build, whatever changed.

Each test changes a site the way a user would and compares the rebuilt output with a clean
build of a copy of the site (no cache, no earlier output), file by file.
"""

import os
import shutil
import zlib
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pressroom import content, outputs, pipeline
from pressroom.cache import CACHE_DIR, Cache, MarkdownMemo
from pressroom.errors import BuildFailed
from pressroom.pipeline import Builder, build
from pressroom.write import MARKER
from tests.conftest import MINIMAL_CONFIG, ROOT, tree, write_files

NOW = datetime(2024, 6, 1, 12, tzinfo=timezone.utc)

SITE = {
    "content/news/2024/award.md": "---\ntitle: Bronze label\ndate: 2024-01-09\ntags: [awards, clusters]\n---\nMEDVIA is *proud*.\n",
    "content/news/2024/hackathon.md": "---\ntitle: Health hack\ndate: 2024-03-02T10:00:00+01:00\ntags: [events]\nsummary: 48 hours.\n---\nTeams met.\n",
    "content/news/2023/members.md": "---\ntitle: Twelve new members\ndate: 2023-11-20\ntags: [membership, Awards]\n---\nWelcome!\n",
    "content/news/2024/later.md": "---\ntitle: Launch on 1 July\ndate: 2024-07-01T09:00:00+02:00\ntags: [events]\n---\nSoon.\n",
    "content/news/2024/draft.md": "---\ntitle: Secret\ndate: 2024-02-01\ndraft: true\n---\nHush.\n",
    "content/pages/about.md": "---\ntitle: About\nmenu: 1\n---\nWe are a cluster.\n",
    "assets/logo.svg": "<svg/>",
}


def clean_build(site: Path, tmp: Path, now: datetime = NOW, drafts: bool = False) -> dict[str, bytes]:
    """The site built from scratch: a copy without cache or output."""
    copy = tmp / f"clean-{len(list(tmp.glob('clean-*')))}"
    shutil.copytree(site, copy, ignore=shutil.ignore_patterns(CACHE_DIR, "output", ".output.*"))
    build(copy, now=now, drafts=drafts)
    return without_marker(tree(copy / "output"))


def without_marker(files: dict[str, bytes]) -> dict[str, bytes]:
    files.pop(MARKER, None)
    return files


def rebuilt(site: Path, now: datetime = NOW, builder: Builder | None = None):
    report = (builder or Builder(site)).build(now)
    return report, without_marker(tree(site / "output"))


@pytest.fixture
def site(make_site):
    return make_site(SITE)


def assert_same(site: Path, tmp_path: Path, now: datetime = NOW, builder: Builder | None = None):
    report, files = rebuilt(site, now, builder)
    expected = clean_build(site, tmp_path, now)
    assert sorted(files) == sorted(expected)
    differing = [rel for rel in sorted(files) if files[rel] != expected[rel]]
    assert differing == []
    return report


CHANGES = {
    "edit a body": {"content/news/2024/award.md": SITE["content/news/2024/award.md"] + "\nA second paragraph.\n"},
    "edit a summary": {"content/news/2024/award.md": SITE["content/news/2024/award.md"] + "More text.\n"},
    "edit a title": {"content/news/2024/award.md": SITE["content/news/2024/award.md"].replace("Bronze label", "Silver label")},
    "change tags": {"content/news/2024/hackathon.md": SITE["content/news/2024/hackathon.md"].replace("[events]", "[events, awards]")},
    "add a release": {"content/news/2024/new.md": "---\ntitle: Brand new\ndate: 2024-05-05\ntags: [news]\n---\nFresh.\n"},
    "publish a draft": {"content/news/2024/draft.md": SITE["content/news/2024/draft.md"].replace("draft: true", "draft: false")},
    "edit a page in the menu": {"content/pages/about.md": "---\ntitle: About us\nmenu: 1\n---\nStill a cluster.\n"},
    "add a template": {"templates/release.html": '{% extends "base.html" %}{% block content %}<h1>{{ release.title }}</h1>{{ release.body_html | safe }}{% endblock %}\n'},
    "add a template that extends the theme's": {"templates/page.html": '{% extends "theme/page.html" %}{% block content %}{{ super() }}<p>Extra</p>{% endblock %}\n'},
    "add an asset": {"assets/img/new.svg": "<svg id='new'/>"},
    "change the config": {"pressroom.toml": MINIMAL_CONFIG.replace("Test Newsroom", "Renamed Newsroom").replace("page_size = 2", "page_size = 1")},
    "change the time zone": {"pressroom.toml": MINIMAL_CONFIG.replace("Europe/Oslo", "America/New_York")},
}


@pytest.mark.parametrize("change", list(CHANGES))
def test_a_rebuild_after_a_change_is_a_clean_build(site, tmp_path, change):
    Builder(site).build(NOW)
    write_files(site, CHANGES[change])
    assert_same(site, tmp_path)


def test_deleting_and_renaming_files(site, tmp_path):
    Builder(site).build(NOW)
    (site / "content/news/2023/members.md").unlink()
    (site / "content/news/2024/hackathon.md").rename(site / "content/news/2024/hack-2024.md")
    (site / "assets/logo.svg").unlink()
    report = assert_same(site, tmp_path)
    assert report.removed > 0
    shutil.rmtree(site / "content/pages")
    assert_same(site, tmp_path)


def test_changing_and_removing_a_template(site, tmp_path):
    write_files(site, {"templates/page.html": '{% extends "base.html" %}{% block content %}<h1>{{ page.title }}</h1>{% endblock %}\n'})
    Builder(site).build(NOW)
    write_files(site, {"templates/page.html": '{% extends "base.html" %}{% block content %}<h1>Page: {{ page.title }}</h1>{% endblock %}\n'})
    assert_same(site, tmp_path)
    (site / "templates/page.html").unlink()
    assert_same(site, tmp_path)


def test_time_alone_publishes_a_scheduled_release(site, tmp_path):
    Builder(site).build(NOW)
    report = assert_same(site, tmp_path, now=NOW + timedelta(days=1))
    assert report.written == 1  # build-info.json (the build time); the pages only compared dates with now
    report = assert_same(site, tmp_path, now=datetime(2024, 7, 2, tzinfo=timezone.utc))
    assert report.written > 0 and report.held_back and all(r.draft for r in report.held_back)


@pytest.mark.parametrize("private_output", [False, True], ids=["output scanned", "output trusted, as the preview's"])
def test_a_live_builder_rebuilds_the_same_as_the_cache_does(site, tmp_path, private_output):
    builder = Builder(site, private_output=private_output)
    builder.build(NOW)
    for change in ("edit a title", "add a release", "change the config", "add a template", "add an asset"):
        write_files(site, CHANGES[change])
        assert_same(site, tmp_path, builder=builder)
    (site / "assets/img/new.svg").unlink()
    (site / "content/news/2024/new.md").unlink()
    assert_same(site, tmp_path, builder=builder)


def test_a_live_builder_survives_its_cache_being_deleted(site, tmp_path):
    builder = Builder(site)
    builder.build(NOW)
    shutil.rmtree(site / CACHE_DIR)
    write_files(site, CHANGES["edit a title"])
    assert_same(site, tmp_path, builder=builder)


def test_a_rebuild_redoes_only_what_changed_and_leaves_the_rest_untouched(site):
    first = Builder(site).build(NOW)
    assert first.unchanged == 0 and first.written > first.pages  # pages, a calendar, build-info.json
    old = 1_000_000_000
    pages = [p for p in (site / "output").rglob("*.html")]
    for path in pages:
        os.utime(path, ns=(old, old))
    again = Builder(site).build(NOW)
    assert (again.written, again.unchanged, again.removed) == (0, first.written, 0)
    write_files(site, CHANGES["edit a body"])
    edited = Builder(site).build(NOW)
    # The page, and the feeds that carry its full text: the site's three and its two tags' two.
    # Listings are as they were: the summary (the first paragraph) did not change.
    assert edited.written == 1 + 3 + 2 * 2
    touched = sorted(p.relative_to(site / "output").as_posix() for p in pages if p.stat().st_mtime_ns != old)
    assert touched == ["news/2024/bronze-label/index.html"]


def test_an_output_file_changed_by_hand_is_made_again(site, tmp_path):
    Builder(site).build(NOW)
    page = site / "output/news/2024/bronze-label/index.html"
    page.write_text("tampered")
    (site / "output/about/index.html").unlink()
    (site / "output/stray.html").write_text("not ours")
    assert_same(site, tmp_path)


def test_a_damaged_or_deleted_cache_is_rebuilt(site, tmp_path):
    Builder(site).build(NOW)
    database = site / CACHE_DIR / "cache.sqlite3"
    database.write_bytes(b"not a database" * 100)
    write_files(site, CHANGES["edit a title"])
    assert_same(site, tmp_path)
    shutil.rmtree(site / CACHE_DIR)
    write_files(site, CHANGES["add a release"])
    assert_same(site, tmp_path)


def test_drafts_and_a_normal_build_into_one_folder(site, tmp_path):
    Builder(site, preview=True).build(NOW)
    Builder(site).build(NOW)
    assert without_marker(tree(site / "output")) == clean_build(site, tmp_path)
    Builder(site, preview=True).build(NOW)
    assert without_marker(tree(site / "output")) == clean_build(site, tmp_path, drafts=True)


def test_the_worker_pool_builds_the_same_bytes(tmp_path, monkeypatch):
    """The example site is small enough to be built in one process; force the pool."""
    monkeypatch.setattr(content, "POOL_MINIMUM", 1)
    monkeypatch.setattr(outputs, "POOL_MINIMUM", 1)
    monkeypatch.setenv("PRESSROOM_WORKERS", "2")
    site = tmp_path / "example"
    shutil.copytree(ROOT, site, ignore=shutil.ignore_patterns(".*", "output", "tests", "node_modules", "bench", "*.egg-info", "__pycache__"))
    as_of = datetime(2026, 12, 1, tzinfo=timezone.utc)
    build(site, now=as_of)
    assert without_marker(tree(site / "output")) == tree(ROOT / "tests" / "golden" / "example")


OPERATIONS = st.lists(
    st.tuples(st.sampled_from(["edit", "retitle", "retag", "add", "delete", "rename", "config", "template", "time"]), st.integers(0, 5)),
    min_size=1, max_size=4,
)


@settings(max_examples=8, deadline=None)
@given(OPERATIONS)
def test_any_sequence_of_changes_rebuilds_like_a_clean_build(tmp_path_factory, operations):
    site = write_files(tmp_path_factory.mktemp("site"), {**SITE, "pressroom.toml": MINIMAL_CONFIG})
    tmp = tmp_path_factory.mktemp("clean")
    now = NOW
    Builder(site).build(now)
    for operation, n in operations:
        releases = sorted((site / "content/news").rglob("*.md"))
        target = releases[n % len(releases)] if releases else None
        if operation == "edit" and target:
            target.write_text(target.read_text() + f"\nEdit {n}.\n")
        elif operation == "retitle" and target:
            target.write_text(target.read_text().replace("title: ", f"title: {n} ", 1))
        elif operation == "retag" and target:
            target.write_text(target.read_text().replace("---\n", f"---\ntags: [t{n}]\n", 1) if "tags:" not in target.read_text() else target.read_text().replace("tags: [", f"tags: [t{n}, ", 1))
        elif operation == "add":
            write_files(site, {f"content/news/2024/n{n}.md": f"---\ntitle: New {n}\ndate: 2024-0{1 + n % 9}-1{n}\ntags: [t{n}]\n---\nText {n}.\n"})
        elif operation == "delete" and target:
            target.unlink()
        elif operation == "rename" and target:
            target.rename(target.with_name(f"renamed-{n}.md"))
        elif operation == "config":
            write_files(site, {"pressroom.toml": MINIMAL_CONFIG.replace("page_size = 2", f"page_size = {1 + n}")})
        elif operation == "template":
            write_files(site, {"templates/list.html": '{% extends "base.html" %}{% block content %}' + f"<p>{n}</p>" + "{% for r in listing.items %}{{ r.title }}{% endfor %}{% endblock %}\n"})
        elif operation == "time":
            now = now + timedelta(days=10 * n)
        assert_same(site, tmp, now=now)


def test_a_builder_told_what_changed_looks_only_there_and_builds_like_a_clean_build(site, tmp_path, monkeypatch):
    """The preview names the files (and folders) that changed; the build then looks at those
    alone, and its output is still exactly a clean build's."""
    builder = Builder(site)
    builder.build(NOW)
    full_scans = []

    def scan_content(folder, *rest):
        if folder == site.resolve():  # not the clean builds' copies
            full_scans.append(folder)
        return content.scan_content(folder, *rest)

    monkeypatch.setattr("pressroom.pipeline.scan_content", scan_content)
    news = site / "content/news/2024"
    steps = [
        lambda: write_files(site, CHANGES["edit a title"]) and [news / "award.md"],
        lambda: write_files(site, CHANGES["add a release"]) and [news, news / "new.md"],
        lambda: (news / "hackathon.md").unlink() or [news, news / "hackathon.md"],
        lambda: write_files(site, {"content/news/2025/fresh.md": "---\ntitle: Fresh\ndate: 2024-05-06\n---\nNew folder.\n"})
        and [site / "content/news", site / "content/news/2025", site / "content/news/2025/fresh.md"],
    ]
    for step in steps:
        changed = step()
        report = builder.build(NOW, changed=changed)
        expected = clean_build(site, tmp_path)
        assert without_marker(tree(site / "output")) == expected
    assert full_scans == []
    assert report.pages > 0


def test_changes_named_to_a_build_that_failed_early_are_not_lost(site, tmp_path):
    builder = Builder(site)
    builder.build(NOW)
    write_files(site, {"pressroom.toml": "this is [ not toml", **CHANGES["edit a title"]})
    with pytest.raises(BuildFailed):
        builder.build(NOW, changed=[site / "pressroom.toml", site / "content/news/2024/award.md"])
    write_files(site, {"pressroom.toml": MINIMAL_CONFIG})
    builder.build(NOW, changed=[site / "pressroom.toml"])  # only the fix is named this time
    assert without_marker(tree(site / "output")) == clean_build(site, tmp_path)
    assert "Silver label" in (site / "output/index.html").read_text()


@pytest.mark.parametrize("library", ["markdown", "icalendar"])
def test_a_library_upgraded_makes_what_was_made_with_it_stale(site, tmp_path, monkeypatch, library):
    """Markdown and icalendar are loaded only when a build needs them, yet an upgrade of
    either still counts, even for a build that does not load it."""
    from pressroom import cache, pipeline

    monkeypatch.setenv("PRESSROOM_WORKERS", "1")  # files parsed in this process, where they are counted
    installed = tmp_path / f"{library}-init.py"
    installed.write_text("__version__ = '1.0'\n")
    real_origin = cache._origin
    monkeypatch.setattr(cache, "_origin", lambda name: str(installed) if name == library else real_origin(name))
    Builder(site).build(NOW)
    installed.write_text("__version__ = '1.0.1'\n")  # pip install --upgrade
    parsed = []
    for folder, parser in pipeline.CONTENT.items():
        monkeypatch.setitem(pipeline.CONTENT, folder, lambda *args, parser=parser: parsed.append(args) or parser(*args))
    Builder(site).build(NOW)
    assert len(parsed) == len(list((site / "content").rglob("*.md")))  # every file parsed again
    assert without_marker(tree(site / "output")) == clean_build(site, tmp_path)


def test_libraries_loaded_when_needed_count_the_same_loaded_or_not(tmp_path):
    """The salt of a process (what every cached result is keyed by) stays as it was when a
    build loads what it loads only when needed: a live preview would otherwise parse every
    file again after the first edit that loads a library."""
    import subprocess
    import sys

    site = tmp_path / "site"
    for folder in ("content", "templates", "assets"):
        shutil.copytree(ROOT / folder, site / folder)
    shutil.copy(ROOT / "pressroom.toml", site)
    script = (
        "import sys, pressroom.pipeline\n"
        "from pressroom.cache import code_salt, library_versions, LOADED_WHEN_NEEDED\n"
        "before = code_salt()\n"
        "assert not any(name in sys.modules for name in LOADED_WHEN_NEEDED), 'loaded too early'\n"
        "assert {name for name, _ in library_versions()} >= set(LOADED_WHEN_NEEDED)\n"
        f"pressroom.pipeline.Builder(__import__('pathlib').Path({str(site)!r})).build()\n"
        "assert all(name in sys.modules for name in set(LOADED_WHEN_NEEDED) - {'livereload', 'tornado'}), 'a build loads all but the server'\n"
        "assert code_salt() == before\n"
        "import pkgutil, importlib, pressroom\n"
        "for module in pkgutil.iter_modules(pressroom.__path__):\n"
        "    if module.name != '__main__': importlib.import_module('pressroom.' + module.name)\n"
        "assert code_salt() == before\n"
    )
    done = subprocess.run([sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, timeout=120,
                          env={**os.environ, "PRESSROOM_WORKERS": "1"})
    assert done.returncode == 0, done.stderr


def test_a_text_converted_by_an_earlier_build_is_not_converted_again(tmp_path, monkeypatch):
    """Markdown is remembered by text: a release copied to a new file (or renamed) takes
    its HTML from the cache. A first build finds nothing remembered and asks no questions."""
    from pressroom import cache, markup

    monkeypatch.setenv("PRESSROOM_WORKERS", "1")  # conversions counted in this process
    body = "A text long enough to be *worth* remembering, with a [link](https://example.org)."
    site = write_files(tmp_path / "site", {**SITE, "pressroom.toml": MINIMAL_CONFIG, "content/news/2024/award.md": f"---\ntitle: Bronze label\ndate: 2024-01-09\n---\n{body}\n"})
    converted, asked = [], []
    convert, reader = markup._convert, cache._reader

    class Counting:
        def __init__(self, db):
            self.db = db

        def execute(self, sql, *args):
            if "FROM markdown WHERE key" in sql:
                asked.append(args)
            return self.db.execute(sql, *args)

    monkeypatch.setattr(markup, "_convert", lambda text, raw_html: converted.append(text) or convert(text, raw_html))
    monkeypatch.setattr(cache, "_reader", lambda path: Counting(reader(path)))
    build(site, now=NOW)
    assert f"{body}\n" in converted
    assert asked == [], "a first build looked for conversions in an empty cache"
    converted.clear()
    (site / "content/news/2024/copy.md").write_text(f"---\ntitle: The same words\ndate: 2024-01-10\n---\n{body}\n", encoding="utf-8")
    build(site, now=NOW)
    assert converted == [] and len(asked) == 1, "the copied text was converted again"
    assert "<em>worth</em>" in (site / "output/news/2024/the-same-words/index.html").read_text(encoding="utf-8")


def test_the_cache_forgets_texts_no_file_holds_any_longer(site, tmp_path, monkeypatch):
    """Each version of an edited text is converted and kept in the cache; once it holds more
    than twice the content's texts, those no file holds any longer go, and the builds stay
    clean builds (the slack, a thousand texts, is taken away here)."""
    monkeypatch.setattr(pipeline, "CONVERTED_SLACK", 0)
    Builder(site).build(NOW)
    cache = Cache(site)
    entries = len(list((site / "content").rglob("*.md")))
    award = site / "content/news/2024/award.md"
    counts = []
    for n in range(3 * entries):
        award.write_text(award.read_text() + f"\nEdit {n}.\n")
        assert_same(site, tmp_path)
        counts.append(cache.converted_count())
    assert max(counts) <= 2 * entries + 1, counts  # never more than one clean-up's worth over
    assert counts[-1] < counts[0] + 3 * entries - 1  # not every version kept (none forgotten: + 3 × entries - 1)
    cache.close()


def test_forgetting_keeps_the_texts_of_the_last_clean_up_one_round_more(tmp_path):
    """A preview server sharing the cache may show items as they were at the last clean-up:
    their texts stay until the next one."""
    cache = Cache(tmp_path)
    a, b, c, d = (bytes([n]) * 16 for n in range(4))
    cache.put_many({}, markdown={b"key " + x: x for x in (a, b, c, d)}, bodies={x: zlib.compress(b"<p>Text.</p>") for x in (a, b, c, d)})
    assert cache.forget_converted({a, b}) == 2  # c and d: no file holds them, no clean-up before
    assert cache.forget_converted({a}) == 0  # b was live at the last clean-up
    assert cache.forget_converted({a}) == 1  # now b goes
    assert cache.converted_count() == 1
    memo = MarkdownMemo(cache.path)
    assert [memo.get(b"key " + x) is not None for x in (a, b, c, d)] == [True, False, False, False]
    cache.close()
