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


CRD_TYPE = "kubernetes:apiextensions.k8s.io/v1:CustomResourceDefinition"


def crd(versions: list[tuple[str, bool, bool]], parent: str = "urn:addon::prometheus") -> dict:
    r = resource(CRD_TYPE, "prometheus-podmonitors", {
        "apiVersion": "apiextensions.k8s.io/v1", "kind": "CustomResourceDefinition",
        "metadata": {"name": "podmonitors.monitoring.coreos.com"},
        "spec": {"group": "monitoring.coreos.com", "versions": [{"name": n, "served": served, "storage": storage}
                                                               for n, served, storage in versions]}})
    r["options"]["retainOnDelete"] = True
    r["parent"] = parent
    return r


def prometheus(version: str, with_crds: bool = True) -> dict:
    r = release("prometheus", "kube-prometheus-stack", version)
    r["parent"] = "urn:addon::prometheus"
    r["dependsOn"] = [crd([])["urn"]] if with_crds else []
    return r


def test_a_new_crd_version_is_applied_before_its_release_and_shown_first():
    old = plan(prometheus("77.0.0"), crd([("v1", True, True)]))
    new = plan(prometheus("77.0.1"), crd([("v1", True, True), ("v2", True, False)]))
    result = upgrade_plan(old, new)
    assert [(s.op, s.type) for s in result.steps] == [("update", CRD_TYPE), ("update", RELEASE)]
    assert result.order == ["update CRD podmonitors.monitoring.coreos.com before release prometheus (Helm would not "
                            "upgrade it: it is in the chart's crds/ folder)"]
    assert result.exit_code == 0


def test_a_version_no_longer_served_may_strand_stored_objects():
    old = plan(prometheus("77.0.0"), crd([("v1beta1", True, False), ("v1", True, True)]))
    new = plan(prometheus("78.0.0"), crd([("v1beta1", False, False), ("v1", True, True)]))
    [crd_step, _] = upgrade_plan(old, new).steps
    assert crd_step.at_risk.startswith("N+1 stops serving v1beta1 of podmonitors.monitoring.coreos.com")


def test_a_crd_the_plan_stops_applying_is_left_in_place_not_at_risk():
    result = upgrade_plan(plan(crd([("v1", True, True)])), plan())
    assert [(s.op, s.at_risk) for s in result.steps] == [("delete", None)]


def test_without_a_chart_source_a_moved_chart_with_a_crds_folder_is_a_notice():
    result = upgrade_plan(plan(prometheus("77.0.0", with_crds=False)), plan(prometheus("77.0.1", with_crds=False)))
    [notice] = result.notices
    assert "keeps CRDs in crds/, which Helm does not upgrade" in notice and result.exit_code == 2


def test_an_operator_upgraded_with_its_objects_goes_first():
    operator = release("postgres-operator", "postgres-operator", "1.15.1")
    database = postgres("gp3")
    database["dependsOn"] = [operator["urn"]]
    newer, bigger = copy.deepcopy(operator), copy.deepcopy(database)
    newer["inputs"]["version"] = "1.15.2"
    bigger["inputs"]["spec"]["numberOfInstances"] = 2
    result = upgrade_plan(plan(operator, database), plan(newer, bigger))
    assert result.order == ["update release postgres-operator before postgresql metadata-postgresql (the operator "
                            "before the objects it reconciles)"]
