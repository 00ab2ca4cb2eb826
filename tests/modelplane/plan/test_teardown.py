"""The teardown plan on synthetic states and on the CRD data: phases in the reverse of install order, a
resource moved later when something deleted later depends on it, the keep-list closed over what it depends
on, nothing kept by a purge, and every upstream CRD's group known to the chart that installs it."""

from __future__ import annotations

import pytest
import yaml

from modelplane.engine.teardown import refusal
from modelplane.plan.teardown import CRD_GROUPS, PHASES, crd_groups, teardown_plan
from modelplane.plan.upstream import crds_dir

PLATFORM = "modelplane:platform:Platform"
# the file-name prefix of each ../shared/crds document -> the chart that installs it (its README's table)
CRD_FILE_CHART = {"argocd": "argo-cd", "eck": "eck-operator", "istio": "base", "knative": "knative-operator",
                  "prometheus": "kube-prometheus-stack", "seldon": "seldon-core-operator",
                  "zalando": "postgres-operator"}


def urn(kind: str, name: str, parents: tuple[str, ...] = (PLATFORM,)) -> str:
    return f"urn:pulumi:s::modelplane::{'$'.join((*parents, kind))}::{name}"


def resource(kind: str, name: str, *, parent: str | None = None, deps: tuple[str, ...] = (), custom: bool = True,
             ident: str | None = None, chart: str | None = None, **extra) -> dict:
    parents = (PLATFORM,) if parent is None else (PLATFORM, parent.split("::")[2].split("$")[-1])
    r = {"urn": urn(kind, name, parents), "type": kind, "custom": custom, "dependencies": list(deps),
         "parent": parent or ROOT, "id": ident or name, **extra}
    if chart:
        r["inputs"] = {"chart": chart, "version": "1.0.0"}
    return r


ROOT = f"urn:pulumi:s::modelplane::{PLATFORM}::modelplane"


def state() -> list[dict]:
    platform = {"urn": ROOT, "type": PLATFORM, "custom": False}
    model = resource("modelplane:models:SeldonModel", "iris", custom=False)
    core_addon = resource("modelplane:addons:HelmAddon", "seldon-core", custom=False)
    istio = resource("modelplane:addons:Istio", "istio", custom=False)
    system = resource("kubernetes:core/v1:Namespace", "seldon-system")
    logs = resource("kubernetes:core/v1:Namespace", "seldon-logs")
    spare = resource("kubernetes:core/v1:Namespace", "argo")
    istiod = resource("kubernetes:helm.sh/v3:Release", "istiod", parent=istio["urn"], ident="istio-system/istiod",
                      chart="istiod")
    core = resource("kubernetes:helm.sh/v3:Release", "seldon-core", parent=core_addon["urn"],
                    deps=(istiod["urn"], system["urn"]), ident="seldon-system/seldon-core",
                    chart="seldon-core-operator")
    sdep = resource("kubernetes:machinelearning.seldon.io/v1:SeldonDeployment", "iris-sd", parent=model["urn"],
                    deps=(core["urn"],), ident="team-a/iris")
    operator = resource("kubernetes:helm.sh/v3:Release", "postgres-operator", ident="postgres-operator/po",
                        chart="postgres-operator")
    password = resource("pulumi-python:dynamic/modelplane:GeneratedPassword", "pw")
    secret = resource("kubernetes:core/v1:Secret", "metadata-postgres", deps=(password["urn"], system["urn"]),
                      ident="seldon-system/metadata-postgres")
    database = resource("kubernetes:acid.zalan.do/v1:postgresql", "metadata", deps=(operator["urn"], secret["urn"]),
                        ident="seldon-system/seldon-metadata")
    search = resource("kubernetes:helm.sh/v3:Release", "logging-opensearch", deps=(logs["urn"],),
                      ident="seldon-logs/logging-opensearch", chart="opensearch")
    # a route of the rest that depends on Istio's release: Istio's phase must wait for it
    route = resource("kubernetes:networking.istio.io/v1:VirtualService", "route", deps=(istiod["urn"],),
                     ident="argo/route")
    return [platform, model, core_addon, istio, system, logs, spare, istiod, core, sdep, operator, password, secret,
            database, search, route]


def by_name(plan, name: str) -> str:
    return plan.phase_of()[next(u for u in plan.phase_of() if u.endswith(f"::{name}"))]


def test_the_phases_follow_the_reverse_of_install_order():
    plan = teardown_plan(state())
    # Istio's only release waits for the route (below), and its component for its release
    assert [p for p, _ in plan.phases] == ["models", "Seldon Core", "the rest"]
    assert PHASES == ("models", "Seldon Deploy", "Seldon Core", "Knative", "Istio", "the rest")
    assert by_name(plan, "iris-sd") == "models"
    assert by_name(plan, "seldon-core") == "Seldon Core"
    assert by_name(plan, "logging-opensearch") == "the rest"


def test_a_resource_waits_for_what_is_deleted_later_and_depends_on_it():
    plan = teardown_plan(state())
    # istiod would go with Istio, but the route deleted with the rest depends on it
    assert by_name(plan, "istiod") == "the rest"
    assert by_name(plan, "route") == "the rest"


def test_the_data_its_credentials_and_namespaces_are_kept_with_what_they_depend_on():
    plan = teardown_plan(state())
    kept = {k.name: k.reason for k in plan.kept}
    assert kept["metadata"].startswith("data: the database")
    assert kept["pw"].startswith("a generated credential") and kept["metadata-postgres"].startswith("holds a generated")
    assert "holds postgresql metadata" in kept["seldon-system"]
    assert "release logging-opensearch (the request logs)" in kept["seldon-logs"]
    assert kept["postgres-operator"] == "kept metadata depends on it"
    assert "argo" not in kept and "logging-opensearch" not in kept
    assert not set(plan.phase_of()) & {k.urn for k in plan.kept}


def test_protected_resources_are_kept_and_a_purge_keeps_nothing():
    resources = state()
    next(r for r in resources if r.get("id") == "argo")["protect"] = True
    assert "argo" in {k.name for k in teardown_plan(resources).kept}
    purge = teardown_plan(resources, purge=True)
    assert purge.kept == [] and len(purge.phase_of()) == len(resources)


def test_crd_groups_name_every_upstream_crd_of_the_chart_that_installs_it():
    files = sorted(crds_dir().glob("*.yaml"))
    assert files
    for path in files:
        chart = CRD_FILE_CHART[path.name.split("-")[0]]
        for document in yaml.safe_load_all(path.read_text()):
            if document and document.get("kind") == "CustomResourceDefinition":
                assert document["spec"]["group"] in CRD_GROUPS[chart], (path.name, document["metadata"]["name"])
    assert crd_groups(state()) == ["acid.zalan.do", "machinelearning.seldon.io"]


@pytest.mark.parametrize(("stack", "production", "purge", "confirm", "refused"), [
    ("dev", False, False, None, None),
    ("dev", False, True, None, "add --confirm dev"),
    ("dev", False, True, "dev", None),
    ("dev", False, False, "prod", "does not name the stack"),
    ("prod", True, False, None, "production"),
    ("prod", True, True, "prod", None),
])
def test_refusals(stack, production, purge, confirm, refused):
    said = refusal(stack, production=production, purge=purge, confirm=confirm)
    assert (said is None) if refused is None else (refused in said and "nothing was changed" in said)
