"""Tenants' grants in Seldon Deploy's OPA policy ConfigMap (components.opa), written with the
resourceVersion it was read at: a concurrent edit (another onboarding run, someone by hand) makes the write
fail and it is merged again from a fresh read, so neither side's grants are lost."""

from __future__ import annotations

import copy
from collections.abc import Iterable, Mapping

from components import opa
from modelplane.cluster.kube import Kube
from modelplane.onboarding.engine import update_with_retry
from modelplane.onboarding.objects import MANAGED_BY


def apply_grants(kube: Kube, namespace: str, desired: Mapping[str, Iterable[opa.Grant]],
                 remove: Iterable[str] = (), check: bool = False) -> tuple[opa.MergeResult, bool]:
    """Set the grants of the namespaces in `desired`, drop those of `remove`. Returns the merge (what was
    added and removed) and whether the ConfigMap was (or in check mode would be) written."""
    remove = list(remove)
    state: dict = {}

    def read() -> dict | None:
        return kube.get("v1", "ConfigMap", namespace, opa.CONFIGMAP)

    def change(configmap: dict | None) -> dict | None:
        data = (configmap or {}).get("data") or {}
        merged = opa.merge(opa.parse_document(data.get(opa.DATA_KEY)), opa.parse_owned(data.get(opa.OWNED_KEY)),
                           desired, remove)
        state["merged"], state["write"] = merged, merged.changed or configmap is None
        if check or not state["write"]:
            return None
        wanted = copy.deepcopy(configmap) if configmap else {
            "apiVersion": "v1", "kind": "ConfigMap",
            "metadata": {"name": opa.CONFIGMAP, "namespace": namespace, "labels": dict(MANAGED_BY)}}
        wanted["data"] = {**data, opa.DATA_KEY: merged.data_text(), opa.OWNED_KEY: merged.owned_text()}
        return wanted

    update_with_retry(kube, read, change)
    return state["merged"], state["write"]
