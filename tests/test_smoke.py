from conftest import REPO, TODAY

from decision_paths.pipeline import validate_folder


def test_minimal_org_is_clean(org):
    assert org.findings() == []


def test_sample_organisation_validates_clean():
    result = validate_folder(str(REPO / "decisions"), TODAY)
    assert [f.to_text() for f in result.findings] == []
    assert len(result.org.decisions) >= 6
