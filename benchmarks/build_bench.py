"""Time `decision-paths build` against a plain MkDocs + Material build of as many pages.

Goals of the build-speed issue, all measured in this one run and given as ratios, since the
machines are noisy:

  (a) cold `decision-paths build --audience internal` of 500 decisions / 120 people
      (empty diagram cache, fresh output folder) <= 1.3x a plain `mkdocs build`
      of the same number of simple Material pages, same theme and search settings;
  (b) a second build (build and diagram caches warm, same output folder) <= 1.1x that
      baseline; also reported, with no goal: a warm build after one decision file changed;
  (c) Graphviz diagrams for 1,000 decisions, cold cache, < 2 s (one `dot` process
      for all), against one `dot` process per graph (50 graphs, extrapolated);
  (d) peak memory (max RSS) of each build process.

    .venv/bin/python benchmarks/build_bench.py [--decisions 500] [--repeat 3]

Every build runs as `python -c WRAPPER command...` in its own process: the
wrapper times the command and reports its children's ru_maxrss, so each
figure is that one build's peak and not the largest of all builds so far.
"""

from __future__ import annotations

import argparse
import datetime as dt
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
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
import graphviz
import yaml
from synthetic import write_organisation

from decision_paths.model.words import words
from decision_paths.pipeline import validate_folder
from decision_paths.plan import pages as plan
from decision_paths.plan.pages import PlanOptions
from decision_paths.render import graphviz as drawing
from decision_paths.store import cache as buildcache

ROOT = Path(__file__).resolve().parent.parent
VENV_BIN = ROOT / ".venv" / "bin"
DECISION_PATHS = VENV_BIN / "decision-paths"
MKDOCS = VENV_BIN / "mkdocs"
TODAY = dt.date(2026, 11, 23)
SEPARATOR = "\u200b"  # jieba's word separator in Material's search index

GOAL_COLD = 1.3
GOAL_WARM = 1.1
GOAL_DIAGRAMS_S = 2.0

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


def baseline_config(nav: list) -> str:
    """`decision-paths build`'s built-in configuration (build.DEFAULT_CONFIG: theme, search
    and Markdown settings) without the decision-paths plugin, with our site's nav."""
    from decision_paths.render.site import DEFAULT_CONFIG, PLUGIN

    config = yaml.safe_load(DEFAULT_CONFIG)
    plugins = [p for p in config.get("plugins", []) if p != PLUGIN and not (isinstance(p, dict) and PLUGIN in p)]
    config.update(site_name="Baseline", docs_dir="docs", plugins=plugins, nav=nav)
    return yaml.safe_dump(config, allow_unicode=True, sort_keys=False)


def write_baseline(folder: Path, src_uris: list[str], nav: list, profile: dict[str, tuple[int, int]]) -> None:
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


def site_structure(project: Path, cache: Path) -> tuple[list[str], list]:
    """Our site's pages (src_uri) and nav, asked of the plugin itself, set up as
    `decision-paths build` sets it up in PROJECT (diagrams come from the warm CACHE)."""
    from mkdocs.structure.files import get_files

    from decision_paths.pipeline.sites import Pipeline
    from decision_paths.render.site import load_site_config

    old_cwd, old_cache = os.getcwd(), os.environ.get("DECISION_PATHS_CACHE")
    os.chdir(project)
    os.environ["DECISION_PATHS_CACHE"] = str(cache)
    try:
        config = load_site_config(Pipeline(str(project / "decisions"), TODAY), site_dir=str(project / "unused-site"))
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


class Runner:
    def __init__(self, work: Path):
        self.work = work
        self.env = {**os.environ, "NO_MKDOCS_2_WARNING": "1"}
        self.env.pop("DECISION_PATHS_CACHE", None)
        self.count = 0

    def run(self, argv: list[str], cwd: Path, **env: str) -> dict:
        self.count += 1
        log = self.work / f"run-{self.count:02d}.log"
        done = subprocess.run(
            [sys.executable, "-c", WRAPPER, str(log), *argv],
            cwd=cwd,
            env={**self.env, **env},
            capture_output=True,
            text=True,
            check=True,
        )
        result = json.loads(done.stdout)
        if result["code"] != 0:
            sys.exit(f"failed ({result['code']}): {' '.join(argv)}\n{log.read_text(errors='replace')[-3000:]}")
        return result


def stats(values: list[float]) -> tuple[float, float]:
    return min(values), statistics.median(values)


def verdict(ok: bool) -> str:
    return "PASS" if ok else "MISS"


def measure_builds(args: argparse.Namespace, work: Path) -> dict:
    runner = Runner(work)
    fingerprint = code_fingerprint()
    project = work / "project"  # holds only decisions/: the build uses its built-in configuration
    write_organisation(project / "decisions", args.decisions, people=args.people)
    if not args.no_git:  # as in a real repository: one commit, so the change history is read too
        git = ["git", "-c", "user.name=bench", "-c", "user.email=bench@example.com", "-c", "init.defaultBranch=main"]
        for step in (["init", "-q"], ["add", "-A"], ["commit", "-q", "-m", "Synthetic organisation"]):
            subprocess.run([*git, *step], cwd=project, check=True, capture_output=True)
    result = validate_folder(str(project / "decisions"), TODAY)
    assert not result.has_errors, [f.to_text() for f in result.findings[:5]]

    ours = [str(DECISION_PATHS), "build", "--audience", "internal", "--today", TODAY.isoformat(), "--out"]

    def build_ours(out: Path, cache: Path) -> dict:
        return runner.run([*ours, str(out)], cwd=project, DECISION_PATHS_CACHE=str(cache))

    # Warm-up (not timed): byte-compiled modules, jieba's dictionary cache, OS file cache;
    # its search index tells how much text each of our pages has, for the baseline pages.
    print(f"warm-up build of ours ({args.decisions} decisions, {args.people} people) ...", flush=True)
    warm_out, warm_cache = work / "warmup-out", work / "warmup-cache"
    build_ours(warm_out, warm_cache)
    our_site = warm_out / "internal"
    src_uris, nav = site_structure(project, warm_cache)
    pages = html_pages(our_site)
    assert pages == len(src_uris), (pages, len(src_uris))
    profile = search_profile(our_site)
    baseline = work / "baseline"
    write_baseline(baseline, src_uris, nav, profile)
    base_argv = [str(MKDOCS), "build", "-q", "-f", str(baseline / "mkdocs.yml"), "-d"]
    print("warm-up build of the baseline ...", flush=True)
    runner.run([*base_argv, str(work / "warmup-base")], cwd=baseline)
    base_profile = search_profile(work / "warmup-base")
    base_pages = html_pages(work / "warmup-base")
    assert base_pages == pages, (base_pages, pages)
    facts = {
        "pages": pages,
        "our_sections": sum(s for s, _ in profile.values()),
        "our_chars": sum(c for _, c in profile.values()),
        "base_sections": sum(s for s, _ in base_profile.values()),
        "base_chars": sum(c for _, c in base_profile.values()),
        "our_bytes": site_bytes(our_site),
        "base_bytes": site_bytes(work / "warmup-base"),
        "diagrams": len(result.org.decisions),
    }
    shutil.rmtree(warm_out)
    shutil.rmtree(warm_cache)
    shutil.rmtree(work / "warmup-base")

    runs: dict[str, list[dict]] = {"cold": [], "warm": [], "edited": [], "base": [], "base_again": []}
    edited = next(p for p in sorted((project / "decisions").rglob("*.yaml")) if not p.name.startswith("_"))
    for round_ in range(1, args.repeat + 1):
        out, cache, base_out = work / f"out-{round_}", work / f"cache-{round_}", work / f"base-{round_}"
        print(f"round {round_}/{args.repeat}: ours cold ...", end=" ", flush=True)
        runs["cold"].append(build_ours(out, cache))
        print(f"{runs['cold'][-1]['seconds']:.1f} s; ours warm ...", end=" ", flush=True)
        runs["warm"].append(build_ours(out, cache))  # same organisation, cache and output folder
        print(f"{runs['warm'][-1]['seconds']:.1f} s; ours, one decision edited ...", end=" ", flush=True)
        original = edited.read_text(encoding="utf-8")
        edited.write_text(original.replace("title: ", f"title: 改 {round_} ", 1), encoding="utf-8")
        try:  # a realistic warm build: one file changed, so checks and plan run again
            runs["edited"].append(build_ours(out, cache))
        finally:
            edited.write_text(original, encoding="utf-8")
        print(f"{runs['edited'][-1]['seconds']:.1f} s; baseline ...", end=" ", flush=True)
        runs["base"].append(runner.run([*base_argv, str(base_out)], cwd=baseline))
        print(f"{runs['base'][-1]['seconds']:.1f} s; baseline again ...", end=" ", flush=True)
        runs["base_again"].append(runner.run([*base_argv, str(base_out)], cwd=baseline))
        print(f"{runs['base_again'][-1]['seconds']:.1f} s", flush=True)
        if code_fingerprint() != fingerprint:
            sys.exit("the decision_paths sources changed during the benchmark: run it again")
        cached = len(list((cache / "svg").glob("*.svg")))
        assert cached >= facts["diagrams"], (
            f"{cached} SVGs cached for {facts['diagrams']} diagrams: the warm build missed"
        )
        for folder in (out, cache, base_out):
            shutil.rmtree(folder)
    return {"facts": facts, "runs": runs}


def dot_sources(org) -> dict[str, str]:  # type: ignore[no-untyped-def]
    """Each decision's DOT source exactly as the plan makes it, without planning the pages
    too (plan_site also plans every page, which costs far more than the diagrams)."""
    options = PlanOptions(TODAY, "zh", words("zh"))
    planner = getattr(plan, "_Planner", None)
    if planner is not None and hasattr(planner, "diagram"):
        made = planner(org, options)
        return {d.id: made.diagram(d) for d in org.decisions.values()}
    from decision_paths.model.audience import SITES
    from decision_paths.model.organisation import Audience

    return dict(plan.plan_site(org, options, SITES[Audience.INTERNAL]).diagrams)  # pragma: no cover


def measure_diagrams(args: argparse.Namespace, work: Path) -> dict:
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
        "cold": cold,
        "warm": warm,
        "single": single,
        "plan_seconds": plan_seconds,
        "dot_bytes": sum(len(s.encode()) for s in sources.values()),
    }


def report(args: argparse.Namespace, builds: dict, dias: dict, load_at_start: float) -> bool:
    facts, runs = builds["facts"], builds["runs"]
    secs = {name: [r["seconds"] for r in rs] for name, rs in runs.items()}
    rss = {name: max(r["maxrss_kib"] for r in rs) / 1024 for name, rs in runs.items()}
    cold, warm, edited, base, base_again = (stats(secs[k]) for k in ("cold", "warm", "edited", "base", "base_again"))
    ok_all = True
    print()
    print("=" * 78)
    print(
        f"decision-paths build benchmark - {dt.datetime.now():%Y-%m-%d %H:%M}, {os.cpu_count()} CPUs, "
        f"Python {sys.version.split()[0]}, Graphviz {drawing.graphviz_version()}"
    )
    print("=" * 78)
    print(
        f"Site: {args.decisions} decisions, {args.people} people -> {facts['pages']} pages "
        f"(.html files in the output, not counting 404.html), {facts['diagrams']} inline SVG diagrams; "
        f"{facts['our_bytes'] / 2**20:.0f} MiB of output."
    )
    print(
        "The organisation is "
        + (
            "not in git (no change history)."
            if args.no_git
            else "one git commit, as in a repository: the change history is read (one commit) on each build."
        )
    )
    print(
        f"Baseline: {facts['pages']} plain Markdown pages at the same paths with the same nav, built by "
        f"`mkdocs build` with the configuration `decision-paths build` uses (build.DEFAULT_CONFIG: "
        f"material, language zh, font: false, search lang [zh, en], separator '[\\s\\u200b\\-]', same "
        f"features, palette and markdown_extensions) minus the decision-paths plugin. "
        f"Each page copies its counterpart's shape: the same number of headed sections and about the "
        f"same amount of indexed text, made of Chinese+English paragraphs and one 4-column table. "
        f"Search index: ours {facts['our_sections']} sections / {facts['our_chars']:,} chars, baseline "
        f"{facts['base_sections']} sections / {facts['base_chars']:,} visible chars "
        f"(tags, spaces, U+200B not counted); "
        f"{facts['base_bytes'] / 2**20:.0f} MiB of output."
    )
    print(
        f"Load average (1 min) at start / end: {load_at_start:.1f} / {os.getloadavg()[0]:.1f} "
        f"on {os.cpu_count()} CPUs (other work on the machine slows every run; the ratios interleave)."
    )
    print(
        f"Timings: wall clock of each command in its own process; {args.repeat} rounds, each round "
        f"ours cold, ours warm, ours after one edit, baseline, baseline again; min (median). "
        f"Ratios min/min (median/median); "
        f"PASS/MISS judged on min/min."
    )
    print()
    print(
        f"  ours, cold (fresh DECISION_PATHS_CACHE, fresh --out):   {cold[0]:7.2f} s ({cold[1]:.2f})  "
        f"max RSS {rss['cold']:.0f} MiB"
    )
    print(
        f"  ours, warm (2nd build, same cache and --out):         {warm[0]:7.2f} s ({warm[1]:.2f})  "
        f"max RSS {rss['warm']:.0f} MiB"
    )
    print(
        f"  ours, warm, one decision file edited before it:       {edited[0]:7.2f} s ({edited[1]:.2f})  "
        f"max RSS {rss['edited']:.0f} MiB"
    )
    print(
        f"  baseline mkdocs build, fresh site dir:                {base[0]:7.2f} s ({base[1]:.2f})  "
        f"max RSS {rss['base']:.0f} MiB"
    )
    print(
        f"  baseline mkdocs build again, same site dir:           {base_again[0]:7.2f} s ({base_again[1]:.2f})  "
        f"max RSS {rss['base_again']:.0f} MiB"
    )
    print("  all runs (s): " + "; ".join(f"{k} " + ", ".join(f"{v:.2f}" for v in vs) for k, vs in secs.items()))
    print()
    ratio_a, ratio_a_med = cold[0] / base[0], cold[1] / base[1]
    ok = ratio_a <= GOAL_COLD
    ok_all &= ok
    print(
        f"(a) cold build / baseline:        {ratio_a:.2f}x ({ratio_a_med:.2f}x)   goal <= {GOAL_COLD}x   {verdict(ok)}"
    )
    ratio_b, ratio_b_med = warm[0] / base_again[0], warm[1] / base_again[1]
    ok = ratio_b <= GOAL_WARM
    ok_all &= ok
    print(
        f"(b) warm build / baseline again:  {ratio_b:.2f}x ({ratio_b_med:.2f}x)   goal <= {GOAL_WARM}x   "
        f"{verdict(ok)}   [vs fresh-dir baseline: {warm[0] / base[0]:.2f}x]"
    )
    print(
        f"    (b, one file edited: {edited[0] / base_again[0]:.2f}x ({edited[1] / base_again[1]:.2f}x) the baseline; "
        f"no goal set: the edited decision's diagram and every check and page are worked out again)"
    )
    dcold, dwarm, dsingle = stats(dias["cold"]), stats(dias["warm"]), stats(dias["single"])
    per_graph = dsingle[0] / args.per_graph
    extrapolated = per_graph * args.diagram_decisions
    ok = dcold[0] < GOAL_DIAGRAMS_S
    ok_all &= ok
    print(
        f"(c) diagrams for {args.diagram_decisions} decisions, render_svgs, cold cache: {dcold[0]:.2f} s "
        f"({dcold[1]:.2f})   goal < {GOAL_DIAGRAMS_S:.0f} s   {verdict(ok)}"
    )
    print(
        f"      DOT sources: {dias['dot_bytes'] / 2**20:.1f} MiB, planned in {dias['plan_seconds']:.2f} s "
        f"(as plan_site makes them, not counted); warm cache (all hits): {dwarm[0]:.3f} s ({dwarm[1]:.3f})"
    )
    print(
        f"      one `dot` per graph: {args.per_graph} graphs {dsingle[0]:.2f} s ({dsingle[1]:.2f}) = "
        f"{per_graph * 1000:.0f} ms/graph -> {extrapolated:.1f} s for {args.diagram_decisions}; "
        f"batching gain {extrapolated / dcold[0]:.1f}x"
    )
    print(
        f"(d) peak memory (max RSS of the command's processes): ours cold {rss['cold']:.0f} MiB, "
        f"warm {rss['warm']:.0f} MiB; baseline {rss['base']:.0f} MiB "
        f"({rss['cold'] / rss['base']:.2f}x)   (no goal set: reported)"
    )
    print()
    print("all goals met" if ok_all else "some goals MISSED")
    return ok_all


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--decisions", type=int, default=500)
    parser.add_argument("--people", type=int, default=120)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--diagram-decisions", type=int, default=1000)
    parser.add_argument("--per-graph", type=int, default=50, help="graphs laid out one `dot` process each")
    parser.add_argument(
        "--no-git",
        action="store_true",
        help="build outside git (no change history); by default the organisation is one commit",
    )
    parser.add_argument("--keep", action="store_true", help="keep the temporary folder (its path is printed)")
    args = parser.parse_args()
    for tool in (DECISION_PATHS, MKDOCS):
        if not tool.exists():
            sys.exit(f"{tool} is missing: run `make site` first")
    load_at_start = os.getloadavg()[0]
    work = Path(tempfile.mkdtemp(prefix="dp-build-bench-"))
    try:
        dias = measure_diagrams(args, work)
        builds = measure_builds(args, work)
        ok = report(args, builds, dias, load_at_start)
    finally:
        if args.keep:
            print(f"kept {work}")
        else:
            shutil.rmtree(work, ignore_errors=True)
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
