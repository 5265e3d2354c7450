"""Property tests: whatever is in a file, the tool answers with findings, never
with a crash, and nothing in a file ever runs.

(a) random bytes and text go straight to the YAML reader;
(b) the real sample decisions, damaged the way people damage files (lines
    deleted, duplicated, swapped, re-indented; characters replaced; YAML
    special characters and dangerous tags inserted), go through the whole
    validation.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import io
import os
import shutil
import tempfile
from pathlib import Path

from conftest import REPO, TODAY
from hypothesis import given
from hypothesis import strategies as st

from decision_paths.checks import RULES_BY_CODE
from decision_paths.cli import main
from decision_paths.load import yamlsource
from decision_paths.pipeline import Validation, validate_folder

SAMPLE_FOLDER = REPO / "decisions"
SAMPLES = sorted(str(p.relative_to(SAMPLE_FOLDER)) for p in SAMPLE_FOLDER.rglob("*.yaml"))
SAMPLE_TEXT = {name: (SAMPLE_FOLDER / name).read_text(encoding="utf-8") for name in SAMPLES}
READER_CODES = {f"DP00{i}" for i in range(1, 10)} | {"DP102"}  # DP102: a key that is a list or mapping
MARKER = "@@MARKER@@"


def check_parsed(result: object, path: str, text: str) -> None:
    assert isinstance(result, yamlsource.ParsedFile)
    assert result.path == path
    if result.root is None:
        assert result.findings, "a file that gives no tree must say why"
    lines = sum(text.count(br) for br in ("\n", "\r", "\x85", "\u2028", "\u2029")) + 1  # YAML's line breaks
    for found in result.findings:
        assert found.rule.code in READER_CODES
        assert found.loc.file == path
        assert 1 <= found.loc.line <= lines + 1 and found.loc.column >= 1
        assert found.message


# ------------------------------------------------------------- (a) the reader

YAML_PIECES = [
    "title: ",
    "stages:",
    "  ",
    "    ",
    "- ",
    "? ",
    ": ",
    ", ",
    "[",
    "]",
    "{",
    "}",
    "&a ",
    "*a",
    "&b ",
    "*b",
    "<<: *a",
    "<<: [*a, *b]",
    "!!str ",
    "!!int ",
    "!!python/object/apply:os.system [x]",
    "!tag ",
    "!<tag:x> ",
    "|",
    ">-",
    "'",
    '"',
    "\\",
    "#",
    "%YAML 1.1\n",
    "%TAG ! tag:x,2000:\n",
    "---\n",
    "...\n",
    "\n",
    "\t",
    "~",
    "null",
    "yes",
    "no",
    "1.5",
    "0x1F",
    "0b102",
    "1_000",
    "2026-13-01",
    "2026-02-30 25:00:00",
    "12:30:00",
    ".inf",
    "-.nan",
    "李娜",
    "工作日",
    "\ufeff",
    "\u2028",
    "\x85",
    "@",
    "`",
    "%",
]

yaml_like = st.lists(st.one_of(st.sampled_from(YAML_PIECES), st.text(max_size=5)), max_size=60).map("".join)


@given(st.binary(max_size=3000))
def test_reader_never_raises_on_bytes(data):
    result = yamlsource.parse_bytes("f.yaml", data)
    check_parsed(result, "f.yaml", data.decode("utf-8", "replace"))


@given(st.text(max_size=2000))
def test_reader_never_raises_on_text(text):
    check_parsed(yamlsource.parse_text("f.yaml", text), "f.yaml", text)


@given(yaml_like)
def test_reader_never_raises_on_yaml_like_text(text):
    check_parsed(yamlsource.parse_text("f.yaml", text), "f.yaml", text)
    check_parsed(yamlsource.parse_bytes("f.yaml", text.encode("utf-8")), "f.yaml", text)


# ------------------------------------------------ (b) damaged sample decisions

INSERTS = [
    "&",
    "*",
    "!",
    "|",
    ">",
    "{",
    "}",
    "[",
    "]",
    "%",
    "@",
    "`",
    "#",
    ":",
    "-",
    "? ",
    ",",
    "'",
    '"',
    "\t",
    "\n",
    "&x ",
    "*x",
    "<<: *x",
    "<<: ",
    "~",
    "null",
    "yes",
    "no",
    "0",
    "-1",
    "1.5",
    "2026-13-01",
    "2026-02-30",
    "---\n",
    "...\n",
    "\ufeff",
    "\x00",
    "\x07",
    "李娜",
    "工作日",
    "  ",
    "    ",
    "a" * 70,
    "Intake",
    "effort_days",
    f'!!python/object/apply:os.system ["touch {MARKER}"]',
    f'!!python/object/apply:builtins.open ["{MARKER}", "w"]',
    f'!!python/object/new:builtins.open ["{MARKER}", "w"]',
    "!!python/name:os.system",
    "!!binary aGk=",
    "!!set {a}",
    "!local x",
]


@st.composite
def damaged_sample(draw) -> tuple[str, bytes]:
    name = draw(st.sampled_from(SAMPLES))
    lines = SAMPLE_TEXT[name].split("\n")
    for _ in range(draw(st.integers(1, 4))):
        kind = draw(
            st.sampled_from(["delete", "duplicate", "swap", "indent", "dedent", "replace", "insert", "insert-line"])
        )
        i = draw(st.integers(0, len(lines) - 1))
        line = lines[i]
        if kind == "delete" and len(lines) > 1:
            del lines[i]
        elif kind == "duplicate":
            lines.insert(i, line)
        elif kind == "swap":
            j = draw(st.integers(0, len(lines) - 1))
            lines[i], lines[j] = lines[j], lines[i]
        elif kind == "indent":
            lines[i] = "  " + line
        elif kind == "dedent":
            lines[i] = line[2:] if line.startswith("  ") else line.lstrip()
        elif kind == "replace" and line:
            at = draw(st.integers(0, len(line) - 1))
            char = draw(
                st.one_of(st.sampled_from(list("&*!|>{}[]%@:-#'\" \t")), st.characters(exclude_categories=("Cs",)))
            )
            lines[i] = line[:at] + char + line[at + 1 :]
        elif kind == "insert":
            at = draw(st.integers(0, len(line)))
            lines[i] = line[:at] + draw(st.sampled_from(INSERTS)) + line[at:]
        elif kind == "insert-line":
            lines.insert(i, " " * draw(st.sampled_from([0, 2, 4, 6])) + draw(st.sampled_from(INSERTS)))
    text = "\n".join(lines)
    data = text.encode("utf-8")
    if draw(st.booleans()) and draw(st.booleans()):  # now and then, damage the bytes too
        at = draw(st.integers(0, max(len(data) - 1, 0)))
        data = data[:at] + draw(st.binary(min_size=1, max_size=3)) + data[at + 1 :]
    return name, data


def check_validation(result: object, folder: Path) -> None:
    assert isinstance(result, Validation)
    for found in result.findings:
        assert found.rule is RULES_BY_CODE[found.rule.code]
        path = Path(found.loc.file)
        assert path.is_file() and folder in path.resolve().parents, found.to_text()
        lines = path.read_bytes().count(b"\n") + 1
        assert 1 <= found.loc.line <= lines + 1 and found.loc.column >= 1, found.to_text()
        assert found.to_text() and found.to_json()["message"]


@given(damaged_sample())
def test_damaged_sample_files_give_findings_never_errors(damaged):
    name, data = damaged
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp).resolve()
        folder = root / "decisions"
        shutil.copytree(SAMPLE_FOLDER, folder)
        marker = root / "pwned"
        (folder / name).write_bytes(data.replace(MARKER.encode(), str(marker).encode()))
        result = validate_folder(str(folder), TODAY)
        check_validation(result, folder)
        assert not marker.exists(), "a YAML tag ran code"
        assert sorted(os.listdir(root)) == ["decisions"], "validation wrote files next to the decisions folder"


@given(st.sampled_from(SAMPLES), st.sampled_from(SAMPLES), st.booleans())
def test_files_copied_across_kinds_give_findings_never_errors(source, target, as_yml):
    # A decision pasted into a shared file, a shared file pasted into a decision,
    # one decision's text under another's name or as .yml: all just findings.
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp).resolve() / "decisions"
        shutil.copytree(SAMPLE_FOLDER, folder)
        destination = folder / target
        if as_yml:
            destination.unlink()
            destination = destination.with_suffix(".yml")
        destination.write_text(SAMPLE_TEXT[source], encoding="utf-8")
        check_validation(validate_folder(str(folder), TODAY), folder)


# ------------------------------------------------ (c) timeline's arguments

TIMELINE_TEXT = st.one_of(
    st.text(max_size=30),
    st.datetimes(min_value=dt.datetime(1, 1, 1), max_value=dt.datetime(9999, 12, 31)).map(dt.datetime.isoformat),
    st.dates(min_value=dt.date(1, 1, 1), max_value=dt.date(9999, 12, 31)).map(dt.date.isoformat),
    st.sampled_from(["2026-03-29T01:30", "2026-10-25T01:30", "9999-12-31T23:59", "2026-02-30", "24:00", "+08:00"]),
)
SET_VALUES = st.one_of(
    st.text(max_size=12), st.integers().map(str), st.sampled_from(["yes", "no", "是", "否", "1e400"])
)


@given(start=TIMELINE_TEXT, amount=SET_VALUES, delivered=SET_VALUES)
def test_timeline_answers_or_gives_a_usage_error_never_a_traceback(start: str, amount: str, delivered: str) -> None:
    arguments = ["--decisions", str(SAMPLE_FOLDER), "timeline", "refund-request", "--start", start]
    arguments += ["--set", f"refund-amount={amount}", "--set", f"work-delivered={delivered}", "--format", "json"]
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            code = main(arguments)
        except SystemExit as stop:  # argparse and usage errors end this way
            code = stop.code
    assert code in (0, 2), err.getvalue()
    if code == 2:
        assert err.getvalue().strip().startswith(("decision-paths: error:", "usage:")), err.getvalue()
