from __future__ import annotations

from pathlib import Path

import pytest

from modelplane.crds import CRD_DIR, crd_documents

SHARED = Path(__file__).resolve().parents[3] / "shared" / "crds"


@pytest.mark.skipif(not SHARED.is_dir(), reason="../shared/crds is not beside this checkout")
def test_vendored_crds_match_shared_upstream_copies():
    for path in SHARED.iterdir():
        assert (CRD_DIR / path.name).read_bytes() == path.read_bytes(), path.name


def test_stripping_removes_only_what_1_20_rejects():
    docs = {d["metadata"]["name"]: d for d in crd_documents()}
    assert len(docs) == 26
    text = repr(docs["servicemonitors.monitoring.coreos.com"])
    assert "'x-kubernetes-list-type': 'map'" not in text and "'default': ''" not in text
    # files outside the list are untouched
    assert "seldondeployments.machinelearning.seldon.io" in docs
