"""New content in one command, and new sites: `pressroom new KIND "Title"`, `pressroom init DIR`.

The files come from pressroom/starter/: `new/<kind>.md` for one piece of content, with every
field present and explained, and `site/` for a whole new site. What goes into them is worked
out by pure functions given `today` and the config; only create_* touch the disk, and they
never write over anything.
"""

from __future__ import annotations

import json
import os
import shutil
import string
import tempfile
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import yaml

from pressroom import __version__, urls
from pressroom.config import Config
from pressroom.errors import BuildFailed, SiteError, UsageError
from pressroom.source import visible_text

STARTER = Path(__file__).parent / "starter"
KINDS = ("release", "event", "label", "page")
FOLDERS = {"release": "content/news", "event": "content/events", "label": "content/labels", "page": "content/pages"}
WORKFLOW = ".github/workflows/pressroom.yml"


@dataclass(frozen=True)
class NewFile:
    path: str  # relative to the site folder
    text: str


def clean_title(title: str) -> str:
    """One line of text, without the invisible characters a build would drop; a title nothing
    can be made of is a usage error."""
    text = " ".join(visible_text(title).split())
    if not text:
        raise UsageError("the title is empty; write it in quotes: pressroom new release \"What happened\"")
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        raise UsageError("the title is not valid text; type it again") from None
    if not urls.slug_from(text):
        raise UsageError(f'the title "{text}" has no letters or digits to make a file name from; give it some words')
    return text


def yaml_line(key: str, value: str) -> str:
    """`key: value`, quoted when YAML would otherwise read the value as something else."""
    return yaml.safe_dump({key: value}, allow_unicode=True, width=1_000_000, sort_keys=False).rstrip("\n")


def new_file(kind: str, title: str, today: date, config: Config) -> NewFile:
    """The file `pressroom new KIND TITLE` writes, as of `today` in the site's time zone."""
    title = clean_title(title)
    slug = urls.slug_from(title)
    name = f"{today.isoformat()}-{slug}.md" if kind == "release" else f"{slug}.md"
    issuer = next(iter(config.issuers.values()), None)
    if kind == "label" and issuer is None:
        raise BuildFailed([SiteError("pressroom.toml", None, "has no [issuers.…] table, so a label has nobody to award it; add the body that awards your labels first (see the README, “Labels”)")])
    values = {
        "title": yaml_line("title", title),
        "today": today.isoformat(),
        "timezone": config.timezone,
        "slug": slug,
        "issuer": issuer.key if issuer else "esca",
        "level": issuer.levels[0] if issuer else "bronze",
        "levels": ", ".join(issuer.levels) if issuer else "",
        "issuers": ", ".join(config.issuers) if issuer else "",
    }
    text = string.Template((STARTER / "new" / f"{kind}.md").read_text("utf-8")).substitute(values)
    return NewFile(f"{FOLDERS[kind]}/{name}", text)


def create_new(site_dir: Path, new: NewFile) -> Path:
    """Write the new file; an existing one is never replaced."""
    path = site_dir / new.path
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        with open(path, "x", encoding="utf-8") as file:
            file.write(new.text)
    except FileExistsError:
        raise BuildFailed([SiteError(new.path, None, "already exists, and Pressroom never writes over a file; edit that one, or choose another title")]) from None
    return path


# --- a whole new site ------------------------------------------------------------------------


def site_files(today: date, title: str, base_url: str, timezone: str) -> dict[str, str]:
    """Every file of a new site, by path: settings, one release, one event, one label, a page,
    the publishing workflow and a README for editors."""
    title = " ".join(title.split()) or "Newsroom"
    event_day = today + timedelta(days=30)
    values = {
        "title": toml_string(title),
        "base_url": toml_string(base_url),
        "timezone": toml_string(timezone),
        "today": today.isoformat(),
        "year": str(today.year),
        "event_day": event_day.isoformat(),
        "event_year": str(event_day.year),
        "version": __version__,
    }
    files = {}
    for source in sorted((STARTER / "site").rglob("*")):
        if not source.is_file():
            continue
        rel = source.relative_to(STARTER / "site").as_posix()
        text = source.read_text("utf-8")
        target = string.Template(rel.replace("dot-", ".", 1) if rel.startswith("dot-") else rel).substitute(values)
        files[target] = text if target == WORKFLOW else string.Template(text).substitute(values)
    files[WORKFLOW] = (STARTER / "pressroom.yml").read_text("utf-8")
    return files


def toml_string(text: str) -> str:
    """A TOML basic string: JSON's escapes are TOML's, apart from DEL."""
    return json.dumps(text, ensure_ascii=False).replace("\x7f", "\\u007f")


def create_site(target: Path, files: dict[str, str]) -> None:
    """Write the whole site into a new (or empty) folder, all at once: it is built beside
    the target and moved into place, so no half-made site is ever left behind."""
    if target.exists() and not (target.is_dir() and not any(target.iterdir())):
        raise BuildFailed([SiteError(str(target), None, "already exists and is not empty; name a new folder, Pressroom will not write into this one")])
    target.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{target.name}.new-", dir=target.parent))
    try:
        for rel, text in files.items():
            path = staging / rel
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8")
        os.chmod(staging, 0o777 & ~current_umask())
        os.replace(staging, target)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise


def current_umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def local_timezone() -> str:
    """This computer's time zone name, as the default for a new site; UTC if unknown."""
    candidates = [os.environ.get("TZ", "").lstrip(":")]
    try:
        candidates.append(Path("/etc/timezone").read_text().strip())
    except OSError:
        pass
    link = os.path.realpath("/etc/localtime")
    if "zoneinfo/" in link:
        candidates.append(link.split("zoneinfo/", 1)[1])
    for name in candidates:
        try:
            if name and "/" in name:
                ZoneInfo(name)
                return name
        except (ZoneInfoNotFoundError, ValueError):
            continue
    return "UTC"
