"""The site index saved in the cache for the command line's next text edit: it names the
parsed items by their content file instead of storing them, and loading gives the items of
the entries the build has just read (see pressroom/saved_index.py)."""

import dataclasses

import pytest

from pressroom import saved_index
from pressroom.pipeline import Builder
from tests.test_text_edits import AWARD, NOW, SEMINAR, copy_of_example


@pytest.fixture(scope="module")
def planned(tmp_path_factory):
    """The entries and the site index of a build of the example site."""
    site = copy_of_example(tmp_path_factory.mktemp("saved") / "site")
    builder = Builder(site, site / "preview-out", private_output=True)
    builder.build(NOW)
    return builder._plan.entries, builder._plan.index


def with_new_text(entries, path, words):
    """The entries, with the item of `path` parsed again with other words (a text edit)."""
    entry = entries[path]
    item = dataclasses.replace(entry.item, summary=words)
    return {**entries, path: entry._replace(item=item)}


def test_a_loaded_index_equals_the_saved_one_and_holds_the_items_of_the_entries(planned):
    entries, index = planned
    loaded = saved_index.load(saved_index.dump(index, entries), entries)
    assert loaded == index
    award = entries[AWARD].item
    assert [release for release in loaded.releases if release is award] == [award]
    assert [event for event in loaded.events if event is award.event] == [award.event]  # a release's blocks, as the index lists them
    assert [label for label in loaded.labels if label is award.label] == [award.label]
    assert [event for event in loaded.events if event is entries[SEMINAR].item] == [entries[SEMINAR].item]
    assert all(release is entries[release.source].item for release in loaded.releases)


def test_the_items_are_named_not_stored(planned):
    entries, index = planned
    data = saved_index.dump(index, entries)
    award = entries[AWARD].item
    assert award.title.encode() not in data
    assert str(award.body_html)[:200].encode() not in data


def test_loading_with_edited_text_gives_the_edited_items(planned):
    entries, index = planned
    data = saved_index.dump(index, entries)
    edited = with_new_text(entries, AWARD, "New words.")
    loaded = saved_index.load(data, edited)
    award = [release for release in loaded.releases if release.source == AWARD]
    assert award == [edited[AWARD].item] and award[0].summary == "New words."
    assert award[0] is edited[AWARD].item


def test_an_index_that_cannot_be_loaded_is_none(planned):
    entries, index = planned
    data = saved_index.dump(index, entries)
    assert saved_index.load(data[:-10], entries) is None
    assert saved_index.load(b"not a pickle at all", entries) is None
    assert saved_index.load(data, {path: entry for path, entry in entries.items() if path != AWARD}) is None
    without_event = {**entries, AWARD: entries[AWARD]._replace(item=dataclasses.replace(entries[AWARD].item, event=None))}
    assert saved_index.load(data, without_event) is None
