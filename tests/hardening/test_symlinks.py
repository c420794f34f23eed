"""Issue 7, "Symbolic links": a link in content/, templates/ or assets/ that leads outside the
site is an error and is never followed, so a build cannot publish /etc/passwd."""

import os

from tests.conftest import tree
from tests.hardening.conftest import output_text

SECRET = "root:x:0:0:secret-line-from-outside"


def test_links_leading_outside_the_site_are_named_and_nothing_is_published(fails, good_site, tmp_path):
    outside = tmp_path / "outside"
    (outside / "folder").mkdir(parents=True)
    (outside / "passwd").write_text(SECRET)
    (outside / "release.md").write_text(f"---\ntitle: Outside\ndate: 2024-01-09\n---\n{SECRET}\n")
    (outside / "folder" / "inner.md").write_text(f"---\ntitle: Inner\ndate: 2024-01-09\n---\n{SECRET}\n")
    links = {
        "content/news/linked.md": outside / "release.md",
        "content/news/linked-folder": outside / "folder",
        "templates/base.html": outside / "passwd",
        "assets/passwd.txt": outside / "passwd",
        "assets/all": outside,
    }
    for name, target in links.items():
        (good_site / name).parent.mkdir(parents=True, exist_ok=True)
        os.symlink(target, good_site / name)
    lines = fails({})
    assert lines == [
        f"assets/all: is a link to {outside}, outside the site; it was not used. Copy what you need into the site instead",
        f"assets/passwd.txt: is a link to {outside}/passwd, outside the site; it was not used. Copy what you need into the site instead",
        f"content/news/linked-folder: is a link to {outside}/folder, outside the site; it was not used. Copy what you need into the site instead",
        f"content/news/linked.md: is a link to {outside}/release.md, outside the site; it was not used. Copy what you need into the site instead",
        f"templates/base.html: is a link to {outside}/passwd, outside the site; it was not used. Copy what you need into the site instead",
    ]
    assert SECRET not in output_text(good_site)


def test_links_that_stay_inside_the_site_are_fine(make_site, pressroom):
    site = make_site({
        "shared/logo.svg": "<svg xmlns='http://www.w3.org/2000/svg'/>",
        "shared/about.md": "---\ntitle: About\n---\nShared text.\n",
    })
    (site / "assets").mkdir()
    os.symlink(site / "shared" / "logo.svg", site / "assets" / "logo.svg")
    (site / "content" / "pages").mkdir(parents=True)
    os.symlink("../../shared/about.md", site / "content" / "pages" / "about.md")
    run = pressroom("build", str(site))
    assert run.code == 0, run.stderr
    written = tree(site / "output")
    assert written["assets/logo.svg"] == (site / "shared" / "logo.svg").read_bytes()
    assert b"Shared text." in written["about/index.html"]


def test_the_asset_copy_skips_outside_links_even_when_called_on_its_own(tmp_path):
    """The last line of defence, for callers that skip the pipeline's check."""
    from pressroom.write import collect_assets

    assets, elsewhere = tmp_path / "site" / "assets", tmp_path / "elsewhere"
    assets.mkdir(parents=True)
    elsewhere.mkdir()
    (elsewhere / "passwd").write_text(SECRET)
    os.symlink(elsewhere / "passwd", assets / "passwd")
    (assets / "logo.svg").write_text("<svg/>")
    assert list(collect_assets([assets], "assets")) == ["assets/logo.svg"]
    os.symlink(elsewhere, assets / "linked-folder")  # a folder leading out, the secret in it
    (assets / "css").mkdir()
    (assets / "css" / "site.css").write_text("body {}")
    os.symlink(elsewhere / "passwd", assets / "css" / "passwd.css")  # a link deeper down
    assert sorted(collect_assets([assets], "assets")) == ["assets/css/site.css", "assets/logo.svg"]
