"""The CRDs a chart keeps in `crds/` folders (its own or a subchart's): Helm installs them on the first install
and never again, so an upgraded chart's new CRDs never reach the cluster through Helm (and `helm uninstall`
leaves them). With a chart source, modelplane applies them itself, from the archive the release installs,
before the release (which then skips them): an upgrade applies the new ones first. They are retained on
delete, since deleting a CRD deletes every object of its kind."""

from __future__ import annotations

import re
import tarfile
from pathlib import Path

import yaml

# <chart>/crds/<file>.yaml or <chart>/charts/<subchart>/crds/<file>.yaml, as Helm reads them (a subchart
# disabled by a condition still has its crds/ installed by Helm only when enabled; the pinned charts that
# carry crds/ enable them by default)
CRDS_FOLDER = re.compile(r"^[^/]+/(?:charts/[^/]+/)?crds/[^/]+\.ya?ml$")
# the pinned charts that ship CRDs in a crds/ folder (../shared/crds/README.md: kube-prometheus-stack's come
# from charts/crds/crds/); upgrade-plan warns about these when no chart source lets modelplane apply them
CHARTS_WITH_CRDS_FOLDER = ("kube-prometheus-stack",)


def crds_in_archive(archive: str | Path) -> list[dict]:
    """Every CustomResourceDefinition in the archive's crds/ folders, in file order; [] without the archive."""
    path = Path(archive)
    if not path.is_file():
        return []
    found = []
    with tarfile.open(path) as opened:
        for member in sorted(opened.getmembers(), key=lambda m: m.name):
            if member.isfile() and CRDS_FOLDER.match(member.name):
                text = opened.extractfile(member).read().decode()
                found += [d for d in yaml.safe_load_all(text) if d and d.get("kind") == "CustomResourceDefinition"]
    return found
