"""The decisions folder is the boundary: nothing outside it is read, printed or published."""

from __future__ import annotations

import os
from pathlib import Path

from conftest import DECISION, Org, time_limit
from site_helpers import run_cli

from decision_paths.load.files import scan_folder

SECRET = "TOP-SECRET-CANARY-7731"
OUTSIDE_DECISION = DECISION.replace("title: Scope change", f"title: {SECRET}")


def outside_file(org: Org, name: str, text: str) -> Path:
    path = org.root / "elsewhere" / name
    path.parent.mkdir(exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def test_a_link_to_a_file_outside_is_an_error_at_the_link_and_never_read(org: Org) -> None:
    target = outside_file(org, "leak.yaml", OUTSIDE_DECISION)
    os.symlink(target, org.folder / "sales" / "leak.yaml")
    assert ("DP010", "sales/leak.yaml", 1, 1) in org.codes()
    found = next(f for f in org.findings() if f.rule.code == "DP010")
    assert "outside the decisions folder" in found.message and "leak.yaml" in found.message
    assert str(target) not in found.message
    validation = org.validate()
    assert "leak" not in validation.org.decisions
    assert all(SECRET not in f.message for f in validation.findings)


def test_a_linked_credentials_file_is_never_quoted(org: Org) -> None:
    target = outside_file(org, "credentials.yaml", f"just some words {SECRET}\n")
    os.symlink(target, org.folder / "_ext.yaml")
    done = run_cli("validate", "--today", "2026-11-23", cwd=org.root)
    assert done.code == 1
    assert "_ext.yaml:1:1: error:" in done.out and "[DP010 link-outside]" in done.out
    assert SECRET not in done.out + done.err


def test_a_link_to_a_file_inside_the_folder_is_read(org: Org) -> None:
    os.symlink(org.folder / "sales" / "scope-change.yaml", org.folder / "sales" / "scope-change-copy.yaml")
    assert org.codes() == []
    assert {"scope-change", "scope-change-copy"} <= set(org.validate().org.decisions)


def test_a_relative_link_inside_the_folder_is_read_too(org: Org) -> None:
    (org.folder / "other").mkdir()
    os.symlink("../sales/scope-change.yaml", org.folder / "other" / "same.yaml")
    assert org.codes() == []
    assert "same" in org.validate().org.decisions


def test_a_linked_folder_outside_is_an_error_and_a_linked_folder_inside_is_read(org: Org) -> None:
    outside_file(org, "leak.yaml", OUTSIDE_DECISION)
    os.symlink(org.root / "elsewhere", org.folder / "linked-out")
    os.symlink(org.folder / "sales", org.folder / "linked-in")
    codes = org.codes()
    assert ("DP010", "linked-out", 1, 1) in codes
    decisions = org.validate().org.decisions
    assert "leak" not in decisions
    # the folder inside is read: its decision is found twice, under the link and where it is
    assert str(org.folder / "linked-in" / "scope-change.yaml") in org.validate().org.files
    assert [code for code, *_ in codes].count("DP106") == 1, codes


def test_link_loops_are_errors(org: Org) -> None:
    os.symlink(org.folder, org.folder / "sales" / "up")  # a folder above
    os.symlink("self.yaml", org.folder / "self.yaml")  # a link to itself
    codes = org.codes()
    assert ("DP011", "sales/up", 1, 1) in codes
    assert ("DP011", "self.yaml", 1, 1) in codes
    assert "scope-change" in org.validate().org.decisions


def test_a_decisions_folder_that_is_itself_a_link_is_read(org: Org, tmp_path: Path) -> None:
    alias = tmp_path / "alias"
    os.symlink(org.folder, alias)
    result = Org.__new__(Org)
    result.root, result.folder = tmp_path, alias
    assert result.codes() == []


def test_a_site_is_not_built_while_a_link_leads_outside(org: Org) -> None:
    os.symlink(outside_file(org, "leak.yaml", OUTSIDE_DECISION), org.folder / "sales" / "leak.yaml")
    done = run_cli("build", "--today", "2026-11-23", "--audience", "all", "--out", "out", cwd=org.root)
    assert done.code == 1 and "[DP010 link-outside]" in done.err
    assert not (org.root / "out").exists() or SECRET not in "".join(
        p.read_text(encoding="utf-8", errors="replace") for p in (org.root / "out").rglob("*") if p.is_file()
    )


def test_quoted_values_are_short_safe_excerpts(org: Org) -> None:
    long_line = "x" * 1200 + SECRET
    org.write("_extra.yaml", long_line + "\n")
    org.write("sales/scope-change.yaml", DECISION.replace("title: Scope change", 'title: Scope change\n"bad\\akey": 1'))
    messages = [f.message for f in org.findings()]
    extra = next(m for m in messages if "shared data" in m)
    assert SECRET not in extra and "…" in extra and len(extra) < 200, extra
    bell = next(m for m in messages if "unknown key" in m)
    assert "\x07" not in bell and "bad\\x07key" in bell, bell


def test_links_that_fan_out_visit_each_folder_a_bounded_number_of_times(org: Org) -> None:
    # 24 folders, each with two links to the next: 2**24 paths if every link were walked
    chain = org.folder / "chain"
    for number in range(25):
        (chain / f"d{number}").mkdir(parents=True)
    for number in range(24):
        for name in ("a", "b"):
            os.symlink(f"../d{number + 1}", chain / f"d{number}" / name)
    with time_limit(20):
        scan = scan_folder(str(org.folder))
    assert len(scan.files) <= 2 * 2  # the two sample files, read at most twice each


def test_a_link_to_a_pipe_is_not_opened(org: Org) -> None:
    os.mkfifo(org.folder / "pipe")
    os.symlink("../pipe", org.folder / "sales" / "piped.yaml")
    with time_limit(20):
        assert org.codes() == []


def test_long_option_names_are_excerpts_in_coverage_messages(org: Org) -> None:
    long_option = "x" * 3000
    text = DECISION.replace(
        "  effort-days: {label: Effort, type: number}",
        "  effort-days: {label: Effort, type: number}\n"
        f"  kind: {{label: Kind, type: choice, options: [{long_option}, b]}}",
    ).replace('      - when: {effort-days: "<=20"}', '      - when: {effort-days: "<=20", kind: b}')
    org.write("sales/scope-change.yaml", text.replace("      - otherwise: answer\n", ""))
    messages = [f.message for f in org.findings()]
    assert messages and all(len(m) < 400 for m in messages), [len(m) for m in messages]
