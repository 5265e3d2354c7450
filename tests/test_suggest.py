"""One "did you mean" for findings and the command line, with the policy in model/suggest.py."""

from __future__ import annotations

from decision_paths.model.suggest import close_names, did_you_mean, did_you_mean_any

KNOWN = ["scope-change", "refund-request", "sample-request", "delivery-lead"]


def test_a_finding_suggests_one_close_name_quoted() -> None:
    assert did_you_mean("delivery", KNOWN) == "; did you mean 'delivery-lead'?"
    assert did_you_mean("zzz", KNOWN) == ""


def test_a_finding_leaves_out_a_far_guess_the_command_line_offers() -> None:
    # 'scope' is 0.59 similar to 'scope-change': below the finding cutoff, above the command line's
    assert did_you_mean("scope", KNOWN) == ""
    assert did_you_mean_any("scope", KNOWN) == "; did you mean scope-change?"


def test_the_command_line_offers_up_to_three_closest_first() -> None:
    known = ["sales-team", "sales-a", "other", "sales", "sales-ab"]
    assert did_you_mean_any("sale", known) == "; did you mean sales, sales-a, sales-ab?"
    assert did_you_mean_any("zzz", known) == ""
    assert close_names("sale", known, limit=5, cutoff=0.5) == ["sales", "sales-a", "sales-ab", "sales-team"]
