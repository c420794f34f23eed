"""Putting the site online: the GitHub Pages workflow, the README that explains it, the base
URL a host decides, and output that holds nothing the site no longer has."""

import re
import shlex

import yaml

from pressroom.check import read_output, resolve
from tests.conftest import ROOT, release, tree

WORKFLOW = ROOT / ".github" / "workflows" / "pressroom.yml"
GOOD = {
    "content/news/2024/esca-label.md": release(),
    "content/news/2023/gone.md": release("A release to remove", "2023-03-01").replace("awards, clusters", "farewell"),
    "content/pages/about.md": "---\ntitle: About\nmenu: 1\n---\nWe are a cluster.\n",
    "assets/files/old-report.pdf": b"%PDF-1.4 old",
}


def load_workflow() -> dict:
    data = yaml.safe_load(WORKFLOW.read_text())
    data["on"] = data.pop(True, data.get("on"))  # YAML 1.1 reads the key `on` as true
    return data


def run_commands(job: dict) -> list[str]:
    return [line.strip() for step in job["steps"] if "run" in step for line in step["run"].splitlines() if line.strip()]


def readme_section(title: str) -> str:
    text = (ROOT / "README.md").read_text()
    start = text.index(f"\n## {title}\n")
    end = text.find("\n## ", start + 1)
    return text[start : end if end > 0 else None]


def first_shell_block(text: str) -> list[str]:
    block = re.search(r"```sh\n(.*?)```", text, re.S).group(1)
    return [line.strip() for line in block.splitlines() if line.strip()]


def test_the_workflow_builds_on_push_and_on_a_schedule_and_deploys_to_pages():
    workflow = load_workflow()
    assert workflow["on"]["push"]["branches"] == ["main"]
    [schedule] = workflow["on"]["schedule"]
    assert schedule["cron"] == "*/15 * * * *"
    assert "workflow_dispatch" in workflow["on"]
    assert workflow["permissions"] == {"contents": "read", "pages": "write", "id-token": "write"}
    [job] = workflow["jobs"].values()  # one job: a scheduled run costs one runner start, not two
    assert job["environment"]["name"] == "github-pages"
    uses = [step.get("uses", "").split("@")[0] for step in job["steps"]]
    order = ["actions/checkout", "actions/setup-python", "actions/configure-pages", "actions/upload-pages-artifact", "actions/deploy-pages"]
    assert [u for u in uses if u] == order
    [upload] = [s for s in job["steps"] if s.get("uses", "").startswith("actions/upload-pages-artifact@")]
    assert upload["with"]["path"] == "output"
    build_at = next(i for i, s in enumerate(job["steps"]) if "pressroom build" in s.get("run", ""))
    assert uses.index("actions/configure-pages") < build_at < uses.index("actions/upload-pages-artifact")


def test_every_expression_names_a_step_that_exists():
    workflow = load_workflow()
    for name, job in workflow["jobs"].items():
        ids = {step["id"] for step in job["steps"] if "id" in step}
        used = set(re.findall(r"\$\{\{\s*steps\.([\w-]+)\.", yaml.safe_dump(job)))
        assert used <= ids, (name, used - ids)
    [job] = workflow["jobs"].values()
    [pages] = [s for s in job["steps"] if s.get("id") == "pages"]
    assert pages["uses"].startswith("actions/configure-pages@")


def test_the_workflow_runs_the_commands_the_readme_shows():
    [job] = load_workflow()["jobs"].values()
    commands = run_commands(job)
    assert commands == first_shell_block(readme_section("Putting the site online"))
    assert [shlex.split(c)[:2] for c in commands] == [["pip", "install"], ["pressroom", "build"]]
    [build_step] = [s for s in job["steps"] if "pressroom build" in s.get("run", "")]
    assert build_step["env"]["BASE_URL"] == "${{ steps.pages.outputs.base_url }}/"


def test_the_readme_command_is_one_pressroom_understands(make_site, pressroom):
    site = make_site({k: v for k, v in GOOD.items() if "gone" not in k})
    [_, build] = first_shell_block(readme_section("Putting the site online"))
    args = shlex.split(build.replace("$BASE_URL", "https://medvia.github.io/newsroom/"))[1:]
    run = pressroom(*args, cwd=site)
    assert run.code == 0, run.stderr


def test_pressroom_init_ships_the_same_workflow_and_the_example_installs_itself():
    assert (ROOT / "pressroom" / "starter" / "pressroom.yml").read_bytes() == WORKFLOW.read_bytes()
    requirements = [line for line in (ROOT / "requirements.txt").read_text().splitlines() if line and not line.startswith("#")]
    assert requirements == ["."]


def test_base_url_from_the_host_reaches_every_link(make_site, pressroom):
    site = make_site(GOOD)
    run = pressroom("build", "--base-url", "https://medvia.github.io/newsroom", cwd=site)
    assert run.code == 0, run.stderr
    files, pages = read_output(site / "output")
    targets = {ref.target for scan in pages.values() for ref in scan.refs}
    internal = {t for t in targets if not t.startswith(("https://example.org", "#"))}
    assert internal and all(t.startswith(("/newsroom/", "https://medvia.github.io/newsroom/")) for t in internal), internal
    assert all(resolve(t, "", "https://medvia.github.io/newsroom/") is not None for t in internal)


def test_a_bad_base_url_is_a_usage_error(make_site, pressroom):
    site = make_site(GOOD)
    run = pressroom("build", "--base-url", "medvia.github.io", cwd=site)
    assert run.code == 2
    assert run.stderr == 'pressroom build: --base-url: "medvia.github.io" is not a web address; write one like "https://news.example.org/"\n'
    assert not (site / "output").exists()


def test_output_holds_nothing_the_site_no_longer_has(make_site, pressroom):
    site = make_site(GOOD)
    assert pressroom("build", cwd=site).code == 0
    before = tree(site / "output")
    assert "news/2023/a-release-to-remove/index.html" in before and "tags/farewell/index.html" in before
    assert "assets/files/old-report.pdf" in before
    (site / "content/news/2023/gone.md").unlink()
    (site / "assets/files/old-report.pdf").unlink()
    run = pressroom("build", cwd=site)
    assert run.code == 0, run.stderr
    after = tree(site / "output")
    gone = sorted(set(before) - set(after))
    assert gone == [
        "assets/files/old-report.pdf",
        "news/2023/a-release-to-remove/index.html",
        "news/2023/index.html",
        "tags/farewell/atom.xml",
        "tags/farewell/index.html",
        "tags/farewell/rss.xml",
    ]
    assert f"{len(gone)} removed)" in run.stdout
    assert not any(b"A release to remove" in data or b"farewell" in data for data in after.values())
    assert not (site / "output" / "news" / "2023").exists(), "no empty folders are left either"
