"""Every corpus file has the outcome its `# expect:` header states."""

from __future__ import annotations

import pytest
import yaml

from components.platform import FORCE_APPLY
from modelplane.commands.cli import main
from tests.components.models.model_corpus import BAD, GOOD, corpus_stack, expectations


def test_corpus_has_good_and_bad_specs():
    assert len(GOOD) + len(BAD) >= 15
    assert len(GOOD) >= 8 and len(BAD) >= 8
    for path in GOOD + BAD:
        assert expectations(path), f"{path.name} has no '# expect:' line"
    assert all(expectations(p) == ["ok"] for p in GOOD)


@pytest.mark.parametrize("path", BAD, ids=lambda p: p.stem)
def test_bad_spec_is_refused_naming_the_field_and_writes_nothing(tmp_path, capsys, path):
    out = tmp_path / "out"
    root = corpus_stack(tmp_path, path)
    assert main(["render", "--stack", "dev", "--out", str(out), "--root", str(root)]) == 2
    err = capsys.readouterr().err
    for expected in expectations(path):
        assert expected in err, err
    assert not out.exists()


@pytest.mark.parametrize("path", GOOD, ids=lambda p: p.stem)
def test_good_spec_renders_one_seldondeployment(corpus_render, path):
    for model in yaml.safe_load(path.read_text())["models"]:
        ns, name = model["namespace"], model["name"]
        applied = corpus_render / "manifests" / ns / f"SeldonDeployment.{name}.yaml"
        committed = corpus_render / "gitops" / ns / f"{name}.yaml"
        assert applied.exists() != committed.exists(), f"{ns}/{name}: exactly one of {applied}, {committed}"
        sdep = yaml.safe_load((applied if applied.exists() else committed).read_text())
        # what Pulumi applies is force-applied (components.platform.FORCE_APPLY); Argo CD's files are not
        forced = {"annotations": FORCE_APPLY} if applied.exists() else {}
        assert sdep["metadata"] == {"name": name, "namespace": ns,
                                    "labels": {"app.kubernetes.io/managed-by": "modelplane"}, **forced}
        assert [p["name"] for p in sdep["spec"]["predictors"]] == [p["name"] for p in model["predictors"]]

