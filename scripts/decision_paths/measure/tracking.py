"""What each tracking page shows, read from the measured record's tables (SPEC section 11).

Runs after ``measure.record`` has built ``verdict``, ``prom``, ``done`` and ``ev``:
for every case of a client decision that is open, or was answered or withdrawn in
the last TRACKING_DAYS, its path's steps with their promised due instants (pauses
included) and when each was done, and its pauses, delays and withdrawal with the
``client_note``. ``by`` and ``reason`` are never selected.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Mapping, Sequence

import duckdb

from decision_paths.measure.tables import micros
from decision_paths.model.cases import EventKind, Status
from decision_paths.model.organisation import Decision, Visibility
from decision_paths.model.timeline import answer_id
from decision_paths.model.tracking import TRACKING_DAYS, TrackedCase, TrackedEvent, TrackedStep

_US = 1_000_000
_SHOWN_EVENTS = (EventKind.PAUSED, EventKind.RESUMED, EventKind.DELAYED, EventKind.WITHDRAWN)


def _instant(us: int | None) -> dt.datetime | None:
    return None if us is None else dt.datetime(1970, 1, 1, tzinfo=dt.UTC) + dt.timedelta(microseconds=us)


def tracked_cases(
    con: duckdb.DuckDBPyConnection,
    decisions: Sequence[Decision],
    client: frozenset[str],
    epochs: Mapping[str, int],
    as_of: dt.datetime,
) -> tuple[TrackedCase, ...]:
    """``decisions``: the rules by version number (the record's ``version`` column);
    ``client``: the ids of the decisions on the client site today."""
    if not client:
        return ()
    since = micros(as_of) - TRACKING_DAYS * 86_400 * _US
    open_kinds = f"'{Status.OPEN.value}', '{Status.OPEN_LATE.value}'"
    con.execute(
        f"""
        CREATE OR REPLACE TEMP TABLE tracked AS
        SELECT key, "case", decision, version, received_us, status, promised_us,
               CASE WHEN status IN ('{Status.ON_TIME.value}', '{Status.LATE.value}') THEN answered_us END
                   AS answered_us,
               CASE WHEN status = '{Status.WITHDRAWN.value}' THEN withdrawn_us END AS withdrawn_us
        FROM verdict
        WHERE list_contains(?, decision)
          AND (status IN ({open_kinds})
               OR (status = '{Status.WITHDRAWN.value}' AND withdrawn_us >= {since})
               OR (status NOT IN ({open_kinds}) AND status <> '{Status.WITHDRAWN.value}' AND answered_us >= {since}))
        """,
        [sorted(client)],
    )
    steps: dict[int, list[tuple[int, str, int, int | None]]] = defaultdict(list)
    for key, pos, stage, due_us, done_us in con.execute(
        """
        SELECT p.key, p.pos, p.stage, p.due_us, d.done_us
        FROM prom p JOIN tracked t USING (key) LEFT JOIN done d ON d.key = p.key AND d.stage = p.stage
        ORDER BY p.key, p.pos
        """
    ).fetchall():
        steps[key].append((pos, stage, due_us, done_us))
    events: dict[int, list[TrackedEvent]] = defaultdict(list)
    kinds = [k.value for k in _SHOWN_EVENTS]
    for key, kind, stage, at_us, until_us, note in con.execute(
        """
        SELECT t.key, e.event, e.stage, e.at_us, e.until_us, e.client_note
        FROM ev e JOIN tracked t ON t."case" = e."case" AND t.decision = e.decision
        WHERE list_contains(?, e.event)
        ORDER BY t.key, e.at_us DESC, e.file DESC, e.row DESC
        """,
        [kinds],
    ).fetchall():
        at = _instant(at_us) or as_of  # ev holds only rows whose instant was read
        note_text = note.strip() if isinstance(note, str) and note.strip() else None
        events[key].append(TrackedEvent(kind, stage or None, at, _instant(until_us), note_text))
    found = []
    for key, case, decision_id, version, received_us, status, promised_us, answered_us, withdrawn_us in con.execute(
        'SELECT key, "case", decision, version, received_us, status, promised_us, answered_us, withdrawn_us '
        'FROM tracked ORDER BY decision, "case"'
    ).fetchall():
        rules = decisions[version]
        # no ``answer``: the path's last stage answers
        answer = answer_id(rules) or (steps[key][-1][1] if steps[key] else None)
        found.append(
            TrackedCase(
                case=case,
                decision=decision_id,
                epoch=epochs.get(case, 0),
                received=_instant(received_us) or as_of,
                status=status,
                promised=_instant(promised_us) or as_of,
                answered=_instant(answered_us),
                withdrawn=_instant(withdrawn_us),
                steps=tuple(
                    _step(rules, stage, due_us, done_us, stage == answer) for _, stage, due_us, done_us in steps[key]
                ),
                events=tuple(events[key]),
            )
        )
    con.execute("DROP TABLE tracked")
    return tuple(found)


def _step(rules: Decision, stage_id: str, due_us: int, done_us: int | None, is_answer: bool) -> TrackedStep:
    stage = rules.stages.get(stage_id)
    return TrackedStep(
        stage=stage_id,
        title=stage.title if stage is not None else stage_id,
        internal=stage is None or stage.visibility is Visibility.INTERNAL,
        due=_instant(due_us) or dt.datetime(1970, 1, 1, tzinfo=dt.UTC),
        done=_instant(done_us),
        is_answer=is_answer,
    )
