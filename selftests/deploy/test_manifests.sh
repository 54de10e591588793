#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# The Kubernetes manifests: yamllint-clean, and the fields that matter are
# what they must be, read with a real YAML parser from what kustomize
# renders (both variants): host network, exactly the capability set that
# selftests/net/test_capabilities.sh proves, bpffs from the host, exec probes on
# the agent's health file, metrics node-local, a rolling update that never runs two agents
# on a node, tolerations for every node, a sidecar without capabilities,
# and RBAC that only reads exactly what the config renderer needs.
set -u
cd "$(dirname "$0")/../.."
fails=0
check() { local what=$1; shift; if "$@"; then echo "ok - $what"; else echo "not ok - $what"; fails=$((fails + 1)); fi; }
PY=/usr/bin/python3
command -v yamllint >/dev/null && "$PY" -c 'import yaml' 2>/dev/null || { echo "yamllint / python3-yaml missing"; exit 4; }
command -v kubectl >/dev/null || { echo "kubectl missing (kustomize)"; exit 4; }
check "yamllint deploy/ (config in .yamllint)" yamllint -s -c .yamllint deploy/
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
check "kustomize renders deploy/k8s" sh -c "kubectl kustomize deploy/k8s >$tmp/base.yaml"
check "kustomize renders deploy/k8s-privileged" sh -c "kubectl kustomize deploy/k8s-privileged >$tmp/priv.yaml"
"$PY" - "$tmp/base.yaml" "$tmp/priv.yaml" <<'PYEOF'
import sys, yaml
fails = 0
def check(what, cond):
    global fails
    print(("ok - " if cond else "not ok - ") + what)
    fails += 0 if cond else 1

def load(path):
    docs = [d for d in yaml.safe_load_all(open(path)) if d]
    return {(d["kind"], d["metadata"]["name"]): d for d in docs}

base, priv = load(sys.argv[1]), load(sys.argv[2])
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
sys.exit(1 if fails else 0)
PYEOF
rc=$?
[ "$rc" -eq 0 ] || fails=$((fails + 1))
echo "manifests: $fails failed"
[ "$fails" -eq 0 ]
