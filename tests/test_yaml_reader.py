"""The YAML reader (DP001-DP009): every problem with a file as a file comes back
as one finding at the exact line and column, fast, and nothing in a file can
make the tool run code, eat memory or hang.
"""

from __future__ import annotations

import datetime as dt
import itertools
import tracemalloc

import pytest
from conftest import DECISION, SHARED, time_limit

from decision_paths.load import yamlsource
from decision_paths.load.yamlsource import MAX_DEPTH, MAX_FILE_BYTES, Map, ParsedFile, Scalar, Seq

FILE = "sales/scope-change.yaml"


def edit(text: str, old: str, new: str) -> str:
    assert old in text, f"test setup: {old!r} not in the text"
    return text.replace(old, new, 1)


def only(findings, code):
    """The single finding of the organisation, which must have this code."""
    assert [f.rule.code for f in findings] == [code], [f.to_text() for f in findings]
    return findings[0]


# ------------------------------------------------------------- DP001 yaml-syntax


def test_unclosed_bracket_is_a_syntax_error_where_the_parser_gives_up(org):
    org.write(FILE, edit(DECISION, "owner: delivery-lead\n", "owner: [delivery-lead\n"))
    found = org.findings()
    # libyaml gives up at the ':' of the next line's key, still inside the list
    assert org.codes() == [("DP001", FILE, 4, 9)]
    message = only(found, "DP001").message
    assert message.startswith("not valid YAML")
    assert "']'" in message
    assert "starts at line 3" in message  # the bracket that was never closed
    assert found[0].to_text().startswith(f"decisions/{FILE}:4:9: error: not valid YAML")


def test_a_second_document_is_reported_at_its_separator(org):
    org.write(FILE, DECISION + "---\ntitle: Another decision\n")
    assert org.codes() == [("DP001", FILE, 22, 1)]
    message = only(org.findings(), "DP001").message
    assert "second YAML document" in message and "---" in message


def test_explicit_document_start_alone_is_fine(org):
    org.write(FILE, "---\n" + DECISION)
    assert org.codes() == []


def test_alias_without_anchor_is_a_syntax_error(org):
    org.write(FILE, edit(DECISION, "owner: delivery-lead", "owner: *lead"))
    assert org.codes() == [("DP001", FILE, 3, 8)]
    assert "*lead" in org.findings()[0].message


# ----------------------------------------------------------- DP002 duplicate-key


def test_duplicate_key_is_reported_at_the_second_key_naming_the_first(org):
    org.write(
        FILE,
        edit(DECISION, "    within: 1 business day\n", "    within: 1 business day\n    within: 2 business days\n"),
    )
    assert org.codes() == [("DP002", FILE, 14, 5)]
    message = org.findings()[0].message
    assert "'within'" in message
    assert "line 13" in message


def test_duplicate_top_level_key(org):
    org.write(FILE, edit(DECISION, "summary:", "title: Again\nsummary:"))
    assert org.codes() == [("DP002", FILE, 2, 1)]
    assert "already defined at line 1" in org.findings()[0].message


# --------------------------------------------------------------- DP003 not-utf8


def test_latin1_byte_is_reported_at_its_line_and_column(org):
    data = DECISION.encode("utf-8").replace(b"summary: Work outside", b"summary: Caf\xe9 work outside")
    org.write_bytes(FILE, data)
    assert org.codes() == [("DP003", FILE, 2, 13)]
    message = org.findings()[0].message
    assert "0xe9" in message and "UTF-8" in message


def test_not_utf8_column_counts_characters_not_bytes(org):
    # "summary: 李娜 " is 12 characters but 16 bytes: the column is for people.
    data = DECISION.encode("utf-8").replace(b"summary: Work", "summary: 李娜 ".encode() + b"\xff Work")
    org.write_bytes(FILE, data)
    assert org.codes() == [("DP003", FILE, 2, 13)]


def test_nul_bytes_mean_the_file_is_not_text(org):
    org.write_bytes(FILE, DECISION.encode().replace(b"Log it", b"Log\x00it"))
    assert [c[:3] for c in org.codes()] == [("DP003", FILE, 11)]


# -------------------------------------------------------------- DP004 empty-file


@pytest.mark.parametrize(
    "text",
    ["", "\n\n", "# only a comment\n", "# one\n\n# two\n", "   \n"],
    ids=["empty", "blank-lines", "comment", "comments", "spaces"],
)
def test_empty_or_comment_only_file(org, text):
    org.write(FILE, text)
    assert org.codes() == [("DP004", FILE, 1, 1)]
    assert "empty" in org.findings()[0].message


# ----------------------------------------------------------- DP005 not-a-mapping


def test_list_at_top_level_is_not_a_mapping(org):
    org.write(FILE, "# comment\n- title: Scope change\n- owner: delivery-lead\n")
    assert org.codes() == [("DP005", FILE, 2, 1)]
    message = org.findings()[0].message
    assert "mapping" in message and "a list" in message and "decision" in message


def test_text_at_top_level_of_a_shared_file_is_not_a_mapping(org):
    org.write("_extra.yaml", "just some words\n")
    assert ("DP005", "_extra.yaml", 1, 1) in org.codes()
    message = next(f for f in org.findings() if f.rule.code == "DP005").message
    assert "shared data" in message and "just some words" in message


# ------------------------------------------------------------- DP006 alias-bomb


def billion_laughs(levels: int = 9) -> str:
    lines = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    names = "abcdefghijklmnop"
    for previous, name in itertools.pairwise(names[: levels + 1]):
        lines.append(f"{name}: &{name} [" + ", ".join([f"*{previous}"] * 9) + "]")
    return "\n".join(lines) + "\n"


def test_billion_laughs_fails_fast_and_small(org):
    org.findings()  # warm up imports so the timing measures the file
    org.write("sales/bomb.yaml", billion_laughs())
    with time_limit(10):  # expanding it would take minutes and gigabytes
        codes = org.codes()
    assert codes == [("DP006", "sales/bomb.yaml", 5, 8)]
    assert "aliases expand to more than" in org.findings()[0].message

    tracemalloc.start()
    try:
        org.findings()
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 20 * 1024 * 1024, f"peak memory {peak / 1e6:.1f} MB"


def test_bomb_built_from_mappings_is_stopped_too():
    lines = ["a0: &a0 {k0: v, k1: v, k2: v, k3: v, k4: v, k5: v, k6: v, k7: v, k8: v, k9: v}"]
    for i in range(1, 12):
        lines.append(f"a{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * 10) + "]")
    with time_limit(10):
        result = yamlsource.parse_text("bomb.yaml", "\n".join(lines) + "\n")
    assert [f.rule.code for f in result.findings] == ["DP006"]
    assert result.root is None


def test_recursive_alias_is_refused(org):
    org.write(FILE, "title: x\nstages: &a [*a]\n")
    assert org.codes() == [("DP006", FILE, 2, 13)]
    assert "*a" in org.findings()[0].message and "contains it" in org.findings()[0].message


def test_reasonable_alias_reuse_is_allowed():
    text = "base: &base {title: t, who: x, within: 1 day}\n" + "".join(
        f"s{i}: {{<<: *base, title: s{i}}}\n" for i in range(200)
    )
    result = yamlsource.parse_text("ok.yaml", text)
    assert result.findings == ()
    assert isinstance(result.root, Map)
    assert result.root.get("s199").get("title").value == "s199"


# --------------------------------------------------------- DP007 file-too-large


def _padded(size: int) -> bytes:
    data = DECISION.encode("utf-8") + b"# "
    padding = size - len(data) - 1
    return data + b"x" * padding + b"\n"


def test_file_just_over_one_mib_is_refused(org):
    data = _padded(MAX_FILE_BYTES + 1)
    assert len(data) == 1024 * 1024 + 1
    org.write_bytes(FILE, data)
    assert org.codes() == [("DP007", FILE, 1, 1)]
    assert "1024 KiB" in org.findings()[0].message


def test_file_of_exactly_one_mib_is_read(org):
    data = _padded(MAX_FILE_BYTES)
    assert len(data) == 1024 * 1024
    org.write_bytes(FILE, data)
    assert org.codes() == []


# -------------------------------------------------------- DP008 unsupported-tag


@pytest.mark.parametrize(
    "value, line_col",
    [
        ('!!python/object/apply:os.system ["touch {marker}"]', (1, 8)),
        ('!!python/object/apply:builtins.open ["{marker}", "w"]', (1, 8)),
        ('!!python/object/new:builtins.open ["{marker}", "w"]', (1, 8)),
        ("!!python/name:os.system", (1, 8)),
        ("!!binary aGVsbG8=", (1, 8)),
        ("!!set {a, b}", (1, 8)),
        ("!custom thing", (1, 8)),
    ],
    ids=["os.system", "open", "new", "name", "binary", "set", "local-tag"],
)
def test_tags_never_construct_objects(org, tmp_path, value, line_col):
    marker = tmp_path / "pwned"
    org.write(FILE, edit(DECISION, "title: Scope change", "title: " + value.replace("{marker}", str(marker))))
    assert org.codes() == [("DP008", FILE, *line_col)]
    message = org.findings()[0].message
    assert "is not allowed" in message
    assert value.split()[0] in message
    assert not marker.exists(), "a YAML tag ran code"


def test_tag_on_a_key_deep_in_the_file_is_refused_too(org, tmp_path):
    marker = tmp_path / "pwned"
    org.write(
        FILE,
        edit(DECISION, "    within: 4个工作小时", f'    within: !!python/object/apply:os.system ["touch {marker}"]'),
    )
    assert org.codes() == [("DP008", FILE, 21, 13)]
    assert not marker.exists()


def test_plain_yaml_tags_are_allowed(org):
    org.write(FILE, edit(DECISION, "title: Scope change", "title: !!str 2026"))
    assert org.codes() == []
    assert org.validate().org.decisions["scope-change"].title == "2026"


# ---------------------------------------------------------------- DP009 too-deep

LIBYAML_DEPTH = 1000  # libyaml's own limit on flow nesting


@pytest.mark.parametrize(
    "text, columns",
    [
        ("[" * 100_000, {MAX_DEPTH + 1, LIBYAML_DEPTH + 1}),
        ("{a: " * 100_000, {4 * MAX_DEPTH + 1}),
        ("- " * 100_000, {2 * MAX_DEPTH + 1}),
    ],
    ids=["flow-lists", "flow-maps", "block-lists"],
)
def test_very_deep_nesting_fails_fast(org, text, columns):
    org.write(FILE, text)
    with time_limit(10):  # bare libyaml takes about 40 s on these files
        codes = org.codes()
    # One finding on line 1. The reader stops at level MAX_DEPTH + 1; libyaml's
    # scanner, which reads ahead through flow collections, may stop first at
    # its own limit of 1,000 levels. Either way the user reads the same thing.
    assert len(codes) == 1
    code, file, line, column = codes[0]
    assert (code, file, line) == ("DP009", FILE, 1)
    assert column in columns
    assert f"more than {MAX_DEPTH} levels deep" in org.findings()[0].message


def test_the_readers_own_depth_limit_is_reported_where_it_is_reached(org):
    org.write(FILE, "title: x\nstages: " + "[" * (MAX_DEPTH + 1) + "]" * (MAX_DEPTH + 1) + "\n")
    # The file's mapping is level 1, so the bracket at column 8 + MAX_DEPTH opens level MAX_DEPTH + 1.
    assert org.codes() == [("DP009", FILE, 2, 8 + MAX_DEPTH)]


def test_depth_limit_boundary():
    assert yamlsource.parse_text("x.yaml", "[" * MAX_DEPTH + "]" * MAX_DEPTH).findings == ()
    deeper = yamlsource.parse_text("x.yaml", "[" * (MAX_DEPTH + 1) + "]" * (MAX_DEPTH + 1))
    assert [f.rule.code for f in deeper.findings] == ["DP009"]


# ------------------------------------------------------------ the tree it builds


def test_every_key_and_value_keeps_its_position():
    text = "title: 合同外需求审批\nstages:\n  intake:\n    who: {any: [客户经理, bad]}\n    outcomes:\n      - 同意\n"
    result = yamlsource.parse_text("f.yaml", text)
    assert result.findings == ()
    root = result.root
    assert isinstance(root, Map)
    assert (root.key_loc("title").line, root.key_loc("title").column) == (1, 1)
    title = root.get("title")
    assert (
        isinstance(title, Scalar) and title.value == "合同外需求审批" and (title.loc.line, title.loc.column) == (1, 8)
    )
    intake = root.get("stages").get("intake")
    assert (root.get("stages").key_loc("intake").line, root.get("stages").key_loc("intake").column) == (3, 3)
    who = intake.get("who")
    assert (who.loc.line, who.loc.column) == (4, 10)
    members = who.get("any")
    assert isinstance(members, Seq)
    # columns count characters, so they are right after Chinese text
    assert [(m.loc.line, m.loc.column) for m in members.items] == [(4, 17), (4, 23)]
    outcome = intake.get("outcomes").items[0]
    assert (outcome.loc.line, outcome.loc.column, outcome.value) == (6, 9, "同意")


def test_scalars_keep_the_text_as_written():
    result = yamlsource.parse_text("f.yaml", "a: 007\nb: 1.50\nc: 2026-10-01\nd: yes\ne: null\n")
    root = result.root
    assert [(root.get(k).value, root.get(k).text) for k in "abcde"] == [
        (7, "007"),
        (1.5, "1.50"),
        (dt.date(2026, 10, 1), "2026-10-01"),
        (True, "yes"),
        (None, "null"),
    ]


def test_bom_is_skipped_and_positions_stay_the_same():
    plain = yamlsource.parse_bytes("f.yaml", DECISION.encode())
    with_bom = yamlsource.parse_bytes("f.yaml", b"\xef\xbb\xbf" + DECISION.encode())
    assert with_bom.findings == ()
    assert with_bom.root == plain.root
    owner = with_bom.root.get("owner")
    assert (owner.value, owner.loc.line, owner.loc.column) == ("delivery-lead", 3, 8)


def test_parse_never_raises_on_control_characters():
    result = yamlsource.parse_text("f.yaml", "title: a\x07b\n")
    assert isinstance(result, ParsedFile)
    assert [f.rule.code for f in result.findings] == ["DP001"]


def test_missing_file_is_a_finding_not_an_exception(tmp_path):
    result = yamlsource.read_file(str(tmp_path / "nope.yaml"))
    assert result.root is None
    assert [f.rule.code for f in result.findings] == ["DP001"]
    assert "cannot read" in result.findings[0].message


def test_shared_file_problems_use_the_same_rules(org):
    org.write("_org.yaml", SHARED + "people:\n  extra: {name: X}\n")
    assert org.codes() == [("DP002", "_org.yaml", 9, 1)]
    assert "line 1" in org.findings()[0].message


def test_syntax_error_in_a_shared_file_is_one_finding_not_a_cascade(org):
    # With the people, roles and calendars file unreadable, every decision's
    # "unknown role" would only repeat this one mistake many times over.
    org.write("_org.yaml", edit(SHARED, "held_by: [li-na]}", "held_by: [li-na}"))
    assert org.codes() == [("DP001", "_org.yaml", 5, 49)]


def test_windows_line_endings_keep_the_same_positions(org):
    crlf = edit(DECISION, "within: 4个工作小时", "within: 4 workdays").replace("\n", "\r\n")
    org.write_bytes(FILE, crlf.encode("utf-8"))
    assert org.codes() == [("DP105", FILE, 21, 13)]
    org.write_bytes(FILE, DECISION.replace("\n", "\r\n").encode("utf-8"))
    assert org.codes() == []
    assert org.validate().org.decisions["scope-change"].stages["answer"].title == "Answer"
