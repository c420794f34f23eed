"""Looking at the content files: the preview names the paths that changed, and looking at
just those must find exactly what looking at every file finds. A command-line build guesses
which files changed before it loads what the last build parsed, to parse them meanwhile."""

from __future__ import annotations

import itertools
import os
import shutil
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pressroom.cache import Cache
from pressroom.content import Entry, probably_changed, rescan_content, save_entries, scan_content, taken_early

FOLDERS = ["content/news", "content/pages", "content/events", "content/labels"]
NAMES = ["a.md", "b.md", "zz.md", "a-b.md", "notes.txt", ".a.md.swp", "4913"]
PLACES = ["content/news", "content/news/2024", "content/news/2024/x", "content/news/.hidden", "content/pages", "content/events", "templates", "assets"]

# One step of a user's (or an editor's, or git's) work, and the paths a watcher names for it.
steps = st.one_of(
    st.tuples(st.just("write"), st.sampled_from(PLACES), st.sampled_from(NAMES), st.text(max_size=3)),
    st.tuples(st.just("delete"), st.sampled_from(PLACES), st.sampled_from(NAMES), st.just("")),
    st.tuples(st.just("rename"), st.sampled_from(PLACES), st.sampled_from(NAMES), st.sampled_from(NAMES)),
    st.tuples(st.just("remove folder"), st.sampled_from(PLACES), st.just(""), st.just("")),
)
_runs = itertools.count()


def apply(site: Path, step: tuple[str, str, str, str]) -> list[Path]:
    action, place, name, extra = step
    folder = site / place
    if action == "write":
        folder.mkdir(parents=True, exist_ok=True)
        (folder / name).write_text(f"text {extra}")
        return [folder, folder / name]
    if action == "delete" and (folder / name).is_file():
        (folder / name).unlink()
        return [folder / name]
    if action == "rename" and (folder / name).is_file():
        os.replace(folder / name, folder / extra)
        return [folder / name, folder / extra]
    if action == "remove folder" and folder.is_dir():
        gone = [path for path in folder.rglob("*")]
        shutil.rmtree(folder)
        return [folder, *gone]
    return []


@pytest.fixture(scope="module")
def sites(tmp_path_factory):
    return tmp_path_factory.mktemp("sites")


@settings(max_examples=60, deadline=None)
@given(before=st.lists(steps, max_size=6), after=st.lists(steps, min_size=1, max_size=6))
def test_looking_only_at_the_changed_paths_finds_what_a_full_scan_finds(sites, before, after):
    site = sites / f"site-{next(_runs)}"
    (site / "content/news").mkdir(parents=True)
    for step in before:
        apply(site, step)
    states, errors = scan_content(site, FOLDERS)
    assert errors == []
    changed = [path for step in after for path in apply(site, step)]
    found = rescan_content(site, FOLDERS, states, changed)
    if found is not None:  # else it asked for a full scan (a folder among the paths)
        expected, _ = scan_content(site, FOLDERS)
        assert list(found.items()) == list(expected.items())


def test_edits_new_files_and_folders_need_no_full_scan(tmp_path):
    news = tmp_path / "content/news/2024"
    news.mkdir(parents=True)
    (news / "a.md").write_text("a")
    states, _ = scan_content(tmp_path, FOLDERS)
    (news / "a.md").write_text("a, longer")  # saved in place: the folder is as it was
    found = rescan_content(tmp_path, FOLDERS, states, [news / "a.md"])
    assert found == scan_content(tmp_path, FOLDERS)[0] and found["content/news/2024/a.md"][0] == len("a, longer")
    (news / "b.md.tmp").write_text("b")  # saved by way of a temporary file: the folder is named
    os.replace(news / "b.md.tmp", news / "b.md")
    (news / "2025").mkdir()
    (news / "2025" / "c.md").write_text("c")
    found = rescan_content(tmp_path, FOLDERS, found, [news, news / "b.md.tmp", news / "b.md", news / "2025", news / "2025" / "c.md"])
    assert list(found.items()) == list(scan_content(tmp_path, FOLDERS)[0].items())
    assert sorted(found) == ["content/news/2024/2025/c.md", "content/news/2024/a.md", "content/news/2024/b.md"]


def test_a_link_among_the_changed_paths_asks_for_a_full_scan(tmp_path):
    news = tmp_path / "content/news"
    news.mkdir(parents=True)
    states, _ = scan_content(tmp_path, FOLDERS)
    (news / "passwd.md").symlink_to("/etc/passwd")
    assert rescan_content(tmp_path, FOLDERS, states, [news / "passwd.md"]) is None
    assert scan_content(tmp_path, FOLDERS)[1] != []  # where the full scan refuses it, with its reason


def test_a_link_in_a_named_folder_asks_for_a_full_scan_unless_it_is_hidden(tmp_path):
    news = tmp_path / "content/news"
    news.mkdir(parents=True)
    states, _ = scan_content(tmp_path, FOLDERS)
    (news / "a.md").write_text("a")
    (news / ".#a.md").symlink_to("user@host.1234")  # Emacs's lock file while a.md is edited
    found = rescan_content(tmp_path, FOLDERS, states, [news])
    assert found is not None and list(found.items()) == list(scan_content(tmp_path, FOLDERS)[0].items())
    (news / "passwd.md").symlink_to("/etc/passwd")
    assert rescan_content(tmp_path, FOLDERS, states, [news]) is None


def walked_by_the_look_at_the_inputs(site: Path):
    from pressroom.unchanged import read_inputs

    return read_inputs(site, ()).content


@settings(max_examples=40, deadline=None)
@given(steps=st.lists(steps, max_size=8))
def test_the_walk_of_the_look_at_the_inputs_finds_what_a_scan_of_the_content_finds(sites, steps):
    """A command-line build takes the content files' states from the look that decided it
    must build (read_inputs walks content/ anyway) instead of walking content/ again."""
    site = sites / f"site-{next(_runs)}"
    (site / "content/news").mkdir(parents=True)
    for step in steps:
        apply(site, step)
    assert scan_content(site, FOLDERS, walked_by_the_look_at_the_inputs(site)) == scan_content(site, FOLDERS)


def test_the_walk_of_the_look_at_the_inputs_treats_links_as_a_scan_does(tmp_path):
    site, outside = tmp_path / "site", tmp_path / "outside"
    (site / "content/news/2024").mkdir(parents=True)
    (site / "shared").mkdir()
    outside.mkdir()
    (outside / "passwd.md").write_text("secret")
    (site / "shared/about.md").write_text("---\ntitle: About\n---\n")
    (site / "content/news/2024/a.md").write_text("a")
    (site / "content/news/2024/passwd.md").symlink_to(outside / "passwd.md")  # an error, never read
    (site / "content/news/elsewhere").symlink_to(outside, target_is_directory=True)
    (site / "content/pages").symlink_to(site / "shared", target_is_directory=True)  # a linked folder of the site
    (site / "content/events").symlink_to(outside, target_is_directory=True)  # a linked folder outside it
    expected = scan_content(site, FOLDERS)
    assert expected[1] and "content/pages/about.md" in expected[0]  # the cases are there
    assert scan_content(site, FOLDERS, walked_by_the_look_at_the_inputs(site)) == expected


# ------------------------------------------------------------- what changed, guessed early


def entry(path: str, state: tuple[int, int]) -> Entry:
    return Entry(path, state, b"salt", b"key of " + path.encode(), item=None, errors=(), racy=False)


def test_the_files_that_probably_changed_are_known_before_the_entries_are_loaded(tmp_path):
    cache = Cache(tmp_path)
    assert probably_changed(cache, {"content/news/a.md": (1, 1)}) is None  # nothing saved yet
    looked = 1_700_000_000_123_456_789
    saved = {"content/news/a.md": entry("content/news/a.md", (10, looked - 10**10)), "content/news/b.md": entry("content/news/b.md", (20, looked - 10**10))}
    save_entries(cache, saved, set(saved), looked)
    now = {
        "content/news/a.md": (10, looked - 10**10),  # as it was
        "content/news/b.md": (21, looked + 10**9),  # changed since
        "content/news/new.md": (5, looked + 2 * 10**9),  # new
        "content/news/copied.md": (5, looked - 10**11),  # new, with an old time: not guessed
        "content/news/just-before.md": (7, looked - 10**6),  # changed a moment before: maybe again since
    }
    assert probably_changed(cache, now) == ["content/news/b.md", "content/news/new.md", "content/news/just-before.md"]
    save_entries(cache, saved, set(), looked + 10**12)  # nothing changed: nothing saved
    assert probably_changed(cache, now) == ["content/news/b.md", "content/news/new.md", "content/news/just-before.md"]


def parsed(path: str, key: bytes) -> tuple:
    return (path, key, f"item of {path}", (), ())


def test_files_parsed_early_count_only_where_the_entries_want_them_parsed():
    early = lambda: ([parsed("a.md", b"new a"), parsed("b.md", b"b as before"), parsed("x.md", b"x")], {b"memo": "html"})  # noqa: E731
    todo = [("a.md", b"old a"), ("b.md", b"b as before"), ("c.md", None)]
    ready, rest = taken_early(early, todo)
    # a was edited; b was touched, its text as before (as parse_file tells it); c was not guessed;
    # x was guessed, but its entry says it needs no new look
    assert ready == [([parsed("a.md", b"new a"), ("b.md", b"b as before", None, None, ())], {b"memo": "html"})]
    assert rest == [("c.md", None)]
    assert taken_early(None, todo) == ([], todo)
