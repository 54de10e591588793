#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# `make demo`: a self-contained tour on this machine, in network namespaces
# it creates and removes: a provider-side client, a node with podroute on
# its underlay interface, a pod behind an OVN-port stand-in, and a VM-like
# endpoint (a tap held by a tiny "VM" process, bridged in a launcher
# namespace, as KubeVirt lays it out). Shows the
# slow path, then podroute attached, its maps, traffic, and the counters
# that prove the fast path carried it. Leaves nothing behind.
set -u
. "$(dirname "$0")/lib/topo.sh"
TOPO_ID=demo
NS_CLIENT=prc-demo NS_NODE=prn-demo NS_POD=prp-demo NS_VM=prv-demo PIN_DIR=/sys/fs/bpf/podroute-demo
NODE_NETWORKS="  network 10.128.2.0/24"
[ "$(id -u)" -eq 0 ] || { echo "make demo needs root (namespaces, BPF)"; exit 1; }
step() { printf '\n\033[1m== %s\033[0m\n' "$*"; }
topo_cleanup # a previous run killed halfway
topo_create || { echo "cannot build the topology"; exit 1; }
topo_add_vm || { echo "cannot start the VM-like endpoint"; exit 1; }
topo_bgp || { echo "BGP session did not come up"; exit 1; }

step "Topology: client 192.0.2.2 -> node in0 192.0.2.1 -> mp0 -> pod 10.128.1.5; -> vm0 -> bridge -> tap0 -> VM 10.128.2.6"
ip -n "$NS_NODE" -br addr
if ip -n "$NS_NODE" link add demo-vrf type vrf table 1001 2>/dev/null; then
	ip -n "$NS_NODE" link del demo-vrf
	echo "(this kernel has VRF: make check-vm's UDN test shows VRF-Lite networks)"
else
	echo "(no VRF on this kernel, so no UDN here: make check-vm runs the VRF-Lite UDN scenario in a VM)"
fi
step "BGP: the node advertises 10.128.1.0/24 and 10.128.2.0/24; the provider learned them (FRR in both namespaces)"
frr_vtysh "$NS_CLIENT" "show bgp summary" | sed -n '/Neighbor/,$p'
wait_for "ip -n '$NS_CLIENT' route show 10.128.2.0/24 proto bgp | grep -q ." 20
ip -n "$NS_CLIENT" route show proto bgp
step "Slow path (kernel forwarding), before podroute"
in_ns "$NS_CLIENT" ping -c 3 -i 0.2 10.128.1.5 | tail -2

step "podroute attach --underlay in0; network 1 = pod subnet 10.128.1.0/24 -> mp0, network 2 = VM subnet 10.128.2.0/24 -> vm0"
topo_attach && node_podroute net set 2 port vm0 mac "$VM_MAC" antispoof &&
	node_podroute prefix add 10.128.2.0/24 net 2 || { echo "attach failed"; exit 1; }
node_podroute status
node_podroute networks
node_podroute routes

step "Traffic: 200 pings from the client through the fast path"
in_ns "$NS_CLIENT" ping -c 200 -i 0.01 -q 10.128.1.5 | tail -2
step "Traffic: 50 pings to the VM; what the VM saw (source, TTL) per request"
in_ns "$NS_CLIENT" ping -c 50 -i 0.01 -q "$VM_IP" | tail -2
wait_for "[ \$(grep -c '^echo ' '$VM_LOG') -ge 50 ]" 5
grep '^echo ' "$VM_LOG" | awk '{print $2, $3, $4, $5}' | sort | uniq -c
step "Counters (podroute stats): redirect = packets the fast path sent straight to the pod (TC on this veth; XDP on a NIC)"
node_podroute stats
step "Counters as JSON (podroute -j stats --net 1)"
node_podroute -j stats --net 1

step "Detach: the slow path takes over, nothing lost"
node_podroute detach
in_ns "$NS_CLIENT" ping -c 3 -i 0.2 10.128.1.5 | tail -2
step "Cleaning up"
frr_stop_all
topo_cleanup
trap - EXIT
step "Packet rate, fast path vs slow path (bench/pktrate.sh --quick, its own namespaces)"
echo "UDP frames handed to the underlay by a live-frames generator (as its driver would), counted in XDP"
echo "at the pod; one CPU runs generator and path (make bench: every variant, 1500 B, IPv6, nftables)."
"$(dirname "$0")/../../bench/pktrate.sh" --quick
echo "done: namespaces and pins removed"
