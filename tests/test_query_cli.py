"""The query commands (SPEC section 9): `timeline`, `who` and `approves`, through the
installed console command, as scripts and people run them."""

from __future__ import annotations

import json
import os
import re
import subprocess
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from conftest import REPO

COMMAND = REPO / ".venv" / "bin" / "decision-paths"
PYTHON = REPO / ".venv" / "bin" / "python"


@dataclass
class Run:
    code: int
    out: str
    err: str

    def json(self):  # type: ignore[no-untyped-def]
        return json.loads(self.out)  # exactly one JSON document, nothing else on stdout


def dp(*args: str, cwd: Path = REPO) -> Run:
    assert COMMAND.exists(), f"the console command is not installed at {COMMAND}"
    done = subprocess.run(
        [str(COMMAND), *args], cwd=cwd, capture_output=True, encoding="utf-8", timeout=120, env={**os.environ}
    )
    run = Run(done.returncode, done.stdout, done.stderr)
    assert "Traceback" not in run.out + run.err, run.err
    return run


def dp_all(*calls: tuple[str, ...], cwd: Path = REPO) -> list[Run]:
    """Several independent commands at once (each is a separate process start-up)."""
    with ThreadPoolExecutor(max_workers=4) as pool:
        return list(pool.map(lambda args: dp(*args, cwd=cwd), calls))


def usage_error(run: Run) -> str:
    """The one-line message of an exit-2 usage error."""
    assert run.code == 2, (run.code, run.out, run.err)
    assert run.out == ""
    lines = run.err.strip().splitlines()
    assert lines and lines[-1].startswith("decision-paths: error: "), run.err
    return lines[-1]


# ------------------------------------------------------------------ timeline

OUT_OF_SCOPE_25 = {
    "decision": "out-of-scope-request",
    "start": "2026-11-20T10:00:00+08:00",
    "stages": [
        {
            "id": "intake",
            "title": "登记需求",
            "who": ["account-manager"],
            "received": "2026-11-20T10:00:00+08:00",
            "due": "2026-11-23T18:00:00+08:00",
        },
        {
            "id": "assess",
            "title": "评估范围与工作量",
            "who": ["delivery-lead"],
            "received": "2026-11-23T18:00:00+08:00",
            "due": "2026-11-26T18:00:00+08:00",
        },
        {
            "id": "director-approval",
            "title": "总监审批",
            "who": ["delivery-director", "finance-controller"],
            "received": "2026-11-26T18:00:00+08:00",
            "due": "2026-11-30T18:00:00+08:00",
        },
        {
            "id": "answer",
            "title": "书面答复客户",
            "who": ["account-manager"],
            "received": "2026-11-30T18:00:00+08:00",
            "due": "2026-12-01T18:00:00+08:00",
        },
    ],
    "due": "2026-12-01T18:00:00+08:00",
}


def test_timeline_json_is_one_complete_object() -> None:
    run = dp(
        "timeline", "out-of-scope-request", "--start", "2026-11-20T10:00", "--set", "effort-days=25", "--format", "json"
    )
    assert run.code == 0, run.err
    assert run.err == ""
    assert run.json() == OUT_OF_SCOPE_25
    assert list(run.json()) == ["decision", "start", "stages", "due"]
    assert all(list(s) == ["id", "title", "who", "received", "due"] for s in run.json()["stages"])


def test_timeline_json_with_an_offset_start_on_the_hong_kong_calendar() -> None:
    # 07:00 UTC = 15:00 in Hong Kong on Fri Feb 13; HK has no make-up Saturday, and Feb 17-19 are off.
    run = dp(
        "timeline",
        "refund-request",
        "--start",
        "2026-02-13T07:00:00Z",
        "--set",
        "work-delivered=no",
        "--set",
        "refund-amount=5000",
        "--format",
        "json",
    )
    assert run.code == 0, run.err
    assert run.json() == {
        "decision": "refund-request",
        "start": "2026-02-13T15:00:00+08:00",
        "stages": [
            {
                "id": "intake",
                "title": "登记退款申请 / Refund request logged",
                "who": ["hk-office-lead", "account-manager"],
                "received": "2026-02-13T15:00:00+08:00",
                "due": "2026-02-16T18:00:00+08:00",
            },
            {
                "id": "finance-check",
                "title": "财务核对 / Finance check",
                "who": ["finance-manager"],
                "received": "2026-02-16T18:00:00+08:00",
                "due": "2026-02-23T18:00:00+08:00",
            },
            {
                "id": "finance-approval",
                "title": "财务总监审批 / Finance Controller approval",
                "who": ["finance-controller"],
                "received": "2026-02-23T18:00:00+08:00",
                "due": "2026-02-25T18:00:00+08:00",
            },
            {
                "id": "payment",
                "title": "书面答复及付款 / Written answer and payment",
                "who": ["finance-manager"],
                "received": "2026-02-25T18:00:00+08:00",
                "due": "2026-02-27T23:59:59+08:00",
            },
        ],
        "due": "2026-02-27T23:59:59+08:00",
    }


def test_timeline_start_forms_agree() -> None:
    forms = ("2026-11-20T10:00", "2026-11-20T10:00:00+08:00", "2026-11-20T02:00:00Z", "2026-11-20")
    runs = dp_all(
        *[
            ("timeline", "discount-exception", "--start", start, "--set", "discount-amount=5000", "--format", "json")
            for start in forms
        ]
    )
    assert all(run.code == 0 for run in runs), [run.err for run in runs]
    assert len({run.out for run in runs[:3]}) == 1, [run.out for run in runs]
    assert runs[0].json()["start"] == "2026-11-20T10:00:00+08:00"
    # A bare date is 00:00 of that date.
    bare = runs[3].json()
    assert bare["start"] == "2026-11-20T00:00:00+08:00"
    assert [s["id"] for s in bare["stages"]] == ["request", "margin-check", "sales-approval", "answer"]
    # request 1 bd -> Mon 23 18:00, margin-check 1 bd -> Tue 24 18:00, 4 business hours -> Wed 25 13:00.
    assert [s["due"] for s in bare["stages"]] == [
        "2026-11-23T18:00:00+08:00",
        "2026-11-24T18:00:00+08:00",
        "2026-11-25T13:00:00+08:00",
        "2026-11-26T18:00:00+08:00",
    ]


def test_timeline_text_is_readable() -> None:
    run = dp("timeline", "out-of-scope-request", "--start", "2026-11-20T10:00", "--set", "effort-days=25")
    assert run.code == 0, run.err
    lines = run.out.splitlines()
    assert lines[0] == "合同外需求审批 (out-of-scope-request)"
    assert "2026-11-20" in lines[1] and "10:00" in lines[1]
    for stage in OUT_OF_SCOPE_25["stages"]:
        line = next(line for line in lines if f"({stage['id']})" in line)
        assert stage["title"] in line and stage["due"][:10] in line and ", ".join(stage["who"]) in line
    answer = next(line for line in lines if line.startswith("answer by"))
    assert "2026-12-01" in answer and "18:00" in answer
    assert not run.out.lstrip().startswith("{")


def test_timeline_text_mentions_the_range_over_all_paths() -> None:
    run = dp("timeline", "out-of-scope-request", "--start", "2026-11-20T10:00", "--set", "effort-days=25")
    # Fastest path (T&M repeat client): 1 + 3 + 1 business days -> Fri Nov 27; slowest: 1 + 3 + 2 + 1 -> Tue Dec 1.
    assert re.search(r"2026-11-27.*2026-12-01", run.out.splitlines()[-1]), run.out


def test_timeline_needs_only_the_inputs_on_the_path() -> None:
    # effort-days > 20 decides the path alone: contract-type and repeat-client are not asked for.
    run = dp(
        "timeline", "out-of-scope-request", "--start", "2026-11-20T10:00", "--set", "effort-days=25", "--format", "json"
    )
    assert run.code == 0 and run.json()["due"] == OUT_OF_SCOPE_25["due"]
    small = dp(
        "timeline",
        "out-of-scope-request",
        "--start",
        "2026-11-20T10:00",
        "--set",
        "effort-days=5",
        "--set",
        "contract-type=time-and-materials",
        "--set",
        "repeat-client=yes",
        "--format",
        "json",
    )
    assert small.code == 0, small.err
    assert [s["id"] for s in small.json()["stages"]] == ["intake", "assess", "answer"]
    no_inputs = dp(
        "timeline", "deadline-extension", "--start", "2026-11-20T10:00", "--set", "extra-days=3", "--format", "json"
    )
    assert no_inputs.code == 0, no_inputs.err


def test_unknown_decision_suggests_close_names() -> None:
    cases = [
        ("out-of-scope", "out-of-scope-request"),
        ("refund-requests", "refund-request"),
        ("discount-exeption", "discount-exception"),
    ]
    runs = dp_all(*[("timeline", name, "--start", "2026-11-20") for name, _ in cases])
    for (name, suggestion), run in zip(cases, runs, strict=True):
        message = usage_error(run)
        assert f"'{name}'" in message and suggestion in message and "did you mean" in message


def test_unknown_decision_without_a_close_name_lists_the_decisions() -> None:
    message = usage_error(dp("timeline", "zzzz", "--start", "2026-11-20"))
    assert "'zzzz'" in message and "refund-request" in message and "out-of-scope-request" in message


def test_malformed_start() -> None:
    starts = ["tomorrow", "2026-13-20", "2026-11-20T25:00", "20/11/2026", "next monday"]
    runs = dp_all(*[("timeline", "discount-exception", "--start", s, "--set", "discount-amount=1") for s in starts])
    for start, run in zip(starts, runs, strict=True):
        message = usage_error(run)
        assert f"'{start}'" in message and "2026-11-20T10:00" in message  # shows the forms that work


def test_missing_input_names_it_and_lists_allowed_values() -> None:
    message = usage_error(
        dp("timeline", "out-of-scope-request", "--start", "2026-11-20T10:00", "--set", "effort-days=5")
    )
    assert "contract-type" in message and "fixed-price" in message and "time-and-materials" in message
    message = usage_error(
        dp(
            "timeline",
            "out-of-scope-request",
            "--start",
            "2026-11-20T10:00",
            "--set",
            "effort-days=5",
            "--set",
            "contract-type=time-and-materials",
        )
    )
    assert "repeat-client" in message and "yes or no" in message
    message = usage_error(dp("timeline", "out-of-scope-request", "--start", "2026-11-20T10:00"))
    assert "effort-days" in message and "number" in message and "--set effort-days=" in message


def test_value_of_the_wrong_type() -> None:
    cases = [
        ("effort-days=lots", ["effort-days", "number", "lots"]),
        ("contract-type=cost-plus", ["contract-type", "fixed-price", "time-and-materials", "cost-plus"]),
        ("repeat-client=maybe", ["repeat-client", "yes", "no", "maybe"]),
    ]
    runs = dp_all(
        *[
            (
                "timeline",
                "out-of-scope-request",
                "--start",
                "2026-11-20T10:00",
                "--set",
                "effort-days=5",
                "--set",
                assignment,
            )
            for assignment, _ in cases
        ]
    )
    for (_, words), run in zip(cases, runs, strict=True):
        message = usage_error(run)
        assert all(w in message for w in words), message


def test_set_without_equals_and_unknown_input() -> None:
    message = usage_error(dp("timeline", "out-of-scope-request", "--start", "2026-11-20", "--set", "effort-days"))
    assert "'effort-days'" in message and "INPUT=VALUE" in message
    message = usage_error(dp("timeline", "out-of-scope-request", "--start", "2026-11-20", "--set", "effort=5"))
    assert "'effort'" in message and "effort-days" in message  # lists the real inputs


BROKEN_ROLE = """\
title: Broken
summary: Names a role that does not exist.
owner: delivery-lead
reviewed: 2026-10-01
review_every: 180 days
start: only
stages:
  only:
    title: Only
    who: no-such-role
    within: 1 business day
"""


def test_query_commands_exit_1_when_the_decisions_have_errors(org) -> None:  # type: ignore[no-untyped-def]
    org.write("broken.yaml", BROKEN_ROLE)
    runs = dp_all(
        ("timeline", "scope-change", "--start", "2026-11-20", "--set", "effort-days=3"),
        ("who", "scope-change", "--today", "2026-11-23"),
        ("approves", "li-na"),
        cwd=org.root,
    )
    for run in runs:
        assert run.code == 1, (run.out, run.err)
        assert run.out == ""
        assert re.search(r"^decisions/broken\.yaml:\d+:\d+: error: .*no-such-role", run.err, re.M), run.err


def test_query_commands_work_in_a_small_organisation(org) -> None:  # type: ignore[no-untyped-def]
    run = dp(
        "timeline",
        "scope-change",
        "--start",
        "2026-11-20T17:00",
        "--set",
        "effort-days=3",
        "--format",
        "json",
        cwd=org.root,
    )
    assert run.code == 0, run.err
    assert [(s["id"], s["due"]) for s in run.json()["stages"]] == [
        ("intake", "2026-11-23T18:00:00+08:00"),
        ("answer", "2026-11-24T13:00:00+08:00"),
    ]


def test_no_decisions_folder_is_a_usage_error(tmp_path: Path) -> None:
    message = usage_error(dp("timeline", "x", "--start", "2026-11-20", cwd=tmp_path))
    assert "decisions" in message


# ------------------------------------------------------------------ who


def test_who_shows_roles_holders_stand_ins_and_escalation() -> None:
    run = dp("who", "out-of-scope-request", "--today", "2026-11-23", "--set", "effort-days=25")
    assert run.code == 0, run.err
    text = run.out
    assert "2026-11-23" in text.splitlines()[0]
    blocks = re.split(r"\n(?=\S)", text)
    director = next(b for b in blocks if "(director-approval)" in b)
    assert "all of" in director
    assert "delivery-director" in director and "李娜 (li-na)" in director
    controller = next(line for line in director.splitlines() if "(finance-controller)" in line)
    assert "陈静 (chen-jing)" in controller and "away" in controller and "deputy-finance-controller" in controller
    assert re.search(r"if late: .*\(coo\): 周杰 \(zhou-jie\)", director), director
    intake = next(b for b in blocks if "(intake)" in b)
    assert "王伟 (wang-wei)" in intake and "张敏 (zhang-min)" in intake
    assert "if late" in intake and "sales-director" in intake
    # The path is known: the stages it skips are not listed.
    assert "(commercial-review)" not in text


def test_who_json_on_a_day_the_controller_is_away_and_back() -> None:
    away = dp("who", "out-of-scope-request", "--today", "2026-11-23", "--set", "effort-days=25", "--format", "json")
    assert away.code == 0, away.err
    data = away.json()
    assert data["decision"] == "out-of-scope-request" and data["today"] == "2026-11-23" and data["path_known"]
    assert [s["id"] for s in data["stages"]] == ["intake", "assess", "director-approval", "answer"]
    director = data["stages"][2]
    assert director["mode"] == "all" and director["needed"] == 2 and director["within"] == "2 business days"
    assert [p["id"] for p in director["who"]] == ["delivery-director", "finance-controller"]
    controller = director["who"][1]
    assert controller["kind"] == "role" and controller["title"] == "财务总监 / Finance Controller"
    assert controller["holders"] == [{"id": "chen-jing", "name": "陈静", "away": True}]
    assert controller["standing_in"] == ["deputy-finance-controller"]
    assert director["escalate_to"]["id"] == "coo"
    assert director["escalate_to"]["holders"] == [{"id": "zhou-jie", "name": "周杰", "away": False}]
    # Dec 4 is her last day away (inclusive); on Dec 5 nobody needs to stand in.
    days = (("2026-11-16", True), ("2026-12-04", True), ("2026-11-15", False), ("2026-12-05", False))
    runs = dp_all(
        *[
            ("who", "out-of-scope-request", "--today", day, "--set", "effort-days=25", "--format", "json")
            for day, _ in days
        ]
    )
    for (day, is_away), run in zip(days, runs, strict=True):
        controller = run.json()["stages"][2]["who"][1]
        assert controller["holders"][0]["away"] is is_away, day
        assert controller["standing_in"] == (["deputy-finance-controller"] if is_away else []), day


def test_who_without_inputs_lists_every_stage() -> None:
    data = dp("who", "out-of-scope-request", "--today", "2026-11-23", "--format", "json").json()
    assert not data["path_known"]
    assert [s["id"] for s in data["stages"]] == ["intake", "assess", "commercial-review", "director-approval", "answer"]
    run = dp("who", "out-of-scope-request", "--today", "2026-11-23")
    assert "--set" in run.out.splitlines()[1]


def test_who_unknown_decision() -> None:
    message = usage_error(dp("who", "out-of-scope", "--today", "2026-11-23"))
    assert "out-of-scope-request" in message


def test_who_names_a_person_named_directly(org) -> None:  # type: ignore[no-untyped-def]
    org.write(
        "direct.yaml",
        """\
        title: Direct
        summary: A person in who and escalate_to.
        owner: delivery-lead
        reviewed: 2026-10-01
        review_every: 180 days
        start: only
        stages:
          only:
            title: Only
            who: {any: [li-na, delivery-lead]}
            within: 1 business day
            escalate_to: wang-wei
        """,
    )
    data = dp("who", "direct", "--today", "2026-11-23", "--format", "json", cwd=org.root).json()
    stage = data["stages"][0]
    assert stage["mode"] == "any"
    assert stage["who"][0] == {"id": "li-na", "kind": "person", "name": "李娜", "away": False}
    assert stage["who"][1]["holders"] == [{"id": "wang-wei", "name": "王伟", "away": False}]
    assert stage["escalate_to"] == {"id": "wang-wei", "kind": "person", "name": "王伟", "away": False}


# ------------------------------------------------------------------ approves


def test_approves_lists_what_a_backup_would_approve_and_whether_they_stand_in_today() -> None:
    run = dp("approves", "qian-hui", "--today", "2026-11-23", "--format", "json")
    assert run.code == 0, run.err
    data = run.json()
    approves = {(d["decision"], d["stage"]) for d in data["duties"] if d["kind"] == "approves"}
    assert ("refund-request", "finance-approval") in approves, "钱慧 stands in for the controller through her role"
    assert {d["as"] for d in data["duties"]} == {"backup for finance-controller (through deputy-finance-controller)"}
    assert all(d["standing_in_today"] for d in data["duties"]), "陈静 is away on 2026-11-23"
    later = dp("approves", "qian-hui", "--today", "2026-12-07", "--format", "json").json()
    assert not any(d["standing_in_today"] for d in later["duties"]), "陈静 is back on 2026-12-07"
    text = dp("approves", "qian-hui", "--today", "2026-11-23").out
    assert "(standing in today)" in text


def test_approves_for_a_role() -> None:
    run = dp("approves", "finance-controller", "--format", "json")
    assert run.code == 0, run.err
    data = run.json()
    assert (data["id"], data["kind"], data["name"]) == ("finance-controller", "role", "财务总监 / Finance Controller")
    approves = {(d["decision"], d["stage"]) for d in data["duties"] if d["kind"] == "approves"}
    assert approves == {
        ("subcontractor-hiring", "executive-approval"),
        ("expense-approval", "controller-approval"),
        ("refund-request", "finance-approval"),
        ("refund-request", "senior-approval"),
        ("discount-exception", "joint-approval"),
        ("discount-exception", "executive-approval"),
        ("out-of-scope-request", "director-approval"),
    }
    owns = {d["decision"] for d in data["duties"] if d["kind"] == "owns"}
    assert owns == {"expense-approval", "refund-request"}
    escalations = {(d["decision"], d["stage"]) for d in data["duties"] if d["kind"] == "escalation"}
    assert escalations == {
        ("expense-approval", "finance-review"),
        ("refund-request", "intake"),
        ("refund-request", "finance-check"),
    }
    text = dp("approves", "finance-controller", "--today", "2026-11-23").out
    # the answer says which day it holds for (who stands in depends on it)
    assert text.splitlines()[0] == "财务总监 / Finance Controller (finance-controller, role) on 2026-11-23"
    assert "总监审批 (director-approval), within 2 个工作日" in text


def test_approves_for_a_person_includes_duties_through_roles() -> None:
    person_run, role_run, text_run, wang_run = dp_all(
        ("approves", "chen-jing", "--format", "json"),
        ("approves", "finance-controller", "--format", "json"),
        ("approves", "chen-jing"),
        ("approves", "wang-wei", "--format", "json"),
    )
    person, role = person_run.json(), role_run.json()
    assert (person["id"], person["kind"], person["name"]) == ("chen-jing", "person", "陈静")
    through_role = [
        {k: v for k, v in d.items() if k != "as"} for d in person["duties"] if d["as"] == "finance-controller"
    ]
    assert through_role == [{k: v for k, v in d.items() if k != "as"} for d in role["duties"]]
    text = text_run.out
    assert "as finance-controller" in text and "(out-of-scope-request)" in text
    # Someone who holds two roles (wang-wei: account manager, and a person backup of service-manager).
    wang = wang_run.json()
    decisions = {d["decision"] for d in wang["duties"]}
    assert {"out-of-scope-request", "client-complaint", "deadline-extension"} <= decisions
    assert any(d["as"] == "account-manager" for d in wang["duties"])
    assert any(d["as"] and "service-manager" in d["as"] for d in wang["duties"])


def test_approves_a_person_named_directly(org) -> None:  # type: ignore[no-untyped-def]
    org.write(
        "direct.yaml",
        """\
        title: Direct
        summary: A person in who.
        owner: li-na
        reviewed: 2026-10-01
        review_every: 180 days
        start: only
        stages:
          only:
            title: Only
            who: li-na
            within: 1 business day
        """,
    )
    data = dp("approves", "li-na", "--format", "json", cwd=org.root).json()
    direct = [(d["decision"], d["stage"], d["kind"]) for d in data["duties"] if d["as"] is None]
    assert direct == [("direct", None, "owns"), ("direct", "only", "approves")]
    assert ("scope-change", "intake", "approves") in [(d["decision"], d["stage"], d["kind"]) for d in data["duties"]]


def test_approves_unknown_id_suggests() -> None:
    cases = [("chen-jin", "chen-jing"), ("finance-controler", "finance-controller")]
    for (name, suggestion), run in zip(cases, dp_all(*[("approves", name) for name, _ in cases]), strict=True):
        message = usage_error(run)
        assert f"'{name}'" in message and suggestion in message
    assert "neither a person nor a role" in usage_error(dp("approves", "nobody-at-all"))


# ------------------------------------------------------------------ start-up


def test_timeline_does_not_import_mkdocs() -> None:
    code = (
        "import sys, io, contextlib\n"
        "from decision_paths.cli import main\n"
        "out = io.StringIO()\n"
        "with contextlib.redirect_stdout(out):\n"
        "    code = main(['timeline', 'out-of-scope-request', '--start', '2026-11-20T10:00',"
        " '--set', 'effort-days=25', '--format', 'json'])\n"
        "assert code == 0, code\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] in ('mkdocs', 'material', 'jieba', 'graphviz')))\n"
    )
    done = subprocess.run([str(PYTHON), "-c", code], cwd=REPO, capture_output=True, encoding="utf-8", timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "[]", done.stdout


def test_timeline_start_up_loads_no_site_builder() -> None:
    # Not a benchmark (benchmarks/ measures start-up): a guard against the query
    # commands loading the site builder again, which is what made them slow.
    plain = dp("timeline", "out-of-scope-request", "--start", "2026-11-20T10:00", "--set", "effort-days=25")
    assert plain.code == 0
    done = subprocess.run(
        [
            str(PYTHON),
            "-X",
            "importtime",
            "-c",
            "from decision_paths.cli import main; main(['timeline', 'discount-exception', "
            "'--start', '2026-11-20', '--set', 'discount-amount=1'])",
        ],
        cwd=REPO,
        capture_output=True,
        encoding="utf-8",
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    imported = {line.split("|")[-1].strip() for line in done.stderr.splitlines() if line.startswith("import time:")}
    assert "decision_paths.model.timeline" in imported
    assert not {m for m in imported if m.split(".")[0] in ("mkdocs", "material", "markdown", "jieba")}
