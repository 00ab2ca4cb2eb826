"""The Pod Security Standards (kubernetes.io/docs/concepts/security/pod-security-standards), baseline and
restricted, on every pod template the plan and the GitOps files define: Deployments, StatefulSets,
DaemonSets, Jobs, CronJobs, Pods, and each SeldonDeployment predictor's componentSpecs, explainer and the
containers Seldon Core adds for graph nodes that componentSpecs does not describe.

Pod Security admission checks Pods only, when they are created; a SeldonDeployment in review is never
checked by it. These rules check the templates before anything is applied. Which profile a namespace must
meet: tenant namespaces the level onboarding writes into `pod-security.kubernetes.io/audit` and `warn` (the
stack's `tenancy.podSecurity`, published in the platform facts; restricted by default); the platform's own
namespaces and any other baseline.
MP003 (host namespaces, privileged, hostPath) covers the remaining baseline controls, everywhere.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from policies.rules.base import Context, KubeObject, Violation, platform_facts, rule

BASELINE, RESTRICTED = "baseline", "restricted"
POD_TEMPLATE_KINDS = {"Deployment", "StatefulSet", "DaemonSet", "ReplicaSet", "Job"}
BASELINE_CAPABILITIES = {"AUDIT_WRITE", "CHOWN", "DAC_OVERRIDE", "FOWNER", "FSETID", "KILL", "MKNOD",
                         "NET_BIND_SERVICE", "SETFCAP", "SETGID", "SETPCAP", "SETUID", "SYS_CHROOT"}
SAFE_SYSCTLS = {"kernel.shm_rmid_forced", "net.ipv4.ip_local_port_range", "net.ipv4.ip_unprivileged_port_start",
                "net.ipv4.tcp_syncookies", "net.ipv4.ping_group_range", "net.ipv4.ip_local_reserved_ports",
                "net.ipv4.tcp_keepalive_time", "net.ipv4.tcp_fin_timeout", "net.ipv4.tcp_keepalive_intvl",
                "net.ipv4.tcp_keepalive_probes", "net.ipv4.tcp_rmem", "net.ipv4.tcp_wmem"}
SELINUX_TYPES = {"", "container_t", "container_init_t", "container_kvm_t", "container_engine_t"}
RESTRICTED_VOLUMES = {"configMap", "csi", "downwardAPI", "emptyDir", "ephemeral", "persistentVolumeClaim",
                      "projected", "secret"}
APPARMOR_PREFIX = "container.apparmor.security.beta.kubernetes.io/"


@dataclass(frozen=True)
class Pod:
    obj: KubeObject
    where: str
    spec: dict
    annotations: dict
    level: str
    containers: list[tuple[str, dict]]  # (where, container)

    def violation(self, where: str, message: str) -> Violation:
        return Violation(self.obj.label, f"{where}: {message} ({self.level} profile)", self.obj.urn)

    @property
    def security(self) -> dict:
        return self.spec.get("securityContext") or {}

    def contexts(self, field: str) -> list[tuple[str, dict]]:
        """(where, securityContext.<field>) of the pod and of every container, for settings both may carry."""
        return [(where, (holder.get("securityContext") or {}).get(field) or {})
                for where, holder in [(self.where, self.spec), *self.containers]]

    def effective(self, container: dict, field: str):
        """A container's setting, else the pod's (as the kubelet resolves runAsNonRoot, seccomp, ...)."""
        own = (container.get("securityContext") or {}).get(field)
        return own if own is not None else self.security.get(field)


def _graph_nodes(node: dict) -> Iterator[dict]:
    yield node
    for child in node.get("children") or []:
        yield from _graph_nodes(child)


CONTAINER_LISTS = {"initContainers": "init container", "containers": "container",
                   "ephemeralContainers": "ephemeral container"}


def _listed(where: str, pod: dict) -> list[tuple[str, dict]]:
    return [(f"{where} {label} {c.get('name')}", c) for field, label in CONTAINER_LISTS.items()
            for c in pod.get(field) or []]


def _seldon_pods(obj: KubeObject) -> Iterator[tuple[str, dict, dict, list]]:
    for p in (obj.manifest.get("spec") or {}).get("predictors") or []:
        name = f"predictor {p.get('name')}"
        components = p.get("componentSpecs") or []
        described = {c.get("name") for component in components
                     for c in (component.get("spec") or {}).get("containers") or []}
        for i, component in enumerate(components):
            spec = component.get("spec") or {}
            containers = _listed(f"{name} componentSpecs[{i}]", spec)
            if i == 0:  # Seldon Core adds a container for each graph node componentSpecs does not describe
                containers += [(f"{name} graph node {n.get('name')} (container Seldon Core adds)", {})
                               for n in _graph_nodes(p.get("graph") or {}) if n.get("name") not in described]
            yield (f"{name} componentSpecs[{i}]", spec, (component.get("metadata") or {}).get("annotations") or {},
                   containers)
        if not components and p.get("graph"):
            yield (name, {}, {}, [(f"{name} graph node {n.get('name')} (container Seldon Core adds)", {})
                                  for n in _graph_nodes(p["graph"])])
        explainer = (p.get("explainer") or {})
        if explainer:
            container = explainer.get("containerSpec") or {}
            yield f"{name} explainer", {}, {}, [(f"{name} explainer container {container.get('name', '')}".rstrip(),
                                                container)]


def _templates(obj: KubeObject) -> Iterator[tuple[str, dict, dict, list]]:
    spec = obj.manifest.get("spec") or {}
    if obj.kind == "SeldonDeployment":
        yield from _seldon_pods(obj)
        return
    if obj.kind in POD_TEMPLATE_KINDS:
        where, template = "template", spec.get("template") or {}
    elif obj.kind == "CronJob":
        where, template = "jobTemplate.template", ((spec.get("jobTemplate") or {}).get("spec") or {}).get(
            "template") or {}
    elif obj.kind == "Pod":
        where, template = "pod", {"spec": spec, "metadata": obj.manifest.get("metadata") or {}}
    else:
        return
    pod = template.get("spec") or {}
    yield where, pod, (template.get("metadata") or {}).get("annotations") or {}, _listed(where, pod)


def level_of(ctx: Context, namespace: str, tenant_level: str = RESTRICTED) -> str:
    return tenant_level if ctx.tenants is not None and namespace in ctx.tenants.names else BASELINE


def pods(ctx: Context) -> list[Pod]:
    """Every pod template with the profile its namespace must meet; built once per context for all eleven
    rules."""
    def build() -> list[Pod]:
        tenant_level = platform_facts(ctx.resources).get("podSecurityAudit") or RESTRICTED
        return [Pod(obj, where, spec, pod_annotations, level_of(ctx, obj.namespace, tenant_level), containers)
                for obj in ctx.objects for where, spec, pod_annotations, containers in _templates(obj)]
    return ctx.memo("pod-security", build)


def _rationale(control: str) -> str:
    return (f"Pod Security Standards, {control}. Pod Security admission would only see the Pods, at creation; "
            "a SeldonDeployment's pod templates are checked here, in review.")


@rule("MP023", "Pod Security: capabilities", severity="high", rationale=_rationale("Capabilities"),
      fix="Baseline: add no capability beyond the default set. Restricted: capabilities.drop: [ALL], add at most "
          "NET_BIND_SERVICE.")
def capabilities(ctx: Context):
    for pod in pods(ctx):
        for where, c in pod.containers:
            caps = (c.get("securityContext") or {}).get("capabilities") or {}
            added = set(caps.get("add") or [])
            allowed = {"NET_BIND_SERVICE"} if pod.level == RESTRICTED else BASELINE_CAPABILITIES
            if added - allowed:
                yield pod.violation(where, f"securityContext.capabilities.add {sorted(added - allowed)} not allowed")
            if pod.level == RESTRICTED and "ALL" not in (caps.get("drop") or []):
                yield pod.violation(where, "securityContext.capabilities.drop does not include ALL")


@rule("MP024", "Pod Security: host ports", severity="high", rationale=_rationale("Host Ports"),
      fix="Remove hostPort from the container ports; reach the model through its Service.")
def host_ports(ctx: Context):
    for pod in pods(ctx):
        for where, c in pod.containers:
            for port in c.get("ports") or []:
                if port.get("hostPort"):
                    yield pod.violation(where, f"ports: hostPort {port['hostPort']}")


@rule("MP025", "Pod Security: AppArmor", severity="medium", rationale=_rationale("AppArmor"),
      fix="Leave the AppArmor profile unset, or use runtime/default or localhost/<profile>.")
def apparmor(ctx: Context):
    for pod in pods(ctx):
        for key, value in pod.annotations.items():
            if key.startswith(APPARMOR_PREFIX) and value != "runtime/default" and not value.startswith("localhost/"):
                yield pod.violation(f"{pod.where} metadata.annotations", f"{key}: {value}")
        for where, profile in pod.contexts("appArmorProfile"):
            if profile.get("type") == "Unconfined":
                yield pod.violation(where, "securityContext.appArmorProfile.type: Unconfined")


@rule("MP026", "Pod Security: SELinux", severity="medium", rationale=_rationale("SELinux"),
      fix="Leave seLinuxOptions unset, or set only type: container_t (or container_init_t, container_kvm_t).")
def selinux(ctx: Context):
    for pod in pods(ctx):
        for where, options in pod.contexts("seLinuxOptions"):
            if options.get("type", "") not in SELINUX_TYPES:
                yield pod.violation(where, f"securityContext.seLinuxOptions.type: {options['type']}")
            for field in ("user", "role"):
                if options.get(field):
                    yield pod.violation(where, f"securityContext.seLinuxOptions.{field} is set")


@rule("MP027", "Pod Security: /proc mount", severity="medium", rationale=_rationale("/proc Mount Type"),
      fix="Leave procMount unset (Default).")
def proc_mount(ctx: Context):
    for pod in pods(ctx):
        for where, c in pod.containers:
            mount = (c.get("securityContext") or {}).get("procMount")
            if mount not in (None, "Default"):
                yield pod.violation(where, f"securityContext.procMount: {mount}")


@rule("MP028", "Pod Security: seccomp", severity="high", rationale=_rationale("Seccomp"),
      fix="Set securityContext.seccompProfile.type: RuntimeDefault on the pod (or every container).")
def seccomp(ctx: Context):
    for pod in pods(ctx):
        pod_type = (pod.security.get("seccompProfile") or {}).get("type")
        if pod_type == "Unconfined":
            yield pod.violation(pod.where, "securityContext.seccompProfile.type: Unconfined")
        for where, c in pod.containers:
            own = ((c.get("securityContext") or {}).get("seccompProfile") or {}).get("type")
            if own == "Unconfined":
                yield pod.violation(where, "securityContext.seccompProfile.type: Unconfined")
            elif pod.level == RESTRICTED and (own or pod_type) not in ("RuntimeDefault", "Localhost"):
                yield pod.violation(where, "securityContext.seccompProfile.type is not set (RuntimeDefault or "
                                           "Localhost, on the container or the pod)")


@rule("MP029", "Pod Security: sysctls", severity="medium", rationale=_rationale("Sysctls"),
      fix="Use only the safe sysctls (kernel.shm_rmid_forced, net.ipv4.ip_local_port_range, ...).")
def sysctls(ctx: Context):
    for pod in pods(ctx):
        for sysctl in pod.security.get("sysctls") or []:
            if sysctl.get("name") not in SAFE_SYSCTLS:
                yield pod.violation(pod.where, f"securityContext.sysctls: {sysctl.get('name')} is not a safe sysctl")


@rule("MP030", "Pod Security: volume types", severity="medium", rationale=_rationale("Volume Types (restricted)"),
      fix="Use configMap, csi, downwardAPI, emptyDir, ephemeral, persistentVolumeClaim, projected or secret volumes.")
def volume_types(ctx: Context):
    for pod in pods(ctx):
        if pod.level != RESTRICTED:
            continue
        for volume in pod.spec.get("volumes") or []:
            kinds = set(volume) - {"name"}
            if kinds - RESTRICTED_VOLUMES:
                yield pod.violation(f"{pod.where} volume {volume.get('name')}",
                                    f"type {', '.join(sorted(kinds - RESTRICTED_VOLUMES))} not allowed")


@rule("MP031", "Pod Security: privilege escalation", severity="high",
      rationale=_rationale("Privilege Escalation (restricted)"),
      fix="Set securityContext.allowPrivilegeEscalation: false on every container.")
def privilege_escalation(ctx: Context):
    for pod in pods(ctx):
        if pod.level != RESTRICTED:
            continue
        for where, c in pod.containers:
            if (c.get("securityContext") or {}).get("allowPrivilegeEscalation") is not False:
                yield pod.violation(where, "securityContext.allowPrivilegeEscalation is not false")


@rule("MP032", "Pod Security: running as non-root", severity="high",
      rationale=_rationale("Running as Non-root and Non-root user (restricted)"),
      fix="Set securityContext.runAsNonRoot: true (pod or container) and no runAsUser: 0; leave Seldon Core's "
          "executor.user and defaultUserID non-zero.")
def non_root(ctx: Context):
    yield from _seldon_core_users(ctx)
    for pod in pods(ctx):
        if pod.level != RESTRICTED:
            continue
        if pod.security.get("runAsUser") == 0:
            yield pod.violation(pod.where, "securityContext.runAsUser: 0")
        for where, c in pod.containers:
            if pod.effective(c, "runAsNonRoot") is not True:
                yield pod.violation(where, "securityContext.runAsNonRoot is not true (on the container or the pod)")
            if (c.get("securityContext") or {}).get("runAsUser") == 0:
                yield pod.violation(where, "securityContext.runAsUser: 0")


# Seldon Core's values that set the user of what it adds to every model pod: the executor container, and the
# pod's default runAsUser (seldon-core-operator chart; 8888 both, by default)
SELDON_CORE_USERS = (("executor", "user"), ("defaultUserID",))


def _seldon_core_users(ctx: Context) -> Iterator[Violation]:
    """The executor is not in any spec modelplane writes: Seldon Core injects it into each SeldonDeployment's
    pods, as the user its release's values name."""
    core = next(iter(ctx.releases_of("seldon-core-operator")), None)
    restricted = sorted({f"{p.obj.namespace}/{p.obj.name}" for p in pods(ctx)
                        if p.obj.kind == "SeldonDeployment" and p.level == RESTRICTED})
    if core is None or not restricted:
        return
    for path in SELDON_CORE_USERS:
        value: object = core.inputs.get("values") or {}
        for part in path:
            value = value.get(part) if isinstance(value, dict) else None
        if value is not None and str(value).strip() == "0":
            yield Violation(f"Helm release {core.name}", f"values.{'.'.join(path)}: {value!r}: Seldon Core runs what "
                            f"it adds to every model pod as root, in restricted namespaces too (e.g. "
                            f"{', '.join(restricted[:3])}) (restricted profile)", core.urn)


@rule("MP033", "Pod Security: Windows host process", severity="critical", rationale=_rationale("HostProcess"),
      fix="Remove windowsOptions.hostProcess.")
def host_process(ctx: Context):
    for pod in pods(ctx):
        for where, options in pod.contexts("windowsOptions"):
            if options.get("hostProcess"):
                yield pod.violation(where, "securityContext.windowsOptions.hostProcess: true")
