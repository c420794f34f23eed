"""A live Builder (the preview's) told that only the text of items changed keeps its plan:
no new site index, no new list of outputs, keys only for the outputs that show the edited
items. Whatever path a rebuild takes, its output is exactly a clean build's.

The example site is used: releases with event and label blocks, standalone events and
labels, pages, tags and feeds all show text somewhere.
"""

import os
import re
import shutil
from datetime import timedelta
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pressroom import content, lazy, outputs, pipeline, workers
from pressroom.cache import CACHE_DIR
from pressroom.errors import BuildFailed
from pressroom.pipeline import CHANGES, Builder, Changes, Manifest, build
from tests.conftest import EXAMPLE_AS_OF, ROOT, tree
from tests.test_incremental import without_marker

NOW = EXAMPLE_AS_OF
AWARD = "content/news/2024/2024-01-09-medvia-awarded-bronze-label.md"  # with an event and a label block
SILVER = "content/news/2026/2026-02-10-medvia-awarded-silver-label.md"  # with a label block
SEMINAR = "content/events/2026/breakfast-seminar-reimbursement-digital-health.md"
NCE = "content/labels/nic-nce.md"
ABOUT = "content/pages/about.md"


@pytest.fixture
def example(tmp_path):
    return copy_of_example(tmp_path / "site")


def copy_of_example(site: Path) -> Path:
    for folder in ("content", "templates", "assets"):
        if (ROOT / folder).is_dir():
            shutil.copytree(ROOT / folder, site / folder)
    shutil.copy(ROOT / "pressroom.toml", site)
    return site


@pytest.fixture
def planned(monkeypatch):
    """What the builds since the last clear() made anew: "index", "plan" (clean builds of
    copies, for comparison, count too: clear before the build asked about)."""
    plans = []
    index_site, plan_products = pipeline.index_site, pipeline.plan_products

    def counted_index(*args, **kwargs):
        plans.append("index")
        return index_site(*args, **kwargs)

    def counted_plan(*args, **kwargs):
        plans.append("plan")
        return plan_products(*args, **kwargs)

    monkeypatch.setattr(pipeline, "index_site", counted_index)
    monkeypatch.setattr(pipeline, "plan_products", counted_plan)
    return plans


def clean_build(site: Path, tmp: Path, now=NOW, drafts=False) -> dict[str, bytes]:
    copy = tmp / f"clean-{len(list(tmp.glob('clean-*')))}"
    shutil.copytree(site, copy, ignore=shutil.ignore_patterns(CACHE_DIR, "output", "preview-out", ".output.*"))
    build(copy, copy / "output", drafts=drafts, now=now)
    return without_marker(tree(copy / "output"))


def edit(site: Path, rel: str, old: str, new: str) -> Path:
    path = site / rel
    text = path.read_text(encoding="utf-8")
    assert old in text, (rel, old)
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    return path


def append(site: Path, rel: str, words: str) -> Path:
    path = site / rel
    path.write_text(path.read_text(encoding="utf-8") + f"\n{words}\n", encoding="utf-8")
    return path


def live_builder(site: Path, preview: bool) -> Builder:
    builder = Builder(site, site / "preview-out", preview=preview, private_output=True)
    builder.build(NOW)
    return builder


def assert_clean(builder: Builder, site: Path, tmp: Path, now=NOW) -> None:
    expected = clean_build(site, tmp, now, drafts=builder.preview)
    got = without_marker(tree(builder.output_dir))
    assert sorted(got) == sorted(expected)
    assert [rel for rel in sorted(got) if got[rel] != expected[rel]] == []


def keys_of(builder: Builder, now=None) -> dict[str, bytes]:
    """The key of every output as the builder's last build left it (after building, if `now`):
    an output kept without a new key must have the key a build from scratch gives it."""
    if now is not None:
        builder.build(now)
    return {pid: made.key for pid, made in builder._manifest.products.items()}


TEXT_EDITS = {
    "the body of a release with an event and a label": lambda site: append(site, AWARD, "A sentence added in the preview."),
    "the first paragraph of a release without a summary": lambda site: edit(site, "content/news/2024/2024-03-12-interreg-north-sea-homecare-project.md", "\n---\n", "\n---\nA new opening paragraph.\n\n"),
    "the summary of a release": lambda site: edit(site, SILVER, "summary: Two years after", "summary: Two full years after"),
    "the body of a standalone event": lambda site: append(site, SEMINAR, "We apologise for the inconvenience."),
    "the body of a label": lambda site: append(site, NCE, "The status was confirmed in 2026."),
    "the body of a page in the menu": lambda site: append(site, ABOUT, "We moved in 2026."),
}


@pytest.mark.parametrize("preview", [True, False], ids=["preview", "published only"])
def test_text_edits_keep_the_plan_and_build_like_a_clean_build(example, tmp_path, planned, preview):
    builder = live_builder(example, preview)
    for name, change in TEXT_EDITS.items():
        path = change(example)
        planned.clear()
        report = builder.build(NOW, changed=[path])
        assert planned == [], name  # no new index, no new plan
        assert report.written >= 1, name
        assert_clean(builder, example, tmp_path)
        assert keys_of(builder) == keys_of(Builder(example, tmp_path / f"fresh-{len(list(tmp_path.glob('fresh-*')))}", preview=preview, private_output=True), now=NOW), name
    assert "A sentence added in the preview." in (builder.output_dir / "news/2024/medvia-awarded-bronze-label-for-cluster-management-excellence/index.html").read_text(encoding="utf-8")


def test_a_preview_started_on_the_cache_a_command_line_build_left_keeps_its_plan(example, tmp_path, planned):
    """The preview's first build takes the parsed items from the cache as stand-ins (see
    lazy.py) and reads them all to index the site; text edits then go into the items its
    plan holds, as after a first build of its own."""
    build(example, now=NOW)
    builder = live_builder(example, preview=False)
    assert not any(lazy.unread(entry.item) for entry in builder._plan.entries.values() if entry.item is not None)
    for name, change in TEXT_EDITS.items():
        path = change(example)
        planned.clear()
        builder.build(NOW, changed=[path])
        assert planned == [], name
        assert_clean(builder, example, tmp_path)


def test_a_text_edit_remakes_only_the_outputs_that_show_the_text(example, tmp_path, monkeypatch):
    builder = live_builder(example, preview=True)
    made = []
    make_chunk = pipeline.make_outputs.__globals__["make_chunk"]

    def counted(indices):
        products = pipeline.workers.shared("products")
        made.extend(products[i].id for i in indices)
        return make_chunk(indices)

    monkeypatch.setitem(pipeline.make_outputs.__globals__, "make_chunk", counted)
    builder.build(NOW, changed=[append(example, NCE, "Confirmed.")])
    monkeypatch.undo()  # the clean build below uses the worker pool
    assert "labels/norwegian-centre-of-expertise-nce/index.html" in made
    assert "news/2024/medvia-awarded-bronze-label-for-cluster-management-excellence/index.html" not in made  # shows nothing of that label
    assert len(made) < 10, made
    assert_clean(builder, example, tmp_path)


EDITS_BEYOND_TEXT = {
    "a title": lambda site: edit(site, AWARD, "title: MEDVIA awarded Bronze", "title: MEDVIA receives Bronze"),
    "tags": lambda site: edit(site, SILVER, "tags: [awards,", "tags: [silver, awards,"),
    "an event block's city": lambda site: edit(site, AWARD, "city: Brussels", "city: Bruxelles"),
    "a label's level": lambda site: edit(site, SILVER, "level: silver", "level: gold"),
    "a standalone event's status": lambda site: edit(site, SEMINAR, "status: cancelled", "status: scheduled"),
    "the line a title is on": lambda site: edit(site, AWARD, "---\ntitle:", "---\n# a comment\ntitle:"),
    "the line an event block is on": lambda site: edit(site, AWARD, "\nevent:", "\n# the closing event\nevent:"),
    "a page's place in the menu": lambda site: edit(site, ABOUT, "menu: 1", "menu: 9"),
}


@pytest.mark.parametrize("change", list(EDITS_BEYOND_TEXT))
def test_an_edit_beyond_the_text_plans_again(example, tmp_path, planned, change):
    builder = live_builder(example, preview=True)
    append(example, AWARD, "First, a text edit.")  # the plan is kept...
    builder.build(NOW, changed=[example / AWARD])
    planned.clear()
    path = EDITS_BEYOND_TEXT[change](example)  # ...and given up here
    builder.build(NOW, changed=[path])
    assert planned == ["index", "plan"]
    assert_clean(builder, example, tmp_path)


def test_a_text_edit_with_a_template_or_setting_changed_plans_again(example, tmp_path, planned):
    builder = live_builder(example, preview=True)
    page = example / "templates/page.html"
    page.parent.mkdir(exist_ok=True)
    page.write_text('{% extends "base.html" %}{% block content %}<h1>{{ page.title }}</h1>{{ page.body_html | safe }}{% endblock %}\n', encoding="utf-8")
    planned.clear()
    builder.build(NOW, changed=[append(example, ABOUT, "Text."), page])
    assert planned == ["index", "plan"]
    assert_clean(builder, example, tmp_path)
    planned.clear()
    config = example / "pressroom.toml"
    config.write_text(config.read_text(encoding="utf-8").replace("page_size = 10", "page_size = 3", 1), encoding="utf-8")
    builder.build(NOW, changed=[append(example, ABOUT, "More text."), config])
    assert planned == ["index", "plan"]
    assert_clean(builder, example, tmp_path)
    planned.clear()
    append(example, ABOUT, "Unknown.")
    builder.build(NOW)  # not told what changed
    assert planned == ["index", "plan"]
    assert_clean(builder, example, tmp_path)


def test_time_passing_a_change_of_the_index_plans_again(example, tmp_path, planned):
    builder = live_builder(example, preview=False)
    planned.clear()
    later = NOW + timedelta(minutes=5)  # nothing on the example site changes then
    builder.build(later, changed=[append(example, AWARD, "Five minutes later.")])
    assert planned == []
    assert_clean(builder, example, tmp_path, now=later)
    planned.clear()
    seminar_over = NOW + timedelta(days=3)  # the breakfast seminar of 3 December is over
    builder.build(seminar_over, changed=[append(example, AWARD, "Three days later.")])
    assert planned == ["index", "plan"]
    assert_clean(builder, example, tmp_path, now=seminar_over)
    planned.clear()
    builder.build(NOW, changed=[append(example, AWARD, "Back in time.")])  # a clock set back
    assert planned == ["index", "plan"]
    assert_clean(builder, example, tmp_path)


def test_a_failed_build_between_text_edits_loses_nothing(example, tmp_path, planned):
    builder = live_builder(example, preview=True)
    append(example, AWARD, "Edited before the mistake.")
    builder.build(NOW, changed=[example / AWARD])
    broken = edit(example, NCE, "level: nce", "level: [nce")
    with pytest.raises(BuildFailed):
        builder.build(NOW, changed=[broken])
    edit(example, NCE, "level: [nce", "level: nce")
    planned.clear()
    builder.build(NOW, changed=[append(example, NCE, "Fixed, and edited.")])
    assert planned == ["index", "plan"]  # the plan went with the failed build
    assert_clean(builder, example, tmp_path)
    planned.clear()
    builder.build(NOW, changed=[append(example, NCE, "Edited again.")])
    assert planned == []
    assert_clean(builder, example, tmp_path)


def test_a_builder_whose_cache_was_deleted_plans_again(example, tmp_path, planned):
    builder = live_builder(example, preview=True)
    shutil.rmtree(example / CACHE_DIR)
    planned.clear()
    builder.build(NOW, changed=[append(example, AWARD, "After the cache went.")])
    assert planned == ["index", "plan"]
    assert_clean(builder, example, tmp_path)


OPERATIONS = st.lists(
    st.tuples(st.sampled_from(["text", "summary", "title", "tags", "add", "delete", "event text", "label text", "time"]), st.integers(0, 40)),
    min_size=1, max_size=5,
)


@settings(max_examples=6, deadline=None)
@given(OPERATIONS)
def test_any_sequence_of_edits_told_to_a_live_builder_builds_like_a_clean_build(tmp_path_factory, operations):
    site = copy_of_example(tmp_path_factory.mktemp("site"))
    tmp = tmp_path_factory.mktemp("clean")
    builder = live_builder(site, preview=True)
    now = NOW
    for operation, n in operations:
        releases = sorted((site / "content/news").rglob("*.md"))
        target = releases[n % len(releases)]
        if operation == "text":
            changed = [append(site, target.relative_to(site).as_posix(), f"Edit {n}.")]
        elif operation == "summary":  # the summary line, or the first paragraph where there is none
            text = target.read_text(encoding="utf-8")
            target.write_text(re.sub(r"(?m)^summary: .*$", f"summary: Summary {n}.", text, 1) if "\nsummary: " in text else text.replace("\n---\n", f"\n---\nOpening {n}.\n\n", 1), encoding="utf-8")
            changed = [target]
        elif operation == "title":
            target.write_text(re.sub(r"(?m)^title: .*$", f"title: Title {n}", target.read_text(encoding="utf-8"), 1), encoding="utf-8")
            changed = [target]
        elif operation == "tags":
            text = target.read_text(encoding="utf-8")
            target.write_text(text.replace("tags: [", f"tags: [t{n}, ", 1) if "tags: [" in text else text.replace("---\n", f"---\ntags: [t{n}]\n", 1), encoding="utf-8")
            changed = [target]
        elif operation == "add":
            new = site / f"content/news/2025/new-{n}.md"
            new.parent.mkdir(exist_ok=True)
            new.write_text(f"---\ntitle: New {n}\ndate: 2025-0{1 + n % 9}-1{n % 10}\ntags: [t{n}]\n---\nText {n}.\n", encoding="utf-8")
            changed = [new.parent, new]
        elif operation == "delete":
            target.unlink()
            changed = [target.parent, target]
        elif operation == "event text":
            changed = [append(site, SEMINAR, f"Note {n}.")]
        elif operation == "label text":
            changed = [append(site, NCE, f"Note {n}.")]
        else:
            now = now + timedelta(hours=n)
            changed = []
        builder.build(now, changed=changed)
        assert_clean(builder, site, tmp, now=now)
        assert keys_of(builder) == keys_of(Builder(site, tmp / f"fresh-{len(list(tmp.glob('fresh-*')))}", preview=True, private_output=True), now=now)


# ------------------------------------------------------------------ the command line
# `pressroom build` starts afresh each time: no kept plan, but the manifest in the cache
# records what its outputs were made from (pipeline.Basis). A text edit on that basis has
# keys computed only for the outputs that show the edited item.


def products_passed_to(monkeypatch, owner: type, name: str) -> list[str]:
    """The ids of the products given to owner.name (Keys.of, Shown.of) from now on."""
    ids = []
    method = getattr(owner, name)

    def counted(self, product, reads):
        ids.append(product.id)
        return method(self, product, reads)

    monkeypatch.setattr(owner, name, counted)
    return ids


@pytest.fixture
def keyed(monkeypatch):
    """The ids of the outputs whose keys the builds since the last clear() computed."""
    return products_passed_to(monkeypatch, outputs.Keys, "of")


def manifest_of(site: Path, preview: bool = False) -> Manifest:
    builder = Builder(site, preview=preview)
    try:
        return Manifest.read(builder.cache, builder.manifest_name)
    finally:
        builder.cache.close()


def fresh_keys(site: Path, tmp: Path, now=NOW) -> dict[str, bytes]:
    return keys_of(Builder(site, tmp / f"fresh-{len(list(tmp.glob('fresh-*')))}", private_output=True), now=now)


def assert_clean_cli(site: Path, tmp: Path, now=NOW) -> None:
    expected = clean_build(site, tmp, now)
    got = without_marker(tree(site / "output"))
    assert sorted(got) == sorted(expected)
    assert [rel for rel in sorted(got) if got[rel] != expected[rel]] == []
    assert {pid: made.key for pid, made in manifest_of(site).products.items()} == fresh_keys(site, tmp, now)


def test_a_text_edit_on_the_command_line_computes_keys_only_for_the_outputs_that_show_it(example, tmp_path, keyed):
    build(example, now=NOW)
    everything = set(manifest_of(example).products)
    for name, change in TEXT_EDITS.items():
        change(example)
        keyed.clear()
        report = build(example, now=NOW)
        assert report.written >= 1, name
        assert 0 < len(set(keyed)) < len(everything), name  # a page in the menu shows on every page
        assert_clean_cli(example, tmp_path)
    keyed.clear()
    build(example, now=NOW, reuse=False)
    assert keyed == []  # nothing changed: no key computed, no output made
    append(example, NCE, "Confirmed.")
    keyed.clear()
    build(example, now=NOW)
    assert "labels/norwegian-centre-of-expertise-nce/index.html" in keyed
    assert "news/2024/medvia-awarded-bronze-label-for-cluster-management-excellence/index.html" not in keyed  # shows nothing of that label


def test_on_the_command_line_what_each_output_shows_is_kept_not_walked_again(example, tmp_path, keyed, monkeypatch):
    walked = products_passed_to(monkeypatch, outputs.Shown, "of")
    build(example, now=NOW)
    assert sorted(walked) == sorted(manifest_of(example).products)  # named for every output made
    assert all(made.shows is not None for made in manifest_of(example).products.values())
    append(example, AWARD, "A sentence.")
    walked.clear()
    keyed.clear()
    build(example, now=NOW)
    assert 0 < len(walked) < 100 and set(walked) <= set(keyed)  # only outputs made again (those whose key changed)
    shows = manifest_of(example).products["news/2024/medvia-awarded-bronze-label-for-cluster-management-excellence/index.html"].shows
    assert AWARD in shows
    assert_clean_cli(example, tmp_path)


def test_on_the_command_line_a_text_edit_plans_only_the_outputs_that_show_it(example, tmp_path, monkeypatch):
    planned_ids = []
    plan_products = pipeline.plan_products

    def counted(site, only=None):
        products = plan_products(site, only)
        planned_ids.append([product.id for product in products])
        return products

    monkeypatch.setattr(pipeline, "plan_products", counted)
    first = build(example, now=NOW)
    everything = set(manifest_of(example).products)
    assert [set(ids) for ids in planned_ids] == [everything]
    for name, change in TEXT_EDITS.items():
        change(example)
        planned_ids.clear()
        report = build(example, now=NOW)
        [ids] = planned_ids
        assert 0 < len(ids) < len(everything) / (1 if "menu" in name else 2), name  # the menu shows on every page
        assert report.pages == first.pages and report.written >= 1, name
        assert_clean_cli(example, tmp_path)
    (example / "output/news/index.html").unlink()  # an output gone from the folder is planned and made again
    append(example, NCE, "More words.")  # shown on its own page only
    planned_ids.clear()
    build(example, now=NOW)
    assert "news/index.html" in planned_ids[0] and "labels/norwegian-centre-of-expertise-nce/index.html" in planned_ids[0]
    assert_clean_cli(example, tmp_path)


def a_title_parsed_by_a_failed_build(site: Path) -> None:
    """A failed build parsed a new title, then the template that failed was put back: the
    cache's entries are no longer those the outputs were made from."""
    edit(site, AWARD, "title: MEDVIA awarded Bronze", "title: MEDVIA receives Bronze")
    base = site / "templates/base.html"
    good = base.read_bytes() if base.exists() else None
    base.parent.mkdir(exist_ok=True)
    base.write_text("{{ site.no_such_thing.at_all() }}\n", encoding="utf-8")
    with pytest.raises(BuildFailed):
        build(site, now=NOW)
    if good is None:
        base.unlink()
    else:
        base.write_bytes(good)


NOT_ONLY_TEXT = {
    **EDITS_BEYOND_TEXT,
    "a template": lambda site: (site / "templates").mkdir(exist_ok=True) or (site / "templates/page.html").write_text(
        '{% extends "base.html" %}{% block content %}<h2>{{ page.title }}</h2>{{ page.body_html | safe }}{% endblock %}\n', encoding="utf-8"),
    "a setting": lambda site: edit(site, "pressroom.toml", "page_size = 10", "page_size = 3"),
    "a failed build in between": a_title_parsed_by_a_failed_build,
}


@pytest.mark.parametrize("change", list(NOT_ONLY_TEXT))
def test_on_the_command_line_a_text_edit_with_anything_else_changed_computes_every_key(example, tmp_path, keyed, change):
    build(example, now=NOW)
    NOT_ONLY_TEXT[change](example)
    append(example, ABOUT, "And some text.")
    keyed.clear()
    build(example, now=NOW)
    assert set(keyed) == set(manifest_of(example).products)
    assert_clean_cli(example, tmp_path)


def test_on_the_command_line_time_passing_a_change_of_the_index_computes_every_key(example, tmp_path, keyed):
    build(example, now=NOW)
    later = NOW + timedelta(minutes=5)  # nothing on the example site changes then
    append(example, AWARD, "Five minutes later.")
    keyed.clear()
    build(example, now=later)
    assert 0 < len(set(keyed)) < len(manifest_of(example).products) / 2
    assert_clean_cli(example, tmp_path, now=later)
    for moment in (NOW + timedelta(days=3), NOW):  # the seminar of 3 December is over; a clock set back
        append(example, AWARD, "Later, or earlier.")
        keyed.clear()
        build(example, now=moment)
        assert set(keyed) == set(manifest_of(example).products)
        assert_clean_cli(example, tmp_path, now=moment)


def test_on_the_command_line_a_text_edit_reads_the_site_index_the_last_indexing_build_saved(example, tmp_path, planned):
    build(example, now=NOW)
    for name, change in [*TEXT_EDITS.items(), ("a title", EDITS_BEYOND_TEXT["a title"]),
                         ("then text again", lambda site: append(site, AWARD, "After the new title."))]:
        change(example)
        planned.clear()
        build(example, now=NOW)
        assert planned == (["index", "plan"] if name == "a title" else ["plan"]), name
        assert_clean_cli(example, tmp_path)
    assert "After the new title." in (example / "output/news/2024/medvia-receives-bronze-label-for-cluster-management-excellence/index.html").read_text(encoding="utf-8")


def test_on_the_command_line_a_text_edit_reads_only_the_items_the_outputs_it_makes_show(tmp_path, monkeypatch):
    """The cache gives the parsed items back as stand-ins (lazy.py): an edit of one release
    reads from it the items of the few pages it makes anew, not every item of the site."""
    import importlib.util

    spec = importlib.util.spec_from_file_location("corpus", ROOT / "bench" / "corpus.py")
    corpus = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(corpus)
    site = tmp_path / "site"
    releases = corpus.generate(200, site)["releases"]
    read = []
    read_item = lazy._read

    def counted(obj):
        if object.__getattribute__(obj, "__dict__").get(lazy._PICKLED) is not None:
            read.append(obj)
        read_item(obj)

    monkeypatch.setattr(lazy, "_read", counted)
    now = NOW.replace(year=2030)
    build(site, now=now)
    for release in (releases[0], releases[100], releases[-1]):  # the oldest, one in the middle, the newest
        append(site, release["path"], "A sentence added later.")
        read.clear()
        build(site, now=now)
        assert 0 < len(read) < len(releases) / 4, release["path"]
        assert_clean_cli(site, tmp_path, now)
    assert "A sentence added later." in (site / "output/news" / str(releases[100]["year"]) / releases[100]["slug"] / "index.html").read_text(encoding="utf-8")


def test_on_the_command_line_a_saved_index_is_read_only_while_it_holds(example, tmp_path, planned):
    build(example, now=NOW)
    append(example, AWARD, "Five minutes later.")
    planned.clear()
    build(example, now=NOW + timedelta(minutes=5))  # nothing on the example site changes then
    assert planned == ["plan"]
    for moment in (NOW + timedelta(days=3), NOW):  # the seminar of 3 December is over; a clock set back
        append(example, AWARD, "Later, or earlier.")
        planned.clear()
        build(example, now=moment)
        assert planned[:1] == ["index"]
        assert_clean_cli(example, tmp_path, now=moment)


@pytest.fixture
def parsed_where(tmp_path, monkeypatch):
    """The (process, path) of every content file parsed from now on, in whichever process
    parses it; forks as `pressroom build` does (one thread, both cores)."""
    notes = tmp_path / "parsed-in"
    parse_file = content.parse_file

    def noted(path, *args):
        with open(notes, "a", encoding="utf-8") as file:
            file.write(f"{os.getpid()} {path}\n")
        return parse_file(path, *args)

    monkeypatch.setattr(content, "parse_file", noted)
    monkeypatch.setattr(workers.threading, "active_count", lambda: 1)
    monkeypatch.setenv("PRESSROOM_WORKERS", "2")

    def taken() -> list[tuple[bool, str]]:
        """(parsed in another process, path) since the last call."""
        lines = notes.read_text(encoding="utf-8").splitlines() if notes.exists() else []
        notes.unlink(missing_ok=True)
        return [(int(pid) != os.getpid(), path) for pid, path in (line.split(" ", 1) for line in lines)]

    return taken


def test_on_the_command_line_edited_files_are_parsed_in_another_process_while_the_entries_load(example, tmp_path, parsed_where):
    build(example, now=NOW)
    parsed_where()
    append(example, AWARD, "A sentence.")
    build(example, now=NOW)
    assert parsed_where() == [(True, AWARD)]  # once, over there
    assert "A sentence." in (example / "output/news/2024/medvia-awarded-bronze-label-for-cluster-management-excellence/index.html").read_text(encoding="utf-8")
    assert_clean_cli(example, tmp_path)
    before = without_marker(tree(example / "output"))
    parsed_where()  # (those of the clean build)
    os.utime(example / AWARD)  # touched, its text as it was: parsed over there, and nothing changes
    os.utime(example / ABOUT, ns=(2, 2))  # given an old time: not guessed, looked at here
    build(example, now=NOW)
    assert sorted(parsed_where()) == sorted([(True, AWARD), (False, ABOUT)])
    assert without_marker(tree(example / "output")) == before
    edit(example, AWARD, "date: 2024-01-09T09:00:00+01:00", "date: 2024-01-09T09:00:00+01:00\ntags: [a, b]")
    with pytest.raises(BuildFailed) as failed:  # found over there, told with its line here
        build(example, now=NOW)
    assert [(error.path, error.line) for error in failed.value.errors] == [(AWARD, 6)]  # the second tags:
    assert "tags" in failed.value.errors[0].message
    assert parsed_where() == [(True, AWARD)]
    edit(example, AWARD, "\ntags: [a, b]", "")
    append(example, SILVER, "And here.")
    (example / "content/news/2026/2026-03-01-a-new-release.md").write_text(
        "---\ntitle: A new release\ndate: 2026-03-01T09:00:00+01:00\n---\nWith a sentence.\n", encoding="utf-8")
    build(example, now=NOW)
    assert sorted(parsed_where()) == sorted([(True, AWARD), (True, SILVER), (True, "content/news/2026/2026-03-01-a-new-release.md")])
    assert_clean_cli(example, tmp_path)


def test_on_the_command_line_the_building_process_of_a_text_edit_loads_neither_yaml_nor_markdown(example):
    """They are loaded where the edited file is parsed, in the other process, while the
    building one loads what the last build left (a tenth of a second at 10,000 releases)."""
    import subprocess
    import sys

    script = (
        "import sys\n"
        "from pressroom import cli\n"
        f"code = cli.main(['build', {str(example)!r}])\n"
        "print(code, sorted(name for name in ('yaml', 'frontmatter', 'markdown') if name in sys.modules))\n"
    )
    env = {**os.environ, "PRESSROOM_WORKERS": "2", "SOURCE_DATE_EPOCH": str(int(NOW.timestamp()))}
    first = subprocess.run([sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, timeout=120, env=env)
    assert first.stdout.splitlines()[-1] == "0 ['frontmatter', 'markdown', 'yaml']", first.stderr  # a first build parses here
    append(example, AWARD, "A sentence.")
    again = subprocess.run([sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, timeout=120, env=env)
    assert again.stdout.splitlines()[-1] == "0 []", again.stderr
    assert "A sentence." in (example / "output/news/2024/medvia-awarded-bronze-label-for-cluster-management-excellence/index.html").read_text(encoding="utf-8")


@pytest.mark.parametrize("stored", ["damaged", "of another build", "naming a file no longer there"])
def test_on_the_command_line_a_saved_index_that_cannot_be_used_is_made_again(example, tmp_path, planned, stored):
    build(example, now=NOW)
    builder = Builder(example)
    name = builder.manifest_name + pipeline.SAVED_INDEX
    token, data = builder.cache.get(name)
    if stored == "damaged":
        builder.cache.put_many({name: (token, data[: len(data) // 2])})
    elif stored == "of another build":
        builder.cache.put_many({name: (b"another build" + token, data)})
    else:  # as if the saved index named the award by another path
        builder.cache.put_many({name: (token, data.replace(AWARD.encode(), AWARD.replace("bronze", "silver").encode()))})
    builder.cache.close()
    append(example, AWARD, "An edit.")
    planned.clear()
    build(example, now=NOW)
    assert planned == ["index", "plan"]
    assert_clean_cli(example, tmp_path)


def test_the_manifest_is_kept_as_changes_since_a_full_record(example, tmp_path):
    build(example, now=NOW)
    builder = Builder(example)
    full = builder.cache.get(builder.manifest_name)
    assert builder.cache.get(builder.manifest_name + CHANGES) is None
    append(example, AWARD, "A small edit.")
    build(example, now=NOW)
    changes = builder.cache.get(builder.manifest_name + CHANGES)
    assert isinstance(changes, Changes) and changes.token == full.token
    assert "news/2024/medvia-awarded-bronze-label-for-cluster-management-excellence/index.html" in changes.manifest.products
    assert len(changes.manifest.products) < len(full.products) / 4  # the outputs that show that release
    assert builder.cache.get(builder.manifest_name).token == full.token  # the full record was not written again
    assert_clean_cli(example, tmp_path)
    edit(example, "pressroom.toml", "page_size = 10", "page_size = 3")  # most outputs change
    build(example, now=NOW)
    assert builder.cache.get(builder.manifest_name).token != full.token
    assert builder.cache.get(builder.manifest_name + CHANGES) is None
    assert_clean_cli(example, tmp_path)
    builder.cache.close()


def test_changes_are_read_only_with_the_full_record_they_were_made_against(example, tmp_path):
    build(example, now=NOW)
    builder = Builder(example)
    full = builder.cache.get(builder.manifest_name)
    stray = Manifest(full.salt, {pid: made._replace(key=b"\0" * 16) for pid, made in full.products.items() if pid != "about/index.html"}, full.basis)
    builder.cache.put_many({builder.manifest_name + CHANGES: Changes(full.token, stray, frozenset(["about/index.html"]))})
    read = manifest_of(example)  # changed outputs replaced, removed ones gone
    assert read.products.keys() == full.products.keys() - {"about/index.html"}
    assert {made.key for made in read.products.values()} == {b"\0" * 16}
    builder.cache.put_many({builder.manifest_name + CHANGES: Changes(b"another full record", stray, frozenset(["about/index.html"]))})
    assert manifest_of(example).products == full.products
    append(example, AWARD, "After changes of another record.")
    build(example, now=NOW)
    assert_clean_cli(example, tmp_path)
    builder.cache.close()
