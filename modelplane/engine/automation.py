"""The Pulumi engine, driven through the Automation API (`pulumi.automation`): `preview`, `up`, `refresh`
and `destroy` of a stack, with results read as data, never parsed from CLI text.

The backend and secrets provider are the caller's (PULUMI_BACKEND_URL, PULUMI_CONFIG_PASSPHRASE, or
whatever `pulumi login` chose). A scratch project runs this repository's program on a copy of the
stacks: the existing-cluster form of a stack points its cluster at a kubeconfig and keeps everything else.
"""

from __future__ import annotations

import json
import shutil
import sys
from collections.abc import Mapping
from pathlib import Path

import yaml
from pulumi import automation as auto

from components.names import REPO_ROOT

# the committed example stacks' secrets are encrypted with this passphrase (README: "The Pulumi engine, for
# real")
EXAMPLE_PASSPHRASE = "modelplane-example-stacks"
CLUSTER_KEY = "modelplane:cluster"
ADDONS_KEY = "modelplane:addons"
# the backup job's environment Secret (in seldon-system) of a stack moved to an existing cluster
BACKUP_CREDENTIALS = "metadata-backup-credentials"
# what only a cloud provider creates (the cluster itself, its node groups, IAM, buckets, managed
# databases) has no place on an existing cluster: these cluster settings survive the move
KEPT_CLUSTER_SETTINGS = ("size", "nodeCount", "storageClass")


def existing_cluster_form(config: Mapping[str, object], kubeconfig: Path) -> dict:
    """A stack's `config:` with its cluster replaced by the existing one `kubeconfig` reaches. Backups that
    would write to the bucket a cloud stack creates (no `credentialsSecret`) keep their bucket's name but lose
    the bucket and its IAM role with the cluster: their credentials are expected in the Secret
    BACKUP_CREDENTIALS, as on any existing cluster."""
    cluster = _decoded(config.get(CLUSTER_KEY) or {})
    existing = {"cloud": "existing", "kubeconfig": str(kubeconfig),
                **{k: cluster[k] for k in KEPT_CLUSTER_SETTINGS if k in cluster}}
    form = {**config, CLUSTER_KEY: existing}
    addons = _decoded(config.get(ADDONS_KEY) or {})
    postgres = addons.get("postgres") or {}
    if (postgres.get("logicalBackup") or {}) and not postgres["logicalBackup"].get("credentialsSecret"):
        backup = {**postgres["logicalBackup"], "credentialsSecret": BACKUP_CREDENTIALS}
        form[ADDONS_KEY] = {**addons, "postgres": {**postgres, "logicalBackup": backup}}
    return form


def _decoded(value: object) -> dict:
    return json.loads(value) if isinstance(value, str) else dict(value)


def scratch_project(dest: Path, *, kubeconfig: Path | None = None, stacks: Path | None = None,
                    virtualenv: Path | None = None, program: Path | None = None) -> Path:
    """A Pulumi project at `dest` that runs this repository's program (or `program`, a directory holding a
    __main__.py) on a copy of `stacks` (default: the committed ones); with `kubeconfig`, every stack in its
    existing-cluster form."""
    settings = yaml.safe_load((REPO_ROOT / "Pulumi.yaml").read_text())
    settings["main"] = str(program or REPO_ROOT / settings["main"])
    settings["runtime"]["options"]["virtualenv"] = str(virtualenv or Path(sys.prefix))
    dest.mkdir(parents=True, exist_ok=True)
    (dest / "Pulumi.yaml").write_text(yaml.safe_dump(settings, sort_keys=False))
    target = dest / settings.get("stackConfigDir", ".")
    shutil.copytree(stacks or REPO_ROOT / "stacks", target, dirs_exist_ok=True)
    if kubeconfig is not None:
        for path in target.glob("Pulumi.*.yaml"):
            document = yaml.safe_load(path.read_text())
            document["config"] = existing_cluster_form(document.get("config") or {}, kubeconfig)
            path.write_text(yaml.safe_dump(document, sort_keys=False))
    return dest


def open_stack(stack: str, project: Path = REPO_ROOT, env: Mapping[str, str] | None = None) -> auto.Stack:
    """The stack of the project at `project`, created in the current backend when it has none yet."""
    workspace = auto.LocalWorkspaceOptions(work_dir=str(project), env_vars=dict(env or {}))
    return auto.create_or_select_stack(stack_name=stack, work_dir=str(project), opts=workspace)


def stored_state(stack: auto.Stack) -> dict:
    """The stack's deployment as the backend stores it, secrets as ciphertext (`pulumi stack export`; the
    Automation API's own export_stack shows secrets)."""
    workspace = stack.workspace
    result = workspace.pulumi_command.run(["stack", "export", "--stack", stack.name], workspace.work_dir,
                                          workspace.env_vars)
    return json.loads(result.stdout)["deployment"]
