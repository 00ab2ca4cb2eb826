"""Pod Security admission on the real server (the Kubernetes version the stacks target), beside our rules
MP003 and MP023-MP033: for every control, a pod that breaks it is dry-run into a namespace that enforces
restricted and one that enforces baseline, and the server's list of violated controls is compared with the
rules that fire on the same pod at the same level."""

from __future__ import annotations

import copy
import json
from pathlib import Path

import pytest
from kubernetes import client, config

from components.namespaces import POD_SECURITY_ENFORCE
from components.tenants import Tenant, TenantsFile
from harness.controlplane import ADMIN
from modelplane.cluster.apply import read_manifests
from policies.rules import RULES, Context, Resource
from policies.rules.pod_security import SAFE_SYSCTLS
from tests.conftest import STACKS
from tests.fakes.pod_shapes import EXECUTOR, istio_injected, seldon_core_pods
from tests.integration.test_rendered_on_controlplane import rendered_objects
from tests.policies.test_pod_security import CONTROLS, POD, RESTRICTED, template

pytestmark = pytest.mark.controlplane

RESTRICTED_NS, BASELINE_NS = "psa-restricted", "psa-baseline"
POD_SECURITY_RULES = sorted(["MP003", *CONTROLS])

# the names Pod Security admission gives its checks in a refusal -> the rule that holds the same control
SERVER_CHECKS = {
    "host namespaces": "MP003", "privileged": "MP003", "hostPath volumes": "MP003",
    "non-default capabilities": "MP023", "unrestricted capabilities": "MP023", "hostPort": "MP024",
    "forbidden AppArmor profile": "MP025", "forbidden AppArmor profiles": "MP025", "seLinuxOptions": "MP026",
    "procMount": "MP027", "seccompProfile": "MP028", "forbidden sysctls": "MP029",
    "restricted volume types": "MP030", "allowPrivilegeEscalation != false": "MP031",
    "runAsNonRoot != true": "MP032", "runAsUser=0": "MP032", "hostProcess": "MP033",
}

# MP003's controls (not in CONTROLS, which covers MP023-MP033)
HOST_ACCESS = {
    "hostNetwork": ("pod", {"hostNetwork": True}),
    "hostPID": ("pod", {"hostPID": True}),
    "hostIPC": ("pod", {"hostIPC": True}),
    # privileged and allowPrivilegeEscalation: false together are invalid: the container drops the latter
    "privileged": ("container", {"securityContext": {**{k: v for k, v in RESTRICTED.items()
                                                        if k != "allowPrivilegeEscalation"}, "privileged": True}}),
    "hostPath": ("pod", {"volumes": [{"name": "node", "hostPath": {"path": "/var/lib"}}]}),
}
# the server validates a pod before admission: these breaks need company to be valid pods at all
VALID_ONLY_WITH = {
    "MP027": {"hostUsers": False},  # an Unmasked /proc needs a user namespace
    "MP033": {"hostNetwork": True},  # a Windows host process runs in the host's network
}
CASES = {
    "compliant": ("", None),
    **{rule: CONTROLS[rule][:2] for rule in CONTROLS},
    "MP032 runAsUser 0": ("container", {"securityContext": {**RESTRICTED, "runAsUser": 0}}),
    "MP023 baseline capability": ("container", {"securityContext": {**RESTRICTED, "capabilities": {
        "drop": ["ALL"], "add": ["CHOWN"]}}}),
    "MP029 every safe sysctl": ("pod", {"securityContext": {**POD, "sysctls": [
        {"name": name, "value": "1"} for name in sorted(SAFE_SYSCTLS)]}}),
    **HOST_ACCESS,
}


def pod(case: str, namespace: str, where: str, change: dict | None) -> dict:
    name = case.split()[0].lower()
    shaped = copy.deepcopy(template(where, change))
    shaped["spec"].update(VALID_ONLY_WITH.get(case, {}))
    return {"apiVersion": "v1", "kind": "Pod",
            "metadata": {"name": name, "namespace": namespace, **shaped["metadata"]}, "spec": shaped["spec"]}


def server_checks(message: str) -> list[tuple[str, str]]:
    """(check, detail) of a PodSecurity refusal: `violates PodSecurity "restricted:latest": a (..), b (..)`."""
    listed = message.split('": ', 1)[1] if "violates PodSecurity" in message else ""
    checks, depth, name, detail = [], 0, "", ""
    for char in listed:
        if char == "(":
            depth += 1
            if depth == 1:
                continue
        elif char == ")":
            depth -= 1
            if depth == 0:
                checks.append((name.strip().lstrip(", "), detail))
                name, detail = "", ""
                continue
        if depth:
            detail += char
        else:
            name += char
    return checks


def rules_named(check: str, detail: str) -> set[str]:
    """The restricted level checks volumes by an allow-list that replaces baseline's hostPath check, so a
    hostPath volume is named only as a restricted volume type there; MP003 holds hostPath at every level."""
    if check == "restricted volume types" and '"hostPath"' in detail:
        return {"MP030", "MP003"}
    return {SERVER_CHECKS[check]}


def server_verdict(core: client.CoreV1Api, manifest: dict) -> tuple[str, set[str]]:
    """("admitted" | "refused" | "invalid", the rules whose controls the server named)."""
    try:
        core.create_namespaced_pod(manifest["metadata"]["namespace"], manifest, dry_run="All")
    except client.ApiException as exc:
        message = json.loads(exc.body).get("message", "")
        if exc.status == 403 and "violates PodSecurity" in message:
            checks = server_checks(message)
            unknown = {name for name, _ in checks} - set(SERVER_CHECKS)
            assert not unknown, f"a Pod Security check this table does not map: {unknown} ({message})"
            return "refused", set().union(*(rules_named(name, detail) for name, detail in checks))
        return "invalid", {message}
    return "admitted", set()


def our_verdict(manifest: dict) -> set[str]:
    resource = Resource("kubernetes:core/v1:Pod", manifest["metadata"]["name"], "urn:pod", manifest)
    ctx = Context("prod", [resource], TenantsFile(tenants=[Tenant.model_validate({"name": RESTRICTED_NS})]))
    return {rule for rule in POD_SECURITY_RULES if RULES[rule](ctx)}


@pytest.fixture(scope="module")
def core(controlplane):
    api = client.CoreV1Api(config.new_client_from_config(str(controlplane.kubeconfig(ADMIN))))
    for name, level in ((RESTRICTED_NS, "restricted"), (BASELINE_NS, "baseline")):
        api.create_namespace({"metadata": {"name": name, "labels": {"pod-security.kubernetes.io/enforce": level}}})
    return api


def test_every_control_is_judged_alike_by_the_server_and_our_rules(core):
    table, disagreements = [], []
    for case, (where, change) in CASES.items():
        for namespace in (RESTRICTED_NS, BASELINE_NS):
            manifest = pod(case, namespace, where, change)
            verdict, server = server_verdict(core, manifest)
            ours = our_verdict(manifest)
            table.append((case, namespace.removeprefix("psa-"), verdict, sorted(server), sorted(ours)))
            if verdict == "invalid" or server != ours:
                disagreements.append(table[-1])
    print("\ncase | level | server | server's controls | our rules")
    for row in table:
        print(" | ".join(str(c) for c in row))
    assert disagreements == []
    admitted = {"compliant", "MP029 every safe sysctl"}
    assert {row[0] for row in table if row[2] == "refused" and row[1] == "restricted"} == set(CASES) - admitted
    assert {row[0] for row in table if row[2] == "admitted" and row[1] == "baseline"} >= {
        "compliant", "MP030", "MP031", "MP032"}


def plan_pods(out: Path) -> list[dict]:
    """Every pod a render output makes: pod templates of its workloads, and the pods Seldon Core builds
    for each SeldonDeployment (Pulumi's and the GitOps files')."""
    pods = []
    for obj in rendered_objects(out):
        if obj["kind"] == "SeldonDeployment":
            pods += [p for _, p in seldon_core_pods(obj)]
        elif obj["kind"] in ("Deployment", "StatefulSet", "DaemonSet", "Job"):
            template = obj["spec"]["template"]
            pods.append({"apiVersion": "v1", "kind": "Pod", "spec": template["spec"], "metadata": {
                "name": obj["metadata"]["name"], "namespace": obj["metadata"].get("namespace"),
                "annotations": (template.get("metadata") or {}).get("annotations") or {}}})
    return pods


def namespace_levels(out: Path) -> dict[str, str]:
    """The level each namespace of a render output enforces: tenants the platform facts' level (onboarding
    writes it), the platform's namespaces their planned label, else the server's default (privileged)."""
    objects = read_manifests(out / "manifests")
    facts = next(o["data"] for o in objects if o["kind"] == "ConfigMap"
                 and o["metadata"]["name"] == "modelplane-platform")
    levels = {o["metadata"]["name"]: (o["metadata"].get("labels") or {}).get(POD_SECURITY_ENFORCE, "privileged")
              for o in objects if o["kind"] == "Namespace"}
    for pod_ in plan_pods(out):
        levels.setdefault(pod_["metadata"]["namespace"], facts["podSecurityEnforce"])
    return levels


SELDON_ADDED = (EXECUTOR, "-model-initializer")


def _judge(core: client.CoreV1Api, pod_: dict, namespace: str) -> tuple[str, set[str]]:
    probe = copy.deepcopy(pod_)
    probe["metadata"]["namespace"] = namespace
    return server_verdict(core, probe)


@pytest.mark.parametrize("stack", [*STACKS, "corpus"])
def test_every_pod_the_plan_makes_is_admitted_where_it_runs(core, rendered, corpus_render, stack):
    """At the level its namespace enforces, every pod is admitted. At restricted (what tenants audit and warn
    at), the server refuses model pods only for the containers Seldon Core adds (the executor's missing
    capabilities.drop, the storage initializer's empty security context): never for what modelplane writes."""
    out = corpus_render if stack == "corpus" else rendered[stack]
    pods, levels = plan_pods(out), namespace_levels(out)
    assert pods
    namespaces = {"restricted": RESTRICTED_NS, "baseline": BASELINE_NS}
    refused, restricted_only_for_seldon = [], 0
    for pod_ in pods:
        level = levels[pod_["metadata"]["namespace"]]
        if level != "privileged":
            verdict, detail = _judge(core, pod_, namespaces[level])
            if verdict != "admitted":
                refused.append((pod_["metadata"]["name"], level, verdict, detail))
        verdict, _ = _judge(core, pod_, RESTRICTED_NS)
        if verdict != "admitted":
            without = copy.deepcopy(pod_)
            for field in ("containers", "initContainers"):
                without["spec"][field] = [c for c in without["spec"].get(field) or []
                                          if not c["name"].endswith(SELDON_ADDED)]
            assert _judge(core, without, RESTRICTED_NS)[0] == "admitted", pod_["metadata"]["name"]
            restricted_only_for_seldon += 1
    print(f"\n[{stack}] {len(pods)} pods admitted at their namespaces' levels "
          f"({sorted(set(levels[p['metadata']['namespace']] for p in pods))}); at restricted "
          f"{restricted_only_for_seldon} refused only for what Seldon Core adds")
    assert refused == []


def test_injected_and_seldon_built_pods_meet_what_tenants_enforce(core, rendered):
    """A model pod as Seldon Core 1.18 builds it, then as Istio 1.29's injector returns it: with the CNI agent
    admitted at baseline (and, but for Seldon's executor, at restricted); without it refused at baseline for
    istio-init's capabilities — why tenants were privileged before the agent."""
    sdep = next(o for o in read_manifests(rendered["prod"] / "manifests") if o["kind"] == "SeldonDeployment")
    model = seldon_core_pods(sdep)[0][1]
    with_cni = istio_injected(model, cni=True, proxy_seccomp=True)
    assert {c["name"] for c in with_cni["spec"]["initContainers"]} >= {"istio-validation", "istio-proxy"}
    assert _judge(core, with_cni, BASELINE_NS) == ("admitted", set())
    # the executor lacks capabilities.drop [ALL]; a storage initializer has no security context at all
    initializer = any(c["name"].endswith("-model-initializer") for c in with_cni["spec"]["initContainers"])
    assert _judge(core, with_cni, RESTRICTED_NS) == ("refused", {"MP023", *(["MP031"] if initializer else [])})
    without_executor = copy.deepcopy(with_cni)
    without_executor["spec"]["containers"] = [c for c in with_cni["spec"]["containers"] if c["name"] != EXECUTOR]
    without_executor["spec"]["initContainers"] = [c for c in with_cni["spec"]["initContainers"]
                                                  if not c["name"].endswith("-model-initializer")]
    assert _judge(core, without_executor, RESTRICTED_NS) == ("admitted", set())
    no_cni = istio_injected(model, cni=False, proxy_seccomp=True)
    assert _judge(core, no_cni, BASELINE_NS) == ("refused", {"MP023"})
