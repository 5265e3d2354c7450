"""What each tracking page shows, read from the measured record's tables (SPEC section 11).

``keep_tracked_events`` runs while ``ev`` is there, ``tracked_cases`` once ``verdict``
and ``done`` are: for every case of a client decision that is open, or was answered or withdrawn in
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
from decision_paths.model.tracking import TRACKING_DAYS, TrackedCase, TrackedEvent, TrackedStep, within_window

_US = 1_000_000
_SHOWN_EVENTS = (EventKind.PAUSED, EventKind.RESUMED, EventKind.DELAYED, EventKind.WITHDRAWN)


def _instant(us: int | None) -> dt.datetime | None:
    return None if us is None else dt.datetime(1970, 1, 1, tzinfo=dt.UTC) + dt.timedelta(microseconds=us)


def keep_tracked_events(con: duckdb.DuckDBPyConnection, client: frozenset[str], as_of: dt.datetime) -> None:
    """Before the record's big tables go: ``tracking_keys``, the cases of client decisions
    that may get a page (not closed, by their answer stage's done or a withdrawal, before
    the window: a superset of those the verdict keeps), and ``tracked_events``, their
    pauses, delays and withdrawals. Measuring keeps every step's due of those cases only."""
    since = micros(as_of) - TRACKING_DAYS * 86_400 * _US
    withdrawn, done = EventKind.WITHDRAWN.value, EventKind.DONE.value
    con.execute(
        f"""
        CREATE OR REPLACE TABLE tracking_keys AS
        WITH client_cases AS (SELECT key, "case", decision, path FROM cases WHERE list_contains($client, decision)),
        closed_before AS (
            SELECT DISTINCT c.key FROM client_cases c
            JOIN ev e ON e.ck = c.key AND e.at_us < {since}
            LEFT JOIN path_steps s ON s.path = c.path AND s.stage = e.stage AND s.is_answer
            WHERE e.event = '{withdrawn}' OR (e.event = '{done}' AND s.stage IS NOT NULL)
        )
        SELECT key, "case", decision FROM client_cases ANTI JOIN closed_before USING (key)
        """,
        {"client": sorted(client)},
    )
    con.execute(
        """
        CREATE OR REPLACE TABLE tracked_events AS
        SELECT t.key, e.event, e.stage, e.at_us, e.until_us, e.client_note, e.file, e.row
        FROM ev e JOIN tracking_keys t ON t.key = e.ck
        WHERE list_contains(?, e.event)
        """,
        [[k.value for k in _SHOWN_EVENTS]],
    )


def tracked_cases(
    con: duckdb.DuckDBPyConnection, decisions: Sequence[Decision], epochs: Mapping[str, int], as_of: dt.datetime
) -> tuple[TrackedCase, ...]:
    """The tracked cases, once ``verdict`` is known. ``decisions``: the rules by version number
    (the record's ``version`` column). Of the cases ``keep_tracked_events`` kept, those
    ``within_window`` keeps: open, or answered or withdrawn in the last TRACKING_DAYS."""
    con.execute(
        f"""
        CREATE OR REPLACE TEMP TABLE tracked AS
        SELECT key, "case", decision, version, received_us, status, promised_us,
               CASE WHEN status IN ('{Status.ON_TIME.value}', '{Status.LATE.value}') THEN answered_us END
                   AS answered_us,
               CASE WHEN status = '{Status.WITHDRAWN.value}' THEN withdrawn_us END AS withdrawn_us
        FROM verdict SEMI JOIN tracking_keys USING (key)
        """
    )
    steps: dict[int, list[tuple[int, str, int, int | None]]] = defaultdict(list)
    for key, pos, stage, due_us, done_us in con.execute(
        """
        SELECT p.key, p.pos, p.stage, p.due_us, d.done_us
        FROM tracked_steps p JOIN tracked t USING (key) LEFT JOIN done d ON d.key = p.key AND d.stage = p.stage
        ORDER BY p.key, p.pos
        """
    ).fetchall():
        steps[key].append((pos, stage, due_us, done_us))
    events: dict[int, list[TrackedEvent]] = defaultdict(list)
    for key, kind, stage, at_us, until_us, note in con.execute(
        """
        SELECT e.key, e.event, e.stage, e.at_us, e.until_us, e.client_note
        FROM tracked_events e SEMI JOIN tracked t USING (key)
        ORDER BY e.key, e.at_us DESC, e.file DESC, e.row DESC
        """
    ).fetchall():
        at = _instant(at_us) or as_of  # tracked_events holds only rows whose instant was read
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
    con.execute("DROP TABLE tracked; DROP TABLE tracked_steps; DROP TABLE tracked_events; DROP TABLE tracking_keys")
    return tuple(t for t in found if within_window(t.closed, as_of))


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
