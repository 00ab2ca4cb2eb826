"""The `modelplane` command."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from components.errors import ConfigError
from components.names import REPO_ROOT

EXIT_INVALID = 2
EXIT_CHANGED = 1  # diff --exit-code: the plans differ


def _render(args: argparse.Namespace) -> int:
    from modelplane.engine.render import render
    from modelplane.plan.document import helm_releases, is_kubernetes_object
    from modelplane.plan.report import check_output_dir, write_plan

    check_output_dir(Path(args.out))  # before rendering: a refused --out costs nothing
    rendered = render(args.stack, Path(args.root))
    plan, notes = rendered.plan, rendered.notes
    write_plan(Path(args.out), plan, notes, rendered.footprint, rendered.charts)
    objects = sum(1 for r in plan["resources"] if is_kubernetes_object(r))
    for note in notes:
        print(note)
    releases = helm_releases(plan)
    if releases:
        print(f"{len(releases)} Helm releases (chart version pins, modelplane components.versions):")
        for name, namespace, chart, version, _repo in releases:
            print(f"  {name:<28} {namespace:<18} {chart} {version}")
    print(f"Seldon Deploy values, derived: see {Path(args.out) / 'plan.md'}")
    print(f"rendered stack {args.stack!r}: {len(plan['resources'])} resources, {objects} Kubernetes objects "
          f"-> {args.out}")
    return 0


EXIT_VIOLATION = 1


def _check(args: argparse.Namespace) -> int:
    from modelplane.commands.check import check_stack
    from policies.check import FORMATS

    try:
        result = check_stack(args.stack, Path(args.root), Path(args.plan) if args.plan else None,
                             Path(args.charts) if args.charts else None)
    except ConfigError as exc:
        if args.format != "text":
            from policies.check import invalid_input

            sys.stdout.write(invalid_input(args.format, args.stack, exc.source, exc.problems))
        raise
    sys.stdout.write(FORMATS[args.format](result))
    return EXIT_VIOLATION if result.failed else 0


def _drift(args: argparse.Namespace) -> int:
    from modelplane.drift import drift
    from modelplane.drift.report import EXIT_ERROR, FORMATS

    try:
        report = drift(args.stack, Path(args.root), Path(args.plan) if args.plan else None, args.kubeconfig,
                       Path(args.license_file) if args.license_file else None,
                       Path(args.onboard_vars) if args.onboard_vars else None)
    except ConfigError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_ERROR
    sys.stdout.write(FORMATS[args.format](report))
    return report.exit_code


def _policy_config(args: argparse.Namespace) -> int:
    from modelplane.commands.check import pack_config_for

    text = pack_config_for(args.stack, Path(args.root))
    out = Path(args.root) / "policies" / "config" / f"{args.stack}.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(text)
    print(f"wrote {out} (pulumi preview --policy-pack policies --policy-pack-config {out.relative_to(args.root)})")
    return 0


def _diff(args: argparse.Namespace) -> int:
    from modelplane.plan.diff import diff_plans
    from modelplane.plan.document import read_plan

    changes = diff_plans(read_plan(Path(args.old)), read_plan(Path(args.new)))
    for change in changes:
        print(change)
    counts = {a: sum(1 for c in changes if c.action == a) for a in ("create", "update", "delete")}
    print(", ".join(f"{n} to {a}" for a, n in counts.items()))
    return EXIT_CHANGED if changes and args.exit_code else 0


def _preflight(args: argparse.Namespace) -> int:
    from components.config import provided_objects
    from components.stack import load
    from modelplane.cluster.preflight import chart_source_checks, cluster_checks
    from modelplane.cluster.provided import cluster_client, provided_checks
    from modelplane.engine.stackfile import read_stack
    from modelplane.plan.document import HELM_RELEASE

    flat, secret_keys = read_stack(args.stack, Path(args.root))
    config, _tenants = load(flat, secret_keys, args.stack, Path(args.root))
    checks = cluster_checks(config.cluster)
    if provided_objects(config):
        checks += provided_checks(config, cluster_client(config.cluster))
    if config.chart_source_dir():
        from modelplane.engine.render import render

        plan = render(args.stack, Path(args.root)).plan
        checks += chart_source_checks([r["inputs"] for r in plan["resources"] if r["type"] == HELM_RELEASE])
    for check in checks:
        print(check)
    return EXIT_VIOLATION if any(c.status == "failed" for c in checks) else 0


def _upgrade_plan(args: argparse.Namespace) -> int:
    from modelplane.commands.upgrade import EXIT_ERROR, UpgradeInputError, json_report, plan_upgrade, text_report

    try:
        plan = plan_upgrade(args.stack, args.ref, Path(args.root))
    except UpgradeInputError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_ERROR
    report = json_report if args.format == "json" else text_report
    sys.stdout.write(report(args.stack, args.ref, plan))
    return plan.exit_code


def _down(args: argparse.Namespace) -> int:
    from pulumi import automation as auto

    from modelplane.commands.down import EXIT_FAILED, TeardownRefused, down

    try:
        sys.stdout.write(down(args.stack, Path(args.root), purge=args.purge, confirm=args.confirm))
    except TeardownRefused as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_FAILED
    except (auto.CommandError, RuntimeError) as exc:
        print(f"error: the teardown stopped: {str(exc)[-4000:]}\nwhat is deleted stays deleted; run it again to "
              "go on", file=sys.stderr)
        return EXIT_FAILED
    return 0


def _charts(args: argparse.Namespace) -> int:
    import tarfile

    from modelplane.commands.charts import ChartArchiveError, extract, pull

    try:
        written = pull(Path(args.into)) if args.action == "pull" else [
            extract(Path(a), Path(args.into)) for a in args.archives]
    except (ChartArchiveError, OSError, tarfile.TarError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_INVALID
    for folder in written:
        print(f"wrote {folder}")
    print(f"verify: MODELPLANE_CHARTS={args.into} python -m modelplane.plan.upstream verify")
    return 0


def _toolchain(args: argparse.Namespace) -> int:
    from modelplane.toolchain.build import ToolchainError, bin_dir, ensure_all, missing

    if args.action == "path":
        print(bin_dir())
        absent = missing()
        if absent:
            print(f"not built yet: {', '.join(absent)} (make toolchain)", file=sys.stderr)
        return 1 if absent and args.check else 0
    try:
        ensure_all()
    except ToolchainError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    print(f"toolchain ready: export PATH={bin_dir()}:$PATH")
    return 0


def _version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("modelplane")
    except PackageNotFoundError:
        return "(not installed)"


def _stack_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--stack", required=True, help="the stack's name: stacks/Pulumi.<name>.yaml under --root "
                                                       "(local, dev, staging, prod)")
    parser.add_argument("--root", default=str(REPO_ROOT), help="the checkout holding stacks/ (default: %(default)s)")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="modelplane", description=__doc__)
    parser.add_argument("--version", action="version", version=f"modelplane {_version()}")
    sub = parser.add_subparsers(dest="command", required=True)
    render = sub.add_parser("render", help="write the offline plan of a stack (what `pulumi up` would create)")
    _stack_arguments(render)
    render.add_argument("--out", required=True, help="output directory: new, empty, or an earlier render's output "
                                                     "(replaced); anything else is refused")
    render.set_defaults(func=_render)
    check = sub.add_parser("check", help="policy rules on the plan, the tenants file and the OPA grants")
    _stack_arguments(check)
    check.add_argument("--format", choices=("text", "json", "junit"), default="text")
    check.add_argument("--plan", help="a `modelplane render` output to check instead of rendering again")
    check.add_argument("--charts", help="chart data laid out like ../shared/charts, to check every Helm values path "
                                        "against the pinned chart (default: $MODELPLANE_CHARTS, ../shared/charts, "
                                        "~/.cache/modelplane/charts, as render finds it)")
    check.set_defaults(func=_check)
    drift = sub.add_parser("drift", help="desired (plan, tenants file, GitOps files, licence) against the live "
                                         "cluster, by owner; read-only; exit 0 none, 2 drift, 1 error")
    _stack_arguments(drift)
    drift.add_argument("--format", choices=("text", "json", "junit"), default="text")
    drift.add_argument("--kubeconfig", help="default: $KUBECONFIG, else ~/.kube/config (its current context)")
    drift.add_argument("--plan", help="a `modelplane render` output to compare instead of rendering again")
    drift.add_argument("--license-file", help="also compare the licence in the cluster with this file's digest")
    drift.add_argument("--onboard-vars", help="the variables file given to the onboarding playbook (-e @FILE): its "
                                              "tenant_onboard_* settings shape the objects expected (default: the "
                                              "role's defaults)")
    drift.set_defaults(func=_drift)
    pack = sub.add_parser("policy-config", help="write policies/config/<stack>.json for CrossGuard")
    _stack_arguments(pack)
    pack.set_defaults(func=_policy_config)
    preflight = sub.add_parser("preflight", help="check the stack's cluster against the cloud's APIs (before up)")
    _stack_arguments(preflight)
    preflight.set_defaults(func=_preflight)
    upgrade = sub.add_parser("upgrade-plan", help="the stack at a git ref against the working tree: per resource "
                                                  "create/update/replace/delete, data at risk, refusals; exit 0 "
                                                  "nothing at risk, 2 attention needed, 1 error")
    _stack_arguments(upgrade)
    upgrade.add_argument("--from", dest="ref", required=True, help="the git ref the cluster runs now (N)")
    upgrade.add_argument("--format", choices=("text", "json"), default="text")
    upgrade.set_defaults(func=_upgrade_plan)
    teardown = sub.add_parser("down", help="tear the stack down in reverse install order, keeping its data, CRDs "
                                            "and tenant namespaces unless purged; prod needs --confirm prod")
    _stack_arguments(teardown)
    teardown.add_argument("--purge", action="store_true", help="delete the kept data, CRDs and tenant namespaces too "
                                                               "(needs --confirm STACK)")
    teardown.add_argument("--confirm", help="the stack's name again: needed by --purge and by a production stack")
    teardown.set_defaults(func=_down)
    diff = sub.add_parser("diff", help="what changes between two rendered plans (e.g. before/after a promotion)")
    diff.add_argument("old", help="a render output directory")
    diff.add_argument("new", help="a render output directory")
    diff.add_argument("--exit-code", action="store_true",
                      help=f"exit {EXIT_CHANGED} when the plans differ, 0 when they do not (as git diff --exit-code)")
    diff.set_defaults(func=_diff)
    charts = sub.add_parser("charts", help="fill a chart-data directory (for check --charts) from the pinned charts")
    charts_sub = charts.add_subparsers(dest="action", required=True)
    pull = charts_sub.add_parser("pull", help="helm pull every pinned chart and keep its data files")
    pull.add_argument("into", help="the chart-data directory")
    extract = charts_sub.add_parser("extract", help="keep the data files of chart archives you already have")
    extract.add_argument("archives", nargs="+", help="packaged charts (.tgz)")
    extract.add_argument("--into", required=True, help="the chart-data directory")
    charts.set_defaults(func=_charts)
    toolchain = sub.add_parser("toolchain", help="the control plane and kubectl, built from their Go modules "
                                                 "and cached under ~/.cache/modelplane/toolchain")
    toolchain_sub = toolchain.add_subparsers(dest="action", required=True)
    toolchain_sub.add_parser("build", help="build (or find on PATH at the pinned versions) every tool; cached")
    path = toolchain_sub.add_parser("path", help="print the one directory holding every tool")
    path.add_argument("--check", action="store_true", help="exit 1 when a tool is missing or at another version")
    toolchain.set_defaults(func=_toolchain)
    args = parser.parse_args(argv)
    try:
        return args.func(args)
    except ConfigError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_INVALID


if __name__ == "__main__":
    sys.exit(main())
