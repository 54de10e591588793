# SPDX-License-Identifier: GPL-2.0-only
# Shared namespace topology for the namespace tests and the demo (sourced).
#
#   client ns               node ns                          pod ns
#   eth0 192.0.2.2 ---- in0 192.0.2.1 (underlay, XDP)
#                           mp0 10.128.1.1 (OVN entry stand-in) ---- eth0 10.128.1.5
#                                                            launcher ns (topo_add_vm)
#                           vm0 10.128.2.1 ------------------ eth0 -+- k6t-eth0 (bridge)
#                                                            tap0 -+  <- tapvm: "VM" 10.128.2.6
#
# Every name carries a per-run suffix; topo_cleanup removes all of it and
# is installed as an EXIT trap by topo_create.
TOPO_ID=${TOPO_ID:-$$}
NS_CLIENT=prc-$TOPO_ID NS_NODE=prn-$TOPO_ID NS_POD=prp-$TOPO_ID NS_VM=prv-$TOPO_ID
PIN_DIR=/sys/fs/bpf/podroute-test-$TOPO_ID
PODROUTE=${PODROUTE:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../../.." && pwd)/build/podroute}

topo_cleanup() {
	# The datapath goes with the node namespace; the pins are ours to remove.
	[ -d "$PIN_DIR" ] && node_podroute detach --unpin >/dev/null 2>&1
	rm -rf "$PIN_DIR" 2>/dev/null
	if [ -n "${VM_PID:-}" ]; then kill "$VM_PID" 2>/dev/null; wait "$VM_PID" 2>/dev/null; fi
	for ns in "$NS_CLIENT" "$NS_NODE" "$NS_POD" "$NS_VM"; do ip netns del "$ns" 2>/dev/null; done
	return 0
}

# podroute inside the node namespace. nsenter, not `ip netns exec`: the
# latter remounts /sys and hides bpffs (and so the pins).
node_podroute() { nsenter --net=/run/netns/"$NS_NODE" "$PODROUTE" --pin-dir "$PIN_DIR" "$@"; }
in_ns() { local ns=$1; shift; ip netns exec "$ns" "$@"; }

topo_create() {
	trap topo_cleanup EXIT
	mountpoint -q /sys/fs/bpf || mount -t bpf bpf /sys/fs/bpf
	ip netns add "$NS_CLIENT" && ip netns add "$NS_NODE" && ip netns add "$NS_POD" || return 1
	ip -n "$NS_NODE" link add in0 type veth peer name eth0 netns "$NS_CLIENT"
	ip -n "$NS_NODE" link add mp0 type veth peer name eth0 netns "$NS_POD"
	for ns in "$NS_CLIENT" "$NS_NODE" "$NS_POD"; do ip -n "$ns" link set lo up; done
	ip -n "$NS_CLIENT" addr add 192.0.2.2/24 dev eth0
	ip -n "$NS_CLIENT" link set eth0 up
	# East-west traffic is redirected by XDP into this veth: its end needs NAPI.
	in_ns "$NS_CLIENT" ethtool -K eth0 gro on >/dev/null
	ip -n "$NS_NODE" addr add 192.0.2.1/24 dev in0
	ip -n "$NS_NODE" addr add 10.128.1.1/24 dev mp0
	ip -n "$NS_NODE" link set in0 up
	ip -n "$NS_NODE" link set mp0 up
	in_ns "$NS_NODE" sysctl -qw net.ipv4.ip_forward=1
	ip -n "$NS_POD" addr add 10.128.1.5/24 dev eth0
	ip -n "$NS_POD" link set eth0 up
	ip -n "$NS_POD" route add default via 10.128.1.1
	# A veth drops XDP-redirected frames unless its peer runs NAPI (GRO).
	in_ns "$NS_POD" ethtool -K eth0 gro on >/dev/null
	POD_MAC=$(ip -n "$NS_POD" -br link show eth0 | awk '{print $3}')
}

# A VM-like endpoint, as KubeVirt's bridge binding lays it out: a
# virt-launcher pod namespace whose eth0 (a veth from the node's vm0) is
# bridged with tap0, and the "VM" holding tap0 (build/net/tapvm: answers ARP
# and ping for 10.128.2.6, logs each echo request to $VM_LOG). Network
# 10.128.2.0/24 stands for a Layer2 UDN with persistent IPs for VMs.
VM_IP=10.128.2.6 VM_MAC=52:54:00:80:02:06
TAPVM=${TAPVM:-$(dirname "$PODROUTE")/net/tapvm}
topo_add_vm() {
	ip netns add "$NS_VM" || return 1
	ip -n "$NS_NODE" link add vm0 type veth peer name eth0 netns "$NS_VM"
	ip -n "$NS_NODE" addr add 10.128.2.1/24 dev vm0
	ip -n "$NS_NODE" link set vm0 up
	ip -n "$NS_VM" link set lo up
	ip -n "$NS_VM" link add k6t-eth0 type bridge
	ip -n "$NS_VM" tuntap add tap0 mode tap
	ip -n "$NS_VM" link set eth0 master k6t-eth0
	ip -n "$NS_VM" link set tap0 master k6t-eth0
	for d in eth0 tap0 k6t-eth0; do ip -n "$NS_VM" link set "$d" up; done
	in_ns "$NS_VM" ethtool -K eth0 gro on >/dev/null
	VM_LOG=$(mktemp)
	nsenter --net=/run/netns/"$NS_VM" "$TAPVM" --tap tap0 --ip "$VM_IP" --mac "$VM_MAC" >"$VM_LOG" 2>&1 &
	VM_PID=$!
	wait_for "grep -q ready '$VM_LOG'" 10
}

# The provider (client namespace) and the node peer over eBGP with FRR;
# the node advertises its pod subnet, as FRR-k8s does for a
# RouteAdvertisements object. Waits for the provider to install the route.
topo_bgp() {
	. "$(dirname "${BASH_SOURCE[0]}")/frr.sh"
	trap 'frr_stop_all; topo_cleanup' EXIT
	frr_start "$NS_CLIENT" "frr defaults datacenter
hostname provider
router bgp 65000
 bgp router-id 192.0.2.2
 no bgp ebgp-requires-policy
 no bgp network import-check
 neighbor 192.0.2.1 remote-as 65001
 address-family ipv4 unicast
${PROVIDER_NETWORKS:-}
 exit-address-family
" || return 1
	frr_start "$NS_NODE" "frr defaults datacenter
hostname node
router bgp 65001
 bgp router-id 192.0.2.1
 no bgp ebgp-requires-policy
 neighbor 192.0.2.2 remote-as 65000
 address-family ipv4 unicast
  network 10.128.1.0/24
${NODE_NETWORKS:-}
 exit-address-family
" || return 1
	frr_wait_established "$NS_CLIENT" 192.0.2.1 60 || return 1
	for _ in $(seq 120); do
		ip -n "$NS_CLIENT" route show 10.128.1.0/24 proto bgp | grep -q . && return 0
		sleep 0.25
	done
	return 1
}

# podroute fast path for the pod subnet: XDP on in0, redirect to mp0.
topo_attach() {
	node_podroute attach --underlay in0 &&
	node_podroute net set 1 port mp0 mac "$POD_MAC" antispoof &&
	node_podroute prefix add 10.128.1.0/24 net 1
}

# Sum of a counter (network, reason) from `podroute -j stats`.
counter() {
	node_podroute -j stats --net "$1" | jq "[.[] | select(.reason == \"$2\") | .packets] | add // 0"
}

# Poll a condition (a shell command) until it holds: up to $2 seconds.
wait_for() {
	local cond=$1 timeout=${2:-10} i
	for ((i = 0; i < timeout * 20; i++)); do
		eval "$cond" && return 0
		sleep 0.05
	done
	return 1
}

# The agent in the node namespace, in the background, logging to $AGENT_LOG
# (agent_start CONFIG [AGENT OPTIONS...]).
agent_start() {
	local n0
	AGENT_LOG=${AGENT_LOG:-$(mktemp)}
	# A restart appends: wait for one more "agent running" than the log has.
	n0=$(grep -c 'agent running' "$AGENT_LOG" 2>/dev/null)
	nsenter --net=/run/netns/"$NS_NODE" "$PODROUTE" --pin-dir "$PIN_DIR" agent --config "$1" "${@:2}" \
		>>"$AGENT_LOG" 2>&1 &
	AGENT_PID=$!
	wait_for "[ \$(grep -c 'agent running' '$AGENT_LOG') -gt ${n0:-0} ]" 20
}

# jq over `podroute -j routes`.
routes_jq() { node_podroute -j routes | jq -e "$1" >/dev/null 2>&1; }

# The start every agent test shares (after `. lib/topo.sh`): root, fail()
# with the agent's log, the topology, a work folder $dir with $AGENT_LOG,
# and a trap that stops the agent (even a stopped one) and removes both.
# More clean-up: define agent_test_cleanup before calling.
agent_test_begin() { # NAME
	[ "$(id -u)" -eq 0 ] || { echo "needs root"; exit 4; }
	fail() { echo "FAIL: $*"; [ -n "${AGENT_LOG:-}" ] && tail -8 "$AGENT_LOG" | sed 's/^/  agent: /'; exit 1; }
	topo_create || fail "topology"
	dir=$(mktemp -d "/run/prtest-$1.XXXXXX")
	AGENT_LOG=$dir/agent.log
	trap 'declare -F agent_test_cleanup >/dev/null && agent_test_cleanup
		[ -n "${AGENT_PID:-}" ] && kill -CONT "$AGENT_PID" 2>/dev/null && kill -9 "$AGENT_PID" 2>/dev/null
		topo_cleanup; rm -rf "$dir"' EXIT
}

# An agent config: the underlay in0 (and EXTRA, further lines of the
# interfaces section) and the pod's network behind mp0.
pod_config() { # FILE [EXTRA]
	cat >"$1" <<YAML
interfaces:
  underlay: [in0]
${2:+$2
}networks:
  - name: default
    prefixes: [10.128.1.0/24]
    target: {port: mp0, mac: $POD_MAC}
YAML
}
