"""Benchmark Pressroom against the floor, Pelican and Hugo.

    python bench/run.py --sizes 1000,10000 --repeat 5
    python bench/run.py --quick                      # sizes 100,1000, repeat 3
    python bench/run.py --tools floor,pelican,hugo --sizes 1000 --repeat 3

For each size the same corpus (bench/corpus.py) is generated once per flavour under
bench/work/corpus/<N>/, then every repetition runs each selected tool once,
round-robin (the starting tool rotates every repetition), so machine noise affects
all tools alike. Tools:

  pressroom   three builds in a row: cold (output and .pressroom-cache/ deleted
              first), warm-edit (one sentence appended to the newest release, built
              with the previous build's cache) and warm (nothing changed)
  floor       bench/floor.py: frontmatter + Python-Markdown + trivial Jinja2, 2 processes
  floor-md    the same floor converting Markdown with Pressroom's own extensions (read from
              pressroom.markup.EXTENSIONS), so it does the Markdown work Pressroom does
  pelican     Pelican in bench/work/venv-pelican with bench/peers/pelican/
  hugo        Debian's hugo with bench/peers/hugo/

Wall time is measured around the process; peak memory is GNU time's %M (maxrss of the
largest single process: for a multi-process tool that is its biggest process, not the
sum) and, sampled every 0.1 s from /proc, the peak of the summed RSS of the tool's
process tree. After each build the output is checked (untimed) against the corpus
manifest: every release page, index page and tag page must exist.

Results: a Markdown table of medians on stdout and bench/work/results-<date>.json
(plus the same table as .md).
"""

from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import json
import math
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

BENCH = Path(__file__).resolve().parent
REPO = BENCH.parent
WORK = BENCH / "work"
sys.path.insert(0, str(BENCH))
import corpus  # noqa: E402

PRESSROOM_PYTHON = REPO / ".venv" / "bin" / "python"
PELICAN = WORK / "venv-pelican" / "bin" / "pelican"
GNU_TIME = "/usr/bin/time"
TOOLS = ["pressroom", "floor", "floor-md", "pelican", "hugo"]
VARIANTS = {"pressroom": ["pressroom-cold", "pressroom-warm-edit", "pressroom-warm"]}
# The figures quoted in the performance issue (2-core machine), seconds.
REFERENCE = {("hugo", 1000): 0.9, ("hugo", 10000): 8.6,
             ("pelican", 1000): 7.1, ("pelican", 10000): 62.4,
             ("floor", 1000): 2.6, ("floor", 10000): 24.9}


# ------------------------------------------------------------------------ measuring

def _children(pid: int) -> list[int]:
    kids = []
    try:
        for tid in os.listdir(f"/proc/{pid}/task"):
            with open(f"/proc/{pid}/task/{tid}/children") as f:
                kids += [int(k) for k in f.read().split()]
    except (FileNotFoundError, ProcessLookupError, PermissionError):
        pass
    return kids


def _tree_rss_kb(root: int, page_kb: int) -> int:
    """Summed RSS of root's descendants (root itself is GNU time, left out)."""
    total, todo = 0, _children(root)
    while todo:
        pid = todo.pop()
        try:
            with open(f"/proc/{pid}/statm") as f:
                total += int(f.read().split()[1]) * page_kb
        except (FileNotFoundError, ProcessLookupError):
            continue
        todo += _children(pid)
    return total


def _cpu_times() -> list[int]:
    """The machine's jiffies: user nice system idle iowait irq softirq steal."""
    with open("/proc/stat") as f:
        return [int(x) for x in f.readline().split()[1:9]]


def measure(cmd: list[str], cwd: Path, env: dict | None = None, timeout: float = 3600) -> dict:
    """Run cmd; return wall seconds, peak RSS of its largest process and of its tree."""
    page_kb = os.sysconf("SC_PAGE_SIZE") // 1024
    use_time = os.access(GNU_TIME, os.X_OK)
    with tempfile.TemporaryDirectory(prefix="bench-") as tmp:
        rss_file = Path(tmp, "rss")
        full = [GNU_TIME, "-f", "%M %U %S", "-o", str(rss_file), *cmd] if use_time else cmd
        out_f = open(Path(tmp, "out"), "w+b")
        err_f = open(Path(tmp, "err"), "w+b")
        tree_peak = 0
        cpu_before = _cpu_times()
        start = time.perf_counter()
        proc = subprocess.Popen(full, cwd=cwd, env=env, stdout=out_f, stderr=err_f,
                                stdin=subprocess.DEVNULL)
        while True:
            try:
                proc.wait(timeout=0.1)
                break
            except subprocess.TimeoutExpired:
                tree_peak = max(tree_peak, _tree_rss_kb(proc.pid, page_kb))
                if time.perf_counter() - start > timeout:
                    proc.kill()
        wall = time.perf_counter() - start
        delta = [b - a for a, b in zip(cpu_before, _cpu_times())]
        steal = round(delta[7] / sum(delta), 3) if sum(delta) else None
        busy_s = (sum(delta) - delta[3] - delta[4]) / os.sysconf("SC_CLK_TCK")
        maxrss = cpu = None
        if use_time and rss_file.exists():
            # the last line is ours ("Command exited with non-zero status" may precede it)
            last = (rss_file.read_text().strip().splitlines() or [""])[-1].split()
            if len(last) == 3:
                maxrss, cpu = int(last[0]), round(float(last[1]) + float(last[2]), 2)
        out_f.seek(0)
        err_f.seek(0)
        stdout = out_f.read().decode("utf-8", "replace")
        stderr = err_f.read().decode("utf-8", "replace")
        out_f.close()
        err_f.close()
    # what everybody else on the machine used meanwhile, as a share of all its CPUs
    others = None
    if cpu is not None and wall > 0:
        others = round(max(0.0, busy_s - cpu) / (wall * (os.cpu_count() or 1)), 3)
    return {"wall_s": round(wall, 4), "cpu_s": cpu, "others_cpu": others,
            "exit": proc.returncode, "maxrss_kb": maxrss,
            "tree_peak_kb": tree_peak or None, "cpu_steal": steal, "stdout_tail": stdout.splitlines()[-5:],
            "stderr_tail": stderr.splitlines()[-12:]}


def busy_share(seconds: float = 1.0) -> float:
    """Share of the machine's CPUs busy over the next `seconds` (we are idle meanwhile)."""
    a = _cpu_times()
    time.sleep(seconds)
    d = [y - x for x, y in zip(a, _cpu_times())]
    return (sum(d) - d[3] - d[4]) / sum(d) if sum(d) else 0.0


def settle(max_wait: float, threshold: float = 0.3) -> float:
    """Wait (at most max_wait s) until others use under `threshold` of the CPUs."""
    deadline = time.monotonic() + max_wait
    share = busy_share()
    while share >= threshold and time.monotonic() < deadline:
        time.sleep(2)
        share = busy_share()
    return round(share, 3)


# ---------------------------------------------------------------------------- corpus

def _corpus_key(n: int) -> str:
    src = (BENCH / "corpus.py").read_bytes()
    return hashlib.sha256(src + f"|{n}|{corpus.SEED}".encode()).hexdigest()[:16]


def prepare_corpus(n: int) -> tuple[Path, dict]:
    """Generate (once) the three flavours of the n-release corpus; return dir, manifest."""
    root = WORK / "corpus" / str(n)
    stamp = root / "stamp"
    key = _corpus_key(n)
    if stamp.exists() and stamp.read_text() == key and (root / "manifest.json").exists():
        return root, json.loads((root / "manifest.json").read_text())
    print(f"# generating the {n}-release corpus in {root}", file=sys.stderr, flush=True)
    if root.exists():
        shutil.rmtree(root)
    root.mkdir(parents=True)
    for flavour in corpus.FLAVOURS:
        manifest = corpus.generate(n, root / flavour, flavour)
    del manifest["flavour"]
    for entry in manifest["releases"]:
        entry["path"] = entry["path"].replace(os.sep, "/")
    (root / "manifest.json").write_text(json.dumps(manifest))
    stamp.write_text(key)
    return root, manifest


def expected_pages(manifest: dict, page_size: int = 10) -> list[str]:
    """Output paths every tool's theme makes: releases, index pages, tag pages."""
    n = len(manifest["releases"])
    paths = [f"news/{r['year']}/{r['slug']}/index.html" for r in manifest["releases"]]
    paths.append("index.html")
    paths += [f"page/{k}/index.html" for k in range(2, math.ceil(n / page_size) + 1)]
    paths.append("tags/index.html")
    for tag in manifest["tags"].values():
        paths.append(f"tags/{tag['slug']}/index.html")
        paths += [f"tags/{tag['slug']}/page/{k}/index.html"
                  for k in range(2, math.ceil(tag["count"] / page_size) + 1)]
    return paths


def count_html(out: Path) -> int:
    return sum(1 for _, _, files in os.walk(out) for f in files if f.endswith(".html"))


def check_output(tool: str, out: Path, manifest: dict) -> tuple[bool, str, int]:
    """Untimed: did the build render every page it should? Returns ok, note, html count."""
    if not out.is_dir():
        return False, "no output folder", 0
    html = count_html(out)
    releases = manifest["releases"]
    n = len(releases)
    if tool.startswith("pressroom"):
        # Same release and tag URLs as the peers; the paginated listing may live elsewhere
        # (news/page/N/), and Pressroom makes pages the peers do not (year archives, 404).
        wanted = expected_pages(manifest)
        required = [p for p in wanted if p.startswith("news/") or
                    (p.startswith("tags/") and "/page/" not in p)]
        missing = [p for p in required if not (out / p).is_file()]
        if missing:
            return False, f"{len(missing)} of {len(required)} release/tag pages missing, " \
                          f"e.g. {missing[0]}", html
        listing = sum(1 for p in wanted if "/page/" in p)
        paged = sum(1 for d, _, fs in os.walk(out) if "index.html" in fs
                    and Path(d).parent.name == "page" and Path(d).name.isdigit())
        if paged < listing:
            return False, f"{paged} of {listing} paginated listing pages", html
        note = _missing_body(out, releases)
        if note:
            return False, note, html
        return True, f"{len(required)} release/tag pages and {paged} paginated pages", html
    if tool.startswith("floor"):
        wanted = expected_pages(manifest)[:n]
    else:
        wanted = expected_pages(manifest)
    missing = [p for p in wanted if not (out / p).is_file()]
    if missing:
        return False, f"{len(missing)} of {len(wanted)} expected pages missing, e.g. {missing[0]}", html
    note = _missing_body(out, releases)
    if note:
        return False, note, html
    return True, f"{len(wanted)} expected pages present", html


def _missing_body(out: Path, releases: list[dict]) -> str | None:
    """The body really was rendered: look for the `##` heading of a few releases."""
    for r in releases[:: max(1, len(releases) // 3)]:
        page = (out / f"news/{r['year']}/{r['slug']}/index.html").read_text(encoding="utf-8")
        if f">{r['heading']}</h2>" not in page:
            return f"body missing from news/{r['year']}/{r['slug']}/"
    return None


# ----------------------------------------------------------------------------- tools

def _rm(*paths: Path) -> None:
    for p in paths:
        if p.is_dir():
            shutil.rmtree(p)
        elif p.exists():
            p.unlink()


def pressroom_extensions() -> str:
    """The Python-Markdown extensions Pressroom converts with, as floor.py takes them."""
    done = subprocess.run([str(PRESSROOM_PYTHON), "-c", "from pressroom.markup import EXTENSIONS; print(','.join(EXTENSIONS))"],
                          cwd=REPO, capture_output=True, text=True)
    return done.stdout.strip()


def availability(tool: str) -> str | None:
    """None if the tool can run, else why not."""
    if tool == "pelican" and not PELICAN.exists():
        return f"skipped: Pelican not installed in {PELICAN.parent.parent} (run bench/setup-peers.sh)"
    if tool == "hugo" and not shutil.which("hugo"):
        return "skipped: hugo not installed (run bench/setup-peers.sh)"
    if tool in ("pressroom", "floor", "floor-md") and not PRESSROOM_PYTHON.exists():
        return f"skipped: {PRESSROOM_PYTHON} missing"
    return None


class Runner:
    def __init__(self, size: int, root: Path, manifest: dict, floor_extensions: str):
        self.size, self.root, self.manifest = size, root, manifest
        self.out = WORK / "out" / str(size)
        self.floor_extensions = floor_extensions
        newest = manifest["releases"][-1]
        self.edit_path = root / "pressroom" / newest["path"]
        self.edit_original = self.edit_path.read_bytes()

    def _env(self, **extra) -> dict:
        env = {k: v for k, v in os.environ.items() if not k.startswith("PYTHON")}
        env.update(extra)
        return env

    def run_group(self, tool: str, rep: int) -> list[dict]:
        if tool == "pressroom":
            return self._pressroom(rep)
        return [getattr(self, "_" + tool.replace("-", "_"))()]

    def _record(self, tool: str, result: dict, out: Path) -> dict:
        result = {"tool": tool, "size": self.size, **result}
        if result["exit"] == 0:
            ok, note, html = check_output(tool, out, self.manifest)
            result.update(status="ok" if ok else "incomplete", check=note, html_files=html)
        else:
            result.update(status="failed", check=None, html_files=None)
        return result

    def _pressroom(self, rep: int) -> list[dict]:
        site = self.root / "pressroom"
        out = self.out / "pressroom"
        self.edit_path.write_bytes(self.edit_original)  # undo the previous repetition's edit
        _rm(out, site / ".pressroom-cache")  # cold: no output, no cache
        cmd = [str(PRESSROOM_PYTHON), "-m", "pressroom", "build", str(site), "--output", str(out)]
        results = [self._record("pressroom-cold", measure(cmd, REPO, self._env()), out)]
        if results[0]["status"] == "failed":
            for variant in ("pressroom-warm-edit", "pressroom-warm"):
                results.append({"tool": variant, "size": self.size, "status": "skipped",
                                "check": "cold build failed", "wall_s": None})
            return results
        with open(self.edit_path, "a", encoding="utf-8") as f:
            f.write(f"\nThis release was updated on {rep + 1} occasions at the editor's request.\n")
        edited = self._record("pressroom-warm-edit", measure(cmd, REPO, self._env()), out)
        newest = self.manifest["releases"][-1]
        page = out / f"news/{newest['year']}/{newest['slug']}/index.html"
        if edited["status"] == "ok" and f"updated on {rep + 1} occasions" not in \
                page.read_text(encoding="utf-8"):
            edited.update(status="stale", check=f"the edit is missing from {page.relative_to(out)}")
        results.append(edited)
        results.append(self._record("pressroom-warm", measure(cmd, REPO, self._env()), out))
        return results

    def _floor(self) -> dict:
        out = self.out / "floor"
        _rm(out)
        cmd = [str(PRESSROOM_PYTHON), str(BENCH / "floor.py"), str(self.root / "pressroom"),
               str(out), "--processes", "2"]
        if self.floor_extensions:
            cmd += ["--extensions", self.floor_extensions]
        return self._record("floor", measure(cmd, REPO, self._env()), out)

    def _floor_md(self) -> dict:
        out = self.out / "floor-md"
        _rm(out)
        cmd = [str(PRESSROOM_PYTHON), str(BENCH / "floor.py"), str(self.root / "pressroom"),
               str(out), "--processes", "2", "--extensions", pressroom_extensions()]
        return self._record("floor-md", measure(cmd, REPO, self._env()), out)

    def _pelican(self) -> dict:
        site = self.root / "pelican"
        out = self.out / "pelican"
        _rm(out, site / "cache", site / "__pycache__")
        cmd = [str(PELICAN), str(site / "content"), "-s",
               str(BENCH / "peers" / "pelican" / "pelicanconf.py"), "-o", str(out)]
        return self._record("pelican", measure(cmd, site, self._env()), out)

    def _hugo(self) -> dict:
        site = self.root / "hugo"
        out = self.out / "hugo"
        peers = BENCH / "peers" / "hugo"
        _rm(out, site / "resources", site / ".hugo_build.lock")
        cmd = ["hugo", "--source", str(site), "--config", str(peers / "hugo.toml"),
               "--themesDir", str(peers / "themes"), "--destination", str(out),
               "--noBuildLock", "--quiet"]
        env = self._env(HUGO_CACHEDIR=str(WORK / "hugo-cache"))
        return self._record("hugo", measure(cmd, site, env), out)


# --------------------------------------------------------------------------- report

def summarise(runs: list[dict]) -> dict:
    groups: dict[tuple[str, int], list[dict]] = {}
    for r in runs:
        groups.setdefault((r["tool"], r["size"]), []).append(r)
    summary = {}
    for (tool, size), rs in groups.items():
        good = [r for r in rs if r.get("status") == "ok"]
        walls = [r["wall_s"] for r in good]
        entry = {"tool": tool, "size": size, "runs": len(rs), "ok": len(good),
                 "statuses": sorted({r.get("status") for r in rs})}
        if walls:
            rss = [r["maxrss_kb"] for r in good if r.get("maxrss_kb")]
            tree = [r["tree_peak_kb"] for r in good if r.get("tree_peak_kb")]
            cpus = [r["cpu_s"] for r in good if r.get("cpu_s") is not None]
            entry.update(median_s=round(statistics.median(walls), 3), min_s=min(walls),
                         median_cpu_s=round(statistics.median(cpus), 2) if cpus else None,
                         max_s=max(walls),
                         peak_rss_mib=round(max(rss) / 1024, 1) if rss else None,
                         peak_tree_mib=round(max(tree) / 1024, 1) if tree else None,
                         html_files=good[-1].get("html_files"),
                         median_cpu_steal=_median(r.get("cpu_steal") for r in good),
                         median_others_cpu=_median(r.get("others_cpu") for r in good))
        else:
            bad = rs[-1]
            entry.update(median_s=None, reason=bad.get("check") or bad.get("status"),
                         stderr_tail=bad.get("stderr_tail"))
        summary[f"{tool}@{size}"] = entry
    return summary


def _median(values):
    values = [v for v in values if v is not None]
    return statistics.median(values) if values else None


def _m(summary: dict, tool: str, size: int, key: str = "median_s"):
    return summary.get(f"{tool}@{size}", {}).get(key)


def _ratio(summary, a, b, size_a, size_b):
    out = []
    for key in ("median_s", "median_cpu_s"):
        x, y = _m(summary, a, size_a, key), _m(summary, b, size_b, key)
        out.append(round(x / y, 2) if x and y else None)
    return out


def paired_ratio(runs: list[dict], a: str, b: str, size: int) -> float | None:
    """The median over rounds of a's wall time over b's in the same round. The tools of one
    round run minutes apart, so a slow spell of the machine weighs on both, where the ratio
    of medians may pair a slow run of one with a quick run of the other."""
    rounds: dict[int, dict[str, float]] = {}
    for r in runs:
        if r.get("size") == size and r.get("status") == "ok" and r.get("wall_s"):
            rounds.setdefault(r["rep"], {})[r["tool"]] = r["wall_s"]
    values = [times[a] / times[b] for times in rounds.values() if a in times and b in times]
    return round(statistics.median(values), 3) if values else None


def ratios(summary: dict, sizes: list[int], runs: list[dict] | None = None) -> list[dict]:
    """The issue's ratios, of median wall times (and, as a noise check, of CPU times, and
    the median of each round's own ratio)."""
    rows = []
    pairs = [("pressroom-cold", "pelican", "Pressroom cold / Pelican"),
             ("pressroom-cold", "floor", "Pressroom cold / floor"),
             ("pressroom-cold", "floor-md", "Pressroom cold / floor with Pressroom's Markdown extensions"),
             ("pressroom-warm-edit", "hugo", "Pressroom warm-one-edit / Hugo")]
    for size in sizes:
        for a, b, label in pairs:
            wall, cpu = _ratio(summary, a, b, size, size)
            rows.append({"what": label, "size": size, "value": wall, "cpu_value": cpu,
                         "paired_value": paired_ratio(runs or [], a, b, size)})
        rows.append({"what": "Pressroom warm, nothing changed (s)", "size": size,
                     "value": _m(summary, "pressroom-warm", size),
                     "cpu_value": _m(summary, "pressroom-warm", size, "median_cpu_s")})
    if len(sizes) >= 2:
        lo, hi = min(sizes), max(sizes)
        for tool in ["pressroom-cold", "pressroom-warm-edit", "pressroom-warm", "floor",
                     "floor-md", "pelican", "hugo"]:
            if f"{tool}@{hi}" in summary:
                wall, cpu = _ratio(summary, tool, tool, hi, lo)
                rows.append({"what": f"{tool} {hi:,}/{lo:,} scaling", "size": None,
                             "value": wall, "cpu_value": cpu})
    return rows


def markdown_report(summary: dict, ratio_rows: list[dict], sizes: list[int], meta: dict) -> str:
    lines = [f"## Pressroom benchmark, {meta['date']}", "",
             f"{meta['machine']}; repeat {meta['repeat']}; tools run round-robin; "
             "wall time is the median of the successful runs; CPU s is user+sys of the tool "
             "and its children (GNU time); others' CPU is the median share of the machine's "
             "CPUs that other processes used during a run (noise).", "",
             "| tool | releases | median s | min s | max s | CPU s (user+sys) "
             "| peak RSS MiB (largest process) "
             "| peak RSS MiB (process tree) | HTML files | issue's figure s | others' CPU | status |",
             "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|"]
    order = ["pressroom-cold", "pressroom-warm-edit", "pressroom-warm", "floor", "floor-md", "pelican", "hugo"]
    for size in sizes:
        for tool in order:
            e = summary.get(f"{tool}@{size}")
            if not e:
                continue
            ref = REFERENCE.get((tool, size))
            fmt = lambda v: "–" if v is None else (f"{v:.2f}" if isinstance(v, float) else str(v))  # noqa: E731
            status = f"{e['ok']}/{e['runs']} ok" if e["ok"] else e.get("reason") or "failed"
            others = "–" if e.get("median_others_cpu") is None else f"{e['median_others_cpu']:.0%}"
            lines.append(f"| {tool} | {size:,} | {fmt(e.get('median_s'))} | {fmt(e.get('min_s'))} "
                         f"| {fmt(e.get('max_s'))} | {fmt(e.get('median_cpu_s'))} "
                         f"| {fmt(e.get('peak_rss_mib'))} "
                         f"| {fmt(e.get('peak_tree_mib'))} | {fmt(e.get('html_files'))} "
                         f"| {fmt(ref)} | {others} | {status} |")
    lines += ["", "| ratio | releases | of wall times | of CPU times | median of each round's (wall) |",
              "|---|---:|---:|---:|---:|"]
    for r in ratio_rows:
        v = "–" if r["value"] is None else r["value"]
        c = "–" if r.get("cpu_value") is None else r["cpu_value"]
        p = "–" if r.get("paired_value") is None else r["paired_value"]
        size = "" if r["size"] is None else f"{r['size']:,}"
        lines.append(f"| {r['what']} | {size} | {v} | {c} | {p} |")
    failures = [e for e in summary.values() if not e["ok"] and e.get("stderr_tail")]
    for e in failures:
        lines += ["", f"{e['tool']} at {e['size']:,} failed; stderr's last lines:", "```",
                  *e["stderr_tail"], "```"]
    if meta.get("warning"):
        lines += ["", "**Warning:** " + meta["warning"]]
    for note in meta.get("skipped", []):
        lines += ["", note]
    return "\n".join(lines) + "\n"


def _results_path(date: str) -> Path:
    path = WORK / f"results-{date}.json"
    k = 2
    while path.exists():
        path, k = WORK / f"results-{date}-{k}.json", k + 1
    return path


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                formatter_class=argparse.RawDescriptionHelpFormatter,
                                epilog=__doc__.split("\n\n", 1)[1])
    p.add_argument("--sizes", default="1000,10000", help="comma-separated release counts")
    p.add_argument("--repeat", type=int, default=5)
    p.add_argument("--tools", default=",".join(TOOLS),
                   help=f"comma-separated subset of {','.join(TOOLS)}")
    p.add_argument("--quick", action="store_true", help="sizes 100,1000, repeat 3")
    p.add_argument("--settle", type=float, default=60, metavar="S",
                   help="before each build wait up to S seconds for other processes to use "
                        "under 30%% of the CPUs (0: don't wait; default 60)")
    p.add_argument("--floor-extensions", default="",
                   help="Python-Markdown extensions for the floor (default: none)")
    p.add_argument("--report", metavar="RESULTS.json",
                   help="print the report of a run's results file again, with this version's table")
    a = p.parse_args(argv)
    if a.report:
        done = json.loads(Path(a.report).read_text())
        runs, meta = done["runs"], done["meta"]
        summary = summarise(runs)
        print(markdown_report(summary, ratios(summary, meta["sizes"], runs), meta["sizes"], meta))
        return 0
    if a.quick:
        a.sizes, a.repeat = "100,1000", 3
    sizes = [int(s.replace("_", "")) for s in a.sizes.split(",") if s]
    tools = [t.strip() for t in a.tools.split(",") if t.strip()]
    unknown = set(tools) - set(TOOLS)
    if unknown:
        p.error(f"unknown tools {', '.join(sorted(unknown))}; choose from {', '.join(TOOLS)}")
    if not os.access(GNU_TIME, os.X_OK):
        print("note: GNU time (/usr/bin/time) missing, largest-process peak RSS not measured "
              "(apt-get install -y time)", file=sys.stderr)
    skipped = []
    for tool in list(tools):
        why = availability(tool)
        if why:
            print(f"{tool}: {why}", file=sys.stderr)
            skipped.append(f"{tool}: {why}")
            tools.remove(tool)
    if "pressroom" in tools and not (REPO / "pressroom" / "cli.py").exists():
        print("pressroom: pressroom/cli.py does not exist yet; its builds will fail",
              file=sys.stderr)

    now = dt.datetime.now().astimezone()
    meta = {"date": now.strftime("%Y-%m-%d %H:%M %z"), "repeat": a.repeat, "sizes": sizes,
            "tools": tools, "skipped": skipped, "floor_extensions": a.floor_extensions,
            "machine": f"{platform.system()} {platform.release()}, {os.cpu_count()} CPUs, "
                       f"Python {platform.python_version()}",
            "versions": versions(tools), "git_head": _git_head()}
    runs: list[dict] = []
    for size in sizes:
        root, manifest = prepare_corpus(size)
        runner = Runner(size, root, manifest, a.floor_extensions)
        for rep in range(a.repeat):
            k = rep % len(tools) if tools else 0
            for tool in tools[k:] + tools[:k]:
                busy = settle(a.settle) if a.settle > 0 else None
                load = os.getloadavg()[0]
                head = _git_head()  # Pressroom runs from the work tree, which may move on
                for r in runner.run_group(tool, rep):
                    r.update(rep=rep, load_before=round(load, 2), busy_before=busy,
                             git_head=head)
                    runs.append(r)
                    wall = "–" if r.get("wall_s") is None else f"{r['wall_s']:.2f} s"
                    rss = f", {r['maxrss_kb'] / 1024:.0f} MiB" if r.get("maxrss_kb") else ""
                    rss += f", cpu {r['cpu_s']:.2f} s" if r.get("cpu_s") is not None else ""
                    if r.get("others_cpu") is not None:
                        rss += f" (others used {r['others_cpu']:.0%} of the CPUs meanwhile)"
                    print(f"[{size:>6} #{rep + 1}] {r['tool']:<20} {wall}{rss} {r['status']}"
                          f"{': ' + r['check'] if r.get('check') and r['status'] != 'ok' else ''}",
                          file=sys.stderr, flush=True)
                    if r["status"] == "failed":
                        for line in r.get("stderr_tail", [])[-4:]:
                            print(f"    | {line}", file=sys.stderr)
        runner.edit_path.write_bytes(runner.edit_original)
    heads = sorted({r["git_head"] for r in runs if r["tool"].startswith("pressroom")
                    and r.get("git_head")})
    if len(heads) > 1:
        meta["warning"] = (f"the repository moved during the run ({', '.join(heads)}): "
                           "Pressroom's runs are of different engine versions (see runs[].git_head)")
        print("warning: " + meta["warning"], file=sys.stderr)
    summary = summarise(runs)
    ratio_rows = ratios(summary, sizes, runs)
    report = markdown_report(summary, ratio_rows, sizes, meta)
    print(report)
    path = _results_path(now.strftime("%Y-%m-%d"))
    path.write_text(json.dumps({"meta": meta, "summary": summary, "ratios": ratio_rows,
                                "runs": runs}, indent=1))
    path.with_suffix(".md").write_text(report)
    print(f"results: {path.relative_to(REPO)}", file=sys.stderr)
    return 0


def _git_head() -> str | None:
    try:
        return subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=REPO,
                              capture_output=True, text=True).stdout.strip() or None
    except OSError:
        return None


def versions(tools: list[str]) -> dict:
    v = {}
    def run(cmd):
        try:
            return subprocess.run(cmd, capture_output=True, text=True, timeout=60).stdout.strip()
        except (OSError, subprocess.TimeoutExpired):
            return None
    if "floor" in tools or "floor-md" in tools or "pressroom" in tools:
        v["pressroom-venv"] = run([str(PRESSROOM_PYTHON), "-c",
                                   "import sys, markdown, jinja2, frontmatter; "
                                   "print(sys.version.split()[0], 'markdown', markdown.__version__,"
                                   " 'jinja2', jinja2.__version__)"])
    if "pelican" in tools:
        v["pelican"] = run([str(PELICAN), "--version"])
    if "hugo" in tools:
        v["hugo"] = run(["hugo", "version"])
    return v


if __name__ == "__main__":
    sys.exit(main())
