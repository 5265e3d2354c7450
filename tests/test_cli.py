"""The ``decision-paths validate`` command line (SPEC section 9).

Every test runs twice: through the installed console command in a subprocess
(what CI runs) and through ``decision_paths.cli.main`` in-process.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
from dataclasses import dataclass
from pathlib import Path

import pytest
from conftest import DECISION, REPO, SHARED

from decision_paths.checks import RULES_BY_CODE
from decision_paths.cli import main

COMMAND = REPO / ".venv" / "bin" / "decision-paths"

LINE_RE = re.compile(
    r"^(?P<file>[^\s:][^:]*):(?P<line>[1-9]\d*):(?P<column>[1-9]\d*): (?P<severity>error|warning): "
    r"(?P<message>.+) \[(?P<code>DP\d{3}) (?P<name>[a-z0-9-]+)\]$"
)
SUMMARY_RE = re.compile(r"^\d+ files? checked: (no problems found|\d+ errors?, \d+ warnings?)$")

DEC = "decisions/sales/scope-change.yaml"


@dataclass
class Run:
    code: int
    out: str
    err: str

    @property
    def lines(self) -> list[str]:
        return self.out.splitlines()

    @property
    def findings(self) -> list[re.Match]:
        """Every finding line, parsed; fails on any line (but the summary) that has another form."""
        *body, summary = self.lines
        assert SUMMARY_RE.match(summary), summary
        parsed = [LINE_RE.match(line) for line in body]
        assert all(parsed), body
        return parsed  # type: ignore[return-value]


@pytest.fixture(params=["console", "main"])
def cli(request, capsys, monkeypatch):
    def run(*args: str, cwd: Path | None = None) -> Run:
        if cwd is not None:
            monkeypatch.chdir(cwd)
        if request.param == "console":
            assert COMMAND.exists(), f"the console command is not installed at {COMMAND}"
            done = subprocess.run([str(COMMAND), *args], capture_output=True, encoding="utf-8", timeout=120)
            result = Run(done.returncode, done.stdout, done.stderr)
        else:
            capsys.readouterr()
            try:
                code = main(list(args))
            except SystemExit as stop:
                code = stop.code
            out, err = capsys.readouterr()
            result = Run(code, out, err)
        assert "Traceback" not in result.out + result.err, result.err
        return result

    return run


def changed(text: str, old: str, new: str) -> str:
    assert text.count(old) == 1, f"{old!r} must occur exactly once"
    return text.replace(old, new)


# ------------------------------------------------------------------ exit status


def test_clean_folder_exits_0_with_only_the_summary(org, cli):
    result = cli("validate", "--today", "2026-11-23")
    assert result.code == 0
    assert result.out == "2 files checked: no problems found\n"


def test_warnings_alone_exit_0(org, cli):
    org.write("sales/scope-change.yaml", changed(DECISION, "reviewed: 2026-10-01\n", "reviewed: 2026-01-01\n"))
    result = cli("validate", "--today", "2026-11-23")
    assert result.code == 0
    assert result.lines == [
        f"{DEC}:4:1: warning: review was due on 2026-06-30 (reviewed 2026-01-01 + 180 days); ask 'delivery-lead' "
        "to confirm the path and update reviewed [DP401 review-overdue]",
        "2 files checked: 0 errors, 1 warning",
    ]


def test_errors_exit_1_with_the_exact_line(org, cli):
    org.write("sales/scope-change.yaml", changed(DECISION, "    who: delivery-lead\n", "    who: delivery-led\n"))
    result = cli("validate", "--today", "2026-11-23")
    assert result.code == 1
    assert result.lines == [
        f"{DEC}:20:10: error: stage 'answer' who names 'delivery-led', which is neither a role nor a person; "
        "did you mean 'delivery-lead'? [DP201 unknown-role]",
        "2 files checked: 1 error, 0 warnings",
    ]


def test_missing_folder_exits_2(tmp_path, cli):
    result = cli("validate", "nowhere", cwd=tmp_path)
    assert result.code == 2
    assert result.out == ""
    assert "no decisions folder 'nowhere'" in result.err


def test_missing_default_folder_exits_2(tmp_path, cli):
    result = cli("validate", cwd=tmp_path)  # no decisions/ here
    assert result.code == 2
    assert "no decisions folder 'decisions'" in result.err


def test_missing_folder_given_with_the_decisions_option_exits_2(tmp_path, cli):
    result = cli("--decisions", "nowhere", "validate", cwd=tmp_path)
    assert result.code == 2
    assert "no decisions folder 'nowhere'" in result.err


@pytest.mark.parametrize("bad", ["2026-13-01", "tomorrow", "23/11/2026"])
def test_bad_today_exits_2(org, cli, bad):
    result = cli("validate", "--today", bad)
    assert result.code == 2
    assert result.out == ""
    assert f"'{bad}' is not a date" in result.err
    assert "YYYY-MM-DD" in result.err


# ------------------------------------------------------------------ output form


def broken_org(org) -> None:
    """Findings in three files, several in one file, on lines 3, 12 and 20."""
    org.write(
        "_org.yaml",
        changed(SHARED, "  wang-wei: {name: 王伟}\n", "  wang-wei: {name: 王伟}\n  zhang-san: {name: 张三}\n"),
    )
    text = changed(DECISION, "owner: delivery-lead\n", "owner: boss\n")
    text = changed(text, "    who: account-manager\n", "    who: account-managr\n")
    text = changed(text, "    who: delivery-lead\n", "    who: delivery-led\n")
    org.write("sales/scope-change.yaml", text)
    org.write("delivery/late.yaml", changed(DECISION, "reviewed: 2026-10-01\n", ""))


def test_lines_are_in_the_editor_form_sorted_by_file_then_line(org, cli):
    broken_org(org)
    result = cli("validate", "--today", "2026-11-23")
    assert result.code == 1
    places = [(m["file"], int(m["line"]), int(m["column"]), m["severity"], m["code"]) for m in result.findings]
    assert places == [
        ("decisions/_org.yaml", 4, 3, "warning", "DP403"),
        ("decisions/delivery/late.yaml", 1, 1, "warning", "DP402"),
        (DEC, 3, 8, "error", "DP201"),
        (DEC, 12, 10, "error", "DP201"),  # line 12 before line 20: numbers, not text
        (DEC, 20, 10, "error", "DP201"),
    ]
    for match in result.findings:
        assert RULES_BY_CODE[match["code"]].name == match["name"]
    assert result.lines[-1] == "3 files checked: 3 errors, 2 warnings"


def test_file_is_relative_to_the_current_folder_even_for_an_absolute_folder(org, cli):
    org.write("sales/scope-change.yaml", changed(DECISION, "owner: delivery-lead\n", "owner: boss\n"))
    result = cli("validate", str(org.folder), "--today", "2026-11-23")
    assert result.code == 1
    assert [m["file"] for m in result.findings] == [DEC]


def test_yaml_syntax_error_is_a_finding_line_not_a_traceback(org, cli):
    org.write("sales/broken.yaml", "title: Broken\nsummary: [unclosed\nowner: x\n")
    result = cli("validate", "--today", "2026-11-23")
    assert result.code == 1
    [found] = result.findings
    assert found["file"] == "decisions/sales/broken.yaml"
    assert found["severity"] == "error"
    assert (found["code"], found["name"]) == ("DP001", "yaml-syntax")
    assert int(found["line"]) >= 2


# ------------------------------------------------------------------ json


def test_json_is_only_a_list_on_stdout(org, cli):
    broken_org(org)
    result = cli("validate", "--today", "2026-11-23", "--format", "json")
    assert result.code == 1
    items = json.loads(result.out)  # nothing but JSON on stdout
    assert isinstance(items, list) and len(items) == 5
    for item in items:
        assert set(item) == {"file", "line", "column", "severity", "code", "name", "message"}
    assert items[0] == {
        "file": "decisions/_org.yaml",
        "line": 4,
        "column": 3,
        "severity": "warning",
        "code": "DP403",
        "name": "idle-person",
        "message": "张三 ('zhang-san') holds no role and approves nothing: give them a role, or mark them "
        "active: false if they have left",
    }
    assert [(i["file"], i["line"]) for i in items] == [
        ("decisions/_org.yaml", 4),
        ("decisions/delivery/late.yaml", 1),
        (DEC, 3),
        (DEC, 12),
        (DEC, 20),
    ]


def test_json_of_a_clean_folder_is_an_empty_list(org, cli):
    result = cli("validate", "--format", "json", "--today", "2026-11-23")
    assert result.code == 0
    assert json.loads(result.out) == []


def test_json_matches_the_text_output(org, cli):
    broken_org(org)
    text = cli("validate", "--today", "2026-11-23")
    items = json.loads(cli("validate", "--today", "2026-11-23", "--format", "json").out)
    assert [
        f"{i['file']}:{i['line']}:{i['column']}: {i['severity']}: {i['message']} [{i['code']} {i['name']}]"
        for i in items
    ] == text.lines[:-1]


# ------------------------------------------------------------------ choosing the folder


def moved_org(org) -> None:
    """The organisation in policies/ instead of decisions/, with one error."""
    org.write("sales/scope-change.yaml", changed(DECISION, "owner: delivery-lead\n", "owner: boss\n"))
    org.folder.rename(org.root / "policies")


def test_folder_as_positional_argument(org, cli):
    moved_org(org)
    result = cli("validate", "policies", "--today", "2026-11-23")
    assert result.code == 1
    assert [(m["file"], m["code"]) for m in result.findings] == [("policies/sales/scope-change.yaml", "DP201")]


def test_folder_with_the_decisions_option(org, cli):
    moved_org(org)
    result = cli("--decisions", "policies", "validate", "--today", "2026-11-23")
    assert result.code == 1
    assert [(m["file"], m["code"]) for m in result.findings] == [("policies/sales/scope-change.yaml", "DP201")]


def test_decisions_option_after_the_command_name(org, cli):
    # SPEC 9: "Every command reads the decisions folder given by --decisions DIR";
    # users write it after the command, as with every other option of validate.
    moved_org(org)
    result = cli("validate", "--decisions", "policies", "--today", "2026-11-23")
    assert result.code == 1, result.err
    assert [(m["file"], m["code"]) for m in result.findings] == [("policies/sales/scope-change.yaml", "DP201")]


# ------------------------------------------------------------------ today


def test_today_changes_the_review_overdue_result(org, cli):
    org.write("sales/scope-change.yaml", changed(DECISION, "reviewed: 2026-10-01\n", "reviewed: 2026-01-01\n"))
    before = cli("validate", "--today", "2026-06-30")
    assert (before.code, before.lines) == (0, ["2 files checked: no problems found"])
    after = cli("validate", "--today", "2026-07-01")
    assert after.code == 0
    assert [(m["line"], m["code"]) for m in after.findings] == [("4", "DP401")]
    assert "review was due on 2026-06-30" in after.out


def test_today_changes_the_approvers_away_result(org, cli):
    org.write(
        "_org.yaml",
        changed(SHARED, "li.na@example.com}", "li.na@example.com, away: {from: 2026-12-20, until: 2027-01-03}}"),
    )
    assert cli("validate", "--today", "2026-12-19").lines == ["2 files checked: no problems found"]
    away = cli("validate", "--today", "2026-12-20")
    assert away.code == 0
    assert [(m["file"], m["line"], m["code"]) for m in away.findings] == [(DEC, "12", "DP404")]
    assert "on 2026-12-20 stage 'intake'" in away.out


# ------------------------------------------------------------------ the sample folder


def test_sample_folder_validates_with_exit_0(cli):
    result = cli("validate", cwd=REPO)
    assert result.code == 0, result.out
    assert all(m["severity"] == "warning" for m in result.findings)


def test_sample_folder_has_no_findings_on_the_reference_day(cli):
    result = cli("validate", "--today", "2026-11-23", cwd=REPO)
    assert result.code == 0
    [summary] = result.lines
    files = sum(1 for path in (REPO / "decisions").rglob("*") if path.suffix in (".yaml", ".yml"))
    assert summary == f"{files} files checked: no problems found"


def test_sample_folder_json_on_the_reference_day_is_empty(cli):
    result = cli("validate", "--today", "2026-11-23", "--format", "json", cwd=REPO)
    assert (result.code, json.loads(result.out)) == (0, [])


def test_command_runs_without_the_venv_on_path(org):
    # CI calls the script by its path; it must not depend on an activated venv.
    env = {key: value for key, value in os.environ.items() if key not in ("VIRTUAL_ENV", "PYTHONPATH")}
    env["PATH"] = "/usr/bin:/bin"
    done = subprocess.run(
        [str(COMMAND), "validate", "--today", "2026-11-23"], capture_output=True, encoding="utf-8", env=env, timeout=120
    )
    assert (done.returncode, done.stdout) == (0, "2 files checked: no problems found\n"), done.stderr
