#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# `make demo`: a self-contained tour on this machine, in network namespaces
# it creates and removes: a provider-side client, a node with podroute on
# its underlay interface, and a pod behind an OVN-port stand-in. Shows the
# slow path, then podroute attached, its maps, traffic, and the counters
# that prove the fast path carried it. Leaves nothing behind.
set -u
. "$(dirname "$0")/lib/topo.sh"
TOPO_ID=demo
NS_CLIENT=prc-demo NS_NODE=prn-demo NS_POD=prp-demo PIN_DIR=/sys/fs/bpf/podroute-demo
[ "$(id -u)" -eq 0 ] || { echo "make demo needs root (namespaces, BPF)"; exit 1; }
step() { printf '\n\033[1m== %s\033[0m\n' "$*"; }
topo_cleanup # a previous run killed halfway
topo_create || { echo "cannot build the topology"; exit 1; }
topo_bgp || { echo "BGP session did not come up"; exit 1; }

step "Topology: client 192.0.2.2 -> node in0 192.0.2.1 -> mp0 -> pod 10.128.1.5"
ip -n "$NS_NODE" -br addr
step "BGP: the node advertises 10.128.1.0/24; the provider learned it (FRR in both namespaces)"
frr_vtysh "$NS_CLIENT" "show bgp summary" | sed -n '/Neighbor/,$p'
ip -n "$NS_CLIENT" route show 10.128.1.0/24
step "Slow path (kernel forwarding), before podroute"
in_ns "$NS_CLIENT" ping -c 3 -i 0.2 10.128.1.5 | tail -2

step "podroute attach --underlay in0; network 1 = pod subnet 10.128.1.0/24 -> mp0"
topo_attach || { echo "attach failed"; exit 1; }
node_podroute status
node_podroute networks
node_podroute routes

step "Traffic: 200 pings from the client through the fast path"
in_ns "$NS_CLIENT" ping -c 200 -i 0.01 -q 10.128.1.5 | tail -2
step "Counters (podroute stats): redirect = packets XDP sent straight to the pod"
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
echo "UDP frames from an AF_PACKET sender, counted in XDP at the pod; one CPU runs sender and path,"
echo "so the sender's own cost is in both figures (make bench for 5 runs and 1500-byte frames)."
"$(dirname "$0")/../../bench/pktrate.sh" --quick
echo "done: namespaces and pins removed"
