"""lazy.py: stand-ins for parsed items kept in the cache, read when first used. A stand-in
must be indistinguishable from its item to any code that looks at it, and cost nothing
to code that does not."""

import dataclasses
import pickle
import pickletools
from datetime import datetime, timedelta, timezone
from pathlib import Path

from hypothesis import given
from hypothesis import strategies as st

from pressroom import lazy
from pressroom.cache import BodyStore, Cache
from pressroom.config import Issuer
from pressroom.content import Entry, load_entries, save_entries
from pressroom.depend import Fingerprints, Html
from pressroom.edits import put_text
from pressroom.errors import SiteError
from pressroom.model import Event, Label, Location, Page, Release
from pressroom.outputs import Shown
from pressroom.saved_index import dump, load

WHEN = datetime(2024, 1, 9, 9, tzinfo=timezone.utc)
CLOSING = Event("content/news/a.md", "Closing event", WHEN + timedelta(days=15), None, "Europe/Brussels", "closing", "events/2024/closing/",
                location=Location(venue="Residence Palace", city="Brussels"), line=8)


def release(**changes) -> Release:
    base = Release("content/news/a.md", "Bronze label", WHEN, "bronze", "news/2024/bronze/", Html.of("<p>Proud.</p>"),
                   summary="Proud.", tags=("awards",), event=CLOSING, draft=True, line=2)
    return dataclasses.replace(base, **changes)


def stand_in_for(item):
    return lazy.stand_in(*lazy.pickled(item))


def test_a_stand_in_is_its_item_once_anything_is_asked_of_it():
    item = release()
    standing = stand_in_for(item)
    assert lazy.unread(standing) and isinstance(standing, Release)
    assert standing.title == "Bronze label"
    assert not lazy.unread(standing) and type(standing) is Release
    assert standing == item and hash(standing) == hash(item) and repr(standing) == repr(item)
    assert standing.year == 2024 and standing.modified == WHEN  # its methods, on its fields


def test_fields_the_class_gives_a_default_are_the_items_own():
    # draft defaults to False on the class: a stand-in must not answer with the default
    standing = stand_in_for(release(draft=True, embargo=WHEN))
    assert standing.draft is True and standing.embargo == WHEN


def test_equality_reads_both_sides():
    assert stand_in_for(release()) == release() and release() == stand_in_for(release())
    assert stand_in_for(release()) != stand_in_for(release(title="Silver label"))


def test_the_address_is_answered_unread_and_the_bytes_are_kept_as_they_were():
    kind, data, kept = lazy.pickled(release())
    standing = lazy.stand_in(kind, data, kept)
    assert standing.url == "news/2024/bronze/" and lazy.unread(standing)
    assert lazy.pickled(standing)[1] is data  # saved again without being read, or pickled anew


def test_a_stand_in_pickles_as_its_item():
    standing = stand_in_for(release())
    copy = pickle.loads(pickle.dumps(standing))
    assert type(copy) is Release and copy == release()


def test_a_stand_in_has_the_fingerprint_of_its_item():
    fingerprints = Fingerprints()
    assert Fingerprints().of(stand_in_for(release())) == fingerprints.of(release())
    assert Fingerprints().of(stand_in_for(CLOSING)) == fingerprints.of(CLOSING)


def test_a_block_given_out_unread_is_the_block_its_item_holds():
    standing = stand_in_for(release())
    block = lazy.part_of(standing, "event", Event, {"url": CLOSING.url})
    assert block.url == CLOSING.url and lazy.unread(block) and lazy.unread(standing)
    assert lazy.part_of(standing, "event", Event, {}) is block  # the same one each time
    assert block.title == "Closing event" and block.location.city == "Brussels"  # read through the item
    assert not lazy.unread(standing) and standing.event is block and block == CLOSING


def test_reading_the_item_first_fills_in_the_block_it_gave_out():
    standing = stand_in_for(release())
    block = lazy.part_of(standing, "event", Event, {})
    assert standing.title == "Bronze label"
    assert not lazy.unread(block) and standing.event is block and type(block) is Event


def test_a_block_of_an_item_already_read_is_its_own():
    item = release()
    assert lazy.part_of(item, "event", Event, {}) is item.event


def test_nothing_inside_an_unread_stand_in_is_named():
    standing = stand_in_for(release())
    shown = Shown(None, {id(standing): (standing, "content/news/a.md")})
    assert shown.anywhere(standing) == {"content/news/a.md"}
    assert shown.anywhere((standing.url, stand_in_for(release(source="b.md")))) == frozenset()


def test_new_text_goes_into_a_stand_in_read_first():
    standing, new = stand_in_for(release()), release(summary="Very proud.", body_html=Html.of("<p>Very proud.</p>"))
    put_text(standing, new)
    assert standing == new and standing.summary == "Very proud."


def test_the_saved_index_gives_blocks_of_unread_items_unread():
    item = release()
    entries = {"content/news/a.md": Entry("content/news/a.md", (1, 1), b"s", b"k", item, ())}
    data = dump((item, item.event), entries)
    standing = stand_in_for(item)
    loaded_item, loaded_event = load(data, {"content/news/a.md": entries["content/news/a.md"]._replace(item=standing)})
    assert loaded_item is standing and lazy.unread(loaded_event) and loaded_event.url == CLOSING.url
    assert loaded_event == CLOSING and standing.event is loaded_event


def test_entries_come_back_from_the_cache_with_their_items_unread(tmp_path):
    problem = SiteError("content/news/b.md", 3, "date: is missing")
    entries = {
        "content/news/a.md": Entry("content/news/a.md", (10, 20), b"salt", b"key a", release(), (), False, (SiteError("content/news/a.md", 9, "a warning"),)),
        "content/news/b.md": Entry("content/news/b.md", (11, 21), b"salt", b"key b", None, (problem,), True),
    }
    cache = Cache(tmp_path)
    save_entries(cache, entries, set(entries), 0)
    loaded = load_entries(Cache(tmp_path))
    assert list(loaded) == list(entries)
    assert lazy.unread(loaded["content/news/a.md"].item) and loaded["content/news/b.md"].item is None
    assert loaded == entries  # (the comparison reads the item)
    save_entries(cache, loaded, set(loaded), 0)  # saved again: read or not, the same
    assert load_entries(Cache(tmp_path)) == entries


def test_a_damaged_shard_is_a_missing_one(tmp_path):
    cache = Cache(tmp_path)
    save_entries(cache, {"content/news/a.md": Entry("content/news/a.md", (1, 1), b"s", b"k", release(), ())}, {"content/news/a.md"}, 0)
    for shard in range(16):
        if cache.get(f"content/{shard}") is not None:
            cache.put_many({f"content/{shard}": ("not", "columns")})
    assert load_entries(cache) == {}


texts = st.text(st.characters(blacklist_categories=("Cs",)), max_size=30)


@given(title=texts, summary=texts, tags=st.lists(texts, max_size=3), draft=st.booleans(), minutes=st.integers(0, 10**6),
       with_event=st.booleans())
def test_any_release_stands_in_for_itself(title, summary, tags, draft, minutes, with_event):
    item = release(title=title, summary=summary, tags=tuple(tags), draft=draft, date=WHEN + timedelta(minutes=minutes),
                   event=CLOSING if with_event else None)
    standing = stand_in_for(item)
    assert all(getattr(standing, f.name) == getattr(item, f.name) for f in dataclasses.fields(Release))
    assert type(standing) is Release and standing == item


ESCA = Issuer("esca", "European Secretariat for Cluster Analysis", "https://www.cluster-analysis.org/", ("bronze", "silver", "gold"), 2)
BRONZE = Label("content/news/a.md", "Bronze label", ESCA, "bronze", WHEN.date(), WHEN.date().replace(year=2026), WHEN.replace(year=2026),
               WHEN, "esca-bronze", "labels/esca-bronze/", body_html=Html(None, b"d" * 16, BodyStore(Path("/site/.pressroom-cache/cache.sqlite3"))))


def test_an_items_pickle_names_no_class_in_full():
    """Each item is unpickled on its own: the classes they hold go by extension code
    (cache.PICKLED_CLASSES), not by module and name, which unpickling looks up for every
    item anew. A class added to the model belongs in that list."""
    for item in (release(label=BRONZE), Page("content/pages/about.md", "About", "about", "about/", Html.of("<p>Us.</p>"), menu=1), CLOSING):
        data = lazy.pickled(item)[1]
        named = [arg for op, arg, _ in pickletools.genops(data) if op.name in ("GLOBAL", "STACK_GLOBAL", "INST")]
        codes = [arg for op, arg, _ in pickletools.genops(data) if op.name.startswith("EXT")]
        assert named == [] and codes, type(item)
        assert pickle.loads(data) == item


def test_a_body_store_pickles_as_one_store_per_path():
    store = BodyStore(Path("/site/.pressroom-cache/cache.sqlite3"))
    copies = [pickle.loads(pickle.dumps(store)) for _ in range(3)]
    assert copies[0] == store and all(copy is copies[0] for copy in copies)
