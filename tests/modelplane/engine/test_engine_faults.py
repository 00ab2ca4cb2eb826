"""The apiserver stopped while `pulumi up` is creating resources: `up` fails naming what failed; once the
apiserver is back, the next `pulumi up` converges with no duplicate, nothing orphaned, and a state that
lists nothing the cluster lacks."""

from __future__ import annotations

import threading

import pytest
from kubernetes import client, dynamic
from pulumi import automation as auto

from harness.rehearsal import platform_urns
from modelplane.plan.document import is_kubernetes_object, manifest
from tests.modelplane.engine.conftest import prepare

pytestmark = [pytest.mark.controlplane, pytest.mark.engine]
# resources done before the outage: enough that some exist, few enough that most are still to come
DONE_BEFORE_OUTAGE = 20


def test_apiserver_outage_during_up_then_up_converges(tmp_path):
    d = prepare("prod", tmp_path)
    try:
        targets = platform_urns(d.plan)
        done, outage = [], threading.Event()

        def watch(event: auto.EngineEvent) -> None:
            if event.res_outputs_event:
                done.append(event.res_outputs_event.metadata.urn)
                if len(done) == DONE_BEFORE_OUTAGE and not outage.is_set():
                    outage.set()
                    d.plane.stop_apiserver()

        with pytest.raises(auto.CommandError) as failed:
            d.engine.up(target=targets, on_event=watch)
        assert outage.is_set(), "the outage came after the update had finished"
        message = str(failed.value)
        print(f"first up: {len(done)} resources done, then:\n{message[-3000:]}")
        assert "error" in message and "urn:pulumi:prod::modelplane::" in message

        d.plane.start_apiserver()
        converged = d.engine.up(target=targets)
        assert converged.summary.result == "succeeded"
        again = d.engine.up(target=targets)
        assert set(again.summary.resource_changes) == {"same"}

        state = d.export()
        urns = [r["urn"] for r in state["resources"]]
        assert len(urns) == len(set(urns)), "a resource twice in the state"
        assert set(targets) <= set(urns)
        objects = dynamic.DynamicClient(d.api())
        missing = []
        for resource in d.plan["resources"]:
            if resource["urn"] not in targets or not is_kubernetes_object(resource):
                continue
            obj = manifest(resource)
            api = objects.resources.get(api_version=obj["apiVersion"], kind=obj["kind"])
            try:
                api.get(name=obj["metadata"]["name"], namespace=obj["metadata"].get("namespace"))
            except client.exceptions.ApiException as exc:
                missing.append((obj["kind"], obj["metadata"]["name"], exc.status))
        assert missing == []
        core = client.CoreV1Api(d.api())
        helm = core.list_secret_for_all_namespaces(label_selector="owner=helm").items
        releases = [(s.metadata.namespace, s.metadata.labels["name"]) for s in helm]
        assert len(releases) == len(set(releases)), f"a release installed twice: {sorted(releases)}"
        assert {s.metadata.labels["status"] for s in helm} == {"deployed"}
    finally:
        d.close()
