"""Invalid stack config: exit 2, the field path named, nothing written."""

from __future__ import annotations

import pytest
import yaml

from modelplane.commands.cli import main
from tests.conftest import edit_stack

CASES = {
    "unknown key": (lambda c: c["modelplane:addons"]["logging"].update(flavour="opensearch"),
                    "addons.logging.flavour: unknown key (did you mean 'flavor'?)"),
    "unknown add-on": (lambda c: c["modelplane:addons"].update(kafka={"enabled": True}),
                       "addons.kafka: unknown key (known here: istio, knative, seldonCore, seldonDeploy, prometheus, "
                       "logging, postgres, argocd, minio, argoWorkflows)"),
    "unknown model key": (lambda c: c["modelplane:models"][0].update(replica=2),
                          "models[0].replica: unknown key (known here: name, namespace, project, protocol, "
                          "predictors, logger)"),
    "wrong enum": (lambda c: c["modelplane:addons"]["logging"].update(flavor="opendistro"),
                   "addons.logging.flavor: 'opendistro' is not one of opensearch, elasticsearch"),
    "wrong type": (lambda c: c["modelplane:addons"]["logging"].update(replicas="three"),
                   "addons.logging.replicas: 'three'"),
    "unknown root key": (lambda c: c.update({"modelplane:addon": {}}), "addon: unknown key"),
    "bad cloud": (lambda c: c["modelplane:cluster"].update(cloud="azure"),
                  "cluster.cloud: 'azure' is not one of aws, gcp, existing"),
    "seed default credential in prod": (
        lambda c: (c.update({"modelplane:environment": "prod"}),
                   c["modelplane:addons"]["logging"].update(password="admin")),
        "addons.logging.password: 'admin' is a default credential"),
    "model outside tenants": (lambda c: c["modelplane:models"][0].update(namespace="nobody"),
                              "models[0].namespace: 'nobody' is not a tenant"),
    "model in seldon-logs": (lambda c: c["modelplane:models"][0].update(namespace="seldon-logs"),
                             "models[0].namespace: 'seldon-logs' is a system namespace"),
    "traffic not 100": (lambda c: c["modelplane:models"][0]["predictors"][1].update(traffic=20),
                        "traffic of non-shadow predictors sums to 110"),
    "secure value nested": (lambda c: c["modelplane:addons"]["logging"].update(password={"secure": "v1:x"}),
                            "addons.logging.password: a secure value inside structured config"),
    "referenced secret missing": (lambda c: c.pop("modelplane:gitToken"),
                                  "addons.argocd.git.token: secret config key 'gitToken' is not set"),
    "logger without request logging": (
        lambda c: c["modelplane:addons"]["logging"].update(enabled=False),
        "models[0].logger: request logging is disabled (addons.logging.enabled: false)"),
    "gateway without TLS in staging": (lambda c: c.update({"modelplane:environment": "staging"}),
                                       "addons.istio.tls: required in a staging stack"),
    "seldonDeploy without seldonCore": (lambda c: c["modelplane:addons"].update(seldonCore={"enabled": False}),
                                        "addons.seldonDeploy: needs addons.seldonCore"),
    "models file missing": (lambda c: c.update({"modelplane:modelsFile": "stacks/models/none.yaml"}),
                            "stacks/models/none.yaml: invalid\n  (file): cannot read"),
    "bad dns name": (lambda c: c["modelplane:models"][0].update(name="Iris_Model"),
                     "models[0].name: 'Iris_Model' is not a DNS-1123 label"),
    "source range not a CIDR": (
        lambda c: c["modelplane:addons"]["istio"].update(loadBalancerSourceRanges=["10.0.0.0/8", "10.0.0.0/33"]),
        "addons.istio.loadBalancerSourceRanges[1]: '10.0.0.0/33' is not a network in CIDR notation"),
    "source range with host bits": (
        lambda c: c["modelplane:addons"]["istio"].update(loadBalancerSourceRanges=["10.1.2.3/8"]),
        "addons.istio.loadBalancerSourceRanges[0]: '10.1.2.3/8' has host bits set"),
    "source range without prefix": (
        lambda c: c["modelplane:addons"]["istio"].update(loadBalancerSourceRanges=["10.1.2.3"]),
        "addons.istio.loadBalancerSourceRanges[0]: '10.1.2.3' has no prefix length (e.g. 10.1.2.3/32)"),
    "weak OpenSearch admin password": (
        lambda c: c["modelplane:addons"]["logging"].update(password="Changeme!23"),
        "addons.logging.password: (literal): too weak for OpenSearch's admin user: zxcvbn score 2 of 4"),
    "OpenSearch user other than admin without tls": (
        lambda c: c["modelplane:addons"]["logging"].update(username="logs"),
        "addons.logging.username: 'logs': with the demo security setup (no tls) OpenSearch's only configured "
        "user is 'admin'"),
    "Zalando backups without a bucket": (
        lambda c: c["modelplane:addons"].update(postgres={"backups": True}),
        "addons.postgres.logicalBackup: backups: true on the Zalando backend needs a bucket"),
    "Argo CD URL not absolute": (
        lambda c: c["modelplane:addons"]["argocd"].update(url="argocd.example.org"),
        "addons.argocd.url: 'argocd.example.org'"),
    "gateway Service type unknown": (
        lambda c: c["modelplane:addons"]["istio"].update(serviceType="HostPort"),
        "addons.istio.serviceType: 'HostPort' is not one of LoadBalancer, NodePort, ClusterIP"),
    "backup bucket not a bucket name": (
        lambda c: c["modelplane:addons"].update(postgres={"logicalBackup": {"bucket": "My_Bucket"}}),
        "addons.postgres.logicalBackup.bucket: 'My_Bucket'"),
    "OpenSearch tls without node subjects": (
        lambda c: c["modelplane:addons"]["logging"].update(tls={"secretName": "opensearch-tls", "nodesDn": []}),
        "addons.logging.tls.nodesDn: []"),
    "OpenSearch tls with an empty node subject": (
        lambda c: c["modelplane:addons"]["logging"].update(tls={"secretName": "opensearch-tls", "nodesDn": [""]}),
        "addons.logging.tls.nodesDn[0]: ''"),
    "MinIO console URL not absolute": (
        lambda c: c["modelplane:addons"].update(minio={"enabled": True, "consoleUrl": "/minio/"}),
        "addons.minio.consoleUrl: '/minio/'"),
}

PROD_CASES = {
    "public access CIDR": (lambda c: c["modelplane:cluster"].update(publicAccessCidrs=["203.0.113.0/24", "office"]),
                           "cluster.publicAccessCidrs[1]: 'office' is not a network in CIDR notation"),
    "VPC CIDR not a network": (
        lambda c: (c["modelplane:cluster"].pop("subnetIds"), c["modelplane:cluster"].update(vpcCidr="10.0.0.0/33")),
        "cluster.vpcCidr: '10.0.0.0/33' is not a network in CIDR notation"),
    "VPC CIDR too large for AWS": (
        lambda c: (c["modelplane:cluster"].pop("subnetIds"), c["modelplane:cluster"].update(vpcCidr="10.0.0.0/8")),
        "cluster.vpcCidr: '10.0.0.0/8': a VPC's prefix length is /16 to /24 on AWS"),
    "Kubernetes older than Knative supports": (
        lambda c: c["modelplane:cluster"].update(kubernetesVersion="1.31"),
        "cluster.kubernetesVersion: knative-operator v1.22.2 supports Kubernetes 1.32 or newer, not 1.31"),
    "Kubernetes newer than Istio supports": (
        lambda c: c["modelplane:cluster"].update(kubernetesVersion="1.36"),
        "cluster.kubernetesVersion: istio-base 1.29.6 supports Kubernetes 1.30 to 1.35, not 1.36"),
}


def _refused_naming(stack_tree, tmp_path, capsys, stack: str, change, expected: str) -> None:
    edit_stack(stack_tree, stack, change)
    out = tmp_path / "out"
    assert main(["render", "--stack", stack, "--out", str(out), "--root", str(stack_tree)]) == 2
    err = capsys.readouterr().err
    assert expected in err, err
    assert not out.exists()


@pytest.mark.parametrize("case", sorted(PROD_CASES))
def test_invalid_prod_config_exits_2_names_field_writes_nothing(stack_tree, tmp_path, capsys, case):
    _refused_naming(stack_tree, tmp_path, capsys, "prod", *PROD_CASES[case])


@pytest.mark.parametrize("case", sorted(CASES))
def test_invalid_config_exits_2_names_field_writes_nothing(stack_tree, tmp_path, capsys, case):
    _refused_naming(stack_tree, tmp_path, capsys, "dev", *CASES[case])


def test_unedited_copy_renders(stack_tree, tmp_path):
    assert main(["render", "--stack", "dev", "--out", str(tmp_path / "o"), "--root", str(stack_tree)]) == 0


def test_unknown_stack_names_the_file(capsys, tmp_path):
    assert main(["render", "--stack", "nope", "--out", str(tmp_path / "o")]) == 2
    assert "Pulumi.nope.yaml does not exist" in capsys.readouterr().err


@pytest.mark.parametrize("setting, expected", [
    ({"batch": True}, "tenants[0].batch: this platform does not run MinIO (addons.minio)"),
    ({"gitops": {"repo": "https://git.example.com/x.git"}}, "tenants[0].gitops: this platform does not run Argo CD"),
])
def test_a_tenant_asking_for_what_the_stack_does_not_run_is_refused_at_render(stack_tree, tmp_path, capsys,
                                                                               setting, expected):
    """Onboarding would refuse it later; render refuses it first, naming the tenants file and the field."""
    import yaml

    tenants = stack_tree / "stacks" / "tenants" / "dev.yaml"
    data = yaml.safe_load(tenants.read_text())
    data["tenants"][0].update(setting)
    tenants.write_text(yaml.safe_dump(data))
    if "gitops" in setting:
        edit_stack(stack_tree, "dev", lambda c: c["modelplane:addons"].update(argocd={"enabled": False}))
    out = tmp_path / "out"
    assert main(["render", "--stack", "dev", "--out", str(out), "--root", str(stack_tree)]) == 2
    err = capsys.readouterr().err
    assert f"dev.yaml: {expected}" in err
    assert not out.exists()


def test_a_key_given_twice_is_refused_naming_both_lines(stack_tree, tmp_path, capsys):
    """Issue 30, item 6: a second `flavor:` silently won and switched the search backend."""
    path = stack_tree / "stacks" / "Pulumi.dev.yaml"
    lines = path.read_text().splitlines()
    at = next(i for i, line in enumerate(lines) if line.strip().startswith("flavor:"))
    lines.insert(at + 1, lines[at].replace("opensearch", "elasticsearch"))
    path.write_text("\n".join(lines) + "\n")
    out = tmp_path / "out"
    assert main(["render", "--stack", "dev", "--out", str(out), "--root", str(stack_tree)]) == 2
    assert f"key 'flavor' is given twice: on line {at + 1} and on line {at + 2}" in capsys.readouterr().err
    assert not out.exists()


def test_a_tenant_key_given_twice_is_refused_naming_both_lines(stack_tree, tmp_path, capsys):
    path = stack_tree / "stacks" / "tenants" / "dev.yaml"
    path.write_text("tenants:\n  - name: team-a\n    visibility: restricted\n    visibility: global\n")
    assert main(["render", "--stack", "dev", "--out", str(tmp_path / "o"), "--root", str(stack_tree)]) == 2
    assert "key 'visibility' is given twice: on line 3 and on line 4" in capsys.readouterr().err


def test_an_unknown_tenant_key_suggests_the_known_one(stack_tree, tmp_path, capsys):
    """Issue 30, item 6: `tenants[0].qouta` got no "did you mean"."""
    path = stack_tree / "stacks" / "tenants" / "dev.yaml"
    path.write_text("tenants:\n  - name: team-a\n    qouta: {cpu: '1', memory: 1Gi, pods: 5}\n")
    assert main(["render", "--stack", "dev", "--out", str(tmp_path / "o"), "--root", str(stack_tree)]) == 2
    assert "tenants[0].qouta: unknown key (did you mean 'quota'?)" in capsys.readouterr().err


def test_an_unknown_key_of_a_cluster_kind_suggests_that_kinds_key(stack_tree, tmp_path, capsys):
    edit_stack(stack_tree, "prod", lambda c: c["modelplane:cluster"].update(regoin="eu-west-1"))
    assert main(["render", "--stack", "prod", "--out", str(tmp_path / "o"), "--root", str(stack_tree)]) == 2
    assert "cluster.regoin: unknown key (did you mean 'region'?)" in capsys.readouterr().err


def test_every_problem_of_the_stack_and_its_tenants_file_is_reported_at_once(stack_tree, tmp_path, capsys):
    """Issue 30, item 6: a model in seldon-logs and a duplicate tenant appeared only once the others were
    fixed."""
    edit_stack(stack_tree, "dev", lambda c: (c["modelplane:models"][0].update(namespace="seldon-logs"),
                                             c["modelplane:addons"]["logging"].update(flavour="opensearch")))
    path = stack_tree / "stacks" / "tenants" / "dev.yaml"
    data = yaml.safe_load(path.read_text())
    data["tenants"].append(dict(data["tenants"][0]))
    path.write_text(yaml.safe_dump(data))
    assert main(["render", "--stack", "dev", "--out", str(tmp_path / "o"), "--root", str(stack_tree)]) == 2
    err = capsys.readouterr().err
    duplicate = len(data["tenants"]) - 1
    assert "addons.logging.flavour: unknown key" in err
    assert f"tenants[{duplicate}].name: {data['tenants'][0]['name']!r} is listed twice: first as tenants[0]" in err
    # with the unknown key fixed, the model's namespace is named alongside the duplicate tenant
    edit_stack(stack_tree, "dev", lambda c: c["modelplane:addons"]["logging"].pop("flavour"))
    assert main(["render", "--stack", "dev", "--out", str(tmp_path / "o"), "--root", str(stack_tree)]) == 2
    err = capsys.readouterr().err
    assert "models[0].namespace: 'seldon-logs' is a system namespace" in err and "is listed twice" in err
