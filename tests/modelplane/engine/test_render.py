"""`modelplane render`: what a user sees, through the same code path as the CLI."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from modelplane.commands.cli import main
from modelplane.plan.document import read_plan
from tests.conftest import STACKS


def _tree(path: Path) -> dict[str, bytes]:
    return {str(p.relative_to(path)): p.read_bytes() for p in sorted(path.rglob("*")) if p.is_file()}


@pytest.mark.parametrize("stack", STACKS)
def test_each_stack_renders_plan_manifests_and_summary(rendered, stack):
    out = rendered[stack]
    plan = read_plan(out)
    assert plan["stack"] == stack
    for r in plan["resources"]:
        assert set(r) >= {"type", "name", "parent", "inputs", "dependsOn"}
    types = {r["type"] for r in plan["resources"]}
    assert "kubernetes:helm.sh/v3:Release" in types
    assert "kubernetes:machinelearning.seldon.io/v1:SeldonDeployment" in types
    manifests = list((out / "manifests").rglob("*.yaml"))
    assert manifests
    for path in manifests:
        obj = yaml.safe_load(path.read_text())
        assert {"apiVersion", "kind", "metadata"} <= set(obj) and obj["metadata"]["name"]
    summary = (out / "plan.md").read_text()
    assert "## Helm releases" in summary and "seldon-core-operator" in summary


def test_cli_render_twice_is_byte_identical(tmp_path, capsys):
    assert main(["render", "--stack", "dev", "--out", str(tmp_path / "a")]) == 0
    assert main(["render", "--stack", "dev", "--out", str(tmp_path / "b")]) == 0
    assert _tree(tmp_path / "a") == _tree(tmp_path / "b")
    assert "rendered stack 'dev'" in capsys.readouterr().out


def test_render_replaces_a_previous_output_directory(tmp_path):
    """An output written before the marker existed (a plan.json of a render beside manifests/) is replaced."""
    out = tmp_path / "out"
    (out / "manifests").mkdir(parents=True)
    (out / "manifests" / "stale.yaml").write_text("stale: true\n")
    (out / "plan.json").write_text('{"stack": "local", "resources": []}\n')
    assert main(["render", "--stack", "local", "--out", str(out)]) == 0
    assert not (out / "manifests" / "stale.yaml").exists()


def test_render_marks_its_output_and_replaces_it_again_but_never_what_it_did_not_write(tmp_path, capsys):
    out = tmp_path / "out"
    assert main(["render", "--stack", "local", "--out", str(out)]) == 0
    assert (out / ".modelplane-render").is_file()
    assert main(["render", "--stack", "local", "--out", str(out)]) == 0
    (out / "notes.txt").write_text("mine\n")
    assert main(["render", "--stack", "local", "--out", str(out)]) == 2
    assert (out / "notes.txt").read_text() == "mine\n" and (out / "plan.json").is_file()
    assert "(notes.txt)" in capsys.readouterr().err


def test_a_directory_of_only_a_manifests_folder_is_not_taken_for_a_render(tmp_path):
    out = tmp_path / "out"
    (out / "manifests").mkdir(parents=True)
    (out / "manifests" / "mine.yaml").write_text("kind: ConfigMap\n")
    assert main(["render", "--stack", "local", "--out", str(out)]) == 2
    assert (out / "manifests" / "mine.yaml").is_file()


def test_render_refuses_a_directory_with_other_files_and_deletes_nothing(tmp_path, capsys):
    """Issue 30, item 1: --out pointed at a folder with a notes file deleted the notes."""
    out = tmp_path / "work"
    out.mkdir()
    (out / "notes.txt").write_text("mine\n")
    assert main(["render", "--stack", "local", "--out", str(out)]) == 2
    assert [p.name for p in out.iterdir()] == ["notes.txt"] and (out / "notes.txt").read_text() == "mine\n"
    err = capsys.readouterr().err
    assert "--out: it holds files modelplane render did not write (notes.txt)" in err
    assert "nothing was written or deleted" in err


def test_render_refuses_the_current_directory_and_deletes_nothing(tmp_path, monkeypatch, capsys):
    """Issue 30, item 1: `render --out .` deleted the current directory's contents, then crashed."""
    (tmp_path / "keep.txt").write_text("mine\n")
    (tmp_path / "sub").mkdir()
    monkeypatch.chdir(tmp_path / "sub")
    for out in (".", "..", str(tmp_path)):
        assert main(["render", "--stack", "local", "--out", out]) == 2
        assert "it is the current directory or contains it" in capsys.readouterr().err
    assert sorted(p.name for p in tmp_path.iterdir()) == ["keep.txt", "sub"]
    assert list((tmp_path / "sub").iterdir()) == []


def test_render_refuses_a_file_as_its_output(tmp_path, capsys):
    out = tmp_path / "plan"
    out.write_text("a file\n")
    assert main(["render", "--stack", "local", "--out", str(out)]) == 2
    assert out.read_text() == "a file\n" and "it is a file" in capsys.readouterr().err


def test_dependencies_and_parents_are_recorded(rendered):
    plan = read_plan(rendered["prod"])
    by_urn = {r["urn"]: r for r in plan["resources"]}
    istiod = next(r for r in plan["resources"] if r["type"].endswith("Release") and r["name"] == "istiod")
    assert any(by_urn[d]["name"] == "istio-base" for d in istiod["dependsOn"])
    gateway = next(r for r in plan["resources"] if r["type"].endswith(":Gateway"))
    assert by_urn[gateway["parent"]]["type"] == "modelplane:addons:Istio"
    sdep = next(r for r in plan["resources"] if r["type"].endswith(":SeldonDeployment"))
    assert any(by_urn[d]["name"] == "seldon-core" and by_urn[d]["type"].endswith("Release")
               for d in sdep["dependsOn"])


def test_prod_protects_cluster_and_namespaces(rendered):
    plan = read_plan(rendered["prod"])
    protected = {(r["type"], r["name"]) for r in plan["resources"] if r["options"]["protect"]}
    assert ("aws:eks/cluster:Cluster", "modelplane-cluster") in protected
    assert ("aws:eks/nodeGroup:NodeGroup", "modelplane-cluster-nodes") in protected
    assert ("kubernetes:core/v1:Namespace", "seldon-logs") in protected
    dev = read_plan(rendered["dev"])
    assert not any(r["options"]["protect"] for r in dev["resources"])


def test_eks_node_disk_and_kubeconfig_secret(rendered):
    plan = read_plan(rendered["prod"])
    nodes = next(r for r in plan["resources"] if r["type"] == "aws:eks/nodeGroup:NodeGroup")
    assert nodes["inputs"]["diskSize"] == 100
    assert nodes["inputs"]["scalingConfig"]["desiredSize"] == 6
    provider = next(r for r in plan["resources"] if r["type"] == "pulumi:providers:kubernetes")
    assert provider["inputs"]["kubeconfig"] == "<redacted>"


@pytest.mark.parametrize("stack", STACKS)
def test_no_known_secret_value_in_any_output(rendered, stack):
    # plaintext seed defaults in the local stack, and the ciphertext stand-ins of the secure: keys
    known = ["minioadmin", "v1:AAAA", "ZGV2LWdpdC10b2tlbi1jaXBoZXJ0ZXh0"]
    for path in rendered[stack].rglob("*"):
        if path.is_file():
            text = path.read_text()
            for value in known:
                assert value not in text, f"{value!r} leaked into {path}"
    plan = read_plan(rendered[stack])
    secrets = [r for r in plan["resources"] if r["type"] == "kubernetes:core/v1:Secret"]
    for secret in secrets:
        assert set(secret["inputs"]["stringData"].values()) == {"<redacted>"}


def test_local_plaintext_admin_password_is_redacted(rendered):
    plan = read_plan(rendered["local"])
    creds = [r for r in plan["resources"] if r["name"].endswith("elastic-credentials")]
    assert len(creds) == 2
    assert {r["inputs"]["metadata"]["namespace"] for r in creds} == {"seldon-logs", "seldon-system"}
    assert all(r["inputs"]["stringData"]["password"] == "<redacted>" for r in creds)


def test_a_stack_file_path_for_stack_says_to_give_the_name(capsys):
    """Issue 30, item 8: `--stack stacks/Pulumi.dev.yaml` said `Pulumi.stacks/Pulumi.dev.yaml.yaml does not
    exist (stacks: )`."""
    assert main(["render", "--stack", "stacks/Pulumi.dev.yaml", "--out", "unused"]) == 2
    err = capsys.readouterr().err
    assert "--stack: takes a stack's name, not a file: --stack dev reads" in err
    assert "(stacks: dev, local, prod, staging)" in err
    assert main(["render", "--stack", "qa", "--out", "unused"]) == 2
    assert "Pulumi.qa.yaml does not exist (stacks: dev, local, prod, staging)" in capsys.readouterr().err


def test_version_and_stack_help(capsys):
    with pytest.raises(SystemExit) as exited:
        main(["--version"])
    assert exited.value.code == 0 and capsys.readouterr().out.startswith("modelplane 0.")
    with pytest.raises(SystemExit):
        main(["render", "--help"])
    assert "the stack's name: stacks/Pulumi.<name>.yaml" in capsys.readouterr().out


def test_manifests_holding_redacted_values_are_not_applicable_as_they_are(rendered):
    """Issue 30, item 4: applying manifests/ by hand wrote `<redacted>` as Secret values. Such objects go to
    `*.yaml.redacted` with a header saying why: `kubectl apply -f manifests/ -R` reads only .yaml, .yml and
    .json files."""
    out = rendered["prod"] / "manifests"
    redacted = sorted(out.rglob("*.yaml.redacted"))
    assert redacted and all("<redacted>" in p.read_text() for p in redacted)
    assert all(p.read_text().startswith("# Not applicable as it is: <redacted> stands for secret values")
               for p in redacted)
    assert not [p for p in out.rglob("*.yaml") if "<redacted>" in p.read_text()]
    assert {yaml.safe_load(p.read_text())["kind"] for p in redacted} >= {"Secret"}


def test_the_existing_cluster_form_keeps_backups_with_credentials_the_user_provides():
    """What only a cloud creates (the bucket, its role) leaves with the cluster; the backup stays on and
    reads its credentials from a Secret, as on any existing cluster."""
    from modelplane.engine.automation import BACKUP_CREDENTIALS, existing_cluster_form
    from tests.modelplane.engine.conftest import committed_config

    form = existing_cluster_form(committed_config("prod"), Path("/k"))
    assert form["modelplane:cluster"] == {"cloud": "existing", "kubeconfig": "/k", "size": "ha"}
    backup = form["modelplane:addons"]["postgres"]["logicalBackup"]
    assert backup == {**committed_config("prod")["modelplane:addons"]["postgres"]["logicalBackup"],
                      "credentialsSecret": BACKUP_CREDENTIALS}
    assert existing_cluster_form(committed_config("dev"), Path("/k"))["modelplane:addons"] == \
        committed_config("dev")["modelplane:addons"]
