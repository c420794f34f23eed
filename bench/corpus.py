"""Deterministic benchmark corpus for Pressroom and its peers.

    python bench/corpus.py N OUTDIR [--flavour pressroom|pelican|hugo] [--seed S]
                                    [--manifest PATH]

writes N press releases (400-900 words of Markdown each) as a site of the chosen
flavour:

* pressroom: ``pressroom.toml`` + ``content/news/YYYY/<slug>.md`` with YAML front
  matter (title, slug, date, summary, tags, author, optional image/image_alt, event,
  label; events and labels carry their own distinct title and slug, as each gets a page)
  and the referenced images under ``assets/images/``;
* pelican: ``content/news/YYYY/<slug>.md`` with a Pelican metadata header
  (Title/Date/Tags/Author/Summary/Slug) and the images under ``content/assets/``;
* hugo: ``content/news/YYYY/<slug>.md`` with YAML front matter
  (title/date/tags/summary/author) and the images under ``static/assets/``.

The body text of a release is byte-identical in every flavour, and so are the
titles (all distinct) and the URLs (news/YYYY/<slug>/: Pressroom and Pelican are
given the slug, Hugo takes it from the file name). Only the standard
library is used. Nothing depends on the clock: every release is drawn from its own
``random.Random(f"{seed}:{index}")``, so the first 1,000 releases of a
10,000-release corpus are the 1,000-release corpus.

Importable: ``generate(n, outdir, flavour="pressroom", seed=SEED)`` returns a
manifest (one entry per release plus the tag counts) that ``bench/run.py`` uses
to check what each tool rendered.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import random
import re
import shutil
import string
import struct
import sys
import zlib
from pathlib import Path

SEED = 20240109  # the day of the first MEDVIA release
FLAVOURS = ("pressroom", "pelican", "hugo")
START = dt.datetime(2012, 1, 2, 8, 0)  # naive Oslo local time of release 0
HOURS_BETWEEN = 7  # average spacing of releases: 10,000 releases span ~8 years

PRESSROOM_TOML = """\
title = "Bench Newsroom"
base_url = "https://bench.example/"
language = "en"
timezone = "Europe/Oslo"
page_size = 10

[organisation]
name = "Bench Cluster"
url = "https://bench.example/"

[issuers.esca]
name = "ESCA"
url = "https://www.cluster-analysis.org/"
levels = ["bronze", "silver", "gold"]
valid_years = 2
"""

# --------------------------------------------------------------------------- vocabulary

TAGS = [
    "medtech", "digital health", "funding", "partnership", "clinical trials",
    "artificial intelligence", "precision medicine", "diagnostics", "telemedicine",
    "health data", "regulation", "eu projects", "startups", "internationalisation",
    "hospitals", "elderly care", "mental health", "oncology", "cardiology",
    "imaging", "wearables", "biobanks", "genomics", "cybersecurity",
    "procurement", "innovation", "research", "education", "events", "awards",
    "sustainability", "membership", "investment", "export", "public sector",
    "pharma", "rehabilitation", "home care", "interoperability", "patient safety",
]

COMPANIES = [
    "Nordlys Diagnostics", "Fjordmed", "CardioSense", "Heliox Imaging", "Vitalink",
    "Medisync", "Boreal Biotech", "Kvant Health", "Lumen Analytics", "Polar Genomics",
    "Aurora Care", "Skarp Surgical", "Tidal Therapeutics", "Nova Rehab", "Glacier AI",
    "Sentinel Monitoring", "Askeladd Robotics", "Breeze Respiratory", "Orbit Wearables",
    "Haven Homecare", "Pulse Medical", "Salt Labs", "Viking Vision", "Ember Oncology",
]
HOSPITALS = [
    "Oslo University Hospital", "Haukeland University Hospital", "St. Olav's Hospital",
    "Akershus University Hospital", "University Hospital of North Norway",
    "Karolinska University Hospital", "Rigshospitalet", "Helsinki University Hospital",
]
PARTNERS = [
    "SINTEF", "the University of Oslo", "NTNU", "Innovation Norway",
    "the Research Council of Norway", "EIT Health", "Norway Health Tech",
    "the Norwegian Directorate of Health", "Medicon Valley Alliance", "BioCat",
    "Health Holland", "Life Science Nord", "Flanders.HealthTech", "Cluster Nutrition",
]
PROGRAMMES = [
    "Horizon Europe", "the Digital Europe Programme", "EU4Health", "Eurostars",
    "the Norwegian Innovation Clusters programme", "the Medic Nest alliance",
    "the European Cluster Excellence Initiative", "the Pharmatech Catapult",
]
PRODUCTS = [
    "remote monitoring platform", "decision-support tool", "point-of-care test",
    "wearable ECG patch", "digital pathology service", "medication robot",
    "fall-detection sensor", "AI triage system", "home dialysis kit",
    "tele-rehabilitation app", "genomic analysis pipeline", "smart inhaler",
    "ultrasound scanner", "sepsis early-warning model", "patient portal",
]
PEOPLE = [
    ("Ingrid Solberg", "chief executive officer"), ("Lars Haugen", "cluster manager"),
    ("Maria Berg", "head of innovation"), ("Ole Nilsen", "chief medical officer"),
    ("Kari Johansen", "project manager"), ("Ahmed Rahimi", "chief technology officer"),
    ("Sofie Lund", "head of business development"), ("Jonas Eriksen", "research director"),
    ("Nora Bakke", "clinical lead"), ("Eirik Dahl", "chair of the board"),
    ("Hanne Strand", "international adviser"), ("Thomas Moe", "head of regulatory affairs"),
]
AUTHORS = [
    "Ingrid Solberg", "Lars Haugen", "Maria Berg", "Kari Johansen",
    "Sofie Lund", "Hanne Strand", "Communications team",
]
CITIES = [
    ("Oslo", "Norway"), ("Bergen", "Norway"), ("Trondheim", "Norway"),
    ("Tromsø", "Norway"), ("Stavanger", "Norway"), ("Brussels", "Belgium"),
    ("Copenhagen", "Denmark"), ("Stockholm", "Sweden"), ("Helsinki", "Finland"),
    ("Barcelona", "Spain"), ("Düsseldorf", "Germany"), ("Amsterdam", "Netherlands"),
]
VENUES = [
    "Oslo Science Park", "the Radium Hospital auditorium", "Bergen Kongressenter",
    "Clarion Hotel The Edge", "the Square Brussels Meeting Centre", "Bella Center",
    "Messe Düsseldorf", "Vega Scene", "the Norwegian House", "Kulturhuset",
]
EVENT_KINDS = [
    "Health Innovation Day", "Matchmaking Breakfast", "Clinical Pilots Workshop",
    "Investor Forum", "Regulatory Masterclass", "Nordic Health Data Summit",
    "Open House", "Cluster Annual Meeting", "Procurement Dialogue Conference",
]
TOPICS = [
    "early diagnosis", "chronic disease management", "hospital logistics",
    "remote patient follow-up", "clinical decision support", "secure data sharing",
    "personalised treatment", "home-based care", "antimicrobial resistance",
    "rehabilitation after stroke", "cancer screening", "medication adherence",
    "mental health services", "health workforce shortages", "value-based procurement",
]
AMOUNTS = [
    "NOK 4 million", "NOK 12 million", "NOK 25 million", "EUR 1.2 million",
    "EUR 2.5 million", "EUR 6 million", "NOK 48 million", "EUR 800,000",
]
NUMBERS = ["three", "four", "five", "six", "eight", "ten", "twelve", "fifteen", "twenty"]
HEADINGS = [
    "About the project", "Next steps", "Background", "Key results", "What happens next",
    "A growing market", "How it works", "Why it matters", "The partners",
    "From pilot to practice", "Facts and figures", "About the programme",
]
LINK_TEXTS = [
    ("project website", "https://project.example.org/"),
    ("full report", "https://reports.example.org/"),
    ("application form", "https://apply.example.org/"),
    ("programme page", "https://programme.example.eu/"),
    ("registration page", "https://events.example.org/"),
    ("ESCA website", "https://www.cluster-analysis.org/"),
]

TITLE_TEMPLATES = [
    "{company} secures {amount} to scale its {product}",
    "{company} and {hospital} start pilot on {topic}",
    "New partnership between {company} and {partner} on {topic}",
    "{company} joins {programme} to work on {topic}",
    "Cluster members meet in {city} for {event_kind}",
    "{partner} backs {topic} project led by {company}",
    "{company} launches {product} for {topic}",
    "{number} members win funding from {programme} for {topic}",
    "{hospital} selects {product} from {company}",
    "Report: {topic} is the next frontier for health tech in {city}",
    "{company} opens office in {city} to grow its {product} business",
    "Call for partners: {topic} consortium under {programme}",
    "{company} and {partner} to test {product} in {city}",
    "{person} appointed {role} at {company}",
    "{company} completes {amount} share issue to fund its {product}",
    "{hospital} and {company} publish results on {topic}",
    "{event_kind} in {city}: {topic} on the agenda",
    "{company} wins {month} innovation award for its {product}",
    "{programme} funds {number} new projects on {topic}",
    "{company} signs distribution deal for its {product} in {city}",
]
SENTENCES = [
    "{company} has signed an agreement with {hospital} to test its {product} in everyday clinical work.",
    "The project runs for {years} years and has a total budget of {amount}.",
    "{partner} will contribute expertise in {topic} and access to its test facilities.",
    "The goal is to make {topic} simpler, safer and less costly for patients and health workers alike.",
    "Clinicians at {hospital} have been involved from the first sketches to the final prototype.",
    "The {product} collects data continuously and alerts the care team when something changes.",
    "More than {number} cluster members have taken part in the work so far.",
    "The funding from {programme} covers development, clinical validation and the first sales.",
    "Interest from other hospitals in the region has been strong since the pilot was announced.",
    "An independent evaluation will be published when the first phase is complete.",
    "The consortium brings together companies, hospitals, universities and public agencies.",
    "Patients taking part can follow their own data through a secure app.",
    "The solution is designed to meet the requirements of the EU Medical Device Regulation.",
    "Work on {topic} has been one of the cluster's strategic priorities since its start.",
    "The company expects to hire {number} new employees in {city} over the next two years.",
    "Early results suggest that hospital stays can be shortened by several days.",
    "{partner} and {company} have worked together on {topic} for several years.",
    "The next milestone is a larger study with patients in {city} and {city2}.",
    "Meetings with investors in {city} and {city2} are planned for the coming months.",
    "The partners will share their experiences at the cluster's annual meeting.",
    "Health data will be stored in Norway and processed in line with the GDPR.",
    "A reference group of patients and relatives advises the project on user needs.",
    "The technology has already been tested on more than {number} hundred patients.",
    "Municipalities in the region have shown interest in using the {product} in home care.",
    "Training for nurses and doctors is part of the rollout plan.",
    "The application was ranked among the best in this year's call from {programme}.",
    "Export to the Nordic countries and Germany is the next step for the company.",
    "The board has approved a new strategy with {topic} as a main area.",
    "Several of the start-ups in the cluster are led by former clinicians.",
    "The pilot showed that nurses spent less time on routine measurements.",
]
QUOTES = [
    "“This is an important step for us and for the patients we serve,” says {person}, {role} at {company}.",
    "“We have waited a long time for a solution like this,” says {person}, {role} at {hospital}.",
    "“Collaboration across borders makes all of us stronger,” says {person}, {role} at {partner}.",
    "“The cluster gave us the network we needed to get here,” says {person}, {role} at {company}.",
    "“Our members show that Norwegian health technology can compete internationally,” says {person}, {role}.",
]
LIST_INTROS = [
    "The project will focus on the following areas:",
    "The evaluation looked at:",
    "Among the activities planned for this year:",
    "The partners in the consortium are:",
    "Participants can expect:",
]
LIST_ITEMS = [
    "Clinical validation with {hospital}",
    "A business model for sales to {city} and other municipalities",
    "Secure integration with electronic health records",
    "Training for health personnel",
    "User testing with patients and relatives",
    "Documentation for CE marking",
    "Matchmaking with investors from {city}",
    "A study of costs and benefits for {topic}",
    "Workshops on {topic}",
    "{company}, as project owner",
    "{partner}, as research partner",
    "{hospital}, as clinical partner",
    "Dissemination through {programme}",
    "A report on lessons learnt, to be published next spring",
]
SUMMARY_TEMPLATES = [
    "{company} will work with {hospital} on {topic}.",
    "A new project on {topic} gets support from {programme}.",
    "{partner} and {company} join forces to make {topic} easier.",
    "Cluster members present new results on {topic} in {city}.",
    "{company} takes its {product} to new markets.",
]
LABEL_LEVELS = ["bronze", "silver", "gold"]


# ------------------------------------------------------------------------------- helpers

_FORMATTER = string.Formatter()
_FIELDS: dict[str, list[str]] = {}
_DRAW = {
    "company": COMPANIES, "hospital": HOSPITALS, "partner": PARTNERS,
    "programme": PROGRAMMES, "product": PRODUCTS, "topic": TOPICS, "amount": AMOUNTS,
    "number": NUMBERS, "years": ["two", "three", "four", "five"], "event_kind": EVENT_KINDS,
    "month": ["January", "February", "March", "April", "May", "June", "September",
              "October", "November", "December"],
}


def _fill(template: str, rng: random.Random) -> str:
    """Fill the template's {slots}, drawing only the values it uses."""
    fields = _FIELDS.get(template)
    if fields is None:
        fields = _FIELDS[template] = [f for _, f, _, _ in _FORMATTER.parse(template) if f]
    values: dict[str, str] = {}
    for field in fields:
        if field in values:
            continue
        if field in ("person", "role"):
            values["person"], values["role"] = rng.choice(PEOPLE)
        elif field in ("city", "city2"):
            if "city" not in values:
                values["city"] = rng.choice(CITIES)[0]
            if field == "city2":
                values["city2"] = rng.choice([c for c, _ in CITIES if c != values["city"]])
        else:
            values[field] = rng.choice(_DRAW[field])
    text = template.format(**values)
    return text[0].upper() + text[1:]


def slugify(text: str) -> str:
    """Lower-case ASCII words joined by hyphens (the same rule as Hugo and Pelican)."""
    text = text.lower().replace("ø", "o").replace("å", "a").replace("æ", "ae")
    text = text.replace("ü", "u").replace("'", "")
    return re.sub(r"[^a-z0-9]+", "-", text).strip("-")


def _last_sunday(year: int, month: int) -> dt.date:
    day = dt.date(year, month + 1, 1) - dt.timedelta(days=1)
    return day - dt.timedelta(days=(day.weekday() + 1) % 7)


def oslo_offset(local: dt.datetime) -> dt.timezone:
    """Europe/Oslo's UTC offset (CET/CEST, EU rules) without needing tzdata."""
    start = dt.datetime.combine(_last_sunday(local.year, 3), dt.time(2, 0))
    end = dt.datetime.combine(_last_sunday(local.year, 10), dt.time(3, 0))
    return dt.timezone(dt.timedelta(hours=2 if start <= local < end else 1))


def oslo(local: dt.datetime) -> dt.datetime:
    return local.replace(tzinfo=oslo_offset(local))


def _words(text: str) -> int:
    return len(text.split())


def make_body(rng: random.Random) -> tuple[str, str]:
    """A Markdown body of 400-900 words; returns (body, heading)."""
    target = rng.randint(400, 900)
    blocks: list[str] = []
    count = 0

    def paragraph(n_min: int, n_max: int, quote: bool = False) -> str:
        sentences = [_fill(t, rng) for t in rng.sample(SENTENCES, rng.randint(n_min, n_max))]
        if quote:
            sentences.insert(rng.randint(0, len(sentences)), _fill(rng.choice(QUOTES), rng))
        if rng.random() < 0.12:
            i = rng.randrange(len(sentences))
            sentences[i] = "**" + sentences[i][:-1] + "**."
        return " ".join(sentences)

    heading = rng.choice(HEADINGS)
    list_after = rng.randint(2, 4)  # blocks before the list
    link_in = rng.randint(1, 5) if rng.random() < 0.45 else -1
    blocks.append(paragraph(2, 4))
    blocks.append(paragraph(3, 5, quote=True))
    blocks.append("## " + heading)
    count = sum(_words(b) for b in blocks)
    n_par = 2
    while count < target:
        is_list = len(blocks) == list_after + 1
        if is_list:
            items = rng.sample(LIST_ITEMS, rng.randint(3, 6))
            block = rng.choice(LIST_INTROS) + "\n\n" + "\n".join(
                "- " + _fill(item, rng) for item in items)
        else:
            block = paragraph(3, 6, quote=rng.random() < 0.2)
            if n_par == link_in:
                text, url = rng.choice(LINK_TEXTS)
                block += f" Read more on the [{text}]({url})."
            n_par += 1
        if count + _words(block) > 900:  # trim the last paragraph to stay within 900
            if is_list:
                break
            sentences = block.split(". ")
            while len(sentences) > 1 and count + _words(". ".join(sentences)) > 900:
                sentences.pop()
            block = ". ".join(sentences)
            if count + _words(block) > 900:
                break
            if not block.endswith((".", ")", "**")):
                block += "."
        blocks.append(block)
        count += _words(block)
    return "\n\n".join(blocks) + "\n", heading


def _png(width: int, height: int, rgb: tuple[int, int, int]) -> bytes:
    """A small valid PNG: a horizontal gradient from rgb."""
    rows = b"".join(
        b"\x00" + bytes(
            v for x in range(width)
            for v in ((rgb[0] + x) % 256, (rgb[1] + y) % 256, rgb[2]))
        for y in range(height))

    def chunk(kind: bytes, data: bytes) -> bytes:
        return (struct.pack(">I", len(data)) + kind + data
                + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF))

    return (b"\x89PNG\r\n\x1a\n"
            + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(rows, 9)) + chunk(b"IEND", b""))


def _q(value: str) -> str:
    """A YAML double-quoted scalar (JSON strings are valid YAML)."""
    return json.dumps(value, ensure_ascii=False)


# ------------------------------------------------------------------------------ releases

def make_title(index: int, seed: int = SEED, attempt: int = 0) -> str:
    """The title of release `index`; attempt > 0 draws an alternative (when taken)."""
    rng = random.Random(f"{seed}:{index}:title:{attempt}")
    title = _fill(rng.choice(TITLE_TEMPLATES), rng)
    if attempt > 5:  # a crowded corner of the title space: say when it happened
        title += f" ({rng.choice(_DRAW['month'])} {attempt})"
    return title


def make_release(index: int, seed: int = SEED) -> dict:
    """Release `index` of the corpus; depends only on (seed, index)."""
    rng = random.Random(f"{seed}:{index}")
    local = START + dt.timedelta(hours=index * HOURS_BETWEEN + rng.randint(0, 5),
                                 minutes=rng.choice([0, 0, 15, 30, 45]))
    date = oslo(local)
    title = make_title(index, seed)
    body, heading = make_body(rng)
    release = {
        "index": index,
        "title": title,
        "date": date,
        "summary": _fill(rng.choice(SUMMARY_TEMPLATES), rng),
        "tags": rng.sample(TAGS, rng.randint(1, 3)),
        "author": rng.choice(AUTHORS),
        "body": body,
        "heading": heading,
        "words": _words(body),
    }
    draw = rng.random()
    if draw < 0.05:  # ~5 % announce an event
        city, country = rng.choice(CITIES)
        start = oslo(local.replace(hour=rng.choice([9, 10, 13]), minute=0)
                     + dt.timedelta(days=rng.randint(7, 60)))
        release["event"] = {
            "title": f"{rng.choice(EVENT_KINDS)} in {city}, {start:%B %Y}",
            "start": start,
            "end": start + dt.timedelta(hours=rng.choice([2, 3, 6, 8])),
            "location": {"venue": rng.choice(VENUES), "city": city, "country": country},
        }
    elif draw < 0.07:  # ~2 % report a label
        level = rng.choice(LABEL_LEVELS)
        awarded = (local - dt.timedelta(days=rng.randint(1, 20))).date()
        release["label"] = {
            "title": f"ESCA {level.capitalize()} label, {awarded:%B %Y}",
            "issuer": "esca",
            "level": level,
            "awarded": awarded,
        }
    if rng.random() < 0.03:  # ~3 % carry an image
        release["image_rgb"] = (rng.randrange(256), rng.randrange(256), rng.randrange(256))
        release["image_alt"] = f"Photo from {rng.choice(CITIES)[0]}: {rng.choice(PEOPLE)[0]} " \
                               f"presents the {rng.choice(PRODUCTS)}"
    return release


def _pressroom_text(r: dict) -> str:
    lines = ["---", f"title: {_q(r['title'])}", f"slug: {r['slug']}",
             f"date: {r['date'].isoformat()}",
             f"summary: {_q(r['summary'])}",
             "tags: [" + ", ".join(_q(t) for t in r["tags"]) + "]",
             f"author: {_q(r['author'])}"]
    if "image" in r:
        lines += [f"image: {_q(r['image'])}", f"image_alt: {_q(r['image_alt'])}"]
    if "event" in r:
        e = r["event"]
        loc = e["location"]
        lines += ["event:", f"  title: {_q(e['title'])}", f"  slug: {e['slug']}",
                  f"  start: {e['start'].isoformat()}", f"  end: {e['end'].isoformat()}",
                  "  location:", f"    venue: {_q(loc['venue'])}",
                  f"    city: {_q(loc['city'])}", f"    country: {_q(loc['country'])}"]
    if "label" in r:
        lb = r["label"]
        lines += ["label:", f"  title: {_q(lb['title'])}", f"  slug: {lb['slug']}",
                  f"  issuer: {lb['issuer']}", f"  level: {lb['level']}",
                  f"  awarded: {lb['awarded'].isoformat()}"]
    return "\n".join(lines) + "\n---\n\n" + r["body"]


def _hugo_text(r: dict) -> str:
    lines = ["---", f"title: {_q(r['title'])}", f"date: {r['date'].isoformat()}",
             f"summary: {_q(r['summary'])}",
             "tags: [" + ", ".join(_q(t) for t in r["tags"]) + "]",
             f"author: {_q(r['author'])}"]
    if "image" in r:
        lines += [f"image: {_q('/' + r['image'])}", f"image_alt: {_q(r['image_alt'])}"]
    return "\n".join(lines) + "\n---\n\n" + r["body"]


def _pelican_text(r: dict) -> str:
    lines = [f"Title: {r['title']}", f"Date: {r['date'].isoformat()}",
             f"Tags: {', '.join(r['tags'])}", f"Author: {r['author']}",
             f"Summary: {r['summary']}", f"Slug: {r['slug']}"]
    if "image" in r:
        lines += [f"Image: /{r['image']}", f"Image_alt: {r['image_alt']}"]
    return "\n".join(lines) + "\n\n" + r["body"]


WRITERS = {"pressroom": _pressroom_text, "pelican": _pelican_text, "hugo": _hugo_text}
ASSET_ROOT = {"pressroom": "", "pelican": "content", "hugo": "static"}


def generate(n: int, outdir, flavour: str = "pressroom", seed: int = SEED) -> dict:
    """Write an n-release site of `flavour` to outdir (emptied first); return its manifest."""
    if flavour not in FLAVOURS:
        raise ValueError(f"unknown flavour {flavour!r}; choose one of {', '.join(FLAVOURS)}")
    out = Path(outdir)
    if out.exists():
        shutil.rmtree(out)
    news = out / "content" / "news"
    news.mkdir(parents=True)
    if flavour == "pressroom":
        (out / "pressroom.toml").write_text(PRESSROOM_TOML, encoding="utf-8")
    seen: set[str] = set()
    seen_sub: dict[str, set[str]] = {"event": set(), "label": set()}
    entries = []
    tag_counts: dict[str, int] = {}
    write = WRITERS[flavour]
    for i in range(n):
        r = make_release(i, seed)
        slug = slugify(r["title"])
        attempt = 0
        while slug in seen:  # titles are unique: draw another one for this release
            attempt += 1
            r["title"] = make_title(i, seed, attempt)
            slug = slugify(r["title"])
        seen.add(slug)
        r["slug"] = slug
        for kind in ("event", "label"):  # events and labels have pages of their own too
            if kind in r:
                base = sub_slug = slugify(r[kind]["title"])
                k = 2
                while sub_slug in seen_sub[kind]:
                    sub_slug, k = f"{base}-{k}", k + 1
                seen_sub[kind].add(sub_slug)
                r[kind]["slug"] = sub_slug
        year = r["date"].year
        if "image_rgb" in r:
            r["image"] = f"assets/images/{slug}.png"
            img = out / ASSET_ROOT[flavour] / r["image"]
            img.parent.mkdir(parents=True, exist_ok=True)
            img.write_bytes(_png(96, 64, r["image_rgb"]))
        (news / str(year)).mkdir(exist_ok=True)
        path = news / str(year) / f"{slug}.md"
        path.write_text(write(r), encoding="utf-8")
        for t in r["tags"]:
            tag_counts[t] = tag_counts.get(t, 0) + 1
        entries.append({"slug": slug, "year": year, "path": str(path.relative_to(out)),
                        "date": r["date"].isoformat(), "tags": r["tags"],
                        "heading": r["heading"], "words": r["words"],
                        "event": "event" in r, "label": "label" in r, "image": "image" in r})
    return {"n": n, "seed": seed, "flavour": flavour, "releases": entries,
            "tags": {t: {"slug": slugify(t), "count": c} for t, c in sorted(tag_counts.items())}}


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("n", type=int, help="number of releases")
    p.add_argument("outdir", help="site folder to (re)create")
    p.add_argument("--flavour", choices=FLAVOURS, default="pressroom")
    p.add_argument("--seed", type=int, default=SEED)
    p.add_argument("--manifest", help="also write the manifest as JSON to this file")
    a = p.parse_args(argv)
    m = generate(a.n, a.outdir, a.flavour, a.seed)
    if a.manifest:
        Path(a.manifest).write_text(json.dumps(m, indent=1), encoding="utf-8")
    words = [e["words"] for e in m["releases"]]
    print(f"{a.flavour}: {a.n} releases in {a.outdir}; words {min(words, default=0)}-"
          f"{max(words, default=0)}, {len(m['tags'])} tags, "
          f"{sum(e['event'] for e in m['releases'])} events, "
          f"{sum(e['label'] for e in m['releases'])} labels, "
          f"{sum(e['image'] for e in m['releases'])} images", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
