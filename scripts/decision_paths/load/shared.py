"""The shared data: people, roles, calendars and defaults, from the files whose names start with '_'."""

from __future__ import annotations

import contextlib
import datetime as dt
import functools
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from decision_paths.load.reader import Broken, Reader
from decision_paths.load.rules import DUPLICATE_ID, INVALID_VALUE
from decision_paths.load.yamlsource import Map, Node, Seq
from decision_paths.model import fields as F
from decision_paths.model.findings import Loc, excerpt
from decision_paths.model.organisation import (
    WEEKDAYS,
    Away,
    BusinessHours,
    Calendar,
    Person,
    Ref,
    Role,
    Visibility,
)

_HOURS_RE = re.compile(r"^\s*(\d{1,2}):(\d{2})\s*-\s*(\d{1,2}):(\d{2})\s*$")

_FULL_DAYS = {d[:3]: d for d in ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")}


@dataclass
class SharedData:
    reader: Reader
    people: dict[str, Person] = field(default_factory=dict)
    roles: dict[str, Role] = field(default_factory=dict)
    calendars: dict[str, Calendar] = field(default_factory=dict)
    default_calendar: Ref | None = None
    categories: dict[str, str] = field(default_factory=dict)  # category -> title
    client_contact: str | None = None

    def add_file(self, root: Map) -> None:
        reader = self.reader
        self._keys_no_required(root)
        # each section: (key, kind, its table, how to read one entry); the tables hold different types
        sections: list[tuple[str, str, dict[str, Any], Callable[[str, Loc, Node], Any]]] = [
            ("people", "person", self.people, self._person),
            ("roles", "role", self.roles, self._role),
            ("calendars", "calendar", self.calendars, self._calendar),
        ]
        for key, kind, table, read in sections:
            node = root.get(key)
            if node is None:
                continue
            try:
                section = reader.mapping(node, f"'{key}'")
            except Broken:
                reader.incomplete = True
                continue
            for object_id, key_node, value in reader.entries(section, f"{kind} id"):
                self._define(
                    kind, table, object_id, key_node.loc, functools.partial(read, object_id, key_node.loc, value)
                )
        defaults = root.get("defaults")
        if defaults is not None:
            self._defaults(defaults)
        if root.get("categories") is not None:
            self._categories(root.get("categories"))
        if root.get("site") is not None:
            self._site(root.get("site"))

    def _categories(self, node: Node | None) -> None:
        r = self.reader
        body = r.optional(lambda: r.mapping(node, "categories"))
        for key_node, value in body.entries.values() if body is not None else ():
            category = r.optional(functools.partial(r.text, key_node, "category"))
            if category is None:
                continue
            title = r.optional(functools.partial(r.text, value, f"category '{category}' title"))
            if title is None:
                continue
            if category in self.categories:
                earlier = self.categories[category]
                r.add(DUPLICATE_ID, key_node.loc, f"category '{category}' already has a title: '{earlier}'")
                continue
            self.categories[category] = title

    def _site(self, node: Node | None) -> None:
        r = self.reader
        try:
            body = r.mapping(node, "site")
            r.keys(body, F.SITE, "site")
        except Broken:
            return
        contact = r.field(body, "client_contact", lambda n: r.text(n, "site client_contact"))
        if contact is None:
            return
        if self.client_contact is not None:
            r.add(DUPLICATE_ID, body.key_loc("client_contact"), "site client_contact is already set in another file")
            return
        self.client_contact = contact

    def _keys_no_required(self, root: Map) -> None:
        with contextlib.suppress(Broken):  # SHARED has no required keys
            self.reader.keys(root, F.SHARED, "a shared data file")

    def _define(self, kind: str, table: dict[str, Any], object_id: str, loc: Loc, read: Callable[[], object]) -> None:
        first = self._first_definition(object_id)
        if first is not None:
            first_kind, first_loc = first
            what = (
                f"{kind} '{object_id}' is already defined"
                if first_kind == kind
                else f"'{object_id}' is already defined as a {first_kind}"
            )
            self.reader.add(
                DUPLICATE_ID,
                loc,
                f"{what} at {first_loc}; ids of people and roles must be unique across all shared files",
            )
            return
        try:
            table[object_id] = read()
        except Broken:
            self.reader.incomplete = True

    def _first_definition(self, object_id: str) -> tuple[str, Loc] | None:
        for kind, table in (("person", self.people), ("role", self.roles), ("calendar", self.calendars)):
            if object_id in table:
                return kind, table[object_id].loc
        return None

    def _person(self, person_id: str, loc: Loc, node: Node) -> Person:
        r = self.reader
        what = f"person '{person_id}'"
        body = r.mapping(node, what)
        r.keys(body, F.PERSON, what, loc)
        return Person(
            id=person_id,
            loc=loc,
            name=r.text(body.get("name"), f"{what} name"),
            email=r.field(body, "email", lambda n: r.text(n, f"{what} email")),
            active=r.field_or(body, "active", lambda n: r.boolean(n, f"{what} active"), True),
            away=r.field(body, "away", lambda n: self._away(n, what)),
        )

    def _away(self, node: Node | None, what: str) -> Away:
        r = self.reader
        body = r.mapping(node, f"{what} away")
        r.keys(body, F.AWAY, f"{what} away", body.loc)
        start = r.date(body.get("from"), f"{what} away from")
        until = r.date(body.get("until"), f"{what} away until")
        if until < start:
            r.add(INVALID_VALUE, body.key_loc("until"), f"{what} away until {until} is before from {start}")
            raise Broken
        return Away(start, until, body.loc)

    def _role(self, role_id: str, loc: Loc, node: Node) -> Role:
        r = self.reader
        what = f"role '{role_id}'"
        body = r.mapping(node, what)
        r.keys(body, F.ROLE, what, loc)
        visibility = r.field(
            body, "visibility", lambda n: r.choice(n, f"{what} visibility", F.ROLE["visibility"].choices)
        )
        return Role(
            id=role_id,
            loc=loc,
            title=r.text(body.get("title"), f"{what} title"),
            held_by=r.field_or(body, "held_by", lambda n: r.idents(n, f"{what} held_by"), ()),
            backup=r.field_or(body, "backup", lambda n: r.idents(n, f"{what} backup"), ()),
            visibility=Visibility(visibility or "client"),
        )

    def _calendar(self, calendar_id: str, loc: Loc, node: Node) -> Calendar:
        r = self.reader
        what = f"calendar '{calendar_id}'"
        body = r.mapping(node, what)
        r.keys(body, F.CALENDAR, what, loc)
        country_node = body.get("country")
        timezone_node = body.get("timezone")
        return Calendar(
            id=calendar_id,
            loc=loc,
            country=Ref(r.text(country_node, f"{what} country"), country_node.loc),  # type: ignore[union-attr]
            timezone=Ref(r.text(timezone_node, f"{what} timezone"), timezone_node.loc),  # type: ignore[union-attr]
            subdivision=r.field(body, "subdivision", lambda n: Ref(r.text(n, f"{what} subdivision"), n.loc)),
            hours=self._hours(body.get("hours"), what)
            or BusinessHours(dt.timedelta(hours=9), dt.timedelta(hours=18), loc),
            workdays=self._workdays(body.get("workdays"), what),
            closed=frozenset(r.field(body, "closed", lambda n: self._dates(n, f"{what} closed")) or ()),
            open=frozenset(r.field(body, "open", lambda n: self._dates(n, f"{what} open")) or ()),
        )

    def _hours(self, node: Node | None, what: str) -> BusinessHours | None:
        if node is None:
            return None
        r = self.reader
        text = r.optional(lambda: r.text(node, f"{what} hours"))
        match = _HOURS_RE.match(text or "")
        if text is not None and match:
            h1, m1, h2, m2 = map(int, match.groups())
            if h1 < 24 and h2 <= 24 and m1 < 60 and m2 < 60 and (h1, m1) < (h2, m2) and (h2, m2) <= (24, 0):
                return BusinessHours(dt.timedelta(hours=h1, minutes=m1), dt.timedelta(hours=h2, minutes=m2), node.loc)
        if text is not None:
            r.add(
                INVALID_VALUE,
                node.loc,
                f"{what} hours '{excerpt(text)}' must be opening and closing time on one day, like \"09:00-18:00\"",
            )
        return None

    def _workdays(self, node: Node | None, what: str) -> frozenset[int]:
        if node is None:
            return frozenset(range(5))
        r = self.reader
        names = r.optional(lambda: r.texts(node, f"{what} workdays"))
        if names is None:
            return frozenset(range(5))
        days: set[int] = set()
        for name, item in zip(names, node.items, strict=True):  # type: ignore[union-attr]
            if name.lower()[:3] in WEEKDAYS and name.lower() in (name.lower()[:3], _FULL_DAYS.get(name.lower()[:3])):
                days.add(WEEKDAYS.index(name.lower()[:3]))
            else:
                r.add(INVALID_VALUE, item.loc, f"{what} workdays: '{name}' is not a weekday; use {', '.join(WEEKDAYS)}")
        return frozenset(days)

    def _dates(self, node: Node | None, what: str) -> tuple[dt.date, ...]:
        r = self.reader
        if not isinstance(node, Seq):
            r._wrong(node, what, "a list of dates")
            raise Broken
        return r._all(node.items, lambda item: r.date(item, f"{what} date"))

    def _defaults(self, node: Node) -> None:
        r = self.reader
        try:
            body = r.mapping(node, "defaults")
            r.keys(body, F.DEFAULTS, "defaults")
        except Broken:
            return
        calendar = body.get("calendar")
        if calendar is None:
            return
        ref = r.optional(lambda: r.ident(calendar, "defaults calendar"))
        if ref is None:
            return
        if self.default_calendar is not None:
            r.add(DUPLICATE_ID, ref.loc, f"defaults calendar is already set at {self.default_calendar.loc}")
            return
        self.default_calendar = ref
