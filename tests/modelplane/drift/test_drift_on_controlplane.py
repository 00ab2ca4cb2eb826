"""`modelplane drift --stack dev` on a real control plane holding the dev plan's objects, dev's onboarded
tenants, the GitOps models as Argo CD would sync them and Helm's release records: no drift, then one hand
change of each kind on its own and all together, each named with its owner and nothing else; run by a
read-only identity with 0 mutating requests."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest
import yaml
from kubernetes import client, config

from components import opa
from harness.controlplane import ADMIN, STAND_IN_SECRET, TEST_USERS, ControlPlane
from modelplane.cluster.apply import apply_objects, read_manifests
from modelplane.cluster.crds import load_crds
from modelplane.cluster.kube import Kube
from modelplane.drift.compute import ARGOCD_TRACKING_LABEL as ARGOCD_TRACKING
from modelplane.engine.render import render
from modelplane.plan.document import helm_releases
from modelplane.plan.report import write_plan
from tests.ansible.conftest import BATCH_CREDENTIALS, REPO, playbook
from tests.fakes.helm import release_secret

pytestmark = pytest.mark.controlplane
READER = "drift-reader"


@dataclass
class Cluster:
    plane: ControlPlane
    root: Path
    plan: Path
    api: client.ApiClient

    @property
    def tenants_file(self) -> Path:
        return self.root / "stacks" / "tenants" / "dev.yaml"


@pytest.fixture(scope="module")
def cluster(tmp_path_factory):
    work = tmp_path_factory.mktemp("drift")
    plane = ControlPlane(work / "plane", users={**TEST_USERS, READER: []}).start()
    try:
        admin = plane.kubeconfig(ADMIN)
        load_crds(admin)
        root = work / "root"
        shutil.copytree(REPO / "stacks", root / "stacks")
        rendered = render("dev", root)
        write_plan(work / "dev", rendered.plan, rendered.notes)
        objects = read_manifests(work / "dev" / "manifests", fill_redacted=STAND_IN_SECRET)
        platform = [o for o in objects if o["kind"] != "SeldonDeployment"]
        assert apply_objects(admin, platform).rejected == []
        kube = Kube.from_kubeconfig(admin)
        for name, namespace, chart, version, _repo in helm_releases(rendered.plan):
            kube.create(release_secret(name, namespace, chart, version))
        creds = work / "creds.yml"
        creds.write_text(yaml.safe_dump(BATCH_CREDENTIALS))
        onboarded = playbook(plane, "onboard.yml", "-e", f"@{creds}", extra={"tenants_file": root / "stacks" /
                                                                            "tenants" / "dev.yaml"})
        assert onboarded.rc == 0, onboarded.output[-2000:]
        gitops = [yaml.safe_load(p.read_text()) for p in sorted((work / "dev" / "gitops").rglob("*.yaml"))]
        for model in gitops:  # as Argo CD syncs them: its tracking label added
            model["metadata"].setdefault("labels", {})[ARGOCD_TRACKING] = "seldon-gitops-team-b"
        models = [o for o in objects if o["kind"] == "SeldonDeployment"]
        assert apply_objects(admin, models + gitops).rejected == []
        api = config.new_client_from_config(str(admin))
        rbac = client.RbacAuthorizationV1Api(api)
        for role in ("view", "modelplane-drift-reader"):
            rbac.create_cluster_role_binding({
                "metadata": {"name": f"{READER}-{role}"},
                "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "ClusterRole", "name": role},
                "subjects": [{"kind": "User", "name": READER, "apiGroup": "rbac.authorization.k8s.io"}]})
        yield Cluster(plane, root, work / "dev", api)
    finally:
        plane.stop()


def drift(cluster: Cluster, *args: str, user: str = ADMIN) -> tuple[int, dict, str]:
    argv = [str(Path(sys.executable).parent / "modelplane"), "drift", "--stack", "dev", "--root", str(cluster.root),
            "--kubeconfig", str(cluster.plane.kubeconfig(user)), *args]
    proc = subprocess.run(argv, capture_output=True, text=True, timeout=300,
                          env={k: v for k, v in os.environ.items() if k != "KUBECONFIG"})
    report = json.loads(proc.stdout) if "--format" in args and "json" in args and proc.stdout else {}
    return proc.returncode, report, proc.stdout + proc.stderr


def findings(report: dict) -> set[tuple[str, str, str]]:
    return {(f["owner"], f["category"], f["ref"]) for f in report["findings"]}


def details(report: dict) -> list[str]:
    return [d for f in report["findings"] for d in f["details"]]


def test_a_cluster_as_the_sources_say_has_no_drift(cluster):
    code, _, output = drift(cluster)
    print(f"\n{output}")
    assert code == 0, output
    assert "no drift (exit 0)" in output
    code, report, output = drift(cluster, "--plan", str(cluster.plan), "--format", "json")
    assert (code, report["findings"], report["errors"]) == (0, [], []), output


# each change: (make it, undo it, what the report must name, a detail it must give)
def _core(c):
    return client.CoreV1Api(c.api)


def _custom(c):
    return client.CustomObjectsApi(c.api)


def _rbac(c):
    return client.RbacAuthorizationV1Api(c.api)


def _edit_sd(c, namespace, name, edit):
    """As `kubectl edit` does: read, change, write back."""
    args = ("machinelearning.seldon.io", "v1", namespace, "seldondeployments", name)
    sd = _custom(c).get_namespaced_custom_object(*args)
    edit(sd["spec"]["predictors"])
    _custom(c).replace_namespaced_custom_object(*args, sd)


def _set(predictors, field, *values):
    for predictor, value in zip(predictors, values, strict=False):
        predictor[field] = value


class Changes:
    def __init__(self):
        self.saved = {}

    def delete_binding(self, c, undo=False):
        if undo:
            _rbac(c).create_namespaced_role_binding("team-a", self.saved["binding"])
        else:
            binding = _rbac(c).read_namespaced_role_binding("modelplane-write", "team-a")
            self.saved["binding"] = {"metadata": {"name": "modelplane-write", "labels": binding.metadata.labels},
                                     "roleRef": binding.role_ref.to_dict(),
                                     "subjects": [s.to_dict() for s in binding.subjects]}
            _rbac(c).delete_namespaced_role_binding("modelplane-write", "team-a")

    def restricted_label(self, c, undo=False):
        _core(c).patch_namespace("team-a", {"metadata": {"labels": {"seldon.restricted": "true" if undo else "false"}}})

    def hand_binding(self, c, undo=False):
        if undo:
            _rbac(c).delete_namespaced_role_binding("by-hand", "team-a")
        else:
            _rbac(c).create_namespaced_role_binding("team-a", {
                "metadata": {"name": "by-hand"},
                "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "ClusterRole", "name": "admin"},
                "subjects": [{"kind": "User", "name": "mallory", "apiGroup": "rbac.authorization.k8s.io"}]})

    def drop_tenant(self, c, undo=False):
        if undo:
            c.tenants_file.write_text(self.saved["tenants"])
        else:
            self.saved["tenants"] = c.tenants_file.read_text()
            data = yaml.safe_load(self.saved["tenants"])
            data["tenants"] = [t for t in data["tenants"] if t["name"] != "shared-demos"]
            c.tenants_file.write_text(yaml.safe_dump(data))

    def traffic(self, c, undo=False):
        _edit_sd(c, "team-a", "iris", lambda p: _set(p, "traffic", *((90, 10) if undo else (50, 50))))

    def gitops_replicas(self, c, undo=False):
        _edit_sd(c, "team-b", "income", lambda p: _set(p, "replicas", 1 if undo else 3))

    def drop_grant(self, c, undo=False):
        cm = _core(c).read_namespaced_config_map(opa.CONFIGMAP, "seldon-system")
        document = json.loads(cm.data[opa.DATA_KEY])
        entry = {"action": "write", "resource": "namespace/team-a"}
        grants = document["role_grants"]["ds-team-a"]
        if undo:
            grants.append(entry)
        else:
            grants.remove(entry)
        cm.data[opa.DATA_KEY] = json.dumps(document)
        _core(c).replace_namespaced_config_map(opa.CONFIGMAP, "seldon-system", cm)

    def out_of_sync(self, c, undo=False):
        status = {"sync": {"status": "Synced"}} if undo else {
            "sync": {"status": "OutOfSync"}, "health": {"status": "Healthy"}}
        _custom(c).patch_namespaced_custom_object("argoproj.io", "v1alpha1", "argocd", "applications",
                                                  "seldon-gitops-team-b", {"status": status})


EXPECTED = {
    "delete_binding": ({("Ansible", "missing", "RoleBinding team-a/modelplane-write")}, None),
    "restricted_label": ({("Ansible", "changed", "Namespace -/team-a")},
                         'metadata.labels.seldon.restricted: desired "true", live "false"'),
    "hand_binding": ({("no owner", "unmanaged", "RoleBinding team-a/by-hand")}, None),
    "drop_tenant": ({("Ansible", "orphaned", "Namespace -/shared-demos"),
                     ("Ansible", "orphaned", "ConfigMap seldon-system/seldon-deploy-policies")},
                    "grants of namespace shared-demos, no longer a tenant"),
    "traffic": ({("Pulumi", "changed", "SeldonDeployment team-a/iris")},
                "spec.predictors[0].traffic: desired 90, live 50"),
    "gitops_replicas": ({("Argo CD", "changed", "SeldonDeployment team-b/income")},
                        "spec.predictors[0].replicas: desired 1, live 3"),
    "drop_grant": ({("Ansible", "changed", "ConfigMap seldon-system/seldon-deploy-policies")},
                   "grant role_grants ds-team-a write namespace/team-a: missing"),
    "out_of_sync": ({("Argo CD", "out-of-sync", "Application argocd/seldon-gitops-team-b")},
                    "status.sync.status: OutOfSync (health: Healthy)"),
}


@pytest.mark.parametrize("change", list(EXPECTED))
def test_each_hand_change_is_named_with_its_owner_and_nothing_else(cluster, change):
    changes = Changes()
    getattr(changes, change)(cluster)
    try:
        code, report, output = drift(cluster, "--plan", str(cluster.plan), "--format", "json")
    finally:
        getattr(changes, change)(cluster, undo=True)
    wanted, detail = EXPECTED[change]
    assert code == 2, output
    assert findings(report) == wanted, output
    if detail:
        assert detail in details(report), output
    assert drift(cluster, "--plan", str(cluster.plan))[0] == 0  # undone: clean again


def test_all_changes_together_and_the_text_report(cluster):
    changes = Changes()
    for change in EXPECTED:
        getattr(changes, change)(cluster)
    try:
        code, report, output = drift(cluster, "--plan", str(cluster.plan), "--format", "json")
        text_code, _, text = drift(cluster, "--plan", str(cluster.plan))
        junit_code, _, junit = drift(cluster, "--plan", str(cluster.plan), "--format", "junit")
    finally:
        for change in reversed(EXPECTED):
            getattr(changes, change)(cluster, undo=True)
    print(f"\n{text}")
    assert code == text_code == junit_code == 2
    assert findings(report) == set().union(*(wanted for wanted, _ in EXPECTED.values())), output
    assert "  Ansible   missing 1  changed 2  orphaned 2" in text
    assert "\nteam-a\n" in text and "\nshared-demos\n" in text
    assert junit.count("<testcase") == 5 and junit.count("<failure") == 4


def test_a_read_only_identity_runs_it_without_a_single_write(cluster):
    since = len(cluster.plane.audit_events())
    code, report, output = drift(cluster, "--plan", str(cluster.plan), "--format", "json", user=READER)
    assert (code, report["findings"], report["errors"]) == (0, [], []), output
    assert cluster.plane.mutating_requests(READER, since) == []
    reads = [e for e in cluster.plane.audit_events()[since:] if e["user"]["username"] == READER]
    assert reads and {e["verb"] for e in reads} <= {"get", "list"}


def test_a_refused_permission_is_named(cluster):
    """bob (a tenant user) lacks cluster-wide list: the report says which permission, and exits 1."""
    code, report, output = drift(cluster, "--plan", str(cluster.plan), "--format", "json", user="bob")
    assert code == 1, output
    assert any(e.startswith("list rolebindings (rbac.authorization.k8s.io) across all namespaces: refused")
               and "modelplane-drift-reader" in e for e in report["errors"]), report["errors"]


def test_onboarding_with_other_role_settings_is_compared_with_the_same_variables_file(cluster, tmp_path):
    """A team that onboards with its own LimitRange defaults (-e @FILE) gives drift the same file: without it,
    drift names every LimitRange those settings changed; with it, there is no drift."""
    settings = tmp_path / "onboard-vars.yml"
    settings.write_text(yaml.safe_dump({**BATCH_CREDENTIALS, "tenant_onboard_container_defaults": {
        "request_cpu": "100m", "request_memory": "256Mi", "limit_cpu": "2", "limit_memory": "1Gi"}}))
    defaults = tmp_path / "creds.yml"
    defaults.write_text(yaml.safe_dump(BATCH_CREDENTIALS))
    with_quota = [t["name"] for t in yaml.safe_load(cluster.tenants_file.read_text())["tenants"] if t.get("quota")]
    assert with_quota
    run = playbook(cluster.plane, "onboard.yml", "-e", f"@{settings}", extra={"tenants_file": cluster.tenants_file})
    assert run.rc == 0, run.output[-2000:]
    try:
        code, report, output = drift(cluster, "--plan", str(cluster.plan), "--format", "json")
        assert code == 2, output
        assert findings(report) == {("Ansible", "changed", f"LimitRange {t}/modelplane-defaults") for t in with_quota}
        assert 'spec.limits[0].default.cpu: desired "1", live "2"' in details(report), output
        code, report, output = drift(cluster, "--plan", str(cluster.plan), "--onboard-vars", str(settings),
                                     "--format", "json")
        assert (code, report["findings"]) == (0, []), output
    finally:
        restored = playbook(cluster.plane, "onboard.yml", "-e", f"@{defaults}",
                            extra={"tenants_file": cluster.tenants_file})
    assert restored.rc == 0, restored.output[-2000:]
    assert drift(cluster, "--plan", str(cluster.plan))[0] == 0


def test_a_bad_variables_file_is_an_error_naming_it(cluster, tmp_path):
    settings = tmp_path / "onboard-vars.yml"
    settings.write_text(yaml.safe_dump({"tenant_onboard_pod_security_audit": "strict"}))
    code, _, output = drift(cluster, "--plan", str(cluster.plan), "--onboard-vars", str(settings))
    assert code == 1 and f"{settings}: invalid" in output and "tenant_onboard_pod_security_audit" in output


def test_a_binding_posing_as_argo_cd_is_unmanaged_and_one_it_tracks_is_not(cluster):
    """Argo CD's tracking label counts as an owner's mark only when it names an Application that exists."""
    def binding(instance: str) -> dict:
        return {"metadata": {"name": "posing", "labels": {ARGOCD_TRACKING: instance}},
                "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "ClusterRole", "name": "admin"},
                "subjects": [{"kind": "User", "name": "mallory", "apiGroup": "rbac.authorization.k8s.io"}]}

    _rbac(cluster).create_namespaced_role_binding("team-b", binding("not-an-application"))
    try:
        code, report, output = drift(cluster, "--plan", str(cluster.plan), "--format", "json")
        assert code == 2 and findings(report) == {("no owner", "unmanaged", "RoleBinding team-b/posing")}, output
        assert ("its Argo CD tracking names Application not-an-application, which does not exist; no other "
                "owner's mark") in details(report)
        _rbac(cluster).replace_namespaced_role_binding("posing", "team-b", binding("seldon-gitops-team-b"))
        assert drift(cluster, "--plan", str(cluster.plan))[0] == 0
    finally:
        _rbac(cluster).delete_namespaced_role_binding("posing", "team-b")
