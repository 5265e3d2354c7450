"""The JSON Schemas that editors use: committed copies are current, the sample
files pass them, they know exactly the keys the loader knows, and what the
loader refuses for an unknown or missing key the editor flags too.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import jsonschema
import pytest
import yaml
from conftest import DECISION, REPO, SHARED

from decision_paths.load import schema
from decision_paths.load.decisions import load_folder
from decision_paths.model import fields as F
from decision_paths.model.findings import Loc
from decision_paths.model.units import parse_duration

SAMPLES = sorted(p for p in (REPO / "decisions").rglob("*") if p.suffix in (".yaml", ".yml"))
SCHEMA_DIR = REPO / "schema"


def schema_for(path: Path) -> str:
    return "shared.schema.json" if path.name.startswith("_") else "decision.schema.json"


def load_schema(name: str) -> dict:
    return json.loads((SCHEMA_DIR / name).read_text(encoding="utf-8"))


def as_json(text: str) -> object:
    """YAML -> what an editor's schema check sees (dates as strings)."""
    return json.loads(json.dumps(yaml.safe_load(text), default=str))


def schema_errors(name: str, text: str) -> list[str]:
    validator = jsonschema.Draft7Validator(load_schema(name))
    return [error.message for error in validator.iter_errors(as_json(text))]


def test_samples_exist():
    assert len([p for p in SAMPLES if not p.name.startswith("_")]) >= 6
    assert any(p.name.startswith("_") for p in SAMPLES)


@pytest.mark.parametrize("name", sorted(schema.SCHEMAS))
def test_committed_schema_is_current(name):
    committed = (SCHEMA_DIR / name).read_text(encoding="utf-8")
    assert committed == schema.render(name), f"schema/{name} is out of date: run `make schema`"


@pytest.mark.parametrize("name", sorted(schema.SCHEMAS))
def test_schema_is_a_valid_draft7_schema(name):
    jsonschema.Draft7Validator.check_schema(load_schema(name))


@pytest.mark.parametrize("path", SAMPLES, ids=[str(p.relative_to(REPO / "decisions")) for p in SAMPLES])
def test_every_sample_file_passes_its_schema(path):
    assert schema_errors(schema_for(path), path.read_text(encoding="utf-8")) == []


@pytest.mark.parametrize("path", SAMPLES, ids=[str(p.relative_to(REPO / "decisions")) for p in SAMPLES])
def test_every_sample_file_names_its_schema_on_the_first_line(path):
    first = path.read_text(encoding="utf-8").splitlines()[0]
    match = re.fullmatch(r"# yaml-language-server: \$schema=(\S+)", first)
    assert match, f"{path.name}: first line is {first!r}"
    target = match.group(1)
    assert not target.startswith(("/", "http")), "the schema path must be relative, so it works in every clone"
    resolved = (path.parent / target).resolve()
    assert resolved == (SCHEMA_DIR / schema_for(path)).resolve()
    assert resolved.is_file()


# ------------------------------------------------- the schema and the loader agree


def _object_tables() -> list[tuple[str, dict[str, F.Field], dict]]:
    decision, shared = load_schema("decision.schema.json"), load_schema("shared.schema.json")
    d, s = decision["$defs"], shared["$defs"]
    who = {tuple(sorted(alt.get("properties", {}))): alt for alt in d["who"]["oneOf"]}
    _branch_when, _branch_otherwise = d["next"]["oneOf"][1]["items"]["oneOf"]
    return [
        ("DECISION", F.DECISION, decision),
        ("STAGE", F.STAGE, d["stage"]),
        ("INPUT", F.INPUT, d["input"]),
        ("WHO_ALL", F.WHO_ALL, who[("all",)]),
        ("WHO_ANY", F.WHO_ANY, who[("any",)]),
        ("WHO_AT_LEAST", F.WHO_AT_LEAST, who[("at_least", "of")]),
        ("SHARED", F.SHARED, shared),
        ("PERSON", F.PERSON, s["person"]),
        ("AWAY", F.AWAY, s["away"]),
        ("ROLE", F.ROLE, s["role"]),
        ("CALENDAR", F.CALENDAR, s["calendar"]),
        ("DEFAULTS", F.DEFAULTS, s["defaults"]),
    ]


@pytest.mark.parametrize("name, table, node", _object_tables(), ids=[t[0] for t in _object_tables()])
def test_schema_object_has_exactly_the_loaders_keys(name, table, node):
    assert list(node["properties"]) == list(table)
    assert node.get("required", []) == [f.key for f in table.values() if f.required]
    assert node["additionalProperties"] is False
    for key, field in table.items():
        if field.choices:
            assert node["properties"][key]["enum"] == list(field.choices)


def test_branch_items_together_have_exactly_the_branch_keys():
    items = load_schema("decision.schema.json")["$defs"]["next"]["oneOf"][1]["items"]["oneOf"]
    keys = [key for item in items for key in item["properties"]]
    assert sorted(keys) == sorted(F.BRANCH)
    assert [item["required"] for item in items] == [["when", "go"], ["otherwise"]]
    assert all(item["additionalProperties"] is False for item in items)


def test_schema_id_pattern_is_the_loaders():
    for name in schema.SCHEMAS:
        assert load_schema(name)["$defs"]["id"]["pattern"] == F.ID_PATTERN


@pytest.mark.parametrize(
    "text",
    [
        "1 business day",
        "3个工作日",
        "2 个工作日",
        "4 business hours",
        "1.5 hours",
        "1.5 个工作小时",
        "2 calendar days",
        "5 days",
        "3天",
        "1个自然日",
        "24 hours",
        "24小时",
        "1 week",
        "1周",
        "2个星期",
    ],
)
def test_schema_duration_pattern_accepts_what_the_loader_accepts(text):
    parse_duration(text, Loc("x"))
    assert re.search(load_schema("decision.schema.json")["$defs"]["duration"]["pattern"], text)


@pytest.mark.parametrize("text", ["3 months", "three days", "3 workdays", "", "三个工作日"])
def test_schema_duration_pattern_refuses_unknown_forms(text):
    assert not re.search(load_schema("decision.schema.json")["$defs"]["duration"]["pattern"], text)


def _replace(text: str, old: str, new: str) -> str:
    assert old in text, f"test setup: {old!r} not in the text"
    return text.replace(old, new, 1)


REFUSED = [
    ("decision.schema.json", "DP101", _replace(DECISION, "summary:", "sumary:")),
    (
        "decision.schema.json",
        "DP101",
        _replace(DECISION, "    who: account-manager\n", "    who: account-manager\n    aprovers: [li-na]\n"),
    ),
    (
        "decision.schema.json",
        "DP101",
        _replace(DECISION, "{label: Effort, type: number}", "{label: Effort, type: number, units: days}"),
    ),
    ("decision.schema.json", "DP101", _replace(DECISION, "who: account-manager", "who: {all: [li-na], every: true}")),
    ("decision.schema.json", "DP101", _replace(DECISION, "      - otherwise: answer", "      - otherwize: answer")),
    ("decision.schema.json", "DP103", _replace(DECISION, "owner: delivery-lead\n", "")),
    ("decision.schema.json", "DP103", _replace(DECISION, "    within: 4个工作小时\n", "")),
    ("decision.schema.json", "DP103", _replace(DECISION, "who: account-manager", "who: {at_least: 1}")),
    ("decision.schema.json", "DP103", _replace(DECISION, "        go: answer\n", "")),
    (
        "decision.schema.json",
        "DP103",
        _replace(DECISION, "{label: Effort, type: number}", "{label: Effort, type: choice}"),
    ),
    ("shared.schema.json", "DP101", _replace(SHARED, "roles:", "rolls:")),
    ("shared.schema.json", "DP101", _replace(SHARED, "{name: 王伟}", "{name: 王伟, phone: 123}")),
    ("shared.schema.json", "DP103", _replace(SHARED, "{name: 王伟}", "{email: w@example.com}")),
    ("shared.schema.json", "DP103", _replace(SHARED, "{country: CN, timezone: Asia/Shanghai}", "{country: CN}")),
    (
        "shared.schema.json",
        "DP103",
        _replace(SHARED, "{title: Delivery lead, held_by: [wang-wei]}", "{title: Delivery lead}"),
    ),
]
REFUSED_IDS = [
    "decision-key-typo",
    "stage-aprovers",
    "input-unknown-key",
    "who-unknown-key",
    "branch-key-typo",
    "no-owner",
    "stage-without-within",
    "at-least-without-of",
    "branch-without-go",
    "choice-input-without-options",
    "shared-key-typo",
    "person-unknown-key",
    "person-without-name",
    "calendar-without-timezone",
    "role-without-held-by",
]


@pytest.mark.parametrize("schema_name, code, text", REFUSED, ids=REFUSED_IDS)
def test_what_the_loader_refuses_for_keys_the_schema_refuses(tmp_path, schema_name, code, text):
    folder = tmp_path / "decisions"
    folder.mkdir()
    shared, decision = (text, DECISION) if schema_name == "shared.schema.json" else (SHARED, text)
    (folder / "_org.yaml").write_text(shared, encoding="utf-8")
    (folder / "scope-change.yaml").write_text(decision, encoding="utf-8")
    loaded = load_folder(str(folder))
    assert code in [f.rule.code for f in loaded.findings], "test setup: the loader accepts this"
    assert schema_errors(schema_name, text), "the editor's schema accepts what the loader refuses"


def test_the_clean_fixture_passes_the_schemas():
    assert schema_errors("decision.schema.json", DECISION) == []
    assert schema_errors("shared.schema.json", SHARED) == []


def test_schema_flags_a_bad_id_and_a_bad_duration():
    assert schema_errors("decision.schema.json", _replace(DECISION, "  intake:", "  Intake:"))
    assert schema_errors("decision.schema.json", _replace(DECISION, "within: 1 business day", "within: 3 workdays"))
    assert schema_errors("decision.schema.json", DECISION + "audience: public\n")
