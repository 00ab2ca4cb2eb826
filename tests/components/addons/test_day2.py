"""Day-2 defaults of the rendered charts: Argo CD's URL and stable admin sessions, no alerts for managed
control planes, and every Fluent Bit input routed to an output."""

from __future__ import annotations

from modelplane.engine.render import render
from modelplane.plan.charts import ChartStore
from modelplane.plan.document import read_plan
from modelplane.plan.logpipeline import release_unrouted_inputs
from modelplane.plan.upstream import charts_dir
from policies.check import resources_from_plan
from policies.rules import RULES, Context


def release(plan: dict, chart: str) -> dict:
    return next(r["inputs"] for r in plan["resources"]
                if r["type"].endswith(":Release") and r["inputs"]["chart"] == chart)


def findings(plan: dict, rule: str, environment: str = "prod", charts: ChartStore | None = None) -> list[str]:
    return [v.message for v in RULES[rule](Context(environment, resources_from_plan(plan), charts=charts))]


def test_argocd_url_is_the_stacks_host_and_its_values_do_not_change_between_renders():
    first, second = (release(render("prod").plan, "argo-cd")["values"] for _ in range(2))
    assert first == second
    assert first["global"] == {"domain": "ml.example.com"}
    assert first["configs"]["cm"]["url"] == "https://ml.example.com/argocd"
    assert first["configs"]["secret"]["argocdServerAdminPasswordMtime"]


def test_admin_password_mtime_moves_only_with_the_password():
    """The mtime comes from a StaticTime resource whose trigger is a digest of the admin hash: its inputs are the
    same across renders, so the engine keeps its time; a new password changes the trigger and replaces it."""
    plans = [render("prod").plan for _ in range(2)]
    times = [next(r for r in p["resources"] if r["name"] == "argocd-admin-password-mtime") for p in plans]
    assert times[0]["inputs"] == times[1]["inputs"] == {"triggers": {"password": "<redacted>"}}
    assert times[0]["type"] == "pulumi-python:dynamic:Resource"
    from components.timestamp import _StaticTimeProvider

    provider = _StaticTimeProvider()
    assert not provider.diff("t", {"triggers": {"password": "a"}}, {"triggers": {"password": "a"}}).changes
    changed = provider.diff("t", {"triggers": {"password": "a"}}, {"triggers": {"password": "b"}})
    assert changed.changes and changed.replaces == ["triggers"]
    assert provider.create({"triggers": {"password": "b"}}).outs["rfc3339"].endswith("Z")


def test_mp020_flags_the_example_url_and_an_unpinned_mtime(rendered):
    assert findings(read_plan(rendered["prod"]), "MP020") == []
    assert findings(read_plan(rendered["dev"]), "MP020", "dev") == []  # issue 29: dev names its URL now
    example = {"resources": [{"type": "kubernetes:helm.sh/v3:Release", "name": "argocd", "urn": "u", "inputs": {
        "chart": "argo-cd", "values": {"configs": {}}}}]}
    assert findings(example, "MP020", "dev") == ["Argo CD's URL is the chart's example (https://argocd.example.com)"]
    old = {"resources": [{"type": "kubernetes:helm.sh/v3:Release", "name": "argocd", "urn": "u", "inputs": {
        "chart": "argo-cd", "values": {"global": {"domain": "cd.example.org"},
                                       "configs": {"secret": {"argocdServerAdminPassword": "<redacted>"}}}}}]}
    assert findings(old, "MP020") == ["configs.secret.argocdServerAdminPasswordMtime is unset: the chart stamps the "
                                      "current time on every upgrade"]


def test_control_plane_alerts_are_off_on_eks_and_gke_and_kept_on_kind(rendered):
    for stack in ("prod", "staging", "dev"):
        values = release(read_plan(rendered[stack]), "kube-prometheus-stack")["values"]
        assert {k: values[k] for k in ("kubeControllerManager", "kubeScheduler", "kubeEtcd", "kubeProxy")} == {
            k: {"enabled": False} for k in ("kubeControllerManager", "kubeScheduler", "kubeEtcd", "kubeProxy")}
        assert values["defaultRules"]["rules"]["etcd"] is False
        assert findings(read_plan(rendered[stack]), "MP021") == []
    assert "kubeEtcd" not in release(read_plan(rendered["local"]), "kube-prometheus-stack")["values"]


def test_mp021_flags_a_managed_cluster_scraping_its_control_plane(rendered):
    plan = read_plan(rendered["prod"])
    values = release(plan, "kube-prometheus-stack")["values"]
    values["kubeEtcd"] = {"enabled": True}
    assert findings(plan, "MP021") == ["scrapes the managed control plane (kubeEtcd enabled): their targets never "
                                       "come up"]


def test_every_fluent_bit_input_reaches_an_output(rendered):
    store = ChartStore(charts_dir())
    chart_default = {"chart": "fluent-bit", "version": "0.54.0", "values": {"config": {"outputs": (
        "[OUTPUT]\n    Name es\n    Match kube.*\n")}}}
    assert release_unrouted_inputs(chart_default, store) == ["host.*"]  # what the platform rendered before
    for stack in ("local", "dev", "prod"):
        plan = read_plan(rendered[stack])
        assert release_unrouted_inputs(release(plan, "fluent-bit"), store) == []
        assert findings(plan, "MP022", charts=store) == []


def test_backups_on_a_cluster_the_platform_makes_no_bucket_for_need_named_credentials(stack_tree, capsys):
    """Issue 29, item 2: only on EKS does the platform create the bucket and the role the backup pods assume;
    anywhere else backups without credentials are refused before anything is created, naming the field."""
    from modelplane.commands.cli import main
    from tests.conftest import edit_stack

    def on_gke(config: dict) -> None:
        config["modelplane:cluster"] = {"cloud": "existing", "kubeconfig": "/dev/null", "size": "ha"}

    edit_stack(stack_tree, "prod", on_gke)
    out = stack_tree / "render"
    assert main(["render", "--stack", "prod", "--out", str(out), "--root", str(stack_tree)]) == 2
    err = capsys.readouterr().err
    assert "addons.postgres.logicalBackup.credentialsSecret: required for backups to s3 bucket " \
           "'modelplane-prod-metadata-backups' on a cluster of cloud 'existing'" in err
    assert not out.exists()


def test_the_prod_backup_writes_as_an_iam_role_its_pods_assume_to_a_bucket_of_the_plan(rendered):
    prod = read_plan(rendered["prod"])
    by_type = {}
    for r in prod["resources"]:
        by_type.setdefault(r["type"], []).append(r)
    [bucket] = by_type["aws:s3/bucket:Bucket"]
    assert bucket["inputs"]["bucket"] == "modelplane-prod-metadata-backups"
    assert bucket["options"]["protect"] and bucket["options"]["retainOnDelete"]
    [account] = by_type["kubernetes:core/v1:ServiceAccount"]
    role = next(r for r in by_type["aws:iam/role:Role"] if r["name"] == "metadata-backups-writer")
    assert role["inputs"]["assumeRolePolicy"].count("system:serviceaccount:seldon-system:postgres-pod") == 1
    assert account["inputs"]["metadata"]["annotations"]["eks.amazonaws.com/role-arn"].endswith(
        "role/metadata-backups-writer")
    [cluster] = by_type["kubernetes:acid.zalan.do/v1:postgresql"]
    assert account["urn"] in cluster["dependsOn"]
    assert findings(prod, "MP037") == []
