"""Shared helpers: write a small organisation to a temporary folder and validate it."""

from __future__ import annotations

import contextlib
import datetime as dt
import signal
import textwrap
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings

from decision_paths.model.findings import Finding
from decision_paths.pipeline import Validation, validate_folder

REPO = Path(__file__).resolve().parent.parent
TODAY = dt.date(2026, 11, 23)

# Hypothesis: `ci` (the default, what `make test` runs) tries a hundred examples
# in a fixed order, so a run fails or passes the same way every time (the fuzz
# targets validate the whole sample per example: 200 cost twice as much, 6 s of CPU);
# `deep` (`make test-deep` and the nightly CI job) tries many thousands at random.
_FUZZ = {"deadline": None, "suppress_health_check": [HealthCheck.too_slow, HealthCheck.data_too_large]}
settings.register_profile("ci", max_examples=100, derandomize=True, print_blob=True, **_FUZZ)
settings.register_profile("deep", max_examples=5000, print_blob=True, **_FUZZ)
settings.load_profile("ci")


class TookTooLong(Exception):
    pass


@contextlib.contextmanager
def time_limit(seconds: float) -> Iterator[None]:
    """Fail the block if it runs longer than ``seconds``: a bound on runaway work, not a speed goal.

    The limits are generous (the bare work would take tens of seconds or run out
    of memory); speed goals are measured in benchmarks/.
    """

    def stop(signum: int, frame: object) -> None:
        raise TookTooLong(f"still running after {seconds} s")

    previous = signal.signal(signal.SIGALRM, stop)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


# A minimal organisation that validates clean; tests change one thing at a time.
SHARED = """\
people:
  li-na: {name: 李娜, email: li.na@example.com}
  wang-wei: {name: 王伟}
roles:
  account-manager: {title: 客户经理, held_by: [li-na]}
  delivery-lead: {title: Delivery lead, held_by: [wang-wei]}
calendars:
  shanghai: {country: CN, timezone: Asia/Shanghai}
"""

DECISION = """\
title: Scope change
summary: Work outside the contract.
owner: delivery-lead
reviewed: 2026-10-01
review_every: 180 days
inputs:
  effort-days: {label: Effort, type: number}
start: intake
stages:
  intake:
    title: Log it
    who: account-manager
    within: 1 business day
    next:
      - when: {effort-days: "<=20"}
        go: answer
      - otherwise: answer
  answer:
    title: Answer
    who: delivery-lead
    within: 4个工作小时
"""


class Org:
    """A decisions folder under tmp_path, written file by file."""

    def __init__(self, root: Path):
        self.root = root
        self.folder = root / "decisions"
        self.folder.mkdir()

    def write(self, relative: str, text: str) -> Path:
        path = self.folder / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text), encoding="utf-8")
        return path

    def write_bytes(self, relative: str, data: bytes) -> Path:
        path = self.folder / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
        return path

    def validate(self, today: dt.date = TODAY) -> Validation:
        return validate_folder(str(self.folder), today)

    def findings(self, today: dt.date = TODAY) -> list[Finding]:
        return list(self.validate(today).findings)

    def codes(self, today: dt.date = TODAY) -> list[tuple[str, str, int, int]]:
        """(code, file relative to the decisions folder, line, column) of every finding."""
        return [
            (f.rule.code, str(Path(f.loc.file).relative_to(self.folder)), f.loc.line, f.loc.column)
            for f in self.findings(today)
        ]


@pytest.fixture
def org(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Org:
    """A clean minimal organisation: _org.yaml plus sales/scope-change.yaml."""
    monkeypatch.chdir(tmp_path)
    made = Org(tmp_path)
    made.write("_org.yaml", SHARED)
    made.write("sales/scope-change.yaml", DECISION)
    return made


@pytest.fixture
def empty_org(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Org:
    monkeypatch.chdir(tmp_path)
    return Org(tmp_path)


# ---------------------------------------------------------------- one Chromium per test process

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
]


@pytest.fixture(scope="session")
def chromium() -> Iterator[object]:
    """Debian's Chromium driven by Playwright, started once per test process (each xdist
    worker) and shared by every browser test; each test opens contexts of its own.
    The test FAILS (never skips) when Chromium or Playwright is missing."""
    if not CHROMIUM.exists():
        pytest.fail(
            f"Chromium is not installed at {CHROMIUM}: run `make test` (it installs the browser)", pytrace=False
        )
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        pytest.fail("Playwright is not installed: run `make test` (pip install -e '.[test]')", pytrace=False)
    with sync_playwright() as playwright:
        try:
            launched = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        except Exception as err:
            pytest.fail(f"Chromium at {CHROMIUM} did not start: {err}", pytrace=False)
        try:
            yield launched
        finally:
            launched.close()
