import os

import pytest

from pressroom.errors import BuildFailed
from pressroom.write import MARKER, check_output_dir, clean_leftovers, write_site
from tests.conftest import tree


def test_writes_files_assets_and_marker(tmp_path):
    assets = tmp_path / "assets"
    (assets / "img").mkdir(parents=True)
    (assets / "img" / "logo.svg").write_text("<svg/>")
    out = tmp_path / "output"
    result = write_site({"index.html": b"home", "news/index.html": b"news"}, [assets], out)
    assert tree(out) == {"index.html": b"home", "news/index.html": b"news", "assets/img/logo.svg": b"<svg/>", MARKER: tree(out)[MARKER]}
    assert (result.written, result.unchanged, result.removed) == (2, 0, 0)


def test_unchanged_files_keep_their_mtime_and_removed_files_go(tmp_path):
    out = tmp_path / "output"
    write_site({"a.html": b"same", "b.html": b"old", "gone.html": b"x"}, [], out)
    old = 1_000_000_000
    for name in ("a.html", "b.html"):
        os.utime(out / name, (old, old))
    result = write_site({"a.html": b"same", "b.html": b"new"}, [], out)
    assert (out / "a.html").stat().st_mtime == old
    assert (out / "b.html").stat().st_mtime != old
    assert not (out / "gone.html").exists()
    assert (result.written, result.unchanged, result.removed) == (1, 1, 1)


def test_a_failed_write_leaves_the_previous_output_and_no_staging(tmp_path):
    out = tmp_path / "output"
    write_site({"index.html": b"good"}, [], out)
    before = tree(out)
    with pytest.raises(BuildFailed) as failure:
        write_site({"index.html": b"new", "x" * 300 + ".html": b"name too long"}, [], out)
    assert "could not write the site" in str(failure.value.errors[0])
    assert tree(out) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["output"]


def test_leftovers_of_a_killed_build_are_tidied_and_a_half_swap_restored(tmp_path):
    out = tmp_path / "output"
    (tmp_path / ".output.staging-x").mkdir()
    kept = tmp_path / ".output.old-y" / "output"
    kept.mkdir(parents=True)
    (kept / "index.html").write_text("previous")
    clean_leftovers(out)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["output"]
    assert (out / "index.html").read_text() == "previous"


@pytest.mark.parametrize("where, message", [
    (".", "the output folder would contain the site itself"),
    ("..", "the output folder would contain the site itself"),
    ("content/out", "the output folder is inside content/"),
    ("templates", "the output folder is inside templates/"),
    ("mine", "holds files that Pressroom did not write"),
])
def test_dangerous_output_folders_are_refused(tmp_path, where, message):
    site = tmp_path / "site"
    (site / "mine").mkdir(parents=True)
    (site / "mine" / "thesis.docx").write_text("years of work")
    [error] = check_output_dir(site, site / where)
    assert message in error.message


def test_empty_new_and_own_folders_are_fine(tmp_path):
    site = tmp_path / "site"
    (site / "empty").mkdir(parents=True)
    assert check_output_dir(site, site / "output") == []
    assert check_output_dir(site, site / "empty") == []
    write_site({"index.html": b"x"}, [], site / "output")
    assert check_output_dir(site, site / "output") == []
