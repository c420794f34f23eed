import itertools
from pathlib import Path

from hypothesis import example, given, settings
from hypothesis import strategies as st

from pressroom.errors import SiteError
from pressroom.front_matter import split_document
from pressroom.source import SourceFile, below, read_source, visible_text, walk

PATH = "content/news/x.md"


def split(text: str):
    return split_document(SourceFile(PATH, text))


def test_front_matter_and_body_are_split_with_real_line_numbers():
    doc = split("---\ntitle: Hello\n\ndate: 2024-01-09\n---\nBody text\n")
    assert doc.meta["title"] == "Hello"
    assert doc.lines == {"title": 2, "date": 4}
    assert doc.body == "Body text\n"
    assert doc.body_line == 6


def test_nested_keys_have_lines_too():
    doc = split("---\ntitle: T\nevent:\n  title: Closing event\n  start: 2024-01-24\n---\n")
    assert doc.line("event.start") == 5
    assert doc.line("event.nonexistent") == 3


def test_yaml_error_is_reported_at_its_line_in_the_file():
    error = split("---\ntitle: A: B\ndate: 2024-01-09\n---\n")
    assert isinstance(error, SiteError)
    assert str(error).startswith("content/news/x.md:2: this is not valid YAML: mapping values are not allowed")
    assert 'must be put in quotes' in error.message


def test_unclosed_quote_points_into_the_front_matter():
    error = split('---\ntitle: "Hello\ndate: 2024-01-09\n---\nbody\n')
    assert isinstance(error, SiteError) and error.path == PATH and 2 <= error.line <= 5


def test_front_matter_that_never_closes():
    assert str(split("---\ntitle: T\n\nText\n")) == (
        "content/news/x.md:1: the front matter that starts here never ends; add a line --- after the last field"
    )


def test_no_front_matter_and_empty_file():
    assert "there is no front matter" in str(split("Just text\n"))
    assert "the file is empty" in str(split(""))


def test_tabs_for_indentation_are_named():
    assert str(split("---\ntitle: T\nevent:\n\ttitle: X\n---\n")) == (
        "content/news/x.md:4: a tab is used for indentation; YAML needs spaces"
    )


def test_duplicated_keys_are_an_error_naming_both_lines():
    assert str(split("---\ntitle: A\ndate: 2024-01-09\ntitle: B\n---\n")) == (
        'content/news/x.md:4: "title" is given twice (first on line 2); keep one'
    )


def test_python_tags_are_refused_not_executed(tmp_path):
    marker = tmp_path / "pwned"
    text = f"---\ntitle: !!python/object/apply:os.system ['touch {marker}']\n---\n"
    error = split(text)
    assert isinstance(error, SiteError) and error.line == 2
    assert "not allowed here" in error.message
    assert not marker.exists()


def test_alias_bomb_is_bounded_and_reported():
    lines = ["---", 'a: &a ["x","x","x","x","x","x","x","x","x","x"]']
    for i in range(1, 9):
        previous = chr(ord("a") + i - 1)
        name = chr(ord("a") + i)
        lines.append(f"{name}: &{name} [" + ",".join([f"*{previous}"] * 10) + "]")
    error = split("\n".join(lines + ["---", ""]))
    assert isinstance(error, SiteError) and "aliases" in error.message


def test_bom_and_windows_line_endings_are_read(tmp_path):
    path = tmp_path / "content" / "news" / "x.md"
    path.parent.mkdir(parents=True)
    path.write_bytes("\ufeff---\r\ntitle: Tromsø\r\n---\r\nBody\r\n".encode("utf-8"))
    source = read_source(tmp_path, path)
    doc = split_document(source)
    assert doc.meta == {"title": "Tromsø"} and doc.body == "Body\n"


def test_non_utf8_file_names_the_byte(tmp_path):
    path = tmp_path / "content" / "news" / "x.md"
    path.parent.mkdir(parents=True)
    path.write_bytes(b"---\ntitle: Troms\xf8\n---\n")
    error = read_source(tmp_path, path)
    assert str(error) == 'content/news/x.md:2: is not UTF-8 text (byte 16 is 0xf8, probably "ø" saved by a Windows program); save the file as UTF-8'


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=300))
def test_any_text_gives_a_document_or_a_located_error(text):
    result = split("---\n" + text)
    if isinstance(result, SiteError):
        assert result.path == PATH and result.line is not None and result.line >= 1
    else:
        assert isinstance(result.meta, dict)


# PyYAML's own dumper folds line-separator characters, so they are left out of this round trip.
_plain = st.text(alphabet=st.characters(blacklist_categories=("Cs", "Cc", "Zl", "Zp")), min_size=1, max_size=20)


@settings(max_examples=200, deadline=None)
@given(st.dictionaries(_plain, st.one_of(_plain, st.integers(), st.booleans(), st.none()), max_size=8))
def test_every_key_of_valid_front_matter_gets_a_line(meta):
    import yaml

    text = "---\n" + yaml.safe_dump(meta, allow_unicode=True) + "---\nbody\n"
    doc = split(text)
    assert not isinstance(doc, SiteError), doc
    assert doc.meta == meta
    for key in meta:
        assert doc.lines[key] >= 2


@settings(max_examples=300, deadline=None)
@example("a\x0bb\x0c")  # page breaks alone
@example("a\x85b")
@given(st.text(alphabet=st.one_of(st.sampled_from(list("a \x00\x08\x0b\x0c\x0e\x1f\x7f\x85\x9f\ufffe\uffff\ud800\n\t")), st.characters())))
def test_visible_text_drops_invisible_characters_and_turns_page_breaks_into_spaces(text):
    expected = "".join(" " if char in "\x0b\x0c" else char for char in text if not _invisible(char))
    assert visible_text(text) == expected


def _invisible(char: str) -> bool:
    code = ord(char)
    return code <= 0x08 or 0x0E <= code <= 0x1F or 0x7F <= code <= 0x9F or 0xD800 <= code <= 0xDFFF or code in (0xFFFE, 0xFFFF)


_walks = itertools.count()
PARTS = st.sampled_from(["a", ".b", "c.md", ".d.md", "e..f", "g.", "news"])


@settings(max_examples=60, deadline=None)
@given(st.lists(st.lists(PARTS, min_size=1, max_size=4), max_size=12))
def test_what_a_walk_from_above_finds_below_a_folder_is_what_a_walk_of_it_finds(tmp_path_factory, paths):
    """The build takes the content files from the walk of the whole site that looked for
    changes (below()); hidden files and folders (editors' swap files, .git) are left out at
    any depth, as a walk of the folder itself leaves them out."""
    root = tmp_path_factory.mktemp(f"walk{next(_walks)}")
    for parts in paths:
        path = root.joinpath("content", "news", *parts)
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text("x")
        except (FileExistsError, NotADirectoryError, IsADirectoryError):
            continue  # a file where a folder is wanted, or the reverse
    whole = list(walk(root, ""))
    assert sorted(rel for rel, _ in below(whole, "content/news/")) == sorted(rel for rel, _ in walk(root / "content/news", "content/news/", hidden=False))
