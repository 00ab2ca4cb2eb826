"""A real Kubernetes control plane on loopback for tests and for trying playbooks by hand: etcd,
kube-apiserver and kube-controller-manager at the Kubernetes version the stacks target, built from their
Go modules by `make toolchain` (modelplane.toolchain).

There is no kubelet: pods are stored but never run. Authentication is by static tokens (an admin in
system:masters plus test users with groups), authorization is RBAC, and an audit log records every
request so tests can count writes.

    python -m harness.controlplane up      # prints the KUBECONFIG to export
    python -m harness.controlplane down    # also removes the state of stacks rehearsed on it
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import shutil
import signal
import socket
import ssl
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

import yaml

STATE = Path(os.environ.get("MODELPLANE_CONTROLPLANE_STATE", Path.home() / ".cache/modelplane/controlplane.json"))
ADMIN = "admin"
# the controller-manager's own identity, so its writes (garbage collection, namespace cleanup) are never
# counted as the admin's; in system:masters because one identity runs every controller
CONTROLLER = "system:kube-controller-manager"
# the identities tests and `make controlplane-up` get besides the admin: user -> groups
TEST_USERS = {"alice": ["ds-team-a"], "bob": ["ds-team-b"], "carol": ["auditors"]}
# what tests write where pulumi up would write a secret value (rendered manifests hold <redacted> there)
STAND_IN_SECRET = "stand-in-secret-value-0123456789"
MUTATING_VERBS = frozenset({"create", "update", "patch", "delete", "deletecollection"})

AUDIT_POLICY = {
    "apiVersion": "audit.k8s.io/v1", "kind": "Policy", "omitStages": ["RequestReceived"],
    "rules": [{"level": "Metadata"}],
}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def binaries() -> dict[str, str]:
    from modelplane.toolchain.build import bin_dir

    found = {name: bin_dir() / name for name in ("etcd", "kube-apiserver", "kube-controller-manager")}
    missing = [str(p) for p in found.values() if not p.exists()]
    if missing:
        raise RuntimeError(f"control plane binaries missing ({', '.join(missing)}): run `make toolchain`")
    return {k: str(v) for k, v in found.items()}


@dataclass
class ControlPlane:
    """Start with `start()`, stop with `stop()`; `kubeconfig(user)` gives a kubeconfig file per identity."""

    workdir: Path
    users: dict[str, list[str]] = field(default_factory=dict)
    port: int = 0
    processes: list[subprocess.Popen] = field(default_factory=list)
    tokens: dict[str, str] = field(default_factory=dict)
    argv: dict[str, list[str]] = field(default_factory=dict)

    @property
    def server(self) -> str:
        return f"https://127.0.0.1:{self.port}"

    @property
    def audit_log(self) -> Path:
        return self.workdir / "audit.log"

    def start(self, timeout: float = 90) -> ControlPlane:
        bins = binaries()
        w = self.workdir
        (w / "certs").mkdir(parents=True, exist_ok=True)
        subprocess.run(["openssl", "genrsa", "-out", str(w / "sa.key"), "2048"], check=True, capture_output=True)
        subprocess.run(["openssl", "rsa", "-in", str(w / "sa.key"), "-pubout", "-out", str(w / "sa.pub")],
                       check=True, capture_output=True)
        self.tokens = {ADMIN: os.urandom(16).hex(), CONTROLLER: os.urandom(16).hex(),
                       **{u: os.urandom(16).hex() for u in self.users}}
        rows = [f'{self.tokens[who]},{who},{who},"system:masters"' for who in (ADMIN, CONTROLLER)]
        rows += [f'{self.tokens[u]},{u},{u},"{",".join(groups)}"' if groups else f"{self.tokens[u]},{u},{u}"
                 for u, groups in self.users.items()]
        (w / "tokens.csv").write_text("\n".join(rows) + "\n")
        (w / "audit-policy.yaml").write_text(yaml.safe_dump(AUDIT_POLICY))

        etcd_port, peer_port, self.port = free_port(), free_port(), free_port()
        self._spawn("etcd", [bins["etcd"], "--data-dir", str(w / "etcd"), "--name", "default",
                             "--listen-client-urls", f"http://127.0.0.1:{etcd_port}",
                             "--advertise-client-urls", f"http://127.0.0.1:{etcd_port}",
                             "--listen-peer-urls", f"http://127.0.0.1:{peer_port}",
                             "--initial-advertise-peer-urls", f"http://127.0.0.1:{peer_port}",
                             "--initial-cluster", f"default=http://127.0.0.1:{peer_port}",
                             "--quota-backend-bytes", str(4 * 1024**3)])
        self._spawn("kube-apiserver", [
            bins["kube-apiserver"], f"--etcd-servers=http://127.0.0.1:{etcd_port}",
            "--bind-address=127.0.0.1", "--advertise-address=127.0.0.1", f"--secure-port={self.port}",
            f"--cert-dir={w / 'certs'}", f"--token-auth-file={w / 'tokens.csv'}",
            "--authorization-mode=RBAC", f"--service-account-key-file={w / 'sa.pub'}",
            f"--service-account-signing-key-file={w / 'sa.key'}",
            "--service-account-issuer=https://kubernetes.default.svc.cluster.local",
            "--service-cluster-ip-range=10.96.0.0/16", "--allow-privileged=true",
            f"--audit-policy-file={w / 'audit-policy.yaml'}", f"--audit-log-path={self.audit_log}",
            "--audit-log-maxsize=0", "--max-mutating-requests-inflight=1000",
            "--max-requests-inflight=2000"])
        self._wait_ready(timeout)
        self.kubeconfig(ADMIN)
        self._spawn("kube-controller-manager", [
            bins["kube-controller-manager"], f"--kubeconfig={self.kubeconfig(CONTROLLER)}",
            "--controllers=*,-nodeipam,-nodelifecycle,-cloud-node-lifecycle,-route,-service,-attachdetach,"
            "-persistentvolume-binder,-persistentvolume-expander,-ttl",
            f"--service-account-private-key-file={w / 'sa.key'}",
            f"--root-ca-file={self.ca_file}", "--leader-elect=false",
            "--secure-port=0", "--use-service-account-credentials=false",
            "--concurrent-namespace-syncs=10", "--concurrent-gc-syncs=20"])
        return self

    def _spawn(self, name: str, argv: list[str]) -> None:
        log = open(self.workdir / f"{name}.log", "ab")  # noqa: SIM115 (lives as long as the process)
        self.argv[name] = argv
        self.processes.append(subprocess.Popen(argv, stdout=log, stderr=subprocess.STDOUT,
                                               start_new_session=True))

    def stop_apiserver(self) -> None:
        """Kill kube-apiserver (etcd and the controller-manager keep running), as an outage would."""
        proc = next(p for p in self.processes if p.args == self.argv["kube-apiserver"])
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()
        self.processes.remove(proc)

    def start_apiserver(self, timeout: float = 90) -> None:
        """Start kube-apiserver again, on the same port with the same certificates and audit log."""
        self._spawn("kube-apiserver", self.argv["kube-apiserver"])
        self._wait_ready(timeout)

    def _wait_ready(self, timeout: float) -> None:
        request = urllib.request.Request(f"{self.server}/readyz",
                                         headers={"Authorization": f"Bearer {self.tokens[ADMIN]}"})
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            for proc in self.processes:
                if proc.poll() is not None:
                    raise RuntimeError(f"{proc.args[0]} exited ({proc.returncode}); logs in {self.workdir}")
            try:
                context = ssl.create_default_context(cafile=str(self.ca_file))
                with urllib.request.urlopen(request, context=context, timeout=2) as response:
                    if response.status == 200:
                        return
            except OSError:
                pass
            time.sleep(0.3)
        raise RuntimeError(f"kube-apiserver not ready after {timeout}s; logs in {self.workdir}")

    @property
    def ca_file(self) -> Path:
        """The apiserver's self-signed serving certificate (it names 127.0.0.1), trusted directly."""
        return self.workdir / "certs" / "apiserver.crt"

    def kubeconfig(self, user: str) -> Path:
        """A kubeconfig file for `user` (ADMIN or one of `users`)."""
        path = self.workdir / f"kubeconfig-{user}"
        if not path.exists():
            doc = {"apiVersion": "v1", "kind": "Config", "current-context": user,
                   "clusters": [{"name": "modelplane-test",
                                 "cluster": {"server": self.server, "certificate-authority": str(self.ca_file)}}],
                   "contexts": [{"name": user, "context": {"cluster": "modelplane-test", "user": user}}],
                   "users": [{"name": user, "user": {"token": self.tokens[user]}}]}
            path.write_text(yaml.safe_dump(doc))
            path.chmod(0o600)
        return path

    def audit_events(self) -> list[dict]:
        if not self.audit_log.exists():
            return []
        events = []
        for line in self.audit_log.read_text().splitlines():
            try:
                events.append(json.loads(line))
            except json.JSONDecodeError:
                continue  # the last line of an apiserver killed mid-write (stop_apiserver)
        return events

    def mutating_requests(self, user: str = ADMIN, since: int = 0) -> list[dict]:
        """Mutating requests by `user` among audit events from index `since` on. A server-side dry run
        (`?dryRun=All`, what check mode sends) persists nothing and is not counted; `dry_runs` lists them."""
        return [e for e in self._writes(user, since) if not _is_dry_run(e)]

    def dry_runs(self, user: str = ADMIN, since: int = 0) -> list[dict]:
        return [e for e in self._writes(user, since) if _is_dry_run(e)]

    def _writes(self, user: str, since: int) -> list[dict]:
        return [e for e in self.audit_events()[since:]
                if e.get("verb") in MUTATING_VERBS and e.get("user", {}).get("username") == user
                and e.get("stage") == "ResponseComplete"]

    def stop(self) -> None:
        for proc in reversed(self.processes):
            if proc.poll() is None:
                os.killpg(proc.pid, signal.SIGTERM)
        for proc in reversed(self.processes):
            try:
                proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait()
        self.processes.clear()


def _is_dry_run(event: dict) -> bool:
    query = urllib.parse.urlparse(event.get("requestURI", "")).query
    return "All" in urllib.parse.parse_qs(query).get("dryRun", [])


def _up(args: argparse.Namespace) -> int:
    if STATE.exists():
        print(f"already up: export KUBECONFIG={json.loads(STATE.read_text())['kubeconfig']}")
        return 0
    workdir = Path(tempfile.mkdtemp(prefix="modelplane-controlplane."))
    plane = ControlPlane(workdir, users=TEST_USERS).start()
    from modelplane.cluster.crds import load_crds

    load_crds(plane.kubeconfig(ADMIN))
    kubeconfigs = {user: plane.kubeconfig(user) for user in (ADMIN, *TEST_USERS)}
    STATE.parent.mkdir(parents=True, exist_ok=True)
    STATE.write_text(json.dumps({"pids": [p.pid for p in plane.processes], "workdir": str(workdir),
                                 "kubeconfig": str(kubeconfigs[ADMIN]), "server": plane.server}))
    print(f"control plane up at {plane.server}; a kubeconfig per user:")
    for user, path in kubeconfigs.items():
        groups = ", ".join(TEST_USERS.get(user, ["system:masters"]))
        print(f"  {user:<6} ({groups}): {path}")
    print(f"export KUBECONFIG={kubeconfigs[ADMIN]}")
    print("a stack on it, by the real engine: make up STACK=<local|dev|staging|prod> CLUSTER=controlplane")
    return 0


def _alive(pid: int) -> bool:
    try:
        os.killpg(pid, 0)
    except ProcessLookupError:
        return False
    return True


def stop_groups(pids: list[int], timeout: float = 15) -> list[int]:
    """SIGTERM each process group, SIGKILL what is still running after `timeout`; the pids that survived
    even that (none, unless the kernel is stuck)."""
    for pid in reversed(pids):
        with contextlib.suppress(ProcessLookupError):
            os.killpg(pid, signal.SIGTERM)
    deadline = time.monotonic() + timeout
    while any(_alive(p) for p in pids) and time.monotonic() < deadline:
        time.sleep(0.2)
    for pid in pids:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(pid, signal.SIGKILL)
    deadline = time.monotonic() + 5
    while any(_alive(p) for p in pids) and time.monotonic() < deadline:
        time.sleep(0.1)
    return [p for p in pids if _alive(p)]


def _down(args: argparse.Namespace) -> int:
    if not STATE.exists():
        print("control plane is not up")
        return 0
    state = json.loads(STATE.read_text())
    survivors = stop_groups(state["pids"])
    if survivors:
        print(f"control plane NOT stopped: processes {survivors} still run (state kept in {STATE})")
        return 1
    shutil.rmtree(state["workdir"], ignore_errors=True)
    STATE.unlink()
    print("control plane stopped: etcd, kube-apiserver and kube-controller-manager have exited")
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m harness.controlplane")
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("up").set_defaults(func=_up)
    sub.add_parser("down").set_defaults(func=_down)
    args = parser.parse_args(argv)
    return args.func(args)


if __name__ == "__main__":
    sys.exit(main())
