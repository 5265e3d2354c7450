"""The units table (model/units.py): every row is whole, and every part of the
program that reads it (parsing, words, the timeline, the calculator data and
its JavaScript) handles every unit in it."""

from __future__ import annotations

import json
from decimal import Decimal

import pytest
from conftest import REPO, Org

from decision_paths.load.schema import decision_schema
from decision_paths.model import timeline as T
from decision_paths.model import words as W
from decision_paths.model.calendars import BusinessCalendar
from decision_paths.model.findings import Loc
from decision_paths.model.organisation import Decision
from decision_paths.model.timeline import due_instant, parse_start, path_for, timeline
from decision_paths.model.units import (
    MAX_AMOUNT,
    UNIT_WORDS,
    UNITS,
    DurationError,
    Kind,
    Unit,
    UnitSpec,
    parse_duration,
)
from decision_paths.plan.calculator import calendar_data, decision_data, duration_data
from decision_paths.plan.reference import format_reference

LOC = Loc("decisions/x.yaml", 3, 11)
JS = REPO / "scripts" / "decision_paths" / "render" / "assets" / "decision-paths-calculator.js"
SPEC_IDS = [spec.unit.name for spec in UNITS]
SPELLINGS = [(spec, word) for spec in UNITS for word in spec.spellings]


# ------------------------------------------------------------------ the table itself


def test_every_unit_has_exactly_one_row() -> None:
    assert [spec.unit for spec in UNITS] == list(Unit)
    assert all(unit.spec.unit is unit for unit in Unit)


def test_a_spelling_belongs_to_one_unit_only() -> None:
    assert len(UNIT_WORDS) == len(SPELLINGS)


@pytest.mark.parametrize("spec", UNITS, ids=SPEC_IDS)
def test_a_row_is_whole(spec: UnitSpec) -> None:
    assert spec.plural == spec.unit.value  # the English name is the one messages use
    assert spec.english and spec.chinese
    assert all(plural != singular for plural, singular in spec.english)
    assert isinstance(spec.kind, Kind) and spec.factor >= 1
    assert spec.max_amount > 0 and spec.nominal_hours > 0
    assert MAX_AMOUNT[spec.unit] == spec.max_amount


def test_sums_order_every_unit_once() -> None:
    assert sorted(spec.sum_order for spec in UNITS) == list(range(len(UNITS)))


# ------------------------------------------------------------------ parsing


@pytest.mark.parametrize(("spec", "word"), SPELLINGS, ids=[word for _, word in SPELLINGS])
def test_every_spelling_parses_to_its_unit(spec: UnitSpec, word: str) -> None:
    for text in (f"3 {word}", f"3{word}", f"  12 {word} "):
        duration = parse_duration(text, LOC)
        assert duration.unit is spec.unit and duration.amount in (3, 12)


@pytest.mark.parametrize(("spec", "word"), SPELLINGS, ids=[word for _, word in SPELLINGS])
def test_fractions_only_where_the_table_allows_them(spec: UnitSpec, word: str) -> None:
    if spec.fractional:
        assert parse_duration(f"1.5 {word}", LOC).amount == Decimal("1.5")
    else:
        with pytest.raises(DurationError, match="must be whole"):
            parse_duration(f"1.5 {word}", LOC)


@pytest.mark.parametrize("spec", UNITS, ids=SPEC_IDS)
def test_the_table_maximum_is_the_limit(spec: UnitSpec) -> None:
    assert parse_duration(f"{spec.max_amount} {spec.plural}", LOC).amount == spec.max_amount
    with pytest.raises(DurationError, match="longer than 10 years"):
        parse_duration(f"{spec.max_amount + 1} {spec.plural}", LOC)


@pytest.mark.parametrize("spec", UNITS, ids=SPEC_IDS)
def test_durations_print_the_table_names(spec: UnitSpec) -> None:
    assert str(parse_duration(f"1 {spec.chinese[0]}", LOC)) == f"1 {spec.singular}"
    assert str(parse_duration(f"2 {spec.chinese[0]}", LOC)) == f"2 {spec.plural}"


def test_schema_and_reference_name_every_unit() -> None:
    description = decision_schema()["$defs"]["duration"]["description"]
    reference = format_reference(W.words("en"))
    for spec, word in SPELLINGS:
        assert f"`N {word}`" in reference
        if word in spec.chinese or word in (plural for plural, _ in spec.english):
            assert word in description


# ------------------------------------------------------------------ words


@pytest.mark.parametrize("language", sorted(set(W._LANGUAGES)))
def test_every_unit_has_its_words_in_every_language(language: str) -> None:
    table = W._LANGUAGES[language]  # the language's own words, before the English fallback
    for spec in UNITS:
        singular, plural = spec.word_keys
        assert table[singular] and table[plural], (language, spec.unit)
    if not language.startswith("en"):
        assert all(table[spec.word_keys[1]] != spec.plural for spec in UNITS)  # translated, not copied


# ------------------------------------------------------------------ the timeline and the calculator data


def test_the_timeline_counts_every_kind() -> None:
    assert set(T._ARITHMETIC) == set(Kind)


@pytest.fixture
def shanghai(org: Org) -> BusinessCalendar:
    return BusinessCalendar(org.validate().org.calendars["shanghai"])


def test_a_kind_without_arithmetic_is_an_error_not_another_count(
    shanghai: BusinessCalendar, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delitem(T._ARITHMETIC, Kind.CALENDAR_DAYS)
    with pytest.raises(NotImplementedError, match="calendar days"):
        due_instant(parse_duration("2 weeks", LOC), parse_start("2026-11-23T10:00", shanghai), shanghai)


@pytest.mark.parametrize("start", ["2026-09-30T17:30", "2026-11-20T10:00", "2026-12-31T23:00"])
def test_a_unit_with_a_factor_counts_as_its_kind(shanghai: BusinessCalendar, start: str) -> None:
    received = parse_start(start, shanghai)
    for spec in UNITS:
        base = next(s for s in UNITS if s.kind is spec.kind and s.factor == 1)
        due = due_instant(parse_duration(f"2 {spec.plural}", LOC), received, shanghai)
        assert due == due_instant(parse_duration(f"{2 * spec.factor} {base.plural}", LOC), received, shanghai)


@pytest.mark.parametrize("spec", UNITS, ids=SPEC_IDS)
def test_calculator_data_gives_the_kind_and_the_amount_in_it(spec: UnitSpec) -> None:
    data = duration_data(parse_duration(f"3 {spec.plural}", LOC))
    assert data == {"kind": spec.kind.value, "amount": float(3 * spec.factor)}


def test_the_calculator_script_counts_every_kind_and_no_unit_name() -> None:
    source = JS.read_text(encoding="utf-8")
    for kind in Kind:
        assert f'case "{kind.value}":' in source
    assert "weeks" not in source and "stage.unit" not in source


# ------------------------------------------------------------------ the calculator in a browser

STARTS = [
    "2026-09-30T17:30",  # before the National Day holiday
    "2026-10-09T10:00",  # before the make-up Saturday of 10 October
    "2026-02-13T17:59",  # before the Spring Festival
    "2026-11-20T08:00",  # a Friday before opening
    "2026-12-31T10:00",  # New Year's Eve
]


def _one_decision_per_unit(org: Org) -> dict[Unit, Decision]:
    for spec in UNITS:
        amount = "1.5" if spec.fractional else "3"
        org.write(
            f"units/{spec.unit.name.lower().replace('_', '-')}.yaml",
            f"title: {spec.plural}\nsummary: One stage.\nowner: delivery-lead\nreviewed: 2026-10-01\n"
            f"review_every: 180 days\nstart: only\nstages:\n"
            f"  only: {{title: Only, who: account-manager, within: {amount} {spec.chinese[-1]}}}\n",
        )
    result = org.validate()
    assert not result.has_errors, [f.to_text() for f in result.findings]
    return {spec.unit: result.org.decisions[spec.unit.name.lower().replace("_", "-")] for spec in UNITS}


@pytest.fixture(scope="module")
def page(chromium):  # type: ignore[no-untyped-def]
    """A blank page of the session's Chromium (conftest.py) with the calculator's script."""
    context = chromium.new_context()
    opened = context.new_page()
    opened.set_content("<!doctype html><html><body></body></html>")
    opened.add_script_tag(content=JS.read_text(encoding="utf-8"))
    yield opened
    context.close()


RUN = """([data, starts]) => starts.map(s => {
  try { return window.DecisionPaths.timelineJson(data, s, {}); } catch (err) { return {error: String(err)}; }
})"""


@pytest.mark.browser
def test_the_browser_counts_every_unit_as_the_timeline_does(org: Org, shanghai: BusinessCalendar, page) -> None:  # type: ignore[no-untyped-def]
    for unit, decision in _one_decision_per_unit(org).items():
        data = {"decision": decision_data(decision), "calendar": calendar_data(shanghai, 2026)}
        for start, answer in zip(STARTS, page.evaluate(RUN, [data, STARTS]), strict=True):
            expected = timeline(decision, path_for(decision, {}), parse_start(start, shanghai), shanghai).to_json()
            expected["stages"] = [{k: s[k] for k in ("id", "received", "due")} for s in expected["stages"]]  # type: ignore[attr-defined]
            assert answer == expected, (unit, start, json.dumps(answer))


@pytest.mark.browser
def test_the_browser_refuses_a_kind_it_cannot_count(org: Org, shanghai: BusinessCalendar, page) -> None:  # type: ignore[no-untyped-def]
    decision = org.validate().org.decisions["scope-change"]
    data = {"decision": decision_data(decision), "calendar": calendar_data(shanghai, 2026)}
    data["decision"]["stages"]["intake"]["duration"] = {"kind": "fortnights", "amount": 1}  # type: ignore[index]
    (answer,) = page.evaluate(RUN, [data, ["2026-11-23T10:00"]])
    assert answer == {"error": "Error: the calculator cannot count durations of kind 'fortnights'"}
