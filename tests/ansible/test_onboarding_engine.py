"""The onboarding engine on the real control plane: an apiserver outage in the middle of a run, two runs at
once, a re-run after one tenant changed, and a concurrent edit of the OPA policies."""

from __future__ import annotations

import json
import re
import time

import pytest
import yaml
from kubernetes import client

from components import opa
from harness.controlplane import ADMIN
from modelplane.cluster.kube import Kube, key
from modelplane.onboarding.grants import apply_grants
from tests.ansible.conftest import generated_tenants, playbook, start_playbook

pytestmark = pytest.mark.controlplane
MANAGED = "app.kubernetes.io/managed-by=modelplane"
KINDS = [("v1", "Namespace"), ("networking.k8s.io/v1", "NetworkPolicy"),
         ("rbac.authorization.k8s.io/v1", "RoleBinding"), ("rbac.authorization.k8s.io/v1", "Role"),
         ("v1", "ResourceQuota"), ("v1", "LimitRange"), ("v1", "ServiceAccount"),
         ("argoproj.io/v1alpha1", "Application")]
SERVER_FIELDS = ("uid", "resourceVersion", "creationTimestamp", "managedFields", "selfLink", "generation")


def tenants_file(tmp_path, prefix: str, count: int):
    path = tmp_path / f"{prefix}.yaml"
    path.write_text(yaml.safe_dump(generated_tenants(prefix, count)))
    return path


def objects_of(kube: Kube, prefix: str) -> dict[str, str]:
    """Every modelplane object of the tenants named `prefix`-*, with the prefix and the server's own
    metadata taken out, so two runs' objects compare as text."""
    found = {}
    for api_version, kind in KINDS:
        for obj in kube.list(api_version, kind, label_selector=MANAGED):
            meta = obj["metadata"]
            owner = meta["name"] if kind == "Namespace" else meta.get("namespace")
            if kind == "Application":
                owner = meta["labels"].get("modelplane.io/tenant-namespace")
            if not owner or not owner.startswith(f"{prefix}-"):
                continue
            for name in SERVER_FIELDS:
                meta.pop(name, None)
            meta.get("annotations", {}).pop("kubectl.kubernetes.io/last-applied-configuration", None)
            obj.pop("status", None)
            text = json.dumps(obj, sort_keys=True).replace(f"{prefix}-", "T-")
            found[" ".join(key(json.loads(text)))] = text
    return found


def policies(api) -> dict:
    cm = client.CoreV1Api(api).read_namespaced_config_map(opa.CONFIGMAP, "seldon-system")
    return json.loads(cm.data[opa.DATA_KEY])


def grants_of(document: dict, prefix: str) -> list[tuple]:
    """(target, principal, action, namespace with the prefix taken out), duplicates kept."""
    return sorted((target, principal, e["action"], e["resource"].replace(f"namespace/{prefix}-", "T-"))
                  for target, grants in document.items() for principal, entries in grants.items() for e in entries
                  if e["resource"].startswith(f"namespace/{prefix}-"))


def destinations(api) -> list[str]:
    project = client.CustomObjectsApi(api).get_namespaced_custom_object(
        "argoproj.io", "v1alpha1", "argocd", "appprojects", "seldon")
    return [d["namespace"] for d in project["spec"]["destinations"]]


def patches_since(plane, offset: int) -> int:
    with open(plane.audit_log, "rb") as log:
        log.seek(offset)
        return log.read().count(b'"verb":"patch"')


def test_apiserver_outage_mid_run_then_one_rerun_converges(platform, api, tmp_path):
    kube = Kube.from_kubeconfig(platform.kubeconfig(ADMIN))
    whole = playbook(platform, "onboard.yml", extra={"tenants_file": tenants_file(tmp_path, "whole", 100)})
    assert whole.rc == 0, whole.output[-2000:]

    cut_file = tenants_file(tmp_path, "cut", 100)
    offset = platform.audit_log.stat().st_size
    run = start_playbook(platform, "onboard.yml", extra={"tenants_file": cut_file, "tenant_onboard_workers": 2})
    deadline = time.monotonic() + 120
    while patches_since(platform, offset) < 150 and run.poll() is None and time.monotonic() < deadline:
        time.sleep(0.02)
    landed = patches_since(platform, offset)
    platform.stop_apiserver()
    try:
        output, _ = run.communicate(timeout=120)
    finally:
        platform.start_apiserver()
    print(f"\napiserver stopped after {landed} writes; the run said:\n{output[-1500:]}")
    assert run.returncode != 0
    # names what it was writing
    named = re.search(r"(create|update) \w+ cut-\d{4}/\S+ failed: cannot reach the Kubernetes API", output)
    assert named, output[-2000:]

    since = len(platform.audit_events())
    rerun = playbook(platform, "onboard.yml", extra={"tenants_file": cut_file})
    assert rerun.rc == 0, rerun.output[-2000:]
    assert objects_of(kube, "cut") == objects_of(kube, "whole")
    document = policies(api)
    assert grants_of(document, "cut") == grants_of(document, "whole")
    assert len(set(grants_of(document, "cut"))) == len(grants_of(document, "cut"))  # no duplicate grants
    listed = destinations(api)
    assert sorted(n.replace("cut-", "T-") for n in listed if n.startswith("cut-")) == sorted(
        n.replace("whole-", "T-") for n in listed if n.startswith("whole-"))
    assert len(listed) == len(set(listed))
    assert len(platform.mutating_requests(ADMIN, since)) > 0
    again = playbook(platform, "onboard.yml", extra={"tenants_file": cut_file})
    assert again.changed == 0 and again.mutating == []


def test_two_runs_at_once_both_land(platform, api, tmp_path):
    files = [tenants_file(tmp_path, prefix, 30) for prefix in ("left", "right")]
    since = len(platform.audit_events())
    runs = [start_playbook(platform, "onboard.yml", extra={"tenants_file": f}) for f in files]
    outputs = [r.communicate(timeout=300)[0] for r in runs]
    assert [r.returncode for r in runs] == [0, 0], outputs
    conflicts = [e for e in platform.audit_events()[since:] if (e.get("responseStatus") or {}).get("code") == 409]
    print(f"\ntwo runs at once: {len(conflicts)} write conflicts answered 409 and retried")
    core = client.CoreV1Api(api)
    names = {ns.metadata.name for ns in core.list_namespace(label_selector=MANAGED).items}
    document = policies(api)
    for prefix in ("left", "right"):
        assert {f"{prefix}-{i:04d}" for i in range(30)} <= names
        wanted = sorted((t, p, a, r.replace(f"namespace/{prefix}-", "T-")) for t, p, a, r in
                        [g for row in generated_tenants(prefix, 30)["tenants"] for g in _grants(row)])
        assert grants_of(document, prefix) == wanted
        assert {f"{prefix}-{i:04d}" for i in range(0, 30, 3)} <= set(destinations(api))


def _grants(row: dict) -> list[tuple]:
    from components.tenants import Tenant

    return Tenant.model_validate(row).opa_grants()


def test_one_changed_tenant_rewrites_only_its_changed_objects(platform, tmp_path):
    path = tenants_file(tmp_path, "one", 20)
    assert playbook(platform, "onboard.yml", extra={"tenants_file": path}).rc == 0
    data = yaml.safe_load(path.read_text())
    data["tenants"][4]["users"] = {"user-4": "write"}  # read -> write: labels, both bindings, grants
    path.write_text(yaml.safe_dump(data))
    run = playbook(platform, "onboard.yml", extra={"tenants_file": path})
    assert run.rc == 0, run.output[-2000:]
    written = sorted(f"{e['verb']} {e['objectRef']['resource']} {e['objectRef'].get('namespace', '-')}/"
                     f"{e['objectRef']['name']}" for e in run.mutating)
    print(f"\none tenant changed: {written}")
    assert written == ["patch namespaces one-0004/one-0004", "patch rolebindings one-0004/modelplane-read",
                       "patch rolebindings one-0004/modelplane-write", "update configmaps seldon-system/"
                       "seldon-deploy-policies"]


def test_a_concurrent_edit_of_the_policies_is_merged_not_lost(platform, api):
    """Someone writes a grant between our read and our write: ours fails with 409, is merged again from a
    fresh read, and both grants are in the ConfigMap."""
    kube = Kube.from_kubeconfig(platform.kubeconfig(ADMIN))
    apply_grants(kube, "seldon-system", {})  # the ConfigMap exists (created if this test runs alone)
    core = client.CoreV1Api(api)
    real_get, edits = kube.get, []

    def get_then_edit(*args):
        current = real_get(*args)
        if not edits and current is not None:
            cm = core.read_namespaced_config_map(opa.CONFIGMAP, "seldon-system")
            document = json.loads(cm.data[opa.DATA_KEY])
            document["role_grants"].setdefault("by-hand", []).append({"action": "read", "resource": "namespace/x"})
            cm.data[opa.DATA_KEY] = json.dumps(document)
            edits.append(core.replace_namespaced_config_map(opa.CONFIGMAP, "seldon-system", cm))
        return current

    kube.get = get_then_edit
    grant = ("role_grants", "racing-team", "write", "namespace/racing")
    merged, written = apply_grants(kube, "seldon-system", {"racing": [grant]})
    assert written and edits
    document = policies(api)
    assert {"action": "read", "resource": "namespace/x"} in document["role_grants"]["by-hand"]
    assert {"action": "write", "resource": "namespace/racing"} in document["role_grants"]["racing-team"]
