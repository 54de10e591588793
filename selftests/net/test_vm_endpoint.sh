#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# A VM-like endpoint (KubeVirt bridge binding: launcher pod's eth0 bridged
# with the tap the VM holds) reached through the fast path. The agent's
# config has two networks: the pod subnet behind mp0, and 10.128.2.0/24 (a
# Layer2 UDN for VMs) behind vm0. Asserts, for 20 pings from the provider:
#  - the "VM" (tapvm, reading the tap) sees 20 echo requests from the
#    client's own address (no NAT) with TTL 63 (one router hop);
#  - podroute's redirect counter of the VM's network rises by exactly 20
#    and the pod network's does not move;
#  - the node's kernel forwards only the 20 replies (Ip ForwDatagrams +20),
#    none of the requests;
#  - the pod behind mp0 still works the same way.
set -u
. "$(dirname "$0")/lib/topo.sh"
fail() { echo "FAIL: $*"; exit 1; }
[ -x "$TAPVM" ] || fail "missing $TAPVM (make build/net/tapvm)"
topo_create || fail "topology"
topo_add_vm || fail "VM endpoint: $(cat "$VM_LOG")"
cfg=$(mktemp)
trap 'rm -f "$cfg"; topo_cleanup' EXIT
cat >"$cfg" <<YAML
interfaces:
  underlay: [in0]
  ovn: [mp0, vm0]
networks:
  - name: pods
    prefixes: [10.128.1.0/24]
    target: {port: mp0, mac: $POD_MAC}
  - name: vms
    prefixes: [10.128.2.0/24]
    target: {port: vm0, mac: $VM_MAC}
YAML
ip -n "$NS_CLIENT" route add 10.128.0.0/16 via 192.0.2.1
node_podroute agent --config "$cfg" --once >/dev/null 2>&1 || fail "agent --once"
forwarded() { in_ns "$NS_NODE" awk '/^Ip:/ { if (!h) { for (i = 1; i <= NF; i++) if ($i == "ForwDatagrams") c = i; h = 1 } else print $c }' /proc/net/snmp; }

p0=$(counter 1 redirect) v0=$(counter 2 redirect) f0=$(forwarded)
in_ns "$NS_CLIENT" ping -c 20 -i 0.02 -W 2 "$VM_IP" >/dev/null || fail "client -> VM through the fast path"
wait_for "[ \$(grep -c '^echo ' '$VM_LOG') -ge 20 ]" 5 || fail "the VM saw $(grep -c '^echo ' "$VM_LOG") of 20 requests"
n=$(grep -c '^echo src 192.0.2.2 ttl 63 ' "$VM_LOG")
[ "$n" -eq 20 ] || fail "expected 20 requests from 192.0.2.2 with TTL 63 at the VM, got $n: $(head -3 "$VM_LOG")"
[ "$(counter 2 redirect)" -eq $((v0 + 20)) ] || fail "VM network redirects: $v0 -> $(counter 2 redirect), expected +20"
[ "$(counter 1 redirect)" -eq "$p0" ] || fail "the pod network's counter moved"
[ "$(forwarded)" -eq $((f0 + 20)) ] || fail "node forwarded $(( $(forwarded) - f0 )) packets, expected the 20 replies only"
in_ns "$NS_CLIENT" ping -c 5 -i 0.02 -W 2 10.128.1.5 >/dev/null || fail "client -> pod"
[ "$(counter 1 redirect)" -eq $((p0 + 5)) ] || fail "pod network redirects: expected +5"
echo "VM endpoint: 20/20 echo requests at the tap with the client's address and TTL 63, all fast-pathed; pod network unaffected"
