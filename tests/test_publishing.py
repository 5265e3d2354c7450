"""Publishing: GitHub annotations, the CI workflows, and the pre-commit hook.

- ``validate`` under GitHub Actions prints a workflow command after each finding,
  escaped exactly as GitHub documents it;
- the GitHub and GitLab workflow files are valid for their services and do what
  docs/deploy.md promises;
- the pre-commit hook runs the checks in any repository of decisions.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import textwrap
import tomllib
from pathlib import Path

import pytest
import yaml
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name
from site_helpers import REPO, run_cli

from decision_paths.checks.references import UNKNOWN_ROLE
from decision_paths.checks.review import REVIEW_OVERDUE
from decision_paths.model.findings import Finding, Loc

VENV_BIN = REPO / ".venv" / "bin"
TODAY = "2026-11-23"

TEXT_RE = re.compile(
    r"^(?P<file>[^\s:][^:]*):(?P<line>\d+):(?P<col>\d+): (?P<severity>error|warning): "
    r"(?P<message>.+) \[(?P<code>DP\d{3}) (?P<name>[a-z0-9-]+)\]$"
)


def _github_escape_data(text: str) -> str:
    """As GitHub's toolkit (@actions/core, command.ts escapeData)."""
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _github_escape_property(text: str) -> str:
    """As GitHub's toolkit (command.ts escapeProperty)."""
    return _github_escape_data(text).replace(":", "%3A").replace(",", "%2C")


def _expected_command(match: re.Match) -> str:
    props = (
        f"file={_github_escape_property(match['file'])},line={match['line']},col={match['col']},"
        f"title={_github_escape_property(match['code'] + ' ' + match['name'])}"
    )
    return f"::{match['severity']} {props}::{_github_escape_data(match['message'])}"


# ------------------------------------------------------------------ GitHub annotations


@pytest.fixture
def broken_sample(tmp_path: Path) -> Path:
    """The sample decisions with one unknown role (an error) and one overdue review (a warning)."""
    shutil.copytree(REPO / "decisions", tmp_path / "decisions")
    refund = tmp_path / "decisions" / "finance" / "refund-request.yaml"
    text = refund.read_text(encoding="utf-8")
    assert text.count("    who: delivery-lead\n") == 1
    text = text.replace("    who: delivery-lead\n", "    who: delivery-leed\n")
    text = text.replace("reviewed: 2026-07-01", "reviewed: 2020-01-01")
    refund.write_text(text, encoding="utf-8")
    return tmp_path


def test_github_actions_adds_a_workflow_command_after_each_finding(broken_sample: Path) -> None:
    done = run_cli("validate", "--today", TODAY, cwd=broken_sample, env={"GITHUB_ACTIONS": "true"})
    assert done.code == 1, done.out + done.err
    lines = done.out.splitlines()
    summary = lines.pop()
    assert re.fullmatch(r"\d+ files checked: 1 error, 1 warning", summary), summary
    assert len(lines) == 4, lines
    pairs = list(zip(lines[::2], lines[1::2], strict=True))
    severities = []
    for text_line, command in pairs:
        match = TEXT_RE.match(text_line)
        assert match, text_line
        assert command == _expected_command(match)
        severities.append(match["severity"])
    assert sorted(severities) == ["error", "warning"]
    error = next(c for _, c in pairs if c.startswith("::error "))
    assert error.startswith(
        "::error file=decisions/finance/refund-request.yaml,line=43,col=10,title=DP201 unknown-role::"
    )
    assert "delivery-leed" in error
    warning = next(c for _, c in pairs if c.startswith("::warning "))
    assert warning.startswith(
        "::warning file=decisions/finance/refund-request.yaml,line=10,col=1,title=DP401 review-overdue::"
    )


@pytest.mark.parametrize("value", ["false", ""])
def test_no_workflow_commands_outside_github_actions(broken_sample: Path, value: str) -> None:
    env = {k: v for k, v in os.environ.items() if k != "GITHUB_ACTIONS"}
    if value:
        env["GITHUB_ACTIONS"] = value
    done = subprocess.run(
        [str(VENV_BIN / "decision-paths"), "validate", "--today", TODAY],
        cwd=broken_sample,
        env=env,
        capture_output=True,
        encoding="utf-8",
        timeout=60,
    )
    assert done.returncode == 1
    assert "::" not in done.stdout + done.stderr
    assert len(done.stdout.splitlines()) == 3  # two findings and the summary


def test_workflow_commands_escape_paths_and_messages(tmp_path: Path) -> None:
    """A folder name with ',', ':' and '%' and a key holding '%', CR and LF, through the command line."""
    folder = tmp_path / "decisions" / "fin,an:ce%"
    folder.mkdir(parents=True)
    (tmp_path / "decisions" / "_org.yaml").write_text(
        "people:\n  li-na: {name: 李娜}\nroles:\n  coo: {title: COO, held_by: [li-na]}\n"
        "calendars:\n  shanghai: {country: CN, timezone: Asia/Shanghai}\n",
        encoding="utf-8",
    )
    (folder / "odd.yaml").write_text(
        textwrap.dedent("""\
        title: Odd
        summary: x
        owner: coo
        reviewed: 2026-10-01
        "bad%key\\r\\nline": 1
        start: a
        stages:
          a: {title: A, who: coo, within: 1 day}
        """),
        encoding="utf-8",
    )
    done = run_cli("validate", "--today", TODAY, cwd=tmp_path, env={"GITHUB_ACTIONS": "true"})
    assert done.code == 1
    commands = [line for line in done.out.splitlines() if line.startswith("::")]
    assert commands == [
        "::error file=decisions/fin%2Can%3Ace%25/odd.yaml,line=5,col=1,title=DP101 unknown-key::"
        # the key's CR and LF are escaped in the message itself (never raw control characters in a log)
        "unknown key 'bad%25key\\r\\nline' in decision 'odd'; allowed keys: title, summary, owner, audience, "
        "category, reviewed, review_every, calendar, inputs, answer, start, stages, notes, client_notes",
    ]


def test_to_github_escapes_as_github_documents() -> None:
    found = Finding(Loc("decisions/a,b:c%d/x.yaml", 7, 3), UNKNOWN_ROLE, "50% of: a, b\r\nnext\rline\n")
    assert found.to_github() == (
        "::error file=decisions/a%2Cb%3Ac%25d/x.yaml,line=7,col=3,title=DP201 unknown-role::"
        "50%25 of: a, b%0D%0Anext%0Dline%0A"
    )
    warning = Finding(Loc("decisions/x.yaml"), REVIEW_OVERDUE, "due 2026-01-01")
    assert (
        warning.to_github() == "::warning file=decisions/x.yaml,line=1,col=1,title=DP401 review-overdue::due 2026-01-01"
    )
    assert "\n" not in found.to_github() and "\r" not in found.to_github()


# ------------------------------------------------------------------ workflow files


def _check_jsonschema(schema: str, path: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [str(VENV_BIN / "check-jsonschema"), "--builtin-schema", schema, path],
        cwd=REPO,
        capture_output=True,
        encoding="utf-8",
        timeout=120,
    )


def test_github_workflow_is_valid() -> None:
    done = _check_jsonschema("vendor.github-workflows", ".github/workflows/decisions.yml")
    assert done.returncode == 0, done.stdout + done.stderr


def test_gitlab_ci_is_valid() -> None:
    done = _check_jsonschema("vendor.gitlab-ci", ".gitlab-ci.yml")
    assert done.returncode == 0, done.stdout + done.stderr


def _steps_run(job: dict) -> list[str]:
    return [step.get("run", "") for step in job.get("steps", [])]


def _uses(job: dict) -> list[str]:
    return [step.get("uses", "").split("@")[0] for step in job.get("steps", [])]


def test_github_workflow_validates_builds_and_publishes() -> None:
    source = (REPO / ".github" / "workflows" / "decisions.yml").read_text(encoding="utf-8")
    workflow = yaml.safe_load(source)
    triggers = workflow.get("on", workflow.get(True))  # PyYAML reads the key `on` as True
    assert "pull_request" in triggers
    assert triggers["push"]["branches"] == ["main"]
    jobs = workflow["jobs"]

    check = jobs["check-and-build"]
    checkout = next(s for s in check["steps"] if s.get("uses", "").startswith("actions/checkout@"))
    assert checkout["with"]["fetch-depth"] == 0
    runs = _steps_run(check)
    assert any(re.search(r"\bdecision-paths validate\b", r) for r in runs)
    build = [r for r in runs if "decision-paths build" in r]
    assert build and "--audience all" in build[0]
    # the build runs on pull requests too: no `if` on the validate and build steps
    for step in check["steps"]:
        if "decision-paths validate" in step.get("run", "") or "decision-paths build" in step.get("run", ""):
            assert "if" not in step
    upload = next(s for s in check["steps"] if s.get("uses", "").startswith("actions/upload-pages-artifact@"))
    assert "refs/heads/main" in upload["if"]
    assert upload["with"]["path"] == "site/client"

    publish = jobs["publish-client"]
    assert "actions/deploy-pages" in _uses(publish)
    assert publish["permissions"] == {"pages": "write", "id-token": "write"}
    assert "refs/heads/main" in publish["if"] and "push" in publish["if"]
    assert publish["needs"] == "check-and-build"
    assert publish["environment"]["name"] == "github-pages"

    internal = jobs["publish-internal"]
    assert re.search(r"vars\.INTERNAL_DEPLOY\s*==", internal["if"])
    assert "refs/heads/main" in internal["if"]
    # documented in the workflow file and in docs/deploy.md
    comment = source.split("publish-internal:")[0].rsplit("\n\n", 1)[-1]
    assert "INTERNAL_DEPLOY" in comment and comment.lstrip().startswith("#")
    assert "INTERNAL_DEPLOY" in (REPO / "docs" / "deploy.md").read_text(encoding="utf-8")
    # the workflow's top-level permissions stay read-only
    assert workflow["permissions"] == {"contents": "read"}


def test_gitlab_ci_validates_builds_and_publishes_pages() -> None:
    ci = yaml.safe_load((REPO / ".gitlab-ci.yml").read_text(encoding="utf-8"))
    assert str(ci["variables"]["GIT_DEPTH"]) == "0"
    assert any("decision-paths validate" in line for line in ci["validate"]["script"])
    assert any("decision-paths build --audience all" in line for line in ci["build"]["script"])
    pages = ci["pages"]
    assert pages["artifacts"]["paths"] == ["public"]
    script = " && ".join(pages["script"])
    assert "--audience client" in script and "public" in script
    assert any("CI_DEFAULT_BRANCH" in rule.get("if", "") for rule in pages["rules"])
    assert pages["stage"] in ci["stages"]


# ------------------------------------------------------------------ pre-commit


def test_pre_commit_manifest_and_config_are_valid() -> None:
    for command, path in (
        ("validate-manifest", ".pre-commit-hooks.yaml"),
        ("validate-config", ".pre-commit-config.yaml"),
    ):
        done = subprocess.run(
            [str(VENV_BIN / "pre-commit"), command, path], cwd=REPO, capture_output=True, encoding="utf-8", timeout=120
        )
        assert done.returncode == 0, f"{command} {path}:\n{done.stdout}{done.stderr}"


def _git(repo: Path, *args: str) -> None:
    subprocess.run(["git", *args], cwd=repo, check=True, capture_output=True, timeout=60)


@pytest.fixture
def hooked_repo(tmp_path: Path) -> tuple[Path, dict[str, str]]:
    """A git repository of decisions that uses the published hook, run locally (no network)."""
    repo = tmp_path / "repo"
    repo.mkdir()
    shutil.copytree(REPO / "decisions", repo / "decisions")
    shutil.copytree(REPO / "schema", repo / "schema")
    (hook,) = yaml.safe_load((REPO / ".pre-commit-hooks.yaml").read_text(encoding="utf-8"))
    assert hook["entry"].startswith("decision-paths ")
    local = {
        **hook,
        "entry": str(VENV_BIN / "decision-paths") + hook["entry"][len("decision-paths") :],
        "language": "system",
    }
    (repo / ".pre-commit-config.yaml").write_text(
        yaml.safe_dump({"repos": [{"repo": "local", "hooks": [local]}]}, allow_unicode=True), encoding="utf-8"
    )
    _git(repo, "init", "-q")
    _git(repo, "config", "user.name", "Hook Test")
    _git(repo, "config", "user.email", "hook@example.invalid")
    _git(repo, "config", "commit.gpgsign", "false")
    _git(repo, "add", ".")
    _git(repo, "commit", "-qm", "decisions")
    env = {**os.environ, "PRE_COMMIT_HOME": str(tmp_path / "pre-commit-home"), "PRE_COMMIT_COLOR": "never"}
    env.pop("GITHUB_ACTIONS", None)
    return repo, env


def _pre_commit(repo: Path, env: dict[str, str]) -> subprocess.CompletedProcess:
    return subprocess.run(
        [str(VENV_BIN / "pre-commit"), "run", "--all-files"],
        cwd=repo,
        env=env,
        capture_output=True,
        encoding="utf-8",
        timeout=180,
    )


def test_pre_commit_hook_passes_and_fails(hooked_repo: tuple[Path, dict[str, str]]) -> None:
    repo, env = hooked_repo
    good = _pre_commit(repo, env)
    assert good.returncode == 0, good.stdout + good.stderr
    assert "Validate decision paths" in good.stdout and "Passed" in good.stdout

    refund = repo / "decisions" / "finance" / "refund-request.yaml"
    text = refund.read_text(encoding="utf-8")
    refund.write_text(text.replace("    who: delivery-lead\n", "    who: delivery-leed\n"), encoding="utf-8")
    bad = _pre_commit(repo, env)
    assert bad.returncode != 0
    assert "Failed" in bad.stdout
    assert re.search(
        r"^decisions/finance/refund-request\.yaml:43:10: error: .*delivery-leed.* "
        r"\[DP201 unknown-role\]$",
        bad.stdout,
        re.M,
    ), bad.stdout


def test_pre_commit_hook_only_runs_for_decision_files(hooked_repo: tuple[Path, dict[str, str]]) -> None:
    """`files:` limits the hook to YAML under decisions/: a commit without one skips it."""
    repo, env = hooked_repo
    (repo / "notes.txt").write_text("not a decision\n", encoding="utf-8")
    _git(repo, "add", "notes.txt")
    done = subprocess.run(
        [str(VENV_BIN / "pre-commit"), "run", "--files", "notes.txt"],
        cwd=repo,
        env=env,
        capture_output=True,
        encoding="utf-8",
        timeout=180,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "Skipped" in done.stdout


# ------------------------------------------------------------------ the lock


def _locked(path: Path) -> dict[str, tuple[str, list[str]]]:
    """name -> (version, hashes) of a lock file written by `make lock`."""
    text = path.read_text(encoding="utf-8").replace("\\\n", " ")
    locked: dict[str, tuple[str, list[str]]] = {}
    for line in text.splitlines():
        match = re.match(r"([A-Za-z0-9._-]+)==(\S+)", line)
        if match:
            name = canonicalize_name(match[1])
            # a package may appear once per Python-version marker; keep every line's hashes
            hashes = re.findall(r"--hash=sha256:([0-9a-f]{64})", line)
            version, before = locked.get(name, (match[2], []))
            locked[name] = (version, before + hashes)
    return locked


def _requirements(extra: str | None) -> list[Requirement]:
    project = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    listed = project["dependencies"] if extra is None else project["optional-dependencies"][extra]
    return [Requirement(r) for r in listed]


@pytest.mark.parametrize("lock, extra", [("site.txt", None), ("test.txt", None), ("test.txt", "test")])
def test_the_lock_pins_every_dependency_within_its_range_with_hashes(lock: str, extra: str | None) -> None:
    locked = _locked(REPO / "requirements" / lock)
    for requirement in _requirements(extra):
        name = canonicalize_name(requirement.name)
        assert name in locked, f"{requirement} is not in requirements/{lock}: run make lock"
        version, hashes = locked[name]
        assert requirement.specifier.contains(version, prereleases=True), (
            f"requirements/{lock} pins {name}=={version}, outside {requirement}: run make lock"
        )
        assert hashes, f"{name} has no hashes in requirements/{lock}"
    assert "setuptools" in locked, "the package is built with the locked setuptools"


def test_site_and_test_locks_agree_on_every_shared_version() -> None:
    site, test = _locked(REPO / "requirements" / "site.txt"), _locked(REPO / "requirements" / "test.txt")
    assert {n: v for n, (v, _) in site.items()} == {n: test[n][0] for n in site}


def test_make_and_both_pipelines_install_exactly_the_lock() -> None:
    makefile = (REPO / "Makefile").read_text(encoding="utf-8")
    assert "--require-hashes -r requirements/site.txt" in makefile
    assert "--require-hashes -r requirements/test.txt" in makefile
    assert "--no-deps --no-build-isolation -e ." in makefile
    workflow = yaml.safe_load((REPO / ".github" / "workflows" / "decisions.yml").read_text(encoding="utf-8"))
    steps = workflow["jobs"]["check-and-build"]["steps"]
    runs = " ".join(_steps_run(workflow["jobs"]["check-and-build"]))
    assert "--require-hashes -r requirements/site.txt" in runs and "pip install -e ." not in runs
    python = next(s for s in steps if s.get("uses", "").startswith("actions/setup-python@"))
    assert python["with"]["cache-dependency-path"] == "requirements/site.txt"
    gitlab = yaml.safe_load((REPO / ".gitlab-ci.yml").read_text(encoding="utf-8"))
    assert "pip install --require-hashes -r requirements/site.txt" in gitlab["default"]["before_script"]
    assert {"files": ["requirements/site.txt"]} in [c["key"] for c in gitlab["cache"]]


def test_a_nightly_job_runs_the_deep_fuzzing_and_proposes_a_fresh_lock() -> None:
    done = _check_jsonschema("vendor.github-workflows", ".github/workflows/nightly.yml")
    assert done.returncode == 0, done.stdout + done.stderr
    nightly = yaml.safe_load((REPO / ".github" / "workflows" / "nightly.yml").read_text(encoding="utf-8"))
    assert "schedule" in nightly.get("on", nightly.get(True))
    assert "make test-deep" in _steps_run(nightly["jobs"]["deep-tests"])
    refresh = _steps_run(nightly["jobs"]["refresh-lock"])
    assert refresh.index("make upgrade") < refresh.index("make test")
    assert "peter-evans/create-pull-request" in _uses(nightly["jobs"]["refresh-lock"])
    gitlab = yaml.safe_load((REPO / ".gitlab-ci.yml").read_text(encoding="utf-8"))
    assert "make test-deep" in gitlab["deep-tests"]["script"]


def test_pre_commit_checks_the_code_with_the_tools_make_test_runs() -> None:
    config = yaml.safe_load((REPO / ".pre-commit-config.yaml").read_text(encoding="utf-8"))
    hooks = {hook["id"]: hook for repo in config["repos"] for hook in repo["hooks"]}
    lint = (REPO / "Makefile").read_text(encoding="utf-8").split("\nlint:", 1)[1].split("\n\n", 1)[0]
    for hook_id in ("ruff-check", "ruff-format", "mypy"):
        entry = hooks[hook_id]["entry"]
        tool = entry.split()[0]
        assert tool.startswith(".venv/bin/"), f"{hook_id} must use the locked tool in .venv, not {tool}"
        command = " ".join(entry.split()[:2]) if hook_id != "mypy" else tool
        assert command.replace(".venv/bin/", "$(VENV)/bin/") in lint, f"make lint does not run {command}"
