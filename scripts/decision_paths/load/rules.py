"""The rules the load step reports: what the file format itself rules out.

One table for the whole step, since most of these are reported by several of its
modules (``wrong-type`` by the YAML reader, the value reader and the decision
reader alike). The checks import the few they report as well (``missing-key``,
``invalid-value``, ``condition-type``) rather than declaring them again.
"""

from __future__ import annotations

from decision_paths.model.findings import Rule, Severity

E = Severity.ERROR

# Files and YAML (yamlsource, files, reader)
YAML_SYNTAX = Rule("DP001", "yaml-syntax", E, "the file is not valid YAML")
DUPLICATE_KEY = Rule("DP002", "duplicate-key", E, "a key appears twice in the same mapping")
NOT_UTF8 = Rule("DP003", "not-utf8", E, "the file is not UTF-8 text")
EMPTY_FILE = Rule("DP004", "empty-file", E, "the file holds no YAML document")
NOT_A_MAPPING = Rule("DP005", "not-a-mapping", E, "the top level of the file is not a mapping of keys")
ALIAS_BOMB = Rule("DP006", "alias-bomb", E, "anchors and aliases expand beyond the allowed size")
FILE_TOO_LARGE = Rule("DP007", "file-too-large", E, "the file is larger than the allowed size")
UNSUPPORTED_TAG = Rule("DP008", "unsupported-tag", E, "a YAML tag such as !!python/object is not allowed")
TOO_DEEP = Rule("DP009", "too-deep", E, "the YAML nests deeper than the allowed depth")
LINK_OUTSIDE = Rule("DP010", "link-outside", E, "a symbolic link that leads outside the decisions folder (never read)")
LINK_LOOP = Rule("DP011", "link-loop", E, "a symbolic link that leads back into itself or a folder above it")

# Structure (reader, shared, decisions)
UNKNOWN_KEY = Rule("DP101", "unknown-key", E, "a key that the format does not know")
WRONG_TYPE = Rule("DP102", "wrong-type", E, "a value of the wrong type")
MISSING_KEY = Rule("DP103", "missing-key", E, "a required key is missing")
INVALID_ID = Rule("DP104", "invalid-id", E, "an id that breaks the id rule ^[a-z0-9][a-z0-9_-]{0,63}$")
INVALID_DURATION = Rule("DP105", "invalid-duration", E, "a duration that is not one of the accepted forms")
DUPLICATE_ID = Rule("DP106", "duplicate-id", E, "the same id is defined twice")
INVALID_VALUE = Rule("DP107", "invalid-value", E, "a value outside the allowed set or format")

# Branches as written (decisions)
CONDITION_TYPE = Rule("DP305", "condition-type", E, "a condition that does not fit its input's type")
MISPLACED_OTHERWISE = Rule("DP308", "misplaced-otherwise", E, "otherwise is not the last branch")

RULES = (
    YAML_SYNTAX,
    DUPLICATE_KEY,
    NOT_UTF8,
    EMPTY_FILE,
    NOT_A_MAPPING,
    ALIAS_BOMB,
    FILE_TOO_LARGE,
    UNSUPPORTED_TAG,
    TOO_DEEP,
    LINK_OUTSIDE,
    LINK_LOOP,
    UNKNOWN_KEY,
    WRONG_TYPE,
    MISSING_KEY,
    INVALID_ID,
    INVALID_DURATION,
    DUPLICATE_ID,
    INVALID_VALUE,
    CONDITION_TYPE,
    MISPLACED_OTHERWISE,
)
