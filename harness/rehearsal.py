"""A stack's `pulumi up`, rehearsed by the real engine on the loopback control plane: `make up STACK=S
CLUSTER=controlplane` after `make controlplane-up`, and the engine tests (tests/modelplane/engine).

The stack runs in its existing-cluster form (modelplane.engine.automation) in the README's order: preview,
the platform (`up --target`), the real onboarding playbook, then `up` of everything. No kubelet runs here,
so what would need running pods is stood in, and said so: charts are stand-ins that carry each pinned
chart's values.yaml and record what Helm merged (harness/standin_charts.py); operators' status is set as
they would set it (harness/operators.py); batch and backup storage credentials are placeholders; Argo CD's
sync of the GitOps namespaces' models is done as Argo CD would do it. The backend is a file backend beside the control
plane, so the user's own backend is never touched.

    python -m harness.rehearsal --stack dev      # what `make up STACK=dev CLUSTER=controlplane` runs
"""

from __future__ import annotations

import argparse
import contextlib
import copy
import json
import os
import shutil
import sys
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import yaml
from kubernetes import client, config
from pulumi import automation as auto

from components.config import CHART_SOURCE_ENV
from components.errors import ConfigError
from components.names import REPO_ROOT
from components.namespaces import SELDON_SYSTEM
from components.stack import tenants_path
from components.tenants import load_tenants
from harness.operators import StandInOperators
from harness.standin_charts import write_standin_charts
from modelplane.cluster.apply import apply_objects
from modelplane.cluster.playbooks import run_playbook
from modelplane.drift.compute import ARGOCD_TRACKING_LABEL
from modelplane.engine.automation import (
    BACKUP_CREDENTIALS,
    EXAMPLE_PASSPHRASE,
    open_stack,
    scratch_project,
    stored_state,
)
from modelplane.plan.document import HELM_RELEASE, gitops_models

MODEL_TYPE = "modelplane:models:SeldonModel"
# what onboarding writes into each batch tenant's seldon-job-secret: no object store runs here
# what the backup job of a stack moved to an existing cluster reads (modelplane.engine.automation)
STAND_IN_BACKUP_KEYS = {"AWS_ACCESS_KEY_ID": "backup-user", "AWS_SECRET_ACCESS_KEY": "backup-secret-value"}
STAND_IN_BATCH_CREDENTIALS = {"tenant_onboard_batch_credentials": {"access_key_id": "batch-user",
                                                                   "secret_access_key": "batch-secret-value"}}
EXIT_FAILED, EXIT_INVALID = 1, 2


@contextlib.contextmanager
def environment(**values: str) -> Iterator[None]:
    saved = {k: os.environ.get(k) for k in values}
    os.environ.update(values)
    try:
        yield
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


def engine_env(base: Path, passphrase: str | None = None, **extra: str) -> dict[str, str]:
    """The engine's environment: a file backend and Pulumi home under `base`, the passphrase given, else
    the environment's, else the example stacks' one; no update check and no plugin download."""
    (base / "backend").mkdir(parents=True, exist_ok=True)
    return {"PULUMI_BACKEND_URL": f"file://{base / 'backend'}", "PULUMI_HOME": str(base / "pulumi-home"),
            "PULUMI_CONFIG_PASSPHRASE": passphrase or os.environ.get("PULUMI_CONFIG_PASSPHRASE", EXAMPLE_PASSPHRASE),
            "PULUMI_SKIP_UPDATE_CHECK": "true", "PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION": "true",
            # a policy pack runs on the first python on PATH, as with Pulumi's own language host
            "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}", **extra}


def platform_urns(plan: dict) -> list[str]:
    """Everything but the models: what exists before onboarding (the README's order, step 1)."""
    return [r["urn"] for r in plan["resources"] if MODEL_TYPE not in r["urn"].split("::")[2].split("$")]


@dataclass
class Rehearsal:
    """One stack, its scratch project, stand-in charts and operators, and the engine's results so far."""

    stack: str
    kubeconfig: Path
    project: Path
    charts: Path
    env: dict[str, str]
    engine: auto.Stack
    plan: dict
    operators: StandInOperators
    echo: bool = False
    # the checkout whose program, code and stacks run (another than this one: an upgrade's N or N+1)
    tree: Path = REPO_ROOT
    preview: auto.PreviewResult | None = None
    platform_up: auto.UpResult | None = None
    up: auto.UpResult | None = None
    events: list[auto.EngineEvent] = field(default_factory=list)
    output: list[str] = field(default_factory=list)

    @classmethod
    def open(cls, stack: str, base: Path, kubeconfig: Path, *, stacks: Path | None = None,
             passphrase: str | None = None, echo: bool = False, tree: Path | None = None) -> Rehearsal:
        """Everything but the engine's runs. The stack is rendered (and so validated) before the stand-in
        operators start or anything reaches the cluster. With `tree`, that checkout's program, code and stacks
        run instead of this one's."""
        charts = write_standin_charts(base / "charts")
        foreign = tree is not None and tree.resolve() != REPO_ROOT.resolve()
        project = scratch_project(base / "project", kubeconfig=kubeconfig,
                                  stacks=stacks or (tree / "stacks" if foreign else None),
                                  program=tree / "pulumi" if foreign else None)
        code = {"PYTHONPATH": str(tree)} if foreign else {}
        env = engine_env(base, passphrase, **{CHART_SOURCE_ENV: str(charts)}, **code)
        plan = render_plan(stack, project, charts, tree if foreign else None)
        operators = StandInOperators(kubeconfig)
        operators.start()
        return cls(stack, kubeconfig, project, charts, env, open_stack(stack, project, env), plan, operators,
                   echo, tree if foreign else REPO_ROOT)

    @property
    def other_tree(self) -> Path | None:
        """The checkout whose code runs, when it is not this one."""
        return self.tree if self.tree != REPO_ROOT else None

    def follow_tree(self) -> None:
        """The tree's stacks (as they are now) into the project, in their existing-cluster form, and its plan."""
        scratch_project(self.project, kubeconfig=self.kubeconfig, stacks=self.tree / "stacks",
                        program=self.other_tree and self.other_tree / "pulumi")
        self.plan = self.render()

    def say(self, line: str) -> None:
        self.output.append(line)
        if self.echo:
            print(line, flush=True)

    def run(self) -> Rehearsal:
        """The README's order: preview, the platform, onboarding, everything (the models), Argo CD's sync."""
        self.say(f"== {self.stack}: pulumi preview")
        self.preview = self.engine.preview(on_output=self.say)
        self.say(f"== {self.stack}: pulumi up --target <everything but the models>")
        self.platform_up = self.engine.up(on_output=self.say, target=platform_urns(self.plan),
                                          on_event=self.events.append)
        self.say(f"== {self.stack}: ansible-playbook ansible/playbooks/onboard.yml")
        self.onboard()
        self.stand_in_backup_credentials()
        self.say(f"== {self.stack}: pulumi up")
        self.up = self.engine.up(on_output=self.say, on_event=self.events.append)
        self.say(f"== {self.stack}: the GitOps namespaces' models, applied as Argo CD's sync would")
        self.sync_gitops()
        return self

    def onboard(self) -> None:
        """The real onboarding playbook, on the stack's tenants file, as DESIGN.md runs it."""
        credentials = self.project / "batch-credentials.yml"
        credentials.write_text(yaml.safe_dump(STAND_IN_BATCH_CREDENTIALS))
        credentials.chmod(0o600)
        run_playbook("onboard.yml", [f"@{credentials}", f"tenants_file={self.tenants_file}"], self.kubeconfig,
                     self.say)

    def stand_in_backup_credentials(self) -> None:
        """The backup job's environment Secret, which a user creates with the bucket (the existing-cluster
        form names it): placeholder keys, since no backup job runs here."""
        values = [r["inputs"].get("values") or {} for r in self.plan["resources"] if r["type"] == HELM_RELEASE]
        named = {(v.get("configLogicalBackup") or {}).get("logical_backup_cronjob_environment_secret") for v in values}
        if BACKUP_CREDENTIALS not in named:
            return
        self.say(f"== {self.stack}: Secret seldon-system/{BACKUP_CREDENTIALS} stood in (placeholder keys)")
        secret = {"apiVersion": "v1", "kind": "Secret", "stringData": STAND_IN_BACKUP_KEYS,
                  "metadata": {"name": BACKUP_CREDENTIALS, "namespace": SELDON_SYSTEM}}
        rejected = apply_objects(self.kubeconfig, [secret]).rejected
        if rejected:
            raise RuntimeError(f"the stand-in backup credentials were rejected: {rejected}")

    @property
    def tenants_file(self) -> Path:
        return tenants_path(self.stack, None, root=self.project)

    def sync_gitops(self) -> None:
        """Models of GitOps namespaces are Argo CD's to apply, and no Argo CD runs here: apply them with
        the tracking label of the tenant's Application, as its sync would."""
        applications = {t.name: t.argocd_app for t in load_tenants(self.tenants_file).tenants}
        synced = []
        for model in gitops_models(self.plan):
            manifest = copy.deepcopy(model["manifest"])
            manifest["metadata"].setdefault("labels", {})[ARGOCD_TRACKING_LABEL] = \
                applications[manifest["metadata"]["namespace"]]
            synced.append(manifest)
        rejected = apply_objects(self.kubeconfig, synced).rejected
        if rejected:
            raise RuntimeError(f"the GitOps models were rejected: {rejected}")

    def api(self) -> client.ApiClient:
        return config.new_client_from_config(str(self.kubeconfig))

    def render(self) -> dict:
        """`modelplane render` of the same project and chart source: the plan the engine is held to."""
        return render_plan(self.stack, self.project, self.charts, self.other_tree)

    def drift(self, *args: str) -> int:
        """`modelplane drift` of this stack's project, chart source and cluster."""
        from modelplane.commands.cli import main

        with environment(**{CHART_SOURCE_ENV: str(self.charts)}):
            return main(["drift", "--stack", self.stack, "--root", str(self.project), "--kubeconfig",
                         str(self.kubeconfig), *args])

    def export(self) -> dict:
        """The state as the backend stores it (secrets as ciphertext)."""
        return stored_state(self.engine)

    def close(self) -> None:
        self.operators.stop()


def render_plan(stack: str, project: Path, charts: Path, tree: Path | None = None) -> dict:
    """`modelplane render` of the project's stack with the chart source `charts`: by this checkout's code, or
    by `tree`'s in a subprocess."""
    with environment(**{CHART_SOURCE_ENV: str(charts)}):
        if tree is None:
            from modelplane.engine.render import render

            return render(stack, root=project).plan
        from modelplane.commands.upgrade import render_tree

        with tempfile.TemporaryDirectory(prefix="modelplane-rehearsal.") as scratch:
            return render_tree(tree, stack, Path(scratch) / "render", f"stack {stack!r} does not render at {tree}",
                               root=project)


def _changes(result: auto.UpResult | None) -> str:
    counts = (result.summary.resource_changes or {}) if result else {}
    return ", ".join(f"{n} {op}" for op, n in sorted(counts.items())) or "none"


def _report(r: Rehearsal, drift_code: int) -> None:
    changed = {op: n for op, n in (r.up.summary.resource_changes or {}).items() if op != "same"}
    print(f"\n{r.stack} is up on the control plane ({len(r.plan['resources'])} resources in the plan).")
    print(f"  platform up: {_changes(r.platform_up)}; up: {_changes(r.up)}"
          f"{'' if changed else ' (nothing to change)'}")
    print(f"  modelplane drift: exit {drift_code} ({'no drift' if drift_code == 0 else 'see the report above'})")
    print(f"  Pulumi state: {r.env['PULUMI_BACKEND_URL']} (removed by make controlplane-down)")
    print("  stood in (no pod runs here): chart templates (each stand-in records the values Helm merged in")
    print("  ConfigMap <release>-values), operators' status, batch and backup credentials, Argo CD's sync.")
    print("  left out (existing-cluster form): the cluster, node groups, IAM, buckets, managed databases.")
    from modelplane.toolchain.build import bin_dir

    print("  look around (kubectl is the toolchain's):")
    print(f"    export KUBECONFIG={r.kubeconfig} PATH={bin_dir()}:$PATH")
    print("    kubectl get seldondeployments -A; kubectl get configmaps -A -l modelplane.io/stand-in-chart")
    print(f"    {Path(sys.executable).parent / 'modelplane'} drift --stack {r.stack} --root {r.project}"
          f"   # with MODELPLANE_CHART_SOURCE={r.charts}")


def deployed_stacks(stacks: Path) -> list[str]:
    """The stacks the engine holds state of under `stacks` (one that failed validation left none)."""
    return [state.parent.parent.name for state in stacks.glob("*/backend/.pulumi")]


def _down(args: argparse.Namespace, base: Path) -> int:
    from modelplane.commands.down import TeardownRefused, down

    if args.stack not in deployed_stacks(base.parent):
        print(f"stack {args.stack} was not rehearsed on this control plane: nothing to tear down", file=sys.stderr)
        return EXIT_FAILED
    project = base / "project"
    try:
        sys.stdout.write(down(args.stack, project, purge=args.purge, confirm=args.confirm, env=engine_env(base),
                              say=lambda line: print(line, flush=True)))
    except (TeardownRefused, ConfigError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_FAILED
    except (auto.CommandError, RuntimeError) as exc:
        print(f"error: the teardown stopped: {str(exc)[-4000:]}", file=sys.stderr)
        return EXIT_FAILED
    return 0


def main(argv: list[str] | None = None) -> int:
    from harness.controlplane import STATE

    parser = argparse.ArgumentParser(prog="python -m harness.rehearsal",
                                     description="the stack's pulumi up, rehearsed on the loopback control plane")
    parser.add_argument("--stack", required=True)
    parser.add_argument("--down", action="store_true", help="tear the rehearsed stack down (modelplane down)")
    parser.add_argument("--purge", action="store_true")
    parser.add_argument("--confirm")
    args = parser.parse_args(argv)
    if not STATE.exists():
        print("no control plane is up: run `make controlplane-up` first", file=sys.stderr)
        return EXIT_FAILED
    if not shutil.which("pulumi"):
        print("no pulumi on PATH: `make toolchain` builds it; `make up CLUSTER=controlplane` puts it first",
              file=sys.stderr)
        return EXIT_FAILED
    state = json.loads(STATE.read_text())
    stacks = Path(state["workdir"]) / "stacks"
    others = sorted(set(deployed_stacks(stacks)) - {args.stack})
    if others:
        print(f"this control plane holds stack {', '.join(others)} already, and a cluster holds one platform "
              "(their releases share names and namespaces): `make controlplane-down controlplane-up` gives an "
              "empty one; nothing was changed", file=sys.stderr)
        return EXIT_FAILED
    base = stacks / args.stack
    if args.down:
        return _down(args, base)
    try:
        rehearsal = Rehearsal.open(args.stack, base, Path(state["kubeconfig"]), echo=True)
    except ConfigError as exc:
        print(f"error: {exc}\nnothing was changed", file=sys.stderr)
        return EXIT_INVALID
    try:
        rehearsal.run()
        print(f"== {args.stack}: modelplane drift", flush=True)
        drift_code = rehearsal.drift()
    except (auto.CommandError, RuntimeError) as exc:
        print(f"error: {args.stack} did not come up: {str(exc)[-4000:]}", file=sys.stderr)
        return EXIT_FAILED
    finally:
        rehearsal.close()
    _report(rehearsal, drift_code)
    return 0 if drift_code == 0 else EXIT_FAILED


if __name__ == "__main__":
    sys.exit(main())
