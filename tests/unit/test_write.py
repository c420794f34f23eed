import os
import shutil

import pytest

from pressroom.errors import BuildFailed
from pressroom.write import FEW_CHANGES, JOURNAL, MARKER, check_output_dir, clean_leftovers, stage_file, write_file, write_site
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


def test_a_few_changes_are_moved_in_and_many_exchange_the_whole_folder(tmp_path):
    out = tmp_path / "output"
    site = {f"news/{n}/index.html": b"release %d" % n for n in range(4 * FEW_CHANGES)}
    write_site(site, [], out)
    folder = out.stat().st_ino
    first = (out / "news/0/index.html").stat().st_ino
    # one file of many: moved into the same folder, the others untouched
    site["news/1/index.html"] = b"corrected"
    del site["news/2/index.html"]
    assert (write_site(site, [], out).written, out.stat().st_ino) == (1, folder)
    assert tree(out) == {**site, MARKER: tree(out)[MARKER]}
    assert (out / "news/0/index.html").stat().st_ino == first
    # half of them: a new folder in one step, with the unchanged files linked, not copied
    site.update({f"news/{n}/index.html": b"again %d" % n for n in range(0, 4 * FEW_CHANGES, 2)})
    site["news/1/index.html"] = b"release 1"
    write_site(site, [], out)
    assert out.stat().st_ino != folder
    assert tree(out) == {**site, MARKER: tree(out)[MARKER]}
    assert (out / "news/3/index.html").stat().st_nlink == 1  # the previous folder is gone
    assert sorted(p.name for p in tmp_path.iterdir()) == ["output"]


def test_a_build_killed_while_moving_files_in_is_finished_by_the_next(tmp_path):
    out = tmp_path / "output"
    write_site({"a.html": b"old a", "b.html": b"old b", "gone.html": b"x"}, [], out)
    staging = tmp_path / ".output.staging-killed"
    staging.mkdir()
    (staging / "b.html").write_bytes(b"new b")  # a.html was moved in before the kill
    (out / "a.html").write_bytes(b"new a")
    (staging / JOURNAL).write_text('{"moves": ["a.html", "b.html"], "removals": ["gone.html"]}')
    clean_leftovers(out)
    assert {k: v for k, v in tree(out).items() if k != MARKER} == {"a.html": b"new a", "b.html": b"new b"}
    assert sorted(p.name for p in tmp_path.iterdir()) == ["output"]


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


def test_staging_makes_the_folders_a_file_needs_but_never_a_staging_folder_removed_meanwhile(tmp_path):
    """A worker still writing while its stopped build removes the staging folder must not
    make that folder again: it would be left beside the output."""
    output, staging = tmp_path / "public", tmp_path / ".public.staging-x"
    staging.mkdir()
    assert stage_file(staging, output, True, "news/2024/a/index.html", b"<p>a</p>")[0]
    assert (staging / "news/2024/a/index.html").read_bytes() == b"<p>a</p>"
    shutil.rmtree(staging)
    for rel in ("news/2024/b/index.html", "index.html"):
        with pytest.raises(BuildFailed):
            stage_file(staging, output, True, rel, b"<p>b</p>")
    assert sorted(p.name for p in tmp_path.iterdir()) == []


@pytest.mark.parametrize("data", [b"", b"<p>a</p>", bytes(range(256)) * 40_000])
def test_write_file_leaves_exactly_the_bytes_and_returns_their_state(tmp_path, data):
    target = tmp_path / "index.html"
    target.write_bytes(b"an older, longer text than some of these")
    stat = write_file(target, data)
    assert target.read_bytes() == data
    assert (stat.st_size, stat.st_mtime_ns) == (target.stat().st_size, target.stat().st_mtime_ns)
