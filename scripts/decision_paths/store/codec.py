"""One JSON mechanism for everything kept between builds: typed dataclasses in, the
same dataclasses out, or nothing when the stored data does not fit the type."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Generic, TypeVar

import msgspec

T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class Stored(Generic[T]):
    key: str  # the entry's key again: a file copied under another name is not taken for it
    value: T


def encode(key: str, value: object) -> bytes:
    return msgspec.json.encode(Stored(key, value))


def canonical(value: object) -> bytes:
    """``value`` as JSON with mapping keys sorted: equal values, equal bytes (for cache keys)."""
    return msgspec.json.encode(value, order="deterministic")


def decode(data: bytes, key: str, kind: type[T]) -> T | None:
    """The value ``encode`` stored under ``key``, checked against ``kind`` field by field;
    None for damaged, planted or outdated data (never code: JSON only, no pickles)."""
    try:
        stored = msgspec.json.decode(data, type=Stored[kind])  # type: ignore[valid-type]
    except (msgspec.ValidationError, msgspec.DecodeError):
        return None
    return stored.value if stored.key == key else None
