"""Rules on the pods the platform runs: model pods (SeldonDeployments) and any workload object."""

from __future__ import annotations

from collections.abc import Iterator

from policies.rules.base import Context, KubeObject, Violation, rule

POD_TEMPLATE_KINDS = {"Deployment", "StatefulSet", "DaemonSet", "ReplicaSet", "Job"}


def pod_specs(obj: KubeObject) -> Iterator[tuple[str, dict]]:
    """(where, pod spec) for every pod an object defines."""
    spec = obj.manifest.get("spec") or {}
    if obj.kind == "SeldonDeployment":
        for p in spec.get("predictors") or []:
            for i, component in enumerate(p.get("componentSpecs") or []):
                yield f"predictor {p.get('name')} componentSpecs[{i}]", component.get("spec") or {}
            container = (p.get("explainer") or {}).get("containerSpec")
            if container:
                yield f"predictor {p.get('name')} explainer", {"containers": [container]}
    elif obj.kind in POD_TEMPLATE_KINDS:
        yield "template", (spec.get("template") or {}).get("spec") or {}
    elif obj.kind == "CronJob":
        yield "jobTemplate", ((spec.get("jobTemplate") or {}).get("spec") or {}).get("template", {}).get("spec") or {}
    elif obj.kind == "Pod":
        yield "pod", spec


def containers(ctx: Context) -> Iterator[tuple[KubeObject, str, dict]]:
    for obj in ctx.objects:
        for where, pod in pod_specs(obj):
            for c in [*(pod.get("initContainers") or []), *(pod.get("containers") or [])]:
                yield obj, f"{where} container {c.get('name')}", c


def image_problem(image: str) -> str | None:
    if "@sha256:" in image:
        return None
    last = image.rsplit("/", 1)[-1]
    if ":" not in last:
        return "has no tag (it means latest)"
    if last.rsplit(":", 1)[1] == "latest":
        return "uses the tag latest"
    return None


@rule("MP001", "Images are pinned", severity="high",
      rationale="`latest` or an untagged image changes under a running model without any change in review.",
      fix="Use an explicit version tag or a digest (image:1.2.3 or image@sha256:...).")
def images_pinned(ctx: Context):
    for obj, where, c in containers(ctx):
        image = c.get("image")
        # a pre-packaged model server has no image here: Seldon Core's pinned release chooses it
        problem = image_problem(image) if image else None
        if problem:
            yield Violation(obj.label, f"{where}: image {image!r} {problem}", obj.urn)
    for release in ctx.releases():
        for path in _latest_tags(release.inputs.get("values") or {}):
            yield Violation(f"Helm release {release.name}", f"values.{path}.tag is 'latest'", release.urn)


def _latest_tags(values: dict, path: str = "") -> Iterator[str]:
    if isinstance(values, dict):
        if values.get("tag") == "latest":
            yield path or "(root)"
        for k, v in values.items():
            yield from _latest_tags(v, f"{path}.{k}" if path else k)


@rule("MP002", "Containers declare requests and limits", severity="medium",
      rationale="Without requests the scheduler overcommits nodes; without limits one model can starve "
                "the others on its node (seed 003 §9.1.3: evictions).",
      fix="Set resources (cpu, memory, cpuLimit, memoryLimit) on the predictor or the graph node.")
def requests_and_limits(ctx: Context):
    for obj, where, c in containers(ctx):
        resources = c.get("resources") or {}
        missing = [f"{kind}.{res}" for kind in ("requests", "limits") for res in ("cpu", "memory")
                   if not (resources.get(kind) or {}).get(res)]
        if missing:
            yield Violation(obj.label, f"{where}: no {', '.join(missing)}", obj.urn)


@rule("MP003", "No privileged pods, host paths or host namespaces", severity="critical",
      rationale="A privileged container, a hostPath volume, hostNetwork or hostPID gives a model image "
                "the node, and with it every tenant on that node.",
      fix="Remove privileged, hostPath, hostNetwork and hostPID; use a PVC or an emptyDir.",
      mandatory_in=("local", "dev", "staging", "prod"))
def no_host_access(ctx: Context):
    for obj in ctx.objects:
        for where, pod in pod_specs(obj):
            for key in ("hostNetwork", "hostPID", "hostIPC"):
                if pod.get(key):
                    yield Violation(obj.label, f"{where}: {key}: true", obj.urn)
            for v in pod.get("volumes") or []:
                if "hostPath" in v:
                    yield Violation(obj.label, f"{where}: volume {v.get('name')} is a hostPath", obj.urn)
            for c in [*(pod.get("initContainers") or []), *(pod.get("containers") or []),
                      *(pod.get("ephemeralContainers") or [])]:
                if (c.get("securityContext") or {}).get("privileged"):
                    yield Violation(obj.label, f"{where} container {c.get('name')}: privileged", obj.urn)
