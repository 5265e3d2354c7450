"""Time `decision-paths build` at 100 to 3,000 decisions, each size beside a plain MkDocs +
Material build of as many pages with similar text and the same nav, in the same run.

For every size (--sizes) and audience (--audience internal, all, or both: the two), each
measure is repeated --repeat times, round by round, so that the machine's noise falls on
all of them alike; reported as min and median seconds and peak memory (max RSS):

  ours cold            fresh --out folder, empty DECISION_PATHS_CACHE (build and diagram cache);
  ours warm-unchanged  same --out and cache, nothing changed: the build finds nothing to do and
                       writes nothing; every output file is hashed before and after it
                       ("byte-identical: yes/no") and its modification time compared;
  ours one edit        same --out and cache after one decision's title changed in its YAML file;
  baseline             `mkdocs build` into a fresh folder of plain pages at our pages' paths, with
                       our nav and each page's number of search sections and amount of Chinese +
                       English text, configured as `decision-paths build` is (Material, search,
                       Markdown settings) without the decision-paths plugin. `--audience all`
                       writes two sites (internal + client): its baseline is a plain build of each
                       of the two page sets, seconds summed, peak memory the larger of the two;
  zensical             the same plain pages built by `zensical build`, when zensical is installed
                       (the executable on PATH or `import zensical`); skipped otherwise.

Per-page cost: seconds / HTML pages written (404.html not counted), in ms per page.

Goals, judged on min/min (median/median shown beside, the machines are noisy):
  - cold `--audience internal` at 300 and 1,000 decisions <= 0.6x its baseline;
  - peak memory of each of our builds <= 1.5x the baseline's;
  - warm-unchanged < 10% of cold;
  - one edit <= 0.5x cold at 300 decisions;
  - per-page cost of a cold build at the largest size within 1.2x of that at 300 decisions
    (only when both sizes were measured in this run);
  - Graphviz diagrams for 1,000 decisions, cold cache, < 2 s (one `dot` process for all),
    against one `dot` process per graph (50 graphs, extrapolated): measured once, not per size.

    .venv/bin/python benchmarks/build_bench.py [--sizes 100,300] [--audience both]
        [--repeat 3] [--no-diagrams] [--json FILE]

`make benchmark` runs 100 and 300 decisions, `make benchmark-large` 1,000 and 3,000 (no
diagrams). `--decisions N` is the same as `--sizes N`. Exit status 1 when a goal is missed.

Every build runs as `python -c WRAPPER command...` in its own process: the
wrapper times the command and reports its children's ru_maxrss, so each
figure is that one build's peak and not the largest of all builds so far.
"""

from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import importlib.util
import json
import os
import random
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypedDict, cast

sys.path.insert(0, str(Path(__file__).parent))
import graphviz
import yaml
from synthetic import write_organisation

from decision_paths.model.organisation import Audience, Organisation
from decision_paths.model.words import words
from decision_paths.pipeline import validate_folder
from decision_paths.plan import pages as plan
from decision_paths.plan.pages import PlanOptions
from decision_paths.render import graphviz as drawing
from decision_paths.store import cache as buildcache

ROOT = Path(__file__).resolve().parent.parent
# The project's virtualenv; from a git worktree without one, the virtualenv running this script.
VENV_BIN = ROOT / ".venv" / "bin" if (ROOT / ".venv" / "bin").is_dir() else Path(sys.executable).parent
DECISION_PATHS = VENV_BIN / "decision-paths"
MKDOCS = VENV_BIN / "mkdocs"
TODAY = dt.date(2026, 11, 23)
SEPARATOR = "\u200b"  # jieba's word separator in Material's search index

GOAL_COLD = 0.6  # cold internal build / baseline, at GOAL_COLD_SIZES
GOAL_COLD_SIZES = (300, 1000)
GOAL_MEMORY = 1.5  # peak RSS of our builds / the baseline's
GOAL_WARM = 0.10  # warm-unchanged / cold (strictly below)
GOAL_EDIT = 0.5  # one edit / cold, at GOAL_EDIT_SIZE
GOAL_EDIT_SIZE = 300
GOAL_PER_PAGE = 1.2  # per-page cost at the largest size / at GOAL_PER_PAGE_BASE
GOAL_PER_PAGE_BASE = 300
GOAL_DIAGRAMS_S = 2.0

# The sites each --audience writes; --audience both measures internal and all.
SITES_OF = {"internal": ("internal",), "all": ("internal", "client")}
AUDIENCES_OF = {"internal": ("internal",), "all": ("all",), "both": ("internal", "all")}

# Runs argv[2:], writes its output to the log file argv[1], prints seconds,
# exit status and the peak RSS (KiB) of the command's process tree as JSON.
WRAPPER = r"""
import json, resource, subprocess, sys, time
with open(sys.argv[1], "wb") as log:
    start = time.perf_counter()
    code = subprocess.run(sys.argv[2:], stdout=log, stderr=subprocess.STDOUT).returncode
    seconds = time.perf_counter() - start
print(json.dumps({"seconds": seconds, "code": code,
                  "maxrss_kib": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss}))
"""

ZH_SENTENCES = (
    "客户提出的请求先由客户经理书面登记,并在一个工作日内确认收到。",
    "金额超过五万元的合同变更需要财务总监和法务共同审批。",
    "如果负责人休假,由其指定的备份角色代为处理,时限不变。",
    "评估阶段需要核对合同条款、交付范围和已发生的工作量。",
    "内部复核至少需要两位评审人同意,意见分歧时提交总监裁决。",
    "答复客户时须说明决定的理由,并附上相关的合同条款编号。",
    "逾期未处理的事项会自动升级到上一级负责人,并抄送质量团队。",
    "老客户的续约请求可以走简化流程,但仍需记录在案。",
    "所有审批记录保存五年,供审计和质量检查使用。",
    "固定价格合同的范围变更必须先评估对交付日期的影响。",
    "服务部门在收到投诉后四个工作小时内给出初步答复。",
    "人事相关的决定只在内部公开,不对客户展示。",
    "法务意见是最终意见,其他部门不得推翻。",
    "每半年复核一次流程,确认负责人和时限仍然准确。",
)
EN_SENTENCES = (
    "The account manager records every request in writing and confirms receipt within one business day.",
    "Contract changes above the threshold need both the finance director and legal to approve.",
    "When the owner is away, the backup role decides within the same time limit.",
    "The assessment checks the contract terms, the delivery scope and the work already done.",
    "An internal review needs at least two reviewers; disagreements go to the director.",
    "The answer to the client states the reason and cites the contract clause.",
    "Overdue items escalate automatically to the next level and copy the quality team.",
    "Repeat clients may use the short path, but the decision is still recorded.",
    "Approval records are kept for five years for audits.",
    "Scope changes on fixed-price contracts are assessed for their effect on the delivery date first.",
)
ZH_CELLS = (
    "登记需求",
    "评估范围",
    "内部复核",
    "总监审批",
    "书面答复",
    "财务复核",
    "法务意见",
    "客户经理",
    "交付经理",
    "财务总监",
    "一个工作日",
    "三个工作日",
    "四个工作小时",
    "全部同意",
    "任一人",
    "至少两人",
)
EN_CELLS = (
    "intake",
    "assess",
    "review",
    "director",
    "answer",
    "approved",
    "declined",
    "change order",
    "1 business day",
    "3 business days",
    "8 business hours",
    "all of",
    "any of",
    "at least 2 of",
)


def _chars(text: str) -> int:
    """Visible characters of a search entry: no HTML tags, no jieba separators, no spaces."""
    return len(re.sub(r"\s+", "", _TAG.sub("", text).replace(SEPARATOR, "")))


_TAG = re.compile(r"<[^>]*>")


def page_location(src_uri: str) -> str:
    """'decisions/x.md' -> 'decisions/x/', 'roles/index.md' -> 'roles/', 'index.md' -> ''."""
    stem = src_uri[:-3]
    if stem == "index":
        return ""
    if stem.endswith("/index"):
        return stem[: -len("index")]
    return stem + "/"


def search_profile(site: Path) -> dict[str, tuple[int, int]]:
    """Per page location: (search sections, visible characters indexed)."""
    index = json.loads((site / "search" / "search_index.json").read_text(encoding="utf-8"))
    profile: dict[str, list[int]] = {}
    for doc in index["docs"]:
        entry = profile.setdefault(doc["location"].split("#")[0], [0, 0])
        entry[0] += 1
        entry[1] += _chars(doc["title"]) + _chars(doc.get("text", ""))
    return {location: (sections, chars) for location, (sections, chars) in profile.items()}


def _visible(text: str) -> int:
    return len(re.sub(r"\s+", "", text))


def _paragraph(rng: random.Random, budget: int) -> str:
    """Chinese and English sentences with BUDGET visible characters (the last one cut short)."""
    parts: list[str] = []
    while budget > 0:
        sentence = rng.choice(ZH_SENTENCES) if rng.random() < 0.6 else rng.choice(EN_SENTENCES)
        if _visible(sentence) > budget:
            words_ = sentence.split(" ") if sentence.isascii() else list(sentence)
            cut: list[str] = []
            while words_ and _visible("".join(cut) + words_[0]) <= budget:
                cut.append(words_.pop(0))
            sentence = (" " if sentence.isascii() else "").join(cut)
            if not sentence:
                break
        parts.append(sentence)
        budget -= _visible(sentence)
    return " ".join(parts)


TABLE_HEADER = ("阶段 Stage", "负责人 Owner", "时限 Within", "说明 Notes")


def _table(rng: random.Random, budget: int) -> str:
    """A 4-column table of about BUDGET visible characters (header included)."""
    rows = ["| " + " | ".join(TABLE_HEADER) + " |", "|---|---|---|---|"]
    budget -= sum(_visible(c) for c in TABLE_HEADER)
    while budget > 0:
        cells = [
            rng.choice(ZH_CELLS) + " " + rng.choice(EN_CELLS),
            rng.choice(ZH_CELLS),
            rng.choice(EN_CELLS),
            rng.choice(ZH_SENTENCES)[:18],
        ]
        rows.append("| " + " | ".join(cells) + " |")
        budget -= sum(_visible(c) for c in cells)
    return "\n".join(rows)


def baseline_page(n: int, sections: int, chars: int, rng: random.Random) -> str:
    """A plain page: a title, SECTIONS-1 headed sections of Chinese+English paragraphs
    and one table, about CHARS visible characters of text in all."""
    title = f"第{n}页 Page {n}"
    heads = [f"第{k + 1}节 Section {k + 1}" for k in range(max(sections - 1, 0))]
    body = max(chars - _visible(title) - sum(_visible(h) for h in heads), 40)
    table = body // 3
    per_section = (body - table) // (len(heads) + 1)
    lines = [f"# {title}", "", _paragraph(rng, per_section + (body - table) % (len(heads) + 1)), ""]
    for heading in heads:
        lines += [f"## {heading}", "", _paragraph(rng, per_section), ""]
    lines += [_table(rng, table), ""]
    return "\n".join(lines)


def baseline_config(nav: list[Any], site_dir: Path | None = None) -> str:
    """`decision-paths build`'s built-in configuration (build.DEFAULT_CONFIG: theme, search
    and Markdown settings) without the decision-paths plugin, with our site's nav."""
    from decision_paths.render.site import DEFAULT_CONFIG, PLUGIN

    config = yaml.safe_load(DEFAULT_CONFIG)
    plugins = [p for p in config.get("plugins", []) if p != PLUGIN and not (isinstance(p, dict) and PLUGIN in p)]
    config.update(site_name="Baseline", docs_dir="docs", plugins=plugins, nav=nav)
    if site_dir is not None:  # zensical takes no --site-dir: the output folder is in the configuration
        config["site_dir"] = str(site_dir)
    return yaml.safe_dump(config, allow_unicode=True, sort_keys=False)


def write_baseline(folder: Path, src_uris: list[str], nav: list[Any], profile: dict[str, tuple[int, int]]) -> None:
    """As many plain pages as our site has, at the same paths, with the same nav and
    each with the number of search sections and indexed text of its counterpart."""
    rng = random.Random(11)
    docs = folder / "docs"
    for n, uri in enumerate(src_uris):
        sections, chars = profile.get(page_location(uri), (3, 1500))
        path = docs / uri
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(baseline_page(n, sections, chars, rng), encoding="utf-8")
    (folder / "mkdocs.yml").write_text(baseline_config(nav), encoding="utf-8")
    (folder / "zensical.yml").write_text(baseline_config(nav, folder / "zensical-site"), encoding="utf-8")


def site_structure(project: Path, cache: Path, audience: Audience) -> tuple[list[str], list[Any]]:
    """The AUDIENCE site's pages (src_uri) and nav, asked of the plugin itself, set up as
    `decision-paths build` sets it up in PROJECT (diagrams come from the warm CACHE)."""
    from mkdocs.structure.files import get_files

    from decision_paths.pipeline.sites import Pipeline
    from decision_paths.render.site import load_site_config

    old_cwd, old_cache = os.getcwd(), os.environ.get("DECISION_PATHS_CACHE")
    os.chdir(project)
    os.environ["DECISION_PATHS_CACHE"] = str(cache)
    try:
        config = load_site_config(
            Pipeline(str(project / "decisions"), TODAY),
            site_dir=str(project / "unused-site"),
            audience=audience,
            report_findings=False,  # the warm-up build has shown them
        )
        config = config.plugins.on_config(config)
        files = config.plugins.on_files(get_files(config), config=config)
        return [f.src_uri for f in files.documentation_pages()], list(config.nav or [])
    finally:
        os.chdir(old_cwd)
        if old_cache is None:
            os.environ.pop("DECISION_PATHS_CACHE", None)
        else:
            os.environ["DECISION_PATHS_CACHE"] = old_cache


def code_fingerprint() -> str:
    """The package's code version, worked out afresh: builds are only comparable if it holds still."""
    return buildcache.code_version.__wrapped__()


def html_pages(site: Path) -> int:
    return sum(1 for p in site.rglob("*.html") if p.name != "404.html")


def site_bytes(site: Path) -> int:
    return sum(p.stat().st_size for p in site.rglob("*") if p.is_file())


def tree_state(folder: Path) -> dict[str, tuple[str, int]]:
    """Every file under FOLDER: its SHA-256 and its modification time (ns)."""
    return {
        str(p.relative_to(folder)): (hashlib.sha256(p.read_bytes()).hexdigest(), p.stat().st_mtime_ns)
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def zensical_command() -> list[str] | None:
    """How to run zensical, if it is installed (never installed by this benchmark)."""
    found = shutil.which("zensical") or (str(VENV_BIN / "zensical") if (VENV_BIN / "zensical").exists() else None)
    if found:
        return [found]
    if importlib.util.find_spec("zensical") is not None:
        return [sys.executable, "-m", "zensical"]
    return None


class Run(TypedDict):
    seconds: float
    code: int
    maxrss_kib: int


class Runner:
    def __init__(self, work: Path):
        self.work = work
        self.env = {**os.environ, "NO_MKDOCS_2_WARNING": "1"}
        self.env.pop("DECISION_PATHS_CACHE", None)
        self.count = 0
        self.log = work / "none.log"

    def run(self, argv: list[str], cwd: Path, **env: str) -> Run:
        self.count += 1
        self.log = self.work / f"run-{self.count:03d}.log"
        done = subprocess.run(
            [sys.executable, "-c", WRAPPER, str(self.log), *argv],
            cwd=cwd,
            env={**self.env, **env},
            capture_output=True,
            text=True,
            check=True,
        )
        result = cast(Run, json.loads(done.stdout))
        if result["code"] != 0:
            sys.exit(f"failed ({result['code']}): {' '.join(argv)}\n{self.log.read_text(errors='replace')[-3000:]}")
        return result


def stats(values: list[float]) -> tuple[float, float]:
    return min(values), statistics.median(values)


def combine(parts: list[Run]) -> Run:
    """Builds run one after the other (the two plain sites of --audience all): seconds add up,
    the peak is the larger one."""
    return {"seconds": sum(p["seconds"] for p in parts), "code": 0, "maxrss_kib": max(p["maxrss_kib"] for p in parts)}


def summary(runs: list[Run], pages: int) -> dict[str, Any]:
    seconds = [r["seconds"] for r in runs]
    low, mid = stats(seconds)
    rss = [r["maxrss_kib"] / 1024 for r in runs]
    return {
        "seconds": seconds,
        "min_s": low,
        "median_s": mid,
        "ms_per_page_min": low * 1000 / pages,
        "ms_per_page_median": mid * 1000 / pages,
        "rss_mib": rss,
        "peak_rss_mib": max(rss),
    }


def prepare_project(args: argparse.Namespace, size: int, folder: Path) -> tuple[Path, int]:
    """The synthetic organisation of SIZE decisions (one git commit unless --no-git), validated."""
    project = folder / "project"  # holds only decisions/: the build uses its built-in configuration
    write_organisation(project / "decisions", size, people=args.people)
    if not args.no_git:  # as in a real repository: one commit, so the change history is read too
        git = ["git", "-c", "user.name=bench", "-c", "user.email=bench@example.com", "-c", "init.defaultBranch=main"]
        for step in (["init", "-q"], ["add", "-A"], ["commit", "-q", "-m", "Synthetic organisation"]):
            subprocess.run([*git, *step], cwd=project, check=True, capture_output=True)
    result = validate_folder(str(project / "decisions"), TODAY)
    assert not result.has_errors, [f.to_text() for f in result.findings[:5]]
    return project, len(result.org.decisions)


def measure_size(
    args: argparse.Namespace, size: int, runner: Runner, work: Path, zensical: list[str] | None
) -> dict[str, Any]:
    audiences = AUDIENCES_OF[args.audience]
    folder = work / f"size-{size}"
    project, diagrams = prepare_project(args, size, folder)
    sites = SITES_OF["all"] if "all" in audiences else SITES_OF["internal"]
    fingerprint = code_fingerprint()

    def build_ours(audience: str, out: Path, cache: Path) -> Run:
        argv = [str(DECISION_PATHS), "build", "--audience", audience, "--today", TODAY.isoformat(), "--out", str(out)]
        return runner.run(argv, cwd=project, DECISION_PATHS_CACHE=str(cache))

    # Warm-up (not timed): byte-compiled modules, jieba's dictionary cache, OS file cache;
    # its search index tells how much text each of our pages has, for the baseline pages.
    print(f"[{size}] warm-up build of ours ({size} decisions, {args.people} people) ...", flush=True)
    warm_out, warm_cache = folder / "warmup-out", folder / "warmup-cache"
    build_ours("all" if "all" in audiences else "internal", warm_out, warm_cache)
    facts: dict[str, dict[str, Any]] = {}
    baselines: dict[str, Path] = {}
    base_argv: dict[str, list[str]] = {}
    zen_argv: dict[str, list[str]] = {}
    for site in sites:
        our_site = warm_out / site
        src_uris, nav = site_structure(project, warm_cache, Audience(site))
        pages = html_pages(our_site)
        assert pages == len(src_uris), (site, pages, len(src_uris))
        profile = search_profile(our_site)
        baselines[site] = baseline = folder / f"baseline-{site}"
        write_baseline(baseline, src_uris, nav, profile)
        base_argv[site] = [str(MKDOCS), "build", "-q", "-f", str(baseline / "mkdocs.yml"), "-d"]
        print(f"[{size}] warm-up build of the {site} baseline ...", flush=True)
        warm_base = folder / f"warmup-base-{site}"
        runner.run([*base_argv[site], str(warm_base)], cwd=baseline)
        base_profile = search_profile(warm_base)
        base_pages = html_pages(warm_base)
        assert base_pages == pages, (site, base_pages, pages)
        facts[site] = {
            "pages": pages,
            "our_sections": sum(s for s, _ in profile.values()),
            "our_chars": sum(c for _, c in profile.values()),
            "base_sections": sum(s for s, _ in base_profile.values()),
            "base_chars": sum(c for _, c in base_profile.values()),
            "our_bytes": site_bytes(our_site),
            "base_bytes": site_bytes(warm_base),
        }
        shutil.rmtree(warm_base)
        if zensical is not None:
            zen_argv[site] = [*zensical, "build", "--clean", "-f", str(baseline / "zensical.yml")]
            print(f"[{size}] warm-up build of the {site} baseline with zensical ...", flush=True)
            runner.run(zen_argv[site], cwd=baseline)
            facts[site]["zensical_pages"] = html_pages(baseline / "zensical-site")
    shutil.rmtree(warm_out)
    shutil.rmtree(warm_cache)

    runs: dict[str, dict[str, list[Run]]] = {a: {"cold": [], "warm": [], "edited": []} for a in audiences}
    checks: dict[str, dict[str, list[Any]]] = {a: {"identical": [], "rewritten": [], "skipped": []} for a in audiences}
    base_runs: dict[str, list[Run]] = {s: [] for s in sites}
    zen_runs: dict[str, list[Run]] = {s: [] for s in sites}
    edited = next(p for p in sorted((project / "decisions").rglob("*.yaml")) if not p.name.startswith("_"))
    for round_ in range(1, args.repeat + 1):
        for audience in audiences:
            out, cache = folder / f"out-{audience}-{round_}", folder / f"cache-{audience}-{round_}"
            print(f"[{size}] round {round_}/{args.repeat}, --audience {audience}: cold ...", end=" ", flush=True)
            runs[audience]["cold"].append(build_ours(audience, out, cache))
            before = tree_state(out)
            print(f"{runs[audience]['cold'][-1]['seconds']:.1f} s; warm-unchanged ...", end=" ", flush=True)
            runs[audience]["warm"].append(build_ours(audience, out, cache))  # same organisation, cache, --out
            after = tree_state(out)
            checks[audience]["identical"].append(
                {k: h for k, (h, _) in before.items()} == {k: h for k, (h, _) in after.items()}
            )
            checks[audience]["rewritten"].append(
                sum(1 for k, v in after.items() if before.get(k) != v) + len(before.keys() - after.keys())
            )
            checks[audience]["skipped"].append("nothing changed" in runner.log.read_text(errors="replace"))
            print(f"{runs[audience]['warm'][-1]['seconds']:.1f} s; one edit ...", end=" ", flush=True)
            original = edited.read_text(encoding="utf-8")
            edited.write_text(original.replace("title: ", f"title: 改 {round_} ", 1), encoding="utf-8")
            try:  # a realistic warm build: one file changed, so checks and plan run again
                runs[audience]["edited"].append(build_ours(audience, out, cache))
            finally:
                edited.write_text(original, encoding="utf-8")
            print(f"{runs[audience]['edited'][-1]['seconds']:.1f} s", flush=True)
            cached = len(list((cache / "svg").glob("*.svg")))
            assert cached >= diagrams, f"{cached} SVGs cached for {diagrams} diagrams: the warm build missed"
            shutil.rmtree(out)
            shutil.rmtree(cache)
        for site in sites:
            base_out = folder / f"base-{site}-{round_}"
            print(f"[{size}] round {round_}/{args.repeat}: {site} baseline ...", end=" ", flush=True)
            base_runs[site].append(runner.run([*base_argv[site], str(base_out)], cwd=baselines[site]))
            print(f"{base_runs[site][-1]['seconds']:.1f} s", end="", flush=True)
            shutil.rmtree(base_out)
            if zensical is not None:
                shutil.rmtree(baselines[site] / "zensical-site", ignore_errors=True)
                zen_runs[site].append(runner.run(zen_argv[site], cwd=baselines[site]))
                print(f"; zensical {zen_runs[site][-1]['seconds']:.1f} s", end="", flush=True)
            print(flush=True)
        if code_fingerprint() != fingerprint:
            sys.exit("the decision_paths sources changed during the benchmark: run it again")

    result: dict[str, Any] = {"decisions": size, "people": args.people, "diagrams": diagrams, "sites": facts}
    for audience in audiences:
        own = SITES_OF[audience]
        pages = sum(facts[s]["pages"] for s in own)
        measures = {name: summary(rs, pages) for name, rs in runs[audience].items()}
        measures["baseline"] = summary([combine([base_runs[s][k] for s in own]) for k in range(args.repeat)], pages)
        if zensical is not None:
            measures["zensical"] = summary([combine([zen_runs[s][k] for s in own]) for k in range(args.repeat)], pages)
        result[audience] = {
            "pages": pages,
            "sites": list(own),
            "measures": measures,
            "byte_identical": all(checks[audience]["identical"]),
            "files_rewritten": checks[audience]["rewritten"],
            "skipped_as_unchanged": checks[audience]["skipped"],
        }
    return result


def dot_sources(org: Organisation) -> dict[str, str]:
    """Each decision's DOT source exactly as the plan makes it, without planning the pages
    too (plan_site also plans every page, which costs far more than the diagrams)."""
    options = PlanOptions(TODAY, "zh", words("zh"))
    planner = getattr(plan, "_Planner", None)
    if planner is not None and hasattr(planner, "diagram"):
        made = planner(org, options)
        return {d.id: made.diagram(d) for d in org.decisions.values()}
    from decision_paths.model.audience import SITES

    return dict(plan.plan_site(org, options, SITES[Audience.INTERNAL]).diagrams)  # pragma: no cover


def measure_diagrams(args: argparse.Namespace, work: Path) -> dict[str, Any]:
    folder = work / "diagram-org" / "decisions"
    write_organisation(folder, args.diagram_decisions, people=args.people)
    result = validate_folder(str(folder), TODAY)
    assert not result.has_errors, [f.to_text() for f in result.findings[:5]]
    plan_start = time.perf_counter()
    sources = dot_sources(result.org)
    plan_seconds = time.perf_counter() - plan_start
    assert len(sources) == args.diagram_decisions

    cold: list[float] = []
    warm: list[float] = []
    for k in range(args.repeat):
        cache = work / f"svg-cache-{k}"
        drawing.graphviz_version.cache_clear()  # a build asks `dot -V` once too
        start = time.perf_counter()
        svgs = drawing.render_svgs(sources, cache_dir=cache)
        cold.append(time.perf_counter() - start)
        assert len(svgs) == len(sources) and all(s.lstrip().startswith("<svg") for s in svgs.values())
        drawing.graphviz_version.cache_clear()
        start = time.perf_counter()
        drawing.render_svgs(sources, cache_dir=cache)
        warm.append(time.perf_counter() - start)
        shutil.rmtree(cache)

    sample = list(sources.values())[: args.per_graph]
    single: list[float] = []
    for _ in range(args.repeat):
        start = time.perf_counter()
        for dot in sample:  # what one `dot` process per graph would cost
            graphviz.pipe("dot", "svg", dot.encode("utf-8"), quiet=True)
        single.append(time.perf_counter() - start)
    return {
        "decisions": args.diagram_decisions,
        "cold": cold,
        "warm": warm,
        "single": single,
        "per_graph_sample": args.per_graph,
        "plan_seconds": plan_seconds,
        "dot_bytes": sum(len(s.encode()) for s in sources.values()),
    }


@dataclass
class Goal:
    name: str
    limit: str  # as printed: "<= 0.6x"
    ok: bool | None  # None: not measured in this run
    value: float | None = None  # judged on this (min/min)
    median: float | None = None  # median/median, shown beside
    note: str = ""

    def line(self) -> str:
        verdict = "n/a " if self.ok is None else ("PASS" if self.ok else "MISS")
        if self.value is None:
            figure = "-"
        elif self.limit.endswith(" s"):
            figure = f"{self.value:.2f} s ({self.median:.2f} s)"
        else:
            figure = f"{self.value:.2f}x ({self.median:.2f}x)"
        return f"  {verdict}  {self.name:<46} {figure:<18} goal {self.limit:<8} {self.note}".rstrip()


def ratio(a: dict[str, Any], b: dict[str, Any], key: str = "s") -> tuple[float, float]:
    """A/B, min/min and median/median, of seconds (key 's') or ms per page (key 'ms_per_page')."""
    if key == "s":
        return a["min_s"] / b["min_s"], a["median_s"] / b["median_s"]
    return a["ms_per_page_min"] / b["ms_per_page_min"], a["ms_per_page_median"] / b["ms_per_page_median"]


def goals(args: argparse.Namespace, sizes: dict[int, dict[str, Any]], dias: dict[str, Any] | None) -> list[Goal]:
    found: list[Goal] = []
    audiences = AUDIENCES_OF[args.audience]
    if "internal" in audiences:
        for size in GOAL_COLD_SIZES:
            name = f"cold --audience internal / baseline, {size}"
            if size in sizes:
                m = sizes[size]["internal"]["measures"]
                low, mid = ratio(m["cold"], m["baseline"])
                found.append(Goal(name, f"<= {GOAL_COLD}x", low <= GOAL_COLD, low, mid))
            else:
                found.append(Goal(name, f"<= {GOAL_COLD}x", None, note=f"({size} not in --sizes)"))
    for size, result in sizes.items():
        for audience in audiences:
            m = result[audience]["measures"]
            peak = max(m[k]["peak_rss_mib"] for k in ("cold", "warm", "edited"))
            base = m["baseline"]["peak_rss_mib"]
            medians = max(statistics.median(m[k]["rss_mib"]) for k in ("cold", "warm", "edited"))
            found.append(
                Goal(
                    f"peak memory ours / baseline, {size} {audience}",
                    f"<= {GOAL_MEMORY}x",
                    peak / base <= GOAL_MEMORY,
                    peak / base,
                    medians / statistics.median(m["baseline"]["rss_mib"]),
                    f"({peak:.0f} / {base:.0f} MiB)",
                )
            )
    for size, result in sizes.items():
        for audience in audiences:
            m = result[audience]["measures"]
            low, mid = ratio(m["warm"], m["cold"])
            identical = "yes" if result[audience]["byte_identical"] else "no"
            found.append(
                Goal(
                    f"warm-unchanged / cold, {size} {audience}",
                    f"< {GOAL_WARM}x",
                    low < GOAL_WARM and result[audience]["byte_identical"],
                    low,
                    mid,
                    f"(byte-identical: {identical})",
                )
            )
    for audience in audiences:
        name = f"one edit / cold, {GOAL_EDIT_SIZE} {audience}"
        if GOAL_EDIT_SIZE in sizes:
            m = sizes[GOAL_EDIT_SIZE][audience]["measures"]
            low, mid = ratio(m["edited"], m["cold"])
            found.append(Goal(name, f"<= {GOAL_EDIT}x", low <= GOAL_EDIT, low, mid))
        else:
            found.append(Goal(name, f"<= {GOAL_EDIT}x", None, note=f"({GOAL_EDIT_SIZE} not in --sizes)"))
    largest = max(sizes)
    for audience in audiences:
        name = f"per-page cost cold, {largest} / {GOAL_PER_PAGE_BASE} {audience}"
        if GOAL_PER_PAGE_BASE in sizes and largest > GOAL_PER_PAGE_BASE:
            m_large = sizes[largest][audience]["measures"]["cold"]
            m_base = sizes[GOAL_PER_PAGE_BASE][audience]["measures"]["cold"]
            low, mid = ratio(m_large, m_base, "ms_per_page")
            found.append(Goal(name, f"<= {GOAL_PER_PAGE}x", low <= GOAL_PER_PAGE, low, mid))
        else:
            note = f"(needs {GOAL_PER_PAGE_BASE} and a larger size in --sizes)"
            name = f"per-page cost cold, largest / {GOAL_PER_PAGE_BASE} {audience}"
            found.append(Goal(name, f"<= {GOAL_PER_PAGE}x", None, note=note))
    if dias is not None:
        low, mid = stats(dias["cold"])
        found.append(
            Goal(
                f"diagrams for {dias['decisions']} decisions, cold cache",
                f"< {GOAL_DIAGRAMS_S:.0f} s",
                low < GOAL_DIAGRAMS_S,
                low,
                mid,
            )
        )
    return found


MEASURES = (
    ("cold", "ours cold"),
    ("warm", "ours warm-unchanged"),
    ("edited", "ours one edit"),
    ("baseline", "plain Material cold"),
    ("zensical", "plain pages, zensical"),
)


def report_size(result: dict[str, Any], audiences: tuple[str, ...], zensical: bool) -> None:
    size = result["decisions"]
    print()
    print(
        f"--- {size} decisions, {result['people']} people, {result['diagrams']} inline SVG diagrams "
        + "-" * max(0, 40 - len(str(size)))
    )
    for site, f in result["sites"].items():
        zen = f", zensical {f['zensical_pages']} pages" if "zensical_pages" in f else ""
        print(
            f"{site} site: {f['pages']} pages, {f['our_bytes'] / 2**20:.0f} MiB (baseline {f['base_bytes'] / 2**20:.0f}"
            f" MiB{zen}); search index: ours {f['our_sections']} sections / {f['our_chars']:,} chars, "
            f"baseline {f['base_sections']} / {f['base_chars']:,}"
        )
    for audience in audiences:
        r = result[audience]
        m = r["measures"]
        base_note = (
            "baseline: plain builds of both page sets (internal + client), seconds summed, peak RSS the larger"
            if audience == "all"
            else "baseline: plain build of the internal page set"
        )
        print(
            f"--audience {audience}: {r['pages']} HTML pages ({' + '.join(r['sites'])}; ms/page: seconds / these "
            f"pages); {base_note}"
        )
        print(
            f"  {'measure':<24}{'min s':>8}{'median s':>10}{'ms/page':>9}{'(median)':>10}{'peak RSS MiB':>14}"
            f"   {'vs baseline':<16}vs cold"
        )
        for key, label in MEASURES:
            if key not in m:
                if key == "zensical" and not zensical:
                    print(f"  {label:<24}  zensical: not installed (skipped)")
                continue
            s = m[key]
            vs_base = "" if key == "baseline" else "{:.2f}x ({:.2f}x)".format(*ratio(s, m["baseline"]))
            vs_cold = "{:.3f}x ({:.3f}x)".format(*ratio(s, m["cold"])) if key in ("warm", "edited") else ""
            extra = ""
            if key == "warm":
                rewritten = max(r["files_rewritten"])
                skipped = "yes" if all(r["skipped_as_unchanged"]) else "no"
                extra = (
                    f"  byte-identical: {'yes' if r['byte_identical'] else 'no'}, files rewritten: {rewritten}, "
                    f"reported nothing changed: {skipped}"
                )
            print(
                f"  {label:<24}{s['min_s']:8.2f}{s['median_s']:10.2f}{s['ms_per_page_min']:9.1f}"
                f"{s['ms_per_page_median']:10.1f}{s['peak_rss_mib']:14.0f}   {vs_base:<16}{vs_cold:<16}{extra}".rstrip()
            )


def report_diagrams(dias: dict[str, Any]) -> None:
    dcold, dwarm, dsingle = stats(dias["cold"]), stats(dias["warm"]), stats(dias["single"])
    per_graph = dsingle[0] / dias["per_graph_sample"]
    extrapolated = per_graph * dias["decisions"]
    print()
    print(
        f"--- diagrams: {dias['decisions']} decisions, render_svgs, cold cache: {dcold[0]:.2f} s ({dcold[1]:.2f}); "
        f"warm cache (all hits): {dwarm[0]:.3f} s ({dwarm[1]:.3f})"
    )
    print(
        f"DOT sources: {dias['dot_bytes'] / 2**20:.1f} MiB, planned in {dias['plan_seconds']:.2f} s (not counted); "
        f"one `dot` per graph: {dias['per_graph_sample']} graphs {dsingle[0]:.2f} s ({dsingle[1]:.2f}) = "
        f"{per_graph * 1000:.0f} ms/graph -> {extrapolated:.1f} s for {dias['decisions']}; "
        f"batching gain {extrapolated / dcold[0]:.1f}x"
    )


def report(
    args: argparse.Namespace,
    sizes: dict[int, dict[str, Any]],
    dias: dict[str, Any] | None,
    zensical: list[str] | None,
    load_at_start: float,
) -> tuple[list[Goal], dict[str, Any]]:
    audiences = AUDIENCES_OF[args.audience]
    load_at_end = os.getloadavg()[0]
    print()
    print("=" * 100)
    print(
        f"decision-paths build benchmark - {dt.datetime.now():%Y-%m-%d %H:%M}, {os.cpu_count()} CPUs, "
        f"Python {sys.version.split()[0]}, Graphviz {drawing.graphviz_version()}"
    )
    print("=" * 100)
    print(
        f"Sizes {', '.join(map(str, sizes))} decisions; --audience {', '.join(audiences)}; {args.repeat} rounds, "
        f"each: ours cold, warm-unchanged, one edit (per audience), then the plain baselines"
        + (" and zensical" if zensical else "")
        + "; min (median) of the rounds; peak RSS: the largest of the rounds."
    )
    print(
        "Organisation: "
        + ("not in git (no change history)." if args.no_git else "one git commit: each build reads the history.")
        + " Baseline: plain pages at our pages' paths, same nav, same number of search sections and about the "
        "same indexed text per page (Chinese + English paragraphs, one table), our built-in configuration "
        "without the decision-paths plugin."
    )
    print(
        f"Load average (1 min) at start / end: {load_at_start:.1f} / {load_at_end:.1f} on {os.cpu_count()} CPUs "
        "(other work on the machine slows every run; the rounds interleave)."
    )
    print("zensical: " + (" ".join(zensical) if zensical else "not installed (the plain pages are not built with it)"))
    for result in sizes.values():
        report_size(result, audiences, zensical is not None)
    if dias is not None:
        report_diagrams(dias)
    found = goals(args, sizes, dias)
    print()
    print("Goals (judged on min/min; median/median in brackets):")
    for goal in found:
        print(goal.line())
    missed = [g for g in found if g.ok is False]
    print()
    print(f"{len(missed)} goal(s) MISSED" if missed else "all measured goals met")
    figures = {
        "when": dt.datetime.now().isoformat(timespec="seconds"),
        "cpus": os.cpu_count(),
        "python": sys.version.split()[0],
        "graphviz": drawing.graphviz_version(),
        "load_average": [load_at_start, load_at_end],
        "options": {k: v for k, v in vars(args).items() if k != "json"},
        "zensical": zensical,
        "sizes": {str(size): result for size, result in sizes.items()},
        "diagrams": dias,
        "goals": [
            {"goal": g.name, "limit": g.limit, "min": g.value, "median": g.median, "ok": g.ok, "note": g.note}
            for g in found
        ],
    }
    return found, figures


def parse_sizes(text: str) -> list[int]:
    try:
        sizes = [int(part) for part in text.split(",") if part.strip()]
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a comma list of numbers: {text!r}") from None
    if not sizes or min(sizes) < 1:
        raise argparse.ArgumentTypeError(f"sizes must be positive: {text!r}")
    return sorted(set(sizes))


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument(
        "--sizes", type=parse_sizes, default=[100, 300], help="comma list of decision counts (default: 100,300)"
    )
    parser.add_argument("--decisions", type=parse_sizes, dest="sizes", help="one size: the same as --sizes N")
    parser.add_argument("--audience", choices=sorted(AUDIENCES_OF), default="both", help="both: internal and all")
    parser.add_argument("--people", type=int, default=120)
    parser.add_argument("--repeat", type=int, default=3, help="rounds of every measure (default: 3)")
    parser.add_argument("--diagram-decisions", type=int, default=1000)
    parser.add_argument("--per-graph", type=int, default=50, help="graphs laid out one `dot` process each")
    parser.add_argument("--no-diagrams", action="store_true", help="skip the Graphviz diagram benchmark")
    parser.add_argument(
        "--no-git",
        action="store_true",
        help="build outside git (no change history); by default the organisation is one commit",
    )
    parser.add_argument("--json", type=Path, metavar="FILE", help="write every figure to FILE as JSON")
    parser.add_argument("--keep", action="store_true", help="keep the temporary folder (its path is printed)")
    args = parser.parse_args()
    if args.repeat < 1:
        parser.error("--repeat must be at least 1")
    for tool in (DECISION_PATHS, MKDOCS):
        if not tool.exists():
            sys.exit(f"{tool} is missing: run `make site` first")
    zensical = zensical_command()
    if zensical is None:
        print("zensical: not installed (skipped)", flush=True)
    load_at_start = os.getloadavg()[0]
    work = Path(tempfile.mkdtemp(prefix="dp-build-bench-"))
    try:
        dias = None if args.no_diagrams else measure_diagrams(args, work)
        runner = Runner(work)
        sizes = {size: measure_size(args, size, runner, work, zensical) for size in args.sizes}
        found, figures = report(args, sizes, dias, zensical, load_at_start)
        if args.json is not None:
            args.json.write_text(json.dumps(figures, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
            print(f"figures written to {args.json}")
    finally:
        if args.keep:
            print(f"kept {work}")
        else:
            shutil.rmtree(work, ignore_errors=True)
    sys.exit(1 if any(g.ok is False for g in found) else 0)


if __name__ == "__main__":
    main()
