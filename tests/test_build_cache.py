"""The build cache: a second build with nothing changed reuses the checked findings,
the history and the plan, and gives the same site; anything that changes a page
(a file, the date, a commit) is never answered from the cache; a damaged, planted
or unwritable cache only costs time."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest
from site_helpers import TODAY, all_files, article, copy_sample, run_cli, text

import decision_paths.load.history
import decision_paths.pipeline.sites
import decision_paths.plan.pages
import decision_paths.render.mkdocs_plugin
from decision_paths.cli import main

pytestmark = pytest.mark.site

GIT = ["git", "-c", "user.name=Li Na", "-c", "user.email=li.na@example.com", "-c", "init.defaultBranch=main"]
GIT_ENV = {"GIT_CONFIG_GLOBAL": os.devnull, "GIT_CONFIG_NOSYSTEM": "1"}


class Steps:
    """Counts how often the expensive steps really run."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch):
        self.calls: dict[str, int] = {}
        for module, name, label in (
            (decision_paths.pipeline.sites, "validate_folder", lambda *_: "validate_folder"),
            # One planner for both sites: counted per site, as the internal and the client plan.
            (decision_paths.plan.pages, "plan_site", lambda *a: "plan_site" if a[2].diagrams else "plan_client_site"),
            (decision_paths.pipeline.sites, "read_history", lambda *_: "_read_history"),
        ):
            self._count(monkeypatch, module, name, label)

    def _count(self, monkeypatch: pytest.MonkeyPatch, module, name: str, label) -> None:  # type: ignore[no-untyped-def]
        real = getattr(module, name)

        def counted(*args, **kwargs):  # type: ignore[no-untyped-def]
            key = label(*args)
            self.calls[key] = self.calls.get(key, 0) + 1
            return real(*args, **kwargs)

        monkeypatch.setattr(module, name, counted)

    def reset(self) -> None:
        self.calls.clear()


def commit(root: Path, message: str) -> None:
    for step in (["add", "-A"], ["commit", "-q", "-m", message]):
        subprocess.run([*GIT, *step], cwd=root, check=True, capture_output=True, env={**os.environ, **GIT_ENV})


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The sample decisions in a git repository of their own, with the cache inside it."""
    root = copy_sample(tmp_path / "project")
    subprocess.run([*GIT, "init", "-q"], cwd=root, check=True, capture_output=True, env={**os.environ, **GIT_ENV})
    commit(root, "Sample decisions")
    monkeypatch.chdir(root)
    monkeypatch.setenv("DECISION_PATHS_CACHE", str(tmp_path / "cache"))
    monkeypatch.delenv("SOURCE_DATE_EPOCH", raising=False)
    for name, value in GIT_ENV.items():
        monkeypatch.setenv(name, value)
    return root


def build(today: str = TODAY) -> dict[str, bytes]:
    """Both sites, built in this process as by a new command (no history kept in memory)."""
    os.environ.pop("SOURCE_DATE_EPOCH", None)  # each build sets it from the history, as a new process would
    assert main(["build", "--out", "out", "--today", today]) == 0
    return all_files(Path("out"))


def test_an_unchanged_build_reuses_every_step_and_gives_the_same_site(
    project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    steps = Steps(monkeypatch)
    first = build()
    assert steps.calls == {"validate_folder": 1, "plan_site": 1, "plan_client_site": 1, "_read_history": 1}

    steps.reset()
    second = build()
    assert steps.calls == {}, "nothing changed, so nothing is loaded, checked, planned or read from git again"
    assert second == first


def test_a_changed_file_date_or_commit_is_never_answered_from_the_cache(
    project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    steps = Steps(monkeypatch)
    build()
    refund = project / "decisions" / "finance" / "refund-request.yaml"
    source = refund.read_text(encoding="utf-8")
    assert "title: 退款申请 / Refund requests\n" in source

    # an edit, not yet committed: checked and planned again, history still from the cache
    refund.write_text(
        source.replace("title: 退款申请 / Refund requests\n", "title: 退款 / Refunds\n"), encoding="utf-8"
    )
    steps.reset()
    build()
    assert steps.calls == {"validate_folder": 1, "plan_site": 1, "plan_client_site": 1}
    assert (
        text(article(Path("out/internal"), "decisions/refund-request/").h1).removesuffix("¶").strip()
        == "退款 / Refunds"
    )
    assert (
        text(article(Path("out/client"), "decisions/refund-request/").h1).removesuffix("¶").strip() == "退款 / Refunds"
    )

    # the commit of that edit: the history is read again and shows it (the findings
    # come from the cache, but planning needs the model, loaded once for both sites)
    commit(project, "Shorter title for refunds")
    steps.reset()
    build()
    assert steps.calls == {"_read_history": 1, "validate_folder": 1, "plan_site": 1, "plan_client_site": 1}
    history = article(Path("out/internal"), "decisions/refund-request/").find(id="history").find_next("ul")
    assert "Shorter title for refunds" in text(history)

    # another day: the checks and pages that depend on the date are worked out again
    steps.reset()
    build(today="2027-12-01")
    assert steps.calls == {"validate_folder": 1, "plan_site": 1, "plan_client_site": 1}
    banner = article(Path("out/internal"), "decisions/refund-request/").select_one(".admonition.danger")
    assert banner is not None and "复核已逾期" in text(banner)


def test_a_damaged_or_planted_cache_entry_is_ignored(project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    first = build()
    cache = Path(os.environ["DECISION_PATHS_CACHE"])
    entries = sorted(p for p in cache.rglob("*") if p.is_file())
    assert {p.parent.name for p in entries} == {"builds", "check", "dots", "history", "plan", "pages", "search", "svg"}
    for number, entry in enumerate(entries):
        damage = (
            b"",
            b"{not json",
            b'{"key": "another key", "value": {"pages": []}}',
            f'{{"key": "{entry.stem}", "value": [1, 2]}}',
        )[number % 4]
        entry.write_bytes(damage.encode() if isinstance(damage, str) else damage)
    steps = Steps(monkeypatch)
    assert build() == first
    assert steps.calls == {"validate_folder": 1, "plan_site": 1, "plan_client_site": 1, "_read_history": 1}


def test_a_cache_that_cannot_be_written_only_costs_time(
    project: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    blocked = tmp_path / "not-a-folder"
    blocked.write_text("a file where the cache folder would go", encoding="utf-8")
    monkeypatch.setenv("DECISION_PATHS_CACHE", str(blocked / "cache"))
    first = build()
    assert first == build()
    assert blocked.read_text(encoding="utf-8") == "a file where the cache folder would go"


def test_findings_from_the_cache_are_printed_exactly_as_the_first_time(tmp_path: Path) -> None:
    root = copy_sample(tmp_path)
    refund = root / "decisions" / "finance" / "refund-request.yaml"
    refund.write_text(refund.read_text(encoding="utf-8").replace("reviewed: ", "# reviewed: ", 1), encoding="utf-8")
    env = {"DECISION_PATHS_CACHE": str(tmp_path / "cache")}
    runs = [run_cli("build", "--today", TODAY, cwd=root, env=env) for _ in range(2)]
    assert [r.code for r in runs] == [0, 0]
    assert "refund-request.yaml" in runs[0].err and "[DP402 never-reviewed]" in runs[0].err
    assert runs[1].err == runs[0].err

    broken = root / "decisions" / "finance" / "broken.yaml"
    broken.write_text("title: [unclosed\n", encoding="utf-8")
    runs = [run_cli("build", "--today", TODAY, cwd=root, env=env) for _ in range(2)]
    assert [r.code for r in runs] == [1, 1]
    assert "broken.yaml:2:1: error:" in runs[0].err and "not building while errors remain" in runs[0].err
    assert runs[1].err == runs[0].err


def mtimes(folder: Path) -> dict[str, int]:
    return {p.relative_to(folder).as_posix(): p.stat().st_mtime_ns for p in sorted(folder.rglob("*")) if p.is_file()}


def test_a_build_with_nothing_changed_writes_nothing_and_says_so(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    first = build()
    written = mtimes(Path("out"))
    capsys.readouterr()
    assert build() == first
    assert mtimes(Path("out")) == written, "the sites were left as they were, not built again"
    said = capsys.readouterr().out
    assert "built internal site: out/internal" in said and "built client site: out/client" in said
    assert "nothing changed since the last build of out: left as it was" in said


def test_an_edited_site_a_variable_the_configuration_reads_or_a_touched_file_builds_again(
    project: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """Anything that could change a byte of the sites means a full build; touching a file
    without changing it does not."""
    first = build()
    capsys.readouterr()

    index = Path("out/internal/index.html")
    index.write_bytes(index.read_bytes() + b"<!-- edited by hand -->")
    assert build() == first, "the hand edit is replaced by what the inputs give"
    assert "nothing changed" not in capsys.readouterr().out

    (project / "mkdocs.yml").write_text(
        "site_name: !ENV [DP_SITE_NAME, Decisions]\nplugins:\n  - decision-paths\n", encoding="utf-8"
    )
    build()
    capsys.readouterr()
    monkeypatch.setenv("DP_SITE_NAME", "Refund desk")
    build()
    assert "nothing changed" not in capsys.readouterr().out
    assert "Refund desk" in text(article(Path("out/internal"), "").find_parent("html").title)

    os.utime(project / "decisions" / "finance" / "refund-request.yaml")
    build()
    assert "nothing changed" in capsys.readouterr().out
