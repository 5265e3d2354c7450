"""Rows of the case record that cannot be used (SPEC section 11): each is a finding at
FILE:ROW:COLUMN of its cell, in CSV (the header is row 1), JSONL (a line is a row; the
column is the character where the key starts) and Parquet (the first record is row 1);
its case is left out of the figures and counted as left out."""

from __future__ import annotations

import json
from pathlib import Path

import duckdb
import pytest
from record_helpers import (
    ev,
    figures,
    measure,
    record_org,  # noqa: F401 - the module's org fixture
    where,
    write_csv,
)

from decision_paths.model.cases import COLUMNS
from decision_paths.model.organisation import Organisation


@pytest.fixture
def cases(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    return tmp_path / "cases"


def good(case: str) -> list[dict[str, str]]:
    return [
        ev(case, "refund", "received", "2026-11-16T10:00", inputs="amount=500"),
        ev(case, "refund", "done", "2026-11-17T12:00", "intake", by="li-na"),
        ev(case, "refund", "done", "2026-11-18T12:00", "answer", by="li-na"),
    ]


def received(case: str, **more: str) -> dict[str, str]:
    return ev(case, "refund", "received", more.pop("at", "2026-11-16T10:00"), **{"inputs": "amount=500", **more})


# Each bad row, in file order, with the column of its cell and the finding's code; the
# rows a case needs to get there come first (expected None).
BAD = [
    (ev("X1", "nosuch", "received", "2026-11-16T10:00", inputs="amount=5"), "decision", "DP603"),
    (received("X2"), None, None),
    (ev("X2", "refund", "done", "2026-11-16T12:00", "nostage", by="li-na"), "stage", "DP603"),
    (received("X3"), None, None),
    (ev("X3", "refund", "done", "2026-11-16T12:00", "intake", by="nobody"), "by", "DP603"),
    (received("X4", at="2026-11-31T10:00"), "at", "DP601"),
    (received("X5"), None, None),
    (ev("X5", "refund", "finished", "2026-11-16T12:00", "intake"), "event", "DP601"),
    (received("X6"), None, None),
    (ev("X6", "refund", "done", "2026-11-16T12:00", by="li-na"), "stage", "DP601"),
    (received("X7"), None, None),
    (received("X7", at="2026-11-16T11:00"), "event", "DP604"),
    (received("X8"), None, None),
    (ev("X8", "refund", "done", "2026-11-15T12:00", "intake", by="li-na"), "at", "DP604"),
    (received("X9", inputs="colour=red"), "inputs", "DP601"),
    (received("X10", inputs="amount=lots"), "inputs", "DP601"),
    (received("X11", inputs=""), "inputs", "DP601"),
    (received("X12"), None, None),
    (ev("X12", "refund", "delayed", "2026-11-16T12:00", "intake", until="soon"), "until", "DP601"),
]
LEFT_OUT = 11  # X2-X12; X1 names no decision of ours


def bad_rows() -> list[dict[str, str]]:
    return [row for row, _, _ in BAD] + good("GOOD")


def expected(file: str, first_row: int, column_of) -> list[tuple[str, int, int, str]]:  # type: ignore[no-untyped-def]
    """The findings ``BAD`` should give: rows counted from ``first_row``; ``column_of(index, column)``."""
    return [
        (file, index + first_row, column_of(index, column), code)
        for index, (_, column, code) in enumerate(BAD)
        if code is not None
    ]


def assert_left_out(measured) -> None:  # type: ignore[no-untyped-def]
    assert measured.left_out == {"refund": LEFT_OUT}
    found = figures(measured, "refund")
    assert (found.cases, found.on_time, found.left_out) == (1, 1, LEFT_OUT)


def test_bad_rows_in_csv(org: Organisation, cases: Path) -> None:
    write_csv(cases / "events.csv", bad_rows())
    measured, findings = measure(org, cases)
    assert where(findings) == expected("cases/events.csv", 2, lambda _, column: COLUMNS.index(column) + 1)
    assert_left_out(measured)


def test_bad_rows_in_jsonl(org: Organisation, cases: Path) -> None:
    lines = [json.dumps({k: v for k, v in row.items() if v}, ensure_ascii=False) for row in bad_rows()]
    (cases).mkdir()
    (cases / "events.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")

    def column(index: int, key: str) -> int:
        found = lines[index].find(json.dumps(key) + ":")
        return found + 1 if found >= 0 else 1

    measured, findings = measure(org, cases)
    assert where(findings) == expected("cases/events.jsonl", 1, column)
    assert_left_out(measured)


def test_bad_rows_in_parquet(org: Organisation, cases: Path, tmp_path: Path) -> None:
    # Parquet written by DuckDB from a CSV, with the columns in another order
    source = write_csv(tmp_path / "source.csv", bad_rows())
    order = ["at", "case", "event", "decision", "stage", "by", "inputs", "until", "reason", "client_note"]
    cases.mkdir()
    duckdb.sql(
        f"COPY (SELECT {', '.join(repr(c).replace(chr(39), chr(34)) for c in order)} "
        f"FROM read_csv('{source}', all_varchar = true)) TO '{cases / 'events.parquet'}' (FORMAT parquet)"
    )
    measured, findings = measure(org, cases)
    assert where(findings) == expected("cases/events.parquet", 1, lambda _, column: order.index(column) + 1)
    assert_left_out(measured)


def test_messages_say_what_is_wrong_in_the_record_s_words(org: Organisation, cases: Path) -> None:
    write_csv(
        cases / "events.csv",
        [
            ev("M1", "refnd", "received", "2026-11-16T10:00", inputs="amount=5"),
            received("M2"),
            ev("M2", "refund", "done", "2026-11-16T12:00", "intake", by="li-nna"),
            received("M3", inputs=""),
        ],
    )
    messages = [f.message for f in measure(org, cases)[1]]
    assert messages == [
        "decision 'refnd' does not exist (no decision file has that name, now or in the history); "
        "did you mean 'refund'?",
        "there is no person 'li-nna' in the shared files (_*.yaml); did you mean 'li-na'?",
        "the inputs cannot choose a path: the path depends on 'amount' (Amount), which the inputs do not give",
    ]


def test_a_file_without_a_needed_column(org: Organisation, cases: Path) -> None:
    write_csv(cases / "a.csv", good("GOOD"))
    write_csv(
        cases / "b.csv", [{"case": "B", "decision": "refund", "event": "received"}], ("case", "decision", "event")
    )
    measured, findings = measure(org, cases)
    assert where(findings) == [("cases/b.csv", 1, 1, "DP601")]
    assert "'at'" in findings[0].message
    assert figures(measured, "refund").cases == 1


def test_jsonl_blank_and_malformed_lines_keep_the_line_numbers(org: Organisation, cases: Path) -> None:
    cases.mkdir()
    lines = [
        '{"case": "J1", "decision": "refund", "event": "received", "at": "2026-11-16T10:00", "inputs": {"amount": 5}}',
        "",
        '{"case": "J1", "decision": "refund", "event": "done", "stage": "intake", "at": "2026-11-17T12:00"}',
        '{"case": "J1", "decision": "refund", "event": "done", "stage": "answer", "at": "2026-11-18T12:00"',
        '{"case": "by", "decision": "refund", "event": "done", "stage": "answer", "at": "2026-11-18T12:00", "by": "x"}',
        '{"case": "J1", "decision": "refund", "event": "done", "stage": "answer", "at": "2026-11-18T12:00"}',
    ]
    (cases / "events.jsonl").write_text("\r\n".join(lines) + "\r\n", encoding="utf-8")
    measured, findings = measure(org, cases)
    assert where(findings) == [
        ("cases/events.jsonl", 4, 1, "DP601"),  # the closing brace is missing
        ("cases/events.jsonl", 5, 2, "DP604"),  # case 'by' has no received: at its case key
        ("cases/events.jsonl", 5, lines[4].index('"by":') + 1, "DP603"),  # the key, not the value "by"
    ]
    assert (figures(measured, "refund").on_time, figures(measured, "refund").cases) == (1, 1)


def test_a_csv_row_with_more_cells_than_the_header_is_one_finding(org: Organisation, cases: Path) -> None:
    cases.mkdir()
    (cases / "events.csv").write_text(
        "case,decision,event,stage,at,by,inputs\n"
        "R1,refund,received,,2026-11-16T10:00,,amount=500\n"
        "R1,refund,done,intake,2026-11-17T12:00,li-na\n"  # one cell short: by and inputs empty
        "R1,refund,done,answer,2026-11-18T12:00,li-na,,oops\n"
        "R2,refund,received,,2026-11-16T10:00,,amount=500;note=x;y=z\n",
        encoding="utf-8",
    )
    _, findings = measure(org, cases)
    assert where(findings)[:1] == [("cases/events.csv", 4, 8, "DP601")]
    assert "more cells than the header" in findings[0].message
    # R2's inputs are one cell, however many semicolons: the file is not taken for ';'-separated
    assert where(findings)[1:] == [("cases/events.csv", 5, 7, "DP601")]  # 'note' is no input


def test_a_column_the_record_does_not_have_is_named(org: Organisation, cases: Path) -> None:
    rows = [{**row, "stgae": row.pop("stage")} for row in good("GOOD")]
    write_csv(cases / "events.csv", rows, ("case", "decision", "event", "stgae", "at", "by", "inputs"))
    _, findings = measure(org, cases)
    assert where(findings)[0] == ("cases/events.csv", 1, 4, "DP601")
    assert "did you mean 'stage'?" in findings[0].message


def test_a_case_without_received_is_found_at_its_first_row(org: Organisation, cases: Path) -> None:
    # its rows are a.csv row 5 and b.csv row 2: the finding is at the first file's row, not
    # at a mix of the first file and the smallest row number
    write_csv(cases / "a.csv", [*good("A"), ev("N", "refund", "done", "2026-11-17T12:00", "intake", by="li-na")])
    write_csv(cases / "b.csv", [ev("N", "refund", "done", "2026-11-18T12:00", "answer", by="li-na")])
    _, findings = measure(org, cases)
    assert where(findings) == [("cases/a.csv", 5, 1, "DP604")]
    assert "no received event" in findings[0].message


def test_json_inputs_in_jsonl_and_csv(org: Organisation, cases: Path) -> None:
    cases.mkdir()
    head = '{"case": "J%d", "decision": "refund", "event": "received", "at": "2026-11-16T10:00", '
    lines = [head % 1 + '"inputs": {"amount": 500}}', head % 2 + '"inputs": {"amount": null}}']
    (cases / "a.jsonl").write_text("\n".join(lines), encoding="utf-8")
    write_csv(cases / "b.csv", [received("C1", inputs='{"amount": 5000}'), received("C2", inputs='{"amount": "x"')])
    measured, findings = measure(org, cases)
    assert [(w, f.message) for w, f in zip(where(findings), findings, strict=True)] == [
        (
            ("cases/a.jsonl", 2, lines[1].index('"inputs"') + 1, "DP601"),  # null: not given, not 'None'
            "the inputs cannot choose a path: the path depends on 'amount' (Amount), which the inputs do not give",
        ),
        (
            ("cases/b.csv", 3, 7, "DP601"),
            "the inputs cannot choose a path: inputs are not valid JSON (Expecting ',' delimiter at character 15)",
        ),
    ]
    assert measured.cases == 2


def test_an_empty_cell_is_one_finding(org: Organisation, cases: Path) -> None:
    cases.mkdir()
    (cases / "a.jsonl").write_text(
        '{"case": "E1", "decision": "", "event": "received", "at": "2026-11-16T10:00"}\n'
        '{"case": " ", "decision": "call", "event": "received", "at": "2026-11-16T10:00"}\n',
        encoding="utf-8",
    )
    _, findings = measure(org, cases)
    assert where(findings) == [("cases/a.jsonl", 1, 16, "DP601"), ("cases/a.jsonl", 2, 2, "DP601")]
    assert all("this cell is empty" in f.message for f in findings)
