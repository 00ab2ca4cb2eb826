"""The upgrade read from two plans (modelplane/plan/upgrade.py): replace against update with the forcing
fields, data at risk, and the minor-version skips upstream refuses."""

from __future__ import annotations

import copy

from modelplane.plan.upgrade import upgrade_plan

RELEASE = "kubernetes:helm.sh/v3:Release"


def resource(type_: str, name: str, inputs: dict, protect: bool = False) -> dict:
    return {"type": type_, "name": name, "urn": f"urn:{type_}::{name}", "inputs": inputs,
            "options": {"protect": protect, "replaceOnChanges": []}, "dependsOn": []}


def release(name: str, chart: str, version: str, values: dict | None = None) -> dict:
    return resource(RELEASE, name, {"name": name, "chart": chart, "version": version, "values": values or {}})


def postgres(storage_class: str) -> dict:
    return resource("kubernetes:acid.zalan.do/v1:postgresql", "metadata-postgresql", {
        "apiVersion": "acid.zalan.do/v1", "kind": "postgresql",
        "metadata": {"name": "seldon-metadata", "namespace": "seldon-system"},
        "spec": {"volume": {"size": "50Gi", "storageClass": storage_class}}}, protect=True)


def plan(*resources: dict) -> dict:
    return {"resources": list(resources)}


def test_a_chart_patch_bump_is_an_update_with_nothing_at_risk():
    result = upgrade_plan(plan(release("istiod", "istiod", "1.29.6")), plan(release("istiod", "istiod", "1.29.7")))
    assert [(s.op, s.fields) for s in result.steps] == [("update", ["version: '1.29.6' -> '1.29.7'"])]
    assert result.exit_code == 0


def test_a_storage_class_change_of_the_metadata_database_is_data_at_risk():
    result = upgrade_plan(plan(postgres("gp3")), plan(postgres("io2")))
    [step] = result.steps
    assert step.op == "update" and "spec.volume.storageClass" in step.at_risk
    assert result.exit_code == 2


def test_istio_two_minors_ahead_is_refused():
    result = upgrade_plan(plan(release("istiod", "istiod", "1.27.3")), plan(release("istiod", "istiod", "1.29.6")))
    assert result.refusals == ["refused: istiod 1.27.3 -> 1.29.6 skips a minor version; Istio upgrades one minor "
                               "version at a time"]
    assert result.exit_code == 2


def test_immutable_fields_replace_and_a_replaced_claim_loses_its_volume():
    claim = resource("kubernetes:core/v1:PersistentVolumeClaim", "data", {
        "apiVersion": "v1", "kind": "PersistentVolumeClaim", "metadata": {"name": "data", "namespace": "a"},
        "spec": {"storageClassName": "gp3", "resources": {"requests": {"storage": "8Gi"}}}})
    moved = copy.deepcopy(claim)
    moved["inputs"]["spec"]["storageClassName"] = "io2"
    moved["inputs"]["spec"]["resources"]["requests"]["storage"] = "16Gi"
    [step] = upgrade_plan(plan(claim), plan(moved)).steps
    assert step.op == "replace"
    assert step.fields[0] == "spec.storageClassName: 'gp3' -> 'io2'"  # the forcing field first
    assert step.at_risk == "replacing it loses its volume"


def test_a_secret_whose_data_changes_is_replaced_and_deleting_a_stateful_release_is_at_risk():
    secret = resource("kubernetes:core/v1:Secret", "s", {"apiVersion": "v1", "kind": "Secret",
                                                        "metadata": {"name": "s"}, "stringData": {"a": "1"}})
    changed = copy.deepcopy(secret)
    changed["inputs"]["stringData"]["a"] = "2"
    search = release("logging-opensearch", "opensearch", "3.1.0")
    result = upgrade_plan(plan(secret, search), plan(changed))
    ops = {s.name: (s.op, s.at_risk) for s in result.steps}
    assert ops == {"s": ("replace", None), "logging-opensearch": ("delete", "deleting it loses the request logs")}


def test_a_stateful_charts_volume_settings_are_named():
    old = release("minio", "minio", "5.4.0", {"persistence": {"size": "20Gi"}})
    new = release("minio", "minio", "5.4.0", {"persistence": {"size": "40Gi"}})
    [step] = upgrade_plan(plan(old), plan(new)).steps
    assert step.op == "update" and "values.persistence.size" in step.at_risk
