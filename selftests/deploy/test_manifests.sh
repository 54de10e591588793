#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# The Kubernetes manifests: yamllint-clean, and the fields that matter are
# what they must be, read with a real YAML parser from what kustomize
# renders (both variants): host network, exactly the capability set that
# selftests/net/test_capabilities.sh proves, bpffs from the host, exec probes on
# the agent's health file, metrics node-local, a rolling update that never runs two agents
# on a node, tolerations for every node, a sidecar without capabilities,
# and RBAC that only reads exactly what the config renderer needs. Also, in
# every variant (base, privileged, monitoring, openshift): the recommended
# app.kubernetes.io/* labels on every object, their version the release in
# VERSION and the image tag the same (never latest; build-image.sh's default
# tag starts with it); the pod under seccomp RuntimeDefault; the sidecar not
# root; JSON logs. deploy/monitoring: the agent listens on the node's
# address (downward API), its port is the PodMonitor's, the PodMonitor
# selects the pods and names the job the alerts use; the rest of the
# DaemonSet is the base's. deploy/openshift: an SCC that admits exactly
# these pods (capabilities, volumes, seccomp, no privileged), usable by the
# DaemonSet's service account and nothing else.
set -u
cd "$(dirname "$0")/../.."
fails=0
check() { local what=$1; shift; if "$@"; then echo "ok - $what"; else echo "not ok - $what"; fails=$((fails + 1)); fi; }
PY=/usr/bin/python3
command -v yamllint >/dev/null && "$PY" -c 'import yaml' 2>/dev/null || { echo "yamllint / python3-yaml missing"; exit 4; }
command -v kubectl >/dev/null || { echo "kubectl missing (kustomize)"; exit 4; }
check "yamllint deploy/ (config in .yamllint)" yamllint -s -c .yamllint deploy/
check "no image or tag anywhere under deploy/ is latest (the sources too, not only what kustomize renders)" \
	sh -c "! grep -rnE '(image|newTag): *\"?[^ ]*:?latest\"?\$' deploy/"
check "deploy/k8s/daemonset.yaml names the image at VERSION (applied without kustomize too)" \
	sh -c "test \"\$(grep -oE 'image: [^ ]+' deploy/k8s/daemonset.yaml | sort -u)\" = 'image: podroute:'\"\$(cat VERSION)\""
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
check "kustomize renders deploy/k8s" sh -c "kubectl kustomize deploy/k8s >$tmp/base.yaml"
check "kustomize renders deploy/k8s-privileged" sh -c "kubectl kustomize deploy/k8s-privileged >$tmp/priv.yaml"
check "kustomize renders deploy/monitoring" sh -c "kubectl kustomize deploy/monitoring >$tmp/mon.yaml 2>/dev/null"
check "kustomize renders deploy/openshift" sh -c "kubectl kustomize deploy/openshift >$tmp/os.yaml 2>/dev/null"
"$PY" - "$tmp/base.yaml" "$tmp/priv.yaml" "$tmp/mon.yaml" "$tmp/os.yaml" "$(cat VERSION)" \
	"$(deploy/build-image.sh --print-tag)" "$(sed -nE 's/^ *newTag: "?([^"]*)"?$/\1/p' deploy/k8s/kustomization.yaml)" <<'PYEOF'
import sys, yaml
fails = 0
def check(what, cond):
    global fails
    print(("ok - " if cond else "not ok - ") + what)
    fails += 0 if cond else 1

def load(path):
    docs = [d for d in yaml.safe_load_all(open(path)) if d]
    return {(d["kind"], d["metadata"]["name"]): d for d in docs}

base, priv, mon, osh = (load(a) for a in sys.argv[1:5])
version, default_tag, kust_tag = sys.argv[5:8]
ds = base[("DaemonSet", "podroute")]
spec = ds["spec"]["template"]["spec"]
cs = {c["name"]: c for c in spec["containers"]}
agent, sync = cs.get("agent"), cs.get("config-sync")
check("two containers: agent and config-sync", set(cs) == {"agent", "config-sync"})
check("hostNetwork true, hostPID false", spec.get("hostNetwork") is True and spec.get("hostPID") is False)
check("dnsPolicy ClusterFirstWithHostNet", spec.get("dnsPolicy") == "ClusterFirstWithHostNet")
check("tolerates every taint", {"operator": "Exists"} in spec.get("tolerations", []))
check("system-node-critical", spec.get("priorityClassName") == "system-node-critical")
us = ds["spec"]["updateStrategy"]
check("RollingUpdate, maxUnavailable 1, maxSurge 0",
      us["type"] == "RollingUpdate" and us["rollingUpdate"] == {"maxUnavailable": 1, "maxSurge": 0})
sc = agent["securityContext"]
check("agent: drop ALL, add exactly BPF PERFMON NET_ADMIN",
      sc["capabilities"]["drop"] == ["ALL"] and sorted(sc["capabilities"]["add"]) == ["BPF", "NET_ADMIN", "PERFMON"])
check("agent: not privileged, no escalation, read-only root, uid 0",
      sc.get("privileged") is False and sc.get("allowPrivilegeEscalation") is False
      and sc.get("readOnlyRootFilesystem") is True and sc.get("runAsUser") == 0)
vols = {v["name"]: v for v in spec["volumes"]}
mounts = {m["mountPath"]: m for m in agent["volumeMounts"]}
bpffs = mounts.get("/sys/fs/bpf")
check("agent mounts the host's bpffs", bpffs is not None and vols[bpffs["name"]].get("hostPath", {}).get("path") == "/sys/fs/bpf")
check("agent: no --detach-on-exit (the datapath outlives the pod)", "--detach-on-exit" not in agent.get("args", []))
lp, rp = agent.get("livenessProbe", {}), agent.get("readinessProbe", {})
hf = "/run/podroute-health/health"
check("liveness probe: exec podroute health on the health file",
      lp.get("exec", {}).get("command") == ["podroute", "health", "--file", hf])
check("readiness probe: exec podroute health --ready on the health file",
      rp.get("exec", {}).get("command") == ["podroute", "health", "--ready", "--file", hf])
check("agent writes the health file the probes read, on a writable emptyDir",
      "--health-file=" + hf in agent["args"] and
      any(m["mountPath"] == "/run/podroute-health" and not m.get("readOnly") for m in agent["volumeMounts"]))
check("metrics node-local by default (not every address of a hostNetwork pod)",
      "--metrics-listen=127.0.0.1:9473" in agent["args"])
cfgarg = [a for a in agent["args"] if a.startswith("--config=")]
check("agent reads the config the sidecar writes",
      cfgarg == ["--config=/run/podroute/config.yaml"] and "/run/podroute/config.yaml" in sync["args"])
shared = [m["name"] for m in sync["volumeMounts"] if m["mountPath"] == "/run/podroute"]
check("the rendered config is a shared emptyDir", shared and "emptyDir" in vols[shared[0]]
      and mounts["/run/podroute"]["name"] == shared[0])
ssc = sync["securityContext"]
check("config-sync: no capabilities at all", ssc["capabilities"] == {"drop": ["ALL"]})
smounts = {m["mountPath"]: m["name"] for m in sync["volumeMounts"]}
check("config-sync: a writable /tmp (emptyDir) under its read-only root",
      ssc.get("readOnlyRootFilesystem") is True and "/tmp" in smounts and "emptyDir" in vols[smounts["/tmp"]])
check("config-sync: NODE_NAME from spec.nodeName",
      any(e["name"] == "NODE_NAME" and e["valueFrom"]["fieldRef"]["fieldPath"] == "spec.nodeName" for e in sync["env"]))
check("both containers have resource requests and memory limits",
      all("requests" in c["resources"] and "memory" in c["resources"]["limits"] for c in cs.values()))

role = base[("ClusterRole", "podroute-config-reader")]
want = {("k8s.ovn.org", "routeadvertisements"), ("k8s.ovn.org", "clusteruserdefinednetworks"),
        ("k8s.ovn.org", "userdefinednetworks"), ("k8s.cni.cncf.io", "network-attachment-definitions"),
        ("", "nodes"), ("", "namespaces")}
got = {(g, r) for rule in role["rules"] for g in rule["apiGroups"] for r in rule["resources"]}
check("RBAC: exactly the renderer's resources", got == want)
check("RBAC: read-only verbs", all(sorted(rule["verbs"]) == ["get", "list", "watch"] for rule in role["rules"]))
ev = base[("ClusterRole", "podroute-events")]
check("RBAC: the one write is creating Events",
      [(r["apiGroups"], r["resources"], r["verbs"]) for r in ev["rules"]] == [([""], ["events"], ["create"])])
check("RBAC: the events role bound to the same service account",
      base[("ClusterRoleBinding", "podroute-events")]["subjects"] ==
      [{"kind": "ServiceAccount", "name": spec["serviceAccountName"], "namespace": "podroute"}])
check("config-sync: the service ranges are given (no network may cover them)",
      any(a.startswith("--service-cidr=") for a in sync["args"]))
rb = base[("ClusterRoleBinding", "podroute-config-reader")]
check("RBAC bound to the DaemonSet's service account",
      rb["subjects"] == [{"kind": "ServiceAccount", "name": spec["serviceAccountName"], "namespace": "podroute"}])

pa = {c["name"]: c for c in priv[("DaemonSet", "podroute")]["spec"]["template"]["spec"]["containers"]}["agent"]
psc = pa["securityContext"]
# Absent, or empty as Debian's kustomize v2 leaves a deleted field: no drop list either way.
check("privileged variant: privileged, escalation allowed, no capability list",
      psc.get("privileged") is True and psc.get("allowPrivilegeEscalation") is True and not psc.get("capabilities"))

# ---- every variant ----
check("VERSION is a release number, not latest", version and version != "latest" and version[0].isdigit())
check("kustomization's image tag is VERSION", kust_tag == version)
check("build-image.sh's default tag is VERSION or VERSION-dev.<commit>",
      default_tag == version or default_tag.startswith(version + "-dev."))
want_labels = {"app.kubernetes.io/name": "podroute", "app.kubernetes.io/instance": "podroute",
               "app.kubernetes.io/version": version, "app.kubernetes.io/part-of": "podroute",
               "app.kubernetes.io/managed-by": "kustomize"}
for vname, v in (("base", base), ("privileged", priv), ("monitoring", mon), ("openshift", osh)):
    bad = [f"{k}/{n}" for (k, n), d in v.items()
           if any(d["metadata"].get("labels", {}).get(l) != val for l, val in want_labels.items())
           or not d["metadata"].get("labels", {}).get("app.kubernetes.io/component")]
    check(f"{vname}: every object has the app.kubernetes.io labels, version {version}" +
          (f" (not: {bad})" if bad else ""), not bad)
    vds = v[("DaemonSet", "podroute")]
    tpl = vds["spec"]["template"]
    tl = tpl["metadata"]["labels"]
    check(f"{vname}: the pods carry the labels too, the selector only the name",
          all(tl.get(l) == val for l, val in want_labels.items())
          and vds["spec"]["selector"]["matchLabels"] == {"app.kubernetes.io/name": "podroute"})
    ps = tpl["spec"]
    check(f"{vname}: pod seccompProfile RuntimeDefault",
          ps.get("securityContext", {}).get("seccompProfile") == {"type": "RuntimeDefault"})
    imgs = [c["image"] for c in ps["containers"] + ps.get("initContainers", [])]
    check(f"{vname}: images tagged {version}, none latest ({imgs})",
          all(i.rsplit(":", 1)[-1] == version and ":" in i for i in imgs))
    c = {x["name"]: x for x in ps["containers"]}
    s2 = c["config-sync"]["securityContext"]
    check(f"{vname}: config-sync not root: runAsNonRoot, a non-zero uid, no escalation, read-only root, drop ALL",
          s2.get("runAsNonRoot") is True and isinstance(s2.get("runAsUser"), int) and s2["runAsUser"] > 0
          and s2.get("allowPrivilegeEscalation") is False and s2.get("readOnlyRootFilesystem") is True
          and s2.get("capabilities") == {"drop": ["ALL"]})
    check(f"{vname}: both containers log JSON lines",
          all("--log-format=json" in x["args"] for x in c.values()))

# ---- deploy/monitoring ----
mds = mon[("DaemonSet", "podroute")]
mspec = mds["spec"]["template"]["spec"]
magent = {x["name"]: x for x in mspec["containers"]}["agent"]
check("monitoring: the agent listens on the node's address, port 9473",
      "--metrics-listen=$(HOST_IP):9473" in magent["args"] and
      not any(a.startswith("--metrics-listen=127.") for a in magent["args"]))
check("monitoring: HOST_IP from the downward API's status.hostIP",
      {"name": "HOST_IP", "valueFrom": {"fieldRef": {"fieldPath": "status.hostIP"}}} in magent.get("env", []))
check("monitoring: otherwise the agent's arguments are the base's",
      [a for a in magent["args"] if not a.startswith("--metrics-listen")] ==
      [a for a in agent["args"] if not a.startswith("--metrics-listen")])
strip = lambda d: {k: v for k, v in d.items() if k not in ("args", "env", "ports")}
check("monitoring: the rest of the DaemonSet is the base's",
      [strip(x) for x in mspec["containers"]] == [strip(x) for x in spec["containers"]]
      and {k: v for k, v in mspec.items() if k != "containers"} == {k: v for k, v in spec.items() if k != "containers"})
pm = mon.get(("PodMonitor", "podroute"))
ports = {p["name"]: p for p in magent.get("ports", [])}
check("monitoring: a PodMonitor on the agent's named metrics port",
      pm is not None and [e["port"] for e in pm["spec"]["podMetricsEndpoints"]] == ["metrics"]
      and ports.get("metrics", {}).get("containerPort") == 9473)
check("monitoring: the PodMonitor selects the DaemonSet's pods in its namespace",
      pm and all(mds["spec"]["template"]["metadata"]["labels"].get(k) == v
                 for k, v in pm["spec"]["selector"]["matchLabels"].items())
      and pm["spec"]["namespaceSelector"]["matchNames"] == [mds["metadata"]["namespace"]])
jl = pm and pm["spec"].get("jobLabel")
check("monitoring: its job is \"podroute\" (jobLabel), the job the alerts select",
      jl and mds["spec"]["template"]["metadata"]["labels"].get(jl) == "podroute")
check("monitoring: the PodMonitor adds the node label the alerts and the dashboard use",
      pm and any(r.get("targetLabel") == "node" and r.get("sourceLabels") == ["__meta_kubernetes_pod_node_name"]
                 for e in pm["spec"]["podMetricsEndpoints"] for r in e.get("relabelings", [])))
check("monitoring: a PrometheusRule", ("PrometheusRule", "podroute") in mon)

# ---- deploy/openshift ----
scc = osh.get(("SecurityContextConstraints", "podroute"))
check("openshift: an SCC named podroute, cluster-scoped (no namespace)", scc is not None and "namespace" not in scc["metadata"])
if scc:
    ops = osh[("DaemonSet", "podroute")]["spec"]["template"]["spec"]
    oc = {x["name"]: x for x in ops["containers"]}
    added = set(oc["agent"]["securityContext"]["capabilities"]["add"])
    check("openshift: the SCC allows exactly the agent's capabilities", set(scc["allowedCapabilities"]) == added)
    check("openshift: no privileged containers, no escalation, no host PID/IPC",
          scc["allowPrivilegedContainer"] is False and scc["allowPrivilegeEscalation"] is False
          and scc["allowHostPID"] is False and scc["allowHostIPC"] is False)
    check("openshift: host network and host paths (the bpffs) allowed", scc["allowHostNetwork"] and scc["allowHostDirVolumePlugin"])
    kinds = {"hostPath", "emptyDir", "configMap", "secret", "projected", "downwardAPI"}
    used = {k for vol in ops["volumes"] for k in vol if k != "name"}
    check(f"openshift: the SCC allows every volume type the pods use ({sorted(used)})",
          used | {"projected"} <= set(scc["volumes"]) and set(scc["volumes"]) <= kinds)
    check("openshift: the SCC's seccomp is runtime/default, the pods'", scc["seccompProfiles"] == ["runtime/default"])
    check("openshift: uid 0 for the agent and the sidecar's uid are admitted", scc["runAsUser"]["type"] == "RunAsAny")
    check("openshift: the agent in the spc_t SELinux domain",
          oc["agent"]["securityContext"].get("seLinuxOptions", {}).get("type") == "spc_t")
    role = osh[("ClusterRole", "podroute-scc")]
    check("openshift: a role that may only use this SCC",
          role["rules"] == [{"apiGroups": ["security.openshift.io"], "resources": ["securitycontextconstraints"],
                             "resourceNames": ["podroute"], "verbs": ["use"]}])
    rb = osh[("RoleBinding", "podroute-scc")]
    check("openshift: bound to the DaemonSet's service account in its namespace",
          rb["roleRef"]["name"] == "podroute-scc" and rb["metadata"]["namespace"] == "podroute" and
          rb["subjects"] == [{"kind": "ServiceAccount", "name": ops["serviceAccountName"], "namespace": "podroute"}])
sys.exit(1 if fails else 0)
PYEOF
rc=$?
[ "$rc" -eq 0 ] || fails=$((fails + 1))
echo "manifests: $fails failed"
[ "$fails" -eq 0 ]
