"""Load step: a decisions folder -> the typed model, plus findings.

Everything the format itself rules out (unknown keys, wrong types, bad ids,
bad durations, ids defined twice) is found here, at the exact key or value.
Cross-references (does this role exist? is every branch covered?) are the
``checks`` step's job and read only the model.

One bad part does not hide the others: a decision with a part that cannot be
read is read as far as it goes and kept, not ``complete``, in
``Organisation.partial_decisions`` (see ``model.organisation``), so that the
checks still find a mistyped role in it in the same run.
"""

from __future__ import annotations

import contextlib
import functools
import os
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import TypeVar

from decision_paths.load.files import is_shared, is_yaml_path, scan_folder, walk_order
from decision_paths.load.reader import ID_RE, Broken, Reader
from decision_paths.load.rules import (
    CONDITION_TYPE,
    DUPLICATE_ID,
    INVALID_DURATION,
    INVALID_ID,
    INVALID_VALUE,
    MISPLACED_OTHERWISE,
    MISSING_KEY,
    WRONG_TYPE,
)
from decision_paths.load.shared import SharedData
from decision_paths.load.yamlsource import Map, Node, Scalar, Seq
from decision_paths.model import fields as F
from decision_paths.model.findings import Finding, Loc
from decision_paths.model.organisation import (
    Audience,
    Branch,
    ChoiceTest,
    Comparison,
    Condition,
    Decision,
    Defaults,
    Input,
    InputType,
    NumberTest,
    Organisation,
    Ref,
    Stage,
    Visibility,
    Who,
    WhoMode,
    YesNoTest,
)
from decision_paths.model.units import Duration, Unit

T = TypeVar("T")
_COMPARISON_RE = re.compile(r"^\s*(>=|<=|>|<|=)\s*(-?\d+(?:\.\d+)?)\s*$")


@dataclass(frozen=True, slots=True)
class LoadResult:
    org: Organisation
    findings: tuple[Finding, ...]
    # True when some file or decision could not be read in full (a decision read in
    # part is in org.partial_decisions), so checks that need the whole picture
    # (e.g. "this person approves nothing") hold back.
    incomplete: bool
    # True when some person, role or calendar could not be read: then an id
    # that seems unknown may just be in the broken part, so it is not reported.
    shared_incomplete: bool = False


def load_folder(folder: str, sources: Mapping[str, bytes] | None = None, refused: Sequence[Finding] = ()) -> LoadResult:
    """Load every file of a decisions folder; or, with ``sources`` (path -> content, e.g.
    read from a git revision), those contents as if they were the folder's files.
    ``refused``: what ``scan_folder`` would not read, when ``sources`` came from it."""
    if sources is None:
        scan = scan_folder(folder)
        files: list[str] = list(scan.files)
        refused = scan.refused
    else:
        files = sorted((p for p in sources if is_yaml_path(p, folder)), key=walk_order)
    reader = Reader(sources)
    reader.findings.extend(refused)
    reader.incomplete = reader.incomplete or bool(refused)
    shared = SharedData(reader)
    for path in files:
        if is_shared(path):
            root = reader.parse(path)
            if root is not None:
                shared.add_file(root)
    shared_incomplete = reader.incomplete
    decisions: dict[str, Decision] = {}
    partial: dict[str, Decision] = {}
    first_file: dict[str, str] = {}
    for path in files:
        if is_shared(path):
            continue
        decision_id = _decision_id(reader, path)
        root = reader.parse(path)
        if decision_id is None:
            continue
        if decision_id in first_file:
            reader.add(
                DUPLICATE_ID,
                Loc(path),
                f"decision id '{decision_id}' is already used by "
                f"{Loc(first_file[decision_id])}; decision ids come from file names and must be unique",
            )
            continue
        first_file[decision_id] = path
        if root is None:
            continue
        category = os.path.relpath(os.path.dirname(path), folder).replace(os.sep, "/")
        decision = DecisionReader(reader, path, decision_id, category if category != "." else "").read(root)
        if decision.complete:
            decisions[decision_id] = decision
        else:  # its findings are recorded; the checks judge what was read
            partial[decision_id] = decision
            reader.incomplete = True
    org = Organisation(
        people=shared.people,
        roles=shared.roles,
        calendars=shared.calendars,
        defaults=Defaults(shared.default_calendar),
        decisions=decisions,
        files=tuple(files),
        categories=shared.categories,
        client_contact=shared.client_contact,
        partial_decisions=partial,
    )
    return LoadResult(org, tuple(reader.findings), reader.incomplete, shared_incomplete)


def _decision_id(reader: Reader, path: str) -> str | None:
    stem = os.path.splitext(os.path.basename(path))[0]
    if ID_RE.match(stem):
        return stem
    suggestion = re.sub(r"[^a-z0-9_]+", "-", stem.lower()).strip("-_")[:64] or "my-decision"
    reader.add(
        INVALID_ID,
        Loc(path),
        f"the file name '{os.path.basename(path)}' is not a valid decision id "
        f"(lower-case letters, digits, '-' and '_'): rename it to '{suggestion}.yaml'",
    )
    reader.incomplete = True
    return None


class DecisionReader:
    """Reads one decision file. A part that cannot be read is named in the decision's
    ``unread`` fields and the rest is still read, so the checks can judge what was
    written correctly (a mistyped role in one stage while another's duration is bad)."""

    def __init__(self, reader: Reader, path: str, decision_id: str, category: str):
        self.r = reader
        self.path = path
        self.id = decision_id
        self.category = category
        self.unread: set[str] = set()
        self.unread_stages: set[str] = set()
        self.unread_inputs: set[str] = set()

    def must(self, part: str, unread: set[str], read: Callable[[], T]) -> T | None:
        """Read a required part; on a problem (its finding already recorded) name it in ``unread``."""
        try:
            return read()
        except Broken:
            unread.add(part)
            return None

    def read(self, root: Map) -> Decision:
        r = self.r
        what = f"decision '{self.id}'"
        with contextlib.suppress(Broken):  # a missing key: its own read below finds it unread
            r.keys(root, F.DECISION, what, Loc(self.path))
        part = functools.partial(self.must, unread=self.unread)
        title = part("title", read=lambda: r.text(root.get("title"), "title"))
        summary = part("summary", read=lambda: r.text(root.get("summary"), "summary"))
        owner = part("owner", read=lambda: r.ident(root.get("owner"), "owner"))
        start = part("start", read=lambda: r.ident(root.get("start"), "start"))
        inputs = part("inputs", read=lambda: self._inputs(root.get("inputs"))) if "inputs" in root.entries else {}
        stages = part("stages", read=lambda: self._stages(root.get("stages")))
        audience = r.field(root, "audience", lambda n: r.choice(n, "audience", F.DECISION["audience"].choices))
        reviewed = r.field(root, "reviewed", lambda n: r.date(n, "reviewed"))
        review_every = r.field(root, "review_every", self._review_every)
        category = r.field(root, "category", lambda n: r.text(n, "category"))
        calendar = r.field(root, "calendar", lambda n: r.ident(n, "calendar"))
        notes = r.field(root, "notes", lambda n: r.text(n, "notes"))
        client_notes = r.field(root, "client_notes", lambda n: r.text(n, "client_notes"))
        answer = r.field(root, "answer", lambda n: r.ident(n, "answer"))
        nowhere = Ref("", Loc(self.path))  # the stand-in for an unread owner or start
        return Decision(
            id=self.id,
            file=self.path,
            loc=Loc(self.path),
            category=category if category is not None else self.category,
            title=title if title is not None else "",
            summary=summary if summary is not None else "",
            owner=owner or nowhere,
            start=start or nowhere,
            stages=stages or {},
            audience=Audience(audience or "internal"),
            reviewed=reviewed,
            reviewed_loc=root.key_loc("reviewed") if "reviewed" in root.entries else None,
            review_every=review_every,
            calendar=calendar,
            inputs=inputs or {},
            notes=notes,
            client_notes=client_notes,
            answer=answer,
            unread=frozenset(self.unread),
            unread_stages=frozenset(self.unread_stages),
            unread_inputs=frozenset(self.unread_inputs),
        )

    def _review_every(self, node: Node) -> Duration:
        duration = self.r.duration(node, "review_every")
        if duration.unit not in (Unit.CALENDAR_DAYS, Unit.WEEKS):
            self.r.add(
                INVALID_DURATION,
                node.loc,
                f"review_every '{duration.text}' must be in days or weeks, e.g. 180 days or 26 weeks",
            )
            raise Broken
        return duration

    def _inputs(self, node: Node | None) -> dict[str, Input]:
        r = self.r
        body = r.mapping(node, "inputs")
        inputs: dict[str, Input] = {}
        for input_id, key_node, value in r.entries(body, "input id"):
            item = self.must(
                input_id, self.unread_inputs, functools.partial(self._input, input_id, key_node.loc, value)
            )
            if item is not None:
                inputs[input_id] = item
        if len(inputs) + len(self.unread_inputs) != len(body.entries):  # an id that is not an id
            self.unread.add("inputs")
        return inputs

    def _input(self, input_id: str, loc: Loc, node: Node) -> Input:
        r = self.r
        what = f"input '{input_id}'"
        body = r.mapping(node, what)
        r.keys(body, F.INPUT, what, loc)
        label = r.text(body.get("label"), f"{what} label")
        kind = InputType(r.choice(body.get("type"), f"{what} type", F.INPUT["type"].choices))
        options: tuple[str, ...] = ()
        labels: dict[str, str] = {}
        options_node = body.get("options")
        if kind is InputType.CHOICE:
            if options_node is None:
                r.add(
                    MISSING_KEY,
                    loc,
                    f"{what} is a choice: list its options, e.g. options: [fixed-price, time-and-materials]",
                )
                raise Broken
            if isinstance(options_node, Map):  # ids with the labels people read
                labels = r.labelled(options_node, f"{what} options")
                options = tuple(labels)
            else:
                options = r.texts(options_node, f"{what} options")
                seen: set[str] = set()
                for option, item in zip(options, options_node.items, strict=True):  # type: ignore[union-attr]
                    if option in seen:
                        r.add(INVALID_VALUE, item.loc, f"{what} option '{option}' is listed twice")
                    seen.add(option)
            if not options:
                r.add(INVALID_VALUE, options_node.loc, f"{what} options: list at least one option")
                raise Broken
        elif options_node is not None:
            r.add(
                INVALID_VALUE,
                body.key_loc("options"),
                f"{what} has options, but only a choice input can have them; set type: choice or remove options",
            )
        unit = r.field(body, "unit", lambda n: r.text(n, f"{what} unit"))
        if unit is not None and kind is not InputType.NUMBER:
            r.add(INVALID_VALUE, body.key_loc("unit"), f"{what} has a unit, but only a number input can have one")
            unit = None
        return Input(input_id, loc, label, kind, options, labels, unit)

    def _stages(self, node: Node | None) -> dict[str, Stage]:
        r = self.r
        body = r.mapping(node, "stages")
        if not body.entries:
            r.add(INVALID_VALUE, body.loc, "stages is empty: a decision needs at least one stage")
            raise Broken
        stages: dict[str, Stage] = {}
        for stage_id, key_node, value in r.entries(body, "stage id"):
            stage = self.must(
                stage_id, self.unread_stages, functools.partial(self._stage, stage_id, key_node.loc, value)
            )
            if stage is not None:
                stages[stage_id] = stage
        if len(stages) + len(self.unread_stages) != len(body.entries):  # an id that is not an id
            self.unread.add("stages")
        return stages

    def _stage(self, stage_id: str, loc: Loc, node: Node) -> Stage:
        r = self.r
        what = f"stage '{stage_id}'"
        body = r.mapping(node, what)
        with contextlib.suppress(Broken):  # a missing key: its own read below finds it unread
            r.keys(body, F.STAGE, what, loc)
        unread: set[str] = set()
        part = functools.partial(self.must, unread=unread)
        title = part("title", read=lambda: r.text(body.get("title"), f"{what} title"))
        who = part("who", read=lambda: self._who(body.get("who"), what))
        within = part("within", read=lambda: r.duration(body.get("within"), f"{what} within"))
        next_node = body.get("next")
        next_stage: Ref | None = None
        branches: tuple[Branch, ...] = ()
        if isinstance(next_node, Seq):
            branches = self._branches(next_node, what, unread)
        elif next_node is not None and not (isinstance(next_node, Scalar) and next_node.value is None):
            next_stage = part("next", read=lambda: r.ident(next_node, f"{what} next"))
        visibility = r.field(
            body, "visibility", lambda n: r.choice(n, f"{what} visibility", F.STAGE["visibility"].choices)
        )
        outcomes = r.field(body, "outcomes", lambda n: r.labelled(n, f"{what} outcomes")) or {}
        return Stage(
            id=stage_id,
            loc=loc,
            title=title if title is not None else "",
            who=who or Who(WhoMode.ONE, (), 1, loc),  # names nobody: no check finds anything in it
            within=within or Duration(Decimal(0), Unit.CALENDAR_DAYS, "", loc),
            does=r.field(body, "does", lambda n: r.text(n, f"{what} does")),
            escalate_to=r.field(body, "escalate_to", lambda n: r.ident(n, f"{what} escalate_to")),
            visibility=Visibility(visibility or "client"),
            next_stage=next_stage,
            branches=branches,
            next_loc=body.key_loc("next") if next_node is not None else None,
            outcomes=tuple(outcomes),
            outcome_labels={k: v for k, v in outcomes.items() if k != v},
            independent_of=r.field(body, "independent_of", lambda n: r.idents(n, f"{what} independent_of")) or (),
            pausable=r.field(body, "pausable", lambda n: r.boolean(n, f"{what} pausable")) or False,
            unread=frozenset(unread),
        )

    def _who(self, node: Node | None, what: str) -> Who:
        r = self.r
        if isinstance(node, Scalar):
            return Who(WhoMode.ONE, (r.ident(node, f"{what} who"),), 1, node.loc)
        forms = "an id, {all: [ids]}, {any: [ids]} or {at_least: N, of: [ids]}"
        if not isinstance(node, Map):
            r._wrong(node, f"{what} who", forms)
            raise Broken
        if "at_least" in node.entries or "of" in node.entries:
            table, mode = F.WHO_AT_LEAST, WhoMode.AT_LEAST
        elif "any" in node.entries:
            table, mode = F.WHO_ANY, WhoMode.ANY
        elif "all" in node.entries:
            table, mode = F.WHO_ALL, WhoMode.ALL
        else:
            r.add(WRONG_TYPE, node.loc, f"{what} who must be {forms}")
            raise Broken
        r.keys(node, table, f"{what} who", node.loc)
        list_key = "of" if mode is WhoMode.AT_LEAST else mode.value
        members = r.idents(node.get(list_key), f"{what} who {list_key}")
        if not members:
            r.add(INVALID_VALUE, node.key_loc(list_key), f"{what} who {list_key}: name at least one role or person")
            raise Broken
        seen: set[str] = set()
        for member in members:
            if member.id in seen:
                r.add(
                    INVALID_VALUE, member.loc, f"{what} who {list_key}: '{member.id}' is listed twice; name each once"
                )
            seen.add(member.id)
        if len(seen) < len(members):
            raise Broken
        needed = {WhoMode.ALL: len(members), WhoMode.ANY: 1}.get(mode)
        if needed is None:
            count = node.get("at_least")
            if not (isinstance(count, Scalar) and isinstance(count.value, int) and not isinstance(count.value, bool)):
                r._wrong(count, f"{what} who at_least", "a whole number")
                raise Broken
            needed = count.value
            if not 1 <= needed <= len(members):
                r.add(
                    INVALID_VALUE,
                    count.loc,
                    f"{what} who at_least: {needed} must be between 1 and the {len(members)} named in 'of'",
                )
                raise Broken
        return Who(mode, members, needed, node.loc)

    def _branches(self, node: Seq, what: str, unread: set[str]) -> tuple[Branch, ...]:
        """The branches that could be read; "next" is unread if any could not."""
        r = self.r
        if not node.items:
            r.add(INVALID_VALUE, node.loc, f"{what} next: an empty list; name the next stage or list branches")
            unread.add("next")
            return ()
        read = [self.must("next", unread, functools.partial(self._branch, item, what)) for item in node.items]
        for branch in read[:-1]:
            if branch is not None and branch.otherwise:
                r.add(
                    MISPLACED_OTHERWISE,
                    branch.loc,
                    f"{what}: 'otherwise' must be the last branch; branches after it could never be taken",
                )
        return tuple(branch for branch in read if branch is not None)

    def _branch(self, node: Node, what: str) -> Branch:
        r = self.r
        body = r.mapping(node, f"{what} branch")
        r.keys(body, F.BRANCH, f"{what} branch", body.loc)
        if "otherwise" in body.entries:
            for key in ("when", "go"):
                if key in body.entries:
                    r.add(
                        INVALID_VALUE,
                        body.key_loc(key),
                        f"{what} branch: an 'otherwise' item has no '{key}'; "
                        "write it as its own item: - otherwise: STAGE",
                    )
                    raise Broken
            return Branch((), r.ident(body.get("otherwise"), f"{what} otherwise"), body.loc, otherwise=True)
        for key in ("when", "go"):
            if key not in body.entries:
                r.add(
                    MISSING_KEY,
                    body.loc,
                    f"{what} branch is missing '{key}': each item is "
                    "{when: {input: condition}, go: stage} or {otherwise: stage}",
                )
                raise Broken
        when = r.mapping(body.get("when"), f"{what} when")
        if not when.entries:
            r.add(INVALID_VALUE, when.loc, f"{what} when: name at least one input and its condition")
            raise Broken
        conditions = r._all(tuple(when.entries.values()), lambda entry: self._condition(entry, what))  # type: ignore[arg-type]
        return Branch(conditions, r.ident(body.get("go"), f"{what} go"), body.loc)

    def _condition(self, entry: tuple[Scalar, Node], what: str) -> Condition:
        key, value = entry
        input_ref = self.r.ident(key, f"{what} when: input")
        return Condition(input_ref, self._test(value, f"{what} when {input_ref.id}"), value.loc)

    def _test(self, node: Node, what: str) -> NumberTest | ChoiceTest | YesNoTest:
        r = self.r
        items = node.items if isinstance(node, Seq) else (node,)
        if not items or not all(isinstance(item, Scalar) and item.value is not None for item in items):
            r._wrong(node, what, 'a comparison like ">=10000", an option, a list of them, or true/false')
            raise Broken
        scalars: tuple[Scalar, ...] = items  # type: ignore[assignment]
        if all(isinstance(s.value, bool) for s in scalars):
            if len(scalars) != 1:
                r.add(CONDITION_TYPE, node.loc, f"{what}: a yes-no condition is one value, true or false")
                raise Broken
            return YesNoTest(bool(scalars[0].value))
        matches = [(_COMPARISON_RE.match(s.text) if isinstance(s.value, str) else None) for s in scalars]
        if all(matches):
            return NumberTest(tuple(Comparison(m.group(1), Decimal(m.group(2))) for m in matches if m))
        if any(matches) or any(isinstance(s.value, bool) for s in scalars):
            r.add(
                CONDITION_TYPE,
                node.loc,
                f"{what}: mixes comparisons, options and true/false; use one kind of condition per input",
            )
            raise Broken
        return ChoiceTest(tuple(Ref(s.text, s.loc) for s in scalars))
