"""The rule registry: every rule declared once, where it is reported, and none lost."""

from __future__ import annotations

import importlib
import pkgutil

import decision_paths
from decision_paths.checks import ALL_RULES, CHECK_MODULES, LATER_RULES, RULES_BY_CODE
from decision_paths.load import rules as load_rules
from decision_paths.model import cases as record_cases
from decision_paths.model.findings import Rule

# SPEC.md does not list the codes: this is the table as it stood when the rules
# moved out of model/findings.py. A code never changes meaning and is never reused,
# so a new rule adds a row here and nothing else changes.
EXPECTED = [
    ("DP001", "yaml-syntax", "error", "the file is not valid YAML"),
    ("DP002", "duplicate-key", "error", "a key appears twice in the same mapping"),
    ("DP003", "not-utf8", "error", "the file is not UTF-8 text"),
    ("DP004", "empty-file", "error", "the file holds no YAML document"),
    ("DP005", "not-a-mapping", "error", "the top level of the file is not a mapping of keys"),
    ("DP006", "alias-bomb", "error", "anchors and aliases expand beyond the allowed size"),
    ("DP007", "file-too-large", "error", "the file is larger than the allowed size"),
    ("DP008", "unsupported-tag", "error", "a YAML tag such as !!python/object is not allowed"),
    ("DP009", "too-deep", "error", "the YAML nests deeper than the allowed depth"),
    ("DP010", "link-outside", "error", "a symbolic link that leads outside the decisions folder (never read)"),
    ("DP011", "link-loop", "error", "a symbolic link that leads back into itself or a folder above it"),
    ("DP101", "unknown-key", "error", "a key that the format does not know"),
    ("DP102", "wrong-type", "error", "a value of the wrong type"),
    ("DP103", "missing-key", "error", "a required key is missing"),
    ("DP104", "invalid-id", "error", "an id that breaks the id rule ^[a-z0-9][a-z0-9_-]{0,63}$"),
    ("DP105", "invalid-duration", "error", "a duration that is not one of the accepted forms"),
    ("DP106", "duplicate-id", "error", "the same id is defined twice"),
    ("DP107", "invalid-value", "error", "a value outside the allowed set or format"),
    ("DP201", "unknown-role", "error", "a role or person id that does not exist"),
    ("DP202", "unknown-stage", "error", "a stage id that does not exist in this decision"),
    ("DP203", "unknown-calendar", "error", "a calendar id that does not exist"),
    ("DP204", "unknown-person", "error", "a person id that does not exist"),
    ("DP205", "inactive-person", "error", "a person marked active: false is still named"),
    ("DP206", "role-without-holder", "error", "a role with no holder is named by a stage"),
    ("DP207", "unknown-input", "error", "a condition names an input the decision does not declare"),
    ("DP208", "self-backup", "error", "a role named as its own backup"),
    ("DP209", "reserved-id", "error", "an id that the site uses for a page of its own, such as index"),
    ("DP210", "four-eyes", "error", "a person could act at a stage and at one it must be independent of"),
    ("DP211", "backup-loop", "warning", "roles that name each other as backups, in a loop"),
    ("DP301", "cycle", "error", "the stages form a loop"),
    ("DP302", "unreachable-stage", "error", "a stage that no path from start reaches"),
    ("DP303", "branch-gap", "error", "some combination of inputs matches no branch"),
    ("DP304", "branch-overlap", "error", "some combination of inputs matches two branches"),
    ("DP305", "condition-type", "error", "a condition that does not fit its input's type"),
    ("DP306", "unknown-option", "error", "a condition names an option its choice input does not have"),
    ("DP307", "unused-input", "error", "an input that no branch uses"),
    ("DP308", "misplaced-otherwise", "error", "otherwise is not the last branch"),
    ("DP401", "review-overdue", "warning", "the path is overdue for review"),
    ("DP402", "never-reviewed", "warning", "the decision has no reviewed date"),
    ("DP403", "idle-person", "warning", "a person who holds no role and approves nothing"),
    ("DP404", "approvers-away", "warning", "every approver of a stage is away today and nobody stands in"),
    ("DP405", "empty-role", "warning", "a role with no holder (not yet named by any stage)"),
    ("DP406", "no-holiday-data", "warning", "a timeline reaches a year with no official holiday data"),
    ("DP407", "reviewed-in-future", "warning", "a reviewed date after today"),
    ("DP408", "stand-in-twice", "warning", "in the next 30 days a stand-in would act twice on one request"),
    ("DP409", "escalates-to-approver", "warning", "a stage escalates to its own approver"),
    ("DP501", "broken-link", "error", "a page links to a page or anchor that does not exist (build --strict)"),
    ("DP601", "bad-case-row", "warning", "a row of the case record cannot be used"),
    ("DP602", "bare-date", "warning", "an instant in the case record is a date without a time"),
    (
        "DP603",
        "unknown-in-record",
        "warning",
        "the case record names a decision, stage or person that does not exist",
    ),
    ("DP604", "case-out-of-order", "warning", "a case's events contradict each other (done before received, ...)"),
    ("DP605", "bad-source-mapping", "warning", "the cases folder's _sources.yaml cannot map a file or column"),
    (
        "DP610",
        "bad-tracking-setting",
        "warning",
        "the cases folder's _tracking.yaml cannot be read: no tracking page is built until it is fixed",
    ),
]


def _declared_anywhere() -> dict[int, tuple[str, Rule]]:
    """Every Rule object bound at the top of any module of the package (module.NAME), by identity."""
    found: dict[int, tuple[str, Rule]] = {}
    for info in pkgutil.walk_packages(decision_paths.__path__, "decision_paths."):
        if info.name.endswith("__main__"):
            continue  # running it is the command line
        module = importlib.import_module(info.name)
        for name, value in vars(module).items():
            if isinstance(value, Rule):
                found.setdefault(id(value), (f"{info.name}.{name}", value))
    return found


def test_registry_is_the_table_of_codes_in_code_order() -> None:
    assert [(r.code, r.name, r.severity.value, r.summary) for r in ALL_RULES] == EXPECTED
    assert [r.code for r in ALL_RULES] == sorted(r.code for r in ALL_RULES)


def test_codes_and_names_are_unique() -> None:
    codes = [r.code for r in ALL_RULES]
    names = [r.name for r in ALL_RULES]
    assert len(set(codes)) == len(codes)
    assert len(set(names)) == len(names)
    assert {r.code: r for r in ALL_RULES} == RULES_BY_CODE


def test_every_rule_declared_anywhere_is_the_registered_object() -> None:
    registered = {id(rule) for rule in ALL_RULES}
    strays = [where for key, (where, _) in _declared_anywhere().items() if key not in registered]
    assert strays == []  # a rule made outside the registry, or declared twice


def test_every_module_table_is_in_the_registry() -> None:
    registered = {id(rule) for rule in ALL_RULES}
    tables = [load_rules.RULES, LATER_RULES, record_cases.RULES, *(module.RULES for module in CHECK_MODULES)]
    for table in tables:
        assert all(id(rule) in registered for rule in table)
        assert [r.code for r in table] == sorted(r.code for r in table)
    # and nothing registered is left out of every table
    assert registered == {id(rule) for table in tables for rule in table}
