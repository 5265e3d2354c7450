"""JSON Schemas for decision files and shared files, made from ``fields``.

Editors with the YAML language server read them (the ``# yaml-language-server:
$schema=...`` line) to autocomplete keys and flag typos while typing. The
copies in ``schema/`` are regenerated with ``python -m decision_paths.load.schema``;
a test fails when they differ from what this module makes.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

from decision_paths.model import fields as F
from decision_paths.model.organisation import WEEKDAYS
from decision_paths.model.units import PATTERN as DURATION_PATTERN
from decision_paths.model.units import UNITS

SCHEMA_DRAFT = "http://json-schema.org/draft-07/schema#"
DATE_PATTERN = r"^\d{4}-\d{2}-\d{2}$"
HOURS_PATTERN = r"^\s*\d{1,2}:\d{2}\s*-\s*\d{1,2}:\d{2}\s*$"

Schema = dict[str, Any]


def _ref(name: str) -> Schema:
    return {"$ref": f"#/$defs/{name}"}


def _object(table: dict[str, F.Field], description: str | None = None) -> Schema:
    schema: Schema = {"type": "object"}
    if description:
        schema["description"] = description
    schema["properties"] = {f.key: {**_value(f), "description": f.description} for f in table.values()}
    required = [f.key for f in table.values() if f.required]
    if required:
        schema["required"] = required
    schema["additionalProperties"] = False
    return schema


def _id_map(item: str) -> Schema:
    return {"type": "object", "propertyNames": _ref("id"), "additionalProperties": _ref(item)}


def _value(field: F.Field) -> Schema:
    kinds: dict[str, Schema] = {
        "text": {"type": "string"},
        "markdown": {"type": "string"},
        "nullable-text": {"type": ["string", "null"]},
        "id": _ref("id"),
        "ids": {"type": "array", "items": _ref("id")},
        "texts": {"type": "array", "items": {"type": "string"}},
        "labelled": {
            "oneOf": [
                {"type": "array", "items": {"type": "string"}},
                {"type": "object", "additionalProperties": {"type": "string"}},
            ]
        },
        "categories": {"type": "object", "additionalProperties": {"type": "string"}},
        "site": _ref("site"),
        "date": _ref("date"),
        "dates": {"type": "array", "items": _ref("date")},
        "duration": _ref("duration"),
        "bool": {"type": "boolean"},
        "count": {"type": "integer", "minimum": 1},
        "enum": {"enum": list(field.choices)},
        "weekdays": {"type": "array", "items": {"enum": list(WEEKDAYS)}},
        "hours": {"type": "string", "pattern": HOURS_PATTERN},
        "inputs": _id_map("input"),
        "stages": _id_map("stage"),
        "who": _ref("who"),
        "next": _ref("next"),
        "conditions": _ref("conditions"),
        "away": _ref("away"),
        "people": _id_map("person"),
        "roles": _id_map("role"),
        "calendars": _id_map("calendar"),
        "defaults": _ref("defaults"),
    }
    return dict(kinds[field.kind])


def _common_defs() -> dict[str, Schema]:
    return {
        "id": {
            "type": "string",
            "pattern": F.ID_PATTERN,
            "description": "Lower-case letters, digits, '-' and '_', at most 64, starting with a letter or digit.",
        },
        "date": {"type": "string", "pattern": DATE_PATTERN, "description": "A date, YYYY-MM-DD."},
        "duration": {
            "type": "string",
            "pattern": DURATION_PATTERN,
            "description": f"N {' | '.join(plural for spec in UNITS for plural, _ in spec.english)}, "
            f"or {' '.join(word for spec in UNITS for word in spec.chinese)}.",
        },
    }


def decision_schema() -> Schema:
    condition: Schema = {
        "oneOf": [
            {"type": "string"},
            {"type": "boolean"},
            {"type": "number"},
            {"type": "array", "minItems": 1, "items": {"type": ["string", "number"]}},
        ],
        "description": 'number: ">=10000" or a list of comparisons; choice: an option or a list; yes-no: true/false.',
    }
    defs = _common_defs() | {
        "input": _object(F.INPUT)
        | {
            "if": {"properties": {"type": {"const": "choice"}}},
            "then": {"required": ["options"]},
        },
        "stage": _object(F.STAGE),
        "who": {
            "oneOf": [
                _ref("id"),
                _object(F.WHO_ALL),
                _object(F.WHO_ANY),
                _object(F.WHO_AT_LEAST),
            ]
        },
        "next": {
            "oneOf": [
                _ref("id"),
                {
                    "type": "array",
                    "minItems": 1,
                    "items": {
                        "oneOf": [
                            _object({k: F.BRANCH[k] for k in ("when", "go")}) | {"required": ["when", "go"]},
                            _object({"otherwise": F.BRANCH["otherwise"]}) | {"required": ["otherwise"]},
                        ]
                    },
                },
            ]
        },
        "conditions": {
            "type": "object",
            "minProperties": 1,
            "propertyNames": _ref("id"),
            "additionalProperties": condition,
        },
    }
    return {
        "$schema": SCHEMA_DRAFT,
        "$id": "decision.schema.json",
        "title": "Decision Paths: a decision",
        **_object(F.DECISION, "One decision path: who decides, at which stage, within what time."),
        "$defs": defs,
    }


def shared_schema() -> Schema:
    defs = _common_defs() | {
        "person": _object(F.PERSON),
        "away": _object(F.AWAY),
        "role": _object(F.ROLE),
        "calendar": _object(F.CALENDAR),
        "defaults": _object(F.DEFAULTS),
        "site": _object(F.SITE),
    }
    return {
        "$schema": SCHEMA_DRAFT,
        "$id": "shared.schema.json",
        "title": "Decision Paths: shared data",
        **_object(F.SHARED, "People, roles, calendars, category titles, site settings and defaults."),
        "$defs": defs,
    }


SCHEMAS = {"decision.schema.json": decision_schema, "shared.schema.json": shared_schema}


def render(name: str) -> str:
    return json.dumps(SCHEMAS[name](), ensure_ascii=False, indent=2) + "\n"


def write(folder: Path) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    for name in SCHEMAS:
        (folder / name).write_text(render(name), encoding="utf-8")


if __name__ == "__main__":
    write(Path(sys.argv[1] if len(sys.argv) > 1 else "schema"))
