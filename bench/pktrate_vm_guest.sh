#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# The in-VM half of bench/pktrate_vm.sh, run by selftests/vm/run.sh (--smp 2,
# --out DIR) from the repository's top: packets/s of Open vSwitch's kernel
# datapath laid out as OVN-Kubernetes does, of podroute's XDP fast path on
# the same node, and of the kernel's IP forwarding, counted the same way at
# the pod. Writes runs.tsv, meta.json and log to $PODROUTE_VM_OUT; the host
# half turns them into bench/results/pktrate_vm.{json,md,png}.
#
# The node (the VM's root namespace):
#   client ns eth0 --- ul0 [br-ex] patch-ex-to-int == patch-int-to-ex [br-int] pod0 --- pod ns eth0
#                      br-ex: 192.0.2.1                ovn-k8s-mp0 (internal port)       10.128.1.5
#   kclient ns eth0 --- kul0 (192.0.3.1)  IP forwarding  kpod0 (10.129.1.1) --- kpod ns eth0 10.129.1.5
#   oclient ns eth0 --- ul1 [br-oex] localnet patch == [br-ovn: real OVN] opod0 --- opod ns eth0
#                      br-oex: 192.0.4.1        ovn-k8s-mp1 (management port)      10.130.1.5
# br-ex carries OVN-Kubernetes' flow for an advertised pod subnet (table 0,
# priority 300, in_port=ul0, ip, nw_dst=10.128.1.0/24: mod_dl_dst to the
# pod, output to the patch port); br-int delivers by destination MAC to the
# pod's port, as OVN's logical switch would. With 1,000 flows, 999 other
# priority-301 flows (900 /32s and 99 /24s of other networks, as other
# advertised networks, egress IPs and services add) sit ahead of it. The
# kernel-forwarding pair is a separate, plain path (OVS takes every frame
# that enters ul0, so it cannot be the same device).
# The real OVN node (ovn-northd, ovn-controller; selftests/vm/ovn_node.sh)
# is laid out as OVN-Kubernetes lays one out: node switch with the
# management port and the pod, ovn_cluster_router, join switch, gateway
# router GR_node1 on br-oex's localnet, NetworkPolicy as a port group with
# a default deny and an allow-related ACL (conntrack on every packet).
#
# Variants (each a node configuration; all of them every round, in an order
# rotated each round, so baseline and candidate run back to back):
#   ovs-1flow      frames entering ul0 go through OVS (2 flows on br-ex)
#   ovs-1000flows  the same with the 999 other flows installed
#   podroute-xdp   podroute's agent (build/podroute agent --once) with a
#                  config naming the pod network 10.128.1.0/24, target the
#                  pod's port pod0: XDP on ul0 redirects to the pod's veth
#   kernel         IP forwarding kul0 -> kpod0, no netfilter rules
#   ovn-shared     shared gateway: br-oex hands the pod subnet to OVN's
#                  localnet port: GR_node1, join, cluster router, node
#                  switch, ACLs, the pod
#   ovn-local      local gateway: br-oex hands it to the host, which routes
#                  it into ovn-k8s-mp1: node switch, ACLs, the pod
#   podroute-ovn   podroute on the OVN node (local gateway): TC on ul1
#                  redirects into ovn-k8s-mp1, addressed to the cluster
#                  router: cluster router, node switch, ACLs, the pod
#
# CPU layout: vCPU 0 forwards, vCPU 1 generates. ul0, kul0 and ul1 behave as NIC
# receive queues: GRO on (as NIC drivers have it by default), which gives a
# veth a NAPI poll fed by a ring, and that poll in its own kernel thread
# (threaded NAPI) pinned to vCPU 0. Everything the poll runs (podroute's XDP,
# OVS, IP forwarding, the pod veth's NAPI it raises, the receiver) runs
# there. This script, everything it starts (OVS daemons included), the
# generators and movable interrupts stay on vCPU 1. Without GRO, veth hands
# skbs to netif_rx on the sender's CPU; and veth only queues skbs to the
# peer's NAPI when they are GRO-eligible, which skbs from a non-socket
# sender are not while the sending side has TSO on: so the clients' eth0
# have TSO off (attaching XDP to ul0 does that by itself, detaching undoes
# it).
#
# Generators, both on vCPU 1, both entering the underlay port from its peer:
#   live      bench/pktgen live on the client's eth0 (BPF_PROG_RUN, live
#             frames, headers from 16 flow templates: UDP from ports
#             10000-10015 to 8080, valid checksums), handed to an XDP_TX
#             program on that eth0 (xdp-bench tx -p no-touch): each frame
#             is transmitted into ul0's ring as a NIC would fill its RX
#             ring. pktgen.bpf.o has no XDP_TX target of its own, hence
#             xdp-bench; libxdp must attach it directly, not behind its
#             dispatcher, which a tail call cannot enter (EBUSY): pointing
#             LIBXDP_BPFFS at a folder that is no bpffs does that.
#   kpktgen   the kernel's pktgen (its thread for vCPU 1) on the client's
#             eth0, skbs through the veth into ul0's ring, same flows.
# Receiver: bench/pktgen's XDP counter on the pod's eth0 (for every variant:
# redirected XDP frames and OVS's or the stack's skbs alike) counts UDP/8080
# frames with a valid IPv4 header checksum, any TTL (OVS does not decrement
# it, podroute and the kernel do), and drops them. Rate: frames counted
# over the time from the first to the last one counted.
#
# Per run, besides the receiver's count: the forwarding vCPU's busy ticks
# (/proc/stat) over the run, the frames ul0's ring refused (the forwarding
# CPU falling behind) and the generator's own rate. When the forwarding CPU
# is not saturated (the generator is the bottleneck), the host report gives
# the rate per busy forwarding CPU ("per core") next to the received rate.
#
# Why 48 dummy devices carry an XDP program: every BPF_PROG_RUN with
# repeat > 1 (each live run, twice) re-points the kernel's XDP dispatcher
# (text_poke of bpf_dispatcher_xdp_func) at its start and end, while vCPU 0
# runs XDP through it; under QEMU's multi-threaded TCG that crashed the
# guest (int3 / invalid opcode in bpf_dispatcher_xdp_func). The dispatcher
# stops changing once it holds 48 programs: with it full, every XDP program
# (podroute's and the receiver's in every variant alike) is reached through
# its indirect-call fallback, a plain indirect call with mitigations=off.
#
#   pktrate_vm_guest.sh [--quick] [--runs N] [--secs S] [--sizes "64 1500"]
#                       [--deadline S] [--min-runs N] [--variants "CFG ..."]
#     --variants    only these node configurations (ovs1 podroute ovs1000
#                   kernel ovnshared podrouteovn ovnlocal: all by default)
#     --runs N      rounds (default 7; --quick: 2, 64 bytes only)
#     --secs S      measured window of each run (default 2.5; --quick 1.5),
#                   after a 1.5 s warm-up
#     --deadline S  start no round that would end after S seconds of the
#                   VM's uptime, once --min-runs (5) rounds are done: the
#                   host's time budget under a loaded host
# shellcheck disable=SC2015 # "A && B || fail": fail exits, which is the point
set -u
RUNS=7 SECS=2.5 SIZES="64 1500" DEADLINE=0 MIN_RUNS=5 ONLY=""
while [ $# -gt 0 ]; do
	case $1 in
	--quick) RUNS=2 SECS=1.5 SIZES=64 MIN_RUNS=2 ;;
	--runs) RUNS=$2; shift ;;
	--secs) SECS=$2; shift ;;
	--sizes) SIZES=$2; shift ;;
	--deadline) DEADLINE=$2; shift ;;
	--min-runs) MIN_RUNS=$2; shift ;;
	--variants) ONLY=$2; shift ;;
	*) echo "usage: pktrate_vm_guest.sh [--quick] [--runs N] [--secs S] [--sizes \"64 1500\"] [--deadline S] [--min-runs N] [--variants \"ovs1 ...\"]"
		exit 2 ;;
	esac
	shift
done
OUT=${PODROUTE_VM_OUT:?run me with selftests/vm/run.sh --out DIR (bench/pktrate_vm.sh does)}
[ "${PODROUTE_IN_VM:-}" = 1 ] || { echo "pktrate_vm_guest.sh: only inside the VM (it starts OVS)"; exit 2; }
[ "$(nproc)" -ge 2 ] || { echo "pktrate_vm_guest.sh: needs 2 vCPUs (run.sh --smp 2)"; exit 2; }
G=$PWD/build/bench/pktgen
export PKTGEN_OBJ=$PWD/build/bench/pktgen.bpf.o
FWD_CPU=0 GEN_CPU=1
cl=vmbclient pod=vmbpod kcl=vmbkclient kpod=vmbkpod ocl=vmboclient opod=vmbopod pins=/sys/fs/bpf/vmbench
RXPIN=/sys/fs/bpf/vmbench-rx KRXPIN=/sys/fs/bpf/vmbench-krx ORXPIN=/sys/fs/bpf/vmbench-orx DATA=$OUT/runs.tsv LOG=$OUT/log
BREX_MAC=02:00:00:00:0e:01 OEX_MAC=02:00:00:00:0e:02 NFILL=48
P() { build/podroute --pin-dir $pins "$@"; }
say() { local up _; read -r up _ </proc/uptime; echo "pktrate_vm: [$up s] $*"; }
fail() { say "FAIL: $*" >&2; exit 1; }
. selftests/vm/ovnk_bridges.sh
# Real OVN's integration bridge is br-ovn: br-int holds the hand-laid flows.
OVN_BRIDGE=br-ovn
. selftests/vm/ovn_node.sh
xb_pids=()
cleanup() {
	local i
	P detach --unpin >/dev/null 2>&1
	for i in "${xb_pids[@]}"; do kill "$i" 2>/dev/null; done
	wait 2>/dev/null
	rm -f $RXPIN $KRXPIN $ORXPIN
	for ((i = 0; i < NFILL; i++)); do ip link del "vmbfill$i" 2>/dev/null; done
	ovn_stop 2>/dev/null
	ovs-appctl -t ovs-vswitchd exit --cleanup 2>/dev/null
	ovs-appctl -t ovsdb-server exit 2>/dev/null
	for i in $cl $pod $kcl $kpod $ocl $opod; do ip netns del "$i" 2>/dev/null; done
}
trap cleanup EXIT
for f in "$G" "$PKTGEN_OBJ" build/podroute; do [ -e "$f" ] || fail "$f missing: build on the host first"; done
for t in ovs-vswitchd xdp-bench ethtool jq taskset; do command -v $t >/dev/null || fail "$t not installed"; done
# Everything started from here on inherits the generator's vCPU.
taskset -pc $GEN_CPU $$ >/dev/null || fail "cannot pin myself to vCPU $GEN_CPU"
for irq in /proc/irq/[0-9]*; do echo $((1 << GEN_CPU)) >"$irq/smp_affinity" 2>/dev/null; done
# No IPv6 (router and neighbour solicitations would be flooded by OVS into
# the measured paths); new namespaces inherit this.
sysctl -qw net.core.devconf_inherit_init_net=1 net.ipv6.conf.all.disable_ipv6=1 \
	net.ipv6.conf.default.disable_ipv6=1 net.ipv4.ip_forward=1

# ---- the XDP dispatcher, filled (see the header) ----
say "filling the XDP dispatcher ($NFILL programs on dummy devices)"
for ((i = 0; i < NFILL; i++)); do
	ip link add "vmbfill$i" type dummy &&
		ip link set "vmbfill$i" xdpgeneric obj "$PKTGEN_OBJ" program xdp_pass ||
		fail "filler XDP program $i"
done

# ---- Open vSwitch ----
# Open vSwitch 3.1.0 counts no CPU before 10 s of uptime (selftests/vm/README.md).
while read -r up _ </proc/uptime && [ "${up%.*}" -lt 11 ]; do sleep 0.2; done
say "starting Open vSwitch"
OVS_LOG=$LOG ovs_start
for ns in $cl $pod $kcl $kpod $ocl $opod; do
	ip netns add "$ns" && ip -n "$ns" link set lo up || fail "namespace $ns"
done
ip link add ul0 type veth peer name eth0 netns $cl
ip link add pod0 type veth peer name eth0 netns $pod
ip link add kul0 type veth peer name eth0 netns $kcl
ip link add kpod0 type veth peer name eth0 netns $kpod
ip link add ul1 type veth peer name eth0 netns $ocl
ip link add opod0 type veth peer name eth0 netns $opod
ovnk_bridges ul0 pod0 $BREX_MAC
ip addr add 192.0.2.1/24 dev br-ex
ip addr add 10.128.1.1/24 dev ovn-k8s-mp0
ip addr add 192.0.3.1/24 dev kul0
ip addr add 10.129.1.1/24 dev kpod0
for d in br-ex br-int ovn-k8s-mp0 ul0 pod0 kul0 kpod0; do ip link set "$d" up || fail "link $d up"; done
brex_mac_wait $BREX_MAC
say "bridges up"
ip -n $cl addr add 192.0.2.2/24 dev eth0
ip -n $kcl addr add 192.0.3.2/24 dev eth0
ip -n $pod addr add 10.128.1.5/24 dev eth0
ip -n $kpod addr add 10.129.1.5/24 dev eth0
for ns in $cl $pod $kcl $kpod $ocl $opod; do ip -n "$ns" link set eth0 up || fail "eth0 up in $ns"; done
ip -n $pod route add default via 10.128.1.1
ip -n $kpod route add default via 10.129.1.1
podmac=$(ip -n $pod -br link show eth0 | awk '{print $3}')
kpodmac=$(ip -n $kpod -br link show eth0 | awk '{print $3}')
clmac=$(ip -n $cl -br link show eth0 | awk '{print $3}')
kclmac=$(ip -n $kcl -br link show eth0 | awk '{print $3}')
kulmac=$(ip -br link show kul0 | awk '{print $3}')
# No ARP in the measured path.
ip neigh replace 10.129.1.5 lladdr "$kpodmac" dev kpod0 nud permanent
ip neigh replace 10.128.1.5 lladdr "$podmac" dev ovn-k8s-mp0 nud permanent

# ---- real OVN: one node as OVN-Kubernetes lays it out (selftests/vm/ovn_node.sh) ----
# Its own underlay port ul1 on its own external bridge br-oex (OVN's
# localnet bridge mapping), integration bridge br-ovn, management port
# ovn-k8s-mp1, a pod in 10.130.1.0/24 behind NetworkPolicy as OVN-K writes
# it (a port group, a default deny of ingress, an allow-related ACL for UDP
# 8080 from the client's range: every packet meets conntrack). Gateway mode
# is set per variant (ovnk_gateway_mode).
say "starting OVN"
ovn_start node1
ip link set ul1 up && ip link set opod0 up || fail "ul1, opod0 up"
opodmac=$(ip -n $opod -br link show eth0 | awk '{print $3}')
oclmac=$(ip -n $ocl -br link show eth0 | awk '{print $3}')
ovnk_node node1 10.130.1 ul1 br-oex $OEX_MAC 192.0.4.1 ovn-k8s-mp1 opod0 bench_pod-a "$opodmac"
ovn-nbctl pg-add pg_bench bench_pod-a \
	-- acl-add pg_bench to-lport 1000 'outport == @pg_bench && ip4' drop \
	-- acl-add pg_bench to-lport 1001 'outport == @pg_bench && ip4.src == 192.0.4.0/24 && udp.dst == 8080' allow-related ||
	fail "ACLs"
ovn_bound k8s-node1; ovn_bound bench_pod-a
ip -n $ocl addr add 192.0.4.2/24 dev eth0
ip -n $opod addr add 10.130.1.5/24 dev eth0 && ip -n $opod route add default via 10.130.1.1 || fail "OVN pod's address"
ip neigh replace 10.130.1.5 lladdr "$opodmac" dev ovn-k8s-mp1 nud permanent
ovnk_gateway_mode local
gw_mode=local
say "OVN node up"

# ---- the NIC-like underlay ports and the CPU layout (see the header) ----
for d in ul0 kul0 ul1; do
	ethtool -K "$d" gro on >/dev/null && echo 1 >/sys/class/net/"$d"/threaded || fail "$d: GRO / threaded NAPI"
done
for ns in $cl $kcl $ocl; do
	nsenter --net=/run/netns/"$ns" ethtool -K eth0 tso off >/dev/null || fail "$ns eth0: TSO off"
done
# A veth drops XDP frames redirected into it unless its far end runs NAPI.
for ns in $pod $kpod $opod; do
	nsenter --net=/run/netns/"$ns" ethtool -K eth0 gro on >/dev/null || fail "$ns eth0: GRO"
done
pin_napi() { # the underlay ports' NAPI threads to the forwarding vCPU
	local p
	fwd_pids=()
	for p in $(pgrep "^napi/(k?ul0|ul1)-"); do
		taskset -pc $FWD_CPU "$p" >/dev/null || return 1
		fwd_pids+=("$p")
	done
	[ ${#fwd_pids[@]} -eq 3 ] || { echo "pktrate_vm: ${#fwd_pids[@]} NAPI threads for ul0, kul0 and ul1, expected 3" >&2; return 1; }
	fwd_pids+=("$(pgrep -x "ksoftirqd/$FWD_CPU")")
}
pin_napi || fail "NAPI threads"
# The generators yield to everything else on their vCPU (nice 19; the
# kernel's pktgen thread reniced): ovs-vswitchd's handlers install the
# datapath flows a stream needs on upcalls, and starved behind a generator
# that never sleeps they left OVN's streams without their later stages
# (one run: the pod counted 748 frames, then none).
kp=$(pgrep -x "kpktgend_$GEN_CPU")
renice -n 19 -p "$kp" >>"$LOG" 2>&1 || say "warning: cannot renice kpktgend_$GEN_CPU (pid '$kp'): $(tail -1 "$LOG")"
say "devices up"

# ---- flows ----
ofport() { ovs-vsctl get interface "$1" ofport; }
# Each command costs about 0.1 s under emulation: ask once.
p_ul0=$(ofport ul0) p_patch=$(ofport patch-ex-to-int) p_pod0=$(ofport pod0)
ovs-ofctl add-flow br-ex "table=0,priority=300,in_port=$p_ul0,ip,nw_dst=10.128.1.0/24,actions=mod_dl_dst:$podmac,output:$p_patch" &&
	ovs-ofctl add-flow br-ex "table=0,priority=0,actions=NORMAL" &&
	ovs-ofctl add-flow br-int "table=0,priority=100,dl_dst=$podmac,actions=output:$p_pod0" &&
	ovs-ofctl add-flow br-int "table=0,priority=0,actions=NORMAL" || fail "flows"
# The 999 others, removable by their cookie.
for ((i = 0; i < 900; i++)); do
	echo "table=0,cookie=0x999,priority=301,in_port=$p_ul0,ip,nw_dst=10.200.$((i / 250)).$((i % 250 + 1)),actions=output:$p_patch"
done >/tmp/flows999
for ((i = 0; i < 99; i++)); do
	echo "table=0,cookie=0x999,priority=301,in_port=$p_ul0,ip,nw_dst=10.$((201 + i / 50)).$((i % 50)).0/24,actions=output:$p_patch"
done >>/tmp/flows999

say "flows"
# ---- receivers and the live generator's XDP_TX programs ----
nsenter --net=/run/netns/$pod "$G" rx-attach eth0 $RXPIN || fail "receiver's counter (pod)"
nsenter --net=/run/netns/$kpod "$G" rx-attach eth0 $KRXPIN || fail "receiver's counter (kpod)"
nsenter --net=/run/netns/$opod "$G" rx-attach eth0 $ORXPIN || fail "receiver's counter (OVN pod)"
mkdir -p /tmp/no-bpffs
for ns in $cl $kcl $ocl; do
	# Each with a /run of its own: xdp-bench takes a lock file there for
	# as long as it runs, one instance per system.
	# shellcheck disable=SC2016 # expanded by the inner bash
	nsenter --net=/run/netns/"$ns" unshare -m --propagation private \
		bash -c 'mount -t tmpfs tmpfs /run && exec "$@"' _ env LIBXDP_BPFFS=/tmp/no-bpffs \
		xdp-bench tx -p no-touch -m native -i 3600 eth0 >>"$LOG" 2>&1 &
	xb_pids+=($!)
done
for ns in $cl $kcl $ocl; do
	for _ in $(seq 300); do
		ip -n "$ns" -d link show eth0 | grep -q "prog/xdp" && break
		sleep 0.1
	done
	ip -n "$ns" -d link show eth0 | grep -q "prog/xdp" || fail "xdp-bench tx did not attach in $ns: $(tail -3 "$LOG")"
done

say "generators' XDP_TX programs attached"
agent_cfg() { # FILE
	cat >"$1" <<YAML
interfaces:
  underlay: [ul0]
  brex: br-ex
  force_xdp: true   # the live generator hands frames to the attached XDP program
networks:
  - name: default
    prefixes: [10.128.1.0/24]
    target: {port: pod0, mac: $podmac}
YAML
}
agent_cfg /tmp/podroute.yaml
# podroute on the OVN node: what it does on a local gateway node, TC on
# ul1 redirecting into the management port (an internal port takes no XDP
# frames), addressed to the cluster router's port, as the host would.
cat >/tmp/podroute-ovn.yaml <<YAML
interfaces:
  underlay: [ul1]
  brex: br-oex
networks:
  - name: default
    prefixes: [10.130.1.0/24]
    target: {port: ovn-k8s-mp1, mac: $OVNK_RTR_MAC}
YAML
# OVN's gateway mode, changed only when a variant needs the other one
# (ovn-controller takes seconds to reprogram under emulation).
gateway() { [ "$gw_mode" = "$1" ] || { ovnk_gateway_mode "$1" && gw_mode=$1; }; }
nflows() { ovs-ofctl dump-flows br-ex table=0 | grep -c priority=; }
# OVN's pipeline takes three datapath flows (two conntrack recirculations),
# each installed by ovs-vswitchd on an upcall. With the live generator
# saturating the vCPU the handler threads share, the later stages were
# never installed within a run (the stream went through the first flow and
# was lost at the recirculation); so a short burst first, until the pod
# counts frames.
ovn_prime() {
	local good
	for _ in $(seq 20); do
		nsenter --net=/run/netns/$ocl "$G" txpkt eth0 --dmac $OEX_MAC --smac "$oclmac" --src 192.0.4.2 \
			--dst 10.130.1.5 --rx $ORXPIN --secs 0.05 >/dev/null 2>>"$LOG"
		read -r good _ <<<"$("$G" rx-read $ORXPIN)"
		[ "${good:-0}" -gt 0 ] && return 0
		sleep 0.5
	done
	cp /tmp/vswitchd.log /tmp/ovn-controller.log "$OUT/" 2>/dev/null
	return 1
}
configure() {
	P detach >/dev/null 2>&1
	case $1 in
	ovs1) ovs-ofctl del-flows br-ex "cookie=0x999/-1" && [ "$(nflows)" -eq 2 ] ;;
	ovs1000) { [ "$(nflows)" -gt 900 ] || ovs-ofctl add-flows br-ex /tmp/flows999; } && [ "$(nflows)" -eq 1001 ] ;;
	podroute) P agent --config /tmp/podroute.yaml --once >>"$LOG" 2>&1 &&
		ip -d link show ul0 | grep -q "prog/xdp" ;;
	kernel) true ;;
	ovnshared) gateway shared && ovn_prime ;;
	ovnlocal) gateway local && ovn_prime ;;
	podrouteovn) gateway local && P agent --config /tmp/podroute-ovn.yaml --once >>"$LOG" 2>&1 &&
		tc filter show dev ul1 ingress | grep -q "bpf" && ovn_prime ;;
	esac || fail "cannot configure $1 (br-ex has $(nflows) flows; $(tail -2 "$LOG"))"
	pin_napi || fail "NAPI threads after configuring $1"
}

# ---- one run ----
# Each run starts a generator with no end of its own, lets it run WARM
# seconds (object load, live mode's sizing call, OVS's upcall), then looks
# at the receiver and at the forwarding vCPU twice, SECS apart, and stops
# the generator: the figures are those of that window, in steady state.
# Why not the live generator's own report: it sizes a run from the rate the
# receiver saw during a short first call, which suits a generator that
# carries the path on its own CPU; here it is open-loop (frames the
# forwarding vCPU cannot take are dropped at ul0's ring, cheaply), so run
# lengths came out anywhere between 0.02 s and 3 s.
WARM=1.5
# CPU time (ns) the forwarding took: the run time of the threads that do it
# on the forwarding vCPU (the underlay ports' NAPI threads, which also run
# the softirqs they raise, i.e. the pod veth's NAPI, and ksoftirqd in case
# softirqs were deferred), from the scheduler's clock (/proc/PID/schedstat).
# /proc/stat is no good here: its busy fields are sampled ticks that TCG
# loses (busy + idle fell 10-15 % short of the wall clock).
fwd_ns() {
	local p t sum=0
	for p in "${fwd_pids[@]}"; do
		read -r t _ <"/proc/$p/schedstat" || return 1
		sum=$((sum + t))
	done
	echo $sum
}
# Idle ticks (USER_HZ) of the forwarding vCPU, a cross-check: idle time is
# taken from the idle-entry clock, not sampled.
idle_ticks() {
	local name i w _
	while read -r name _ _ _ i w _; do
		[ "$name" = "cpu$FWD_CPU" ] && { echo $((i + w)); return; }
	done </proc/stat
}
# Where each variant's frames go: underlay port, client ns, its MAC and
# address, the MAC and address the generator sends to, the receiver's
# counter.
path_of() {
	case $1 in
	kernel) echo "kul0 $kcl $kclmac 192.0.3.2 $kulmac 10.129.1.5 $KRXPIN" ;;
	ovn-* | podroute-ovn) echo "ul1 $ocl $oclmac 192.0.4.2 $OEX_MAC 10.130.1.5 $ORXPIN" ;;
	*) echo "ul0 $cl $clmac 192.0.2.2 $BREX_MAC 10.128.1.5 $RXPIN" ;;
	esac
}
# runs.tsv, one line per run (raw; the host derives the rates):
#   round variant generator size
#   t_a t_b          wall clock ($EPOCHREALTIME) of the two looks
#   idle_a idle_b    the forwarding vCPU's idle ticks then
#   fwd_ns_a fwd_ns_b  CPU time of the forwarding threads then
#   good_a pps_a good_b pps_b   the receiver then (rx-read: good frames and
#                    their rate since the generator's reset; good/pps is
#                    the receiver's own clock from the first good frame)
#   bad other        receiver's bad and other frames at the second look
#   ring_drops       frames ul0's ring refused during the window
record() { local IFS=$'\t'; echo "$round$IFS$*" >>"$DATA"; }
# window VARIANT GENERATOR SIZE PID: measure the stream PID generates.
window() {
	local ul rx ta tb ia ib fa fb ga gb pa pb bad other d0 d1
	read -r ul _ _ _ _ _ rx <<<"$(path_of "$1")"
	sleep $WARM
	# And until the pod counts frames: a new megaflow (pktgen's TTL differs
	# from the live generator's) waits for upcalls, see ovn_prime.
	for _ in $(seq 40); do
		read -r ga _ <<<"$("$G" rx-read "$rx")"
		[ "${ga:-0}" -gt 0 ] && break
		sleep 0.5
	done
	kill -0 "$4" 2>/dev/null || return 1
	read -r d0 <"/sys/class/net/$ul/statistics/rx_dropped"
	ta=$EPOCHREALTIME ia=$(idle_ticks) fa=$(fwd_ns)
	read -r ga _ _ pa <<<"$("$G" rx-read "$rx")"
	sleep "$SECS"
	tb=$EPOCHREALTIME ib=$(idle_ticks) fb=$(fwd_ns)
	read -r gb bad other pb <<<"$("$G" rx-read "$rx")"
	read -r d1 <"/sys/class/net/$ul/statistics/rx_dropped"
	# The generator must have run through the window.
	kill -0 "$4" 2>/dev/null || return 1
	[ "${ga:-0}" -gt 0 ] && [ "${pa:-0}" -gt 0 ] ||
		{ ovs-dpctl dump-flows >>"$LOG" 2>&1; ip -s link show "$ul" >>"$LOG" 2>&1; fail "$1 ($2, $3 B): the receiver counted no frames ($ga -> $gb): a setup bug"; }
	# A stream that stopped within the window (seen with real OVN under
	# emulation: its datapath flows gone and not put back in time) is no
	# rate: it is recorded as a stall, said in the results, not averaged.
	if [ "${gb:-0}" -le "$ga" ]; then
		ovs-dpctl dump-flows >"$OUT/stall-$1-$2-$3-$round.txt" 2>&1
		printf '%s\t%s\t%s\t%s\t%s\n' "$round" "$1" "$2" "$3" "$ga" >>"$OUT/stalls.tsv"
		say "$1 ($2, $3 B): the stream stopped after $ga frames: recorded as a stall"
		return 0
	fi
	record "$1" "$2" "$3" "$ta" "$tb" "$ia" "$ib" "$fa" "$fb" "$ga" "$pa" "$gb" "$pb" "$bad" "$other" $((d1 - d0))
}
live() { # VARIANT SIZE
	local ns smac src dmac dst rx pid ok=1
	read -r _ ns smac src dmac dst rx <<<"$(path_of "$1")"
	# --secs 100000: longer than any window (it is stopped by a signal,
	# which ends BPF_PROG_RUN's loop between batches).
	nsenter --net=/run/netns/"$ns" nice -n 19 "$G" live eth0 --to attached --dmac "$dmac" --smac "$smac" \
		--src "$src" --dst "$dst" --size "$2" --secs 100000 --rx "$rx" >/dev/null 2>>"$LOG" &
	pid=$!
	window "$1" live "$2" "$pid" || ok=0
	kill "$pid" 2>/dev/null
	wait "$pid" 2>/dev/null
	[ $ok = 1 ] || fail "$1 $2 B: the live generator stopped early: $(tail -2 "$LOG")"
}
# The kernel's pktgen: its thread for the generator's vCPU sends frames of
# SIZE bytes from the client's eth0 until stopped (count 0).
kpktgen() { # VARIANT SIZE
	local ns src dmac dst rx pid ok=1
	read -r _ ns _ src dmac dst rx <<<"$(path_of "$1")"
	# Its counter starts from zero, as the live generator's does.
	"$G" rx-reset "$rx" || fail "receiver reset"
	# shellcheck disable=SC2016 # expanded by the inner bash
	nsenter --net=/run/netns/"$ns" bash -c '
		cpu=$1 src=$2 dst=$3 dmac=$4 size=$5 d=/proc/net/pktgen
		echo rem_device_all >$d/kpktgend_$cpu && echo "add_device eth0" >$d/kpktgend_$cpu || exit 1
		for c in "count 0" "pkt_size $size" "delay 0" "clone_skb 0" "dst $dst" "src_min $src" \
			"src_max $src" "dst_mac $dmac" "udp_src_min 10000" "udp_src_max 10015" \
			"udp_dst_min 8080" "udp_dst_max 8080"; do
			echo "$c" >$d/eth0 || exit 1
		done
		echo start >$d/pgctrl' _ $GEN_CPU "$src" "$dst" "$dmac" "$2" >>"$LOG" 2>&1 &
	pid=$!
	window "$1" kpktgen "$2" "$pid" || ok=0
	nsenter --net=/run/netns/"$ns" bash -c 'echo stop >/proc/net/pktgen/pgctrl'
	wait "$pid" 2>/dev/null
	[ $ok = 1 ] || fail "$1 $2 B: the kernel's pktgen stopped early: $(tail -2 "$LOG")"
}
runs_of() {
	local v=$1 size
	[ "$v" = ovs1 ] && v=ovs-1flow
	[ "$v" = ovs1000 ] && v=ovs-1000flows
	[ "$v" = podroute ] && v=podroute-xdp
	[ "$v" = ovnshared ] && v=ovn-shared
	[ "$v" = ovnlocal ] && v=ovn-local
	[ "$v" = podrouteovn ] && v=podroute-ovn
	for size in $SIZES; do
		live "$v" "$size"
	done
	# The second generator, 64 bytes.
	case " $SIZES " in *" 64 "*) kpktgen "$v" 64 ;; esac
	return 0
}

# What the forwarding vCPU does with no traffic, by both measures.
ta=$EPOCHREALTIME ia=$(idle_ticks) fa=$(fwd_ns)
sleep 2
tb=$EPOCHREALTIME ib=$(idle_ticks) fb=$(fwd_ns)
read -r idle_busy idle_fwd <<<"$(awk -v ta="$ta" -v tb="$tb" -v i="$((ib - ia))" -v f="$((fb - fa))" \
	-v hz="$(getconf CLK_TCK)" 'BEGIN { printf "%.4f %.4f", 1 - i / hz / (tb - ta), f / 1e9 / (tb - ta) }')"
say "no traffic: forwarding vCPU $FWD_CPU not idle $idle_busy of the time, forwarding threads $idle_fwd"

: >"$DATA"
: >"$OUT/stalls.tsv"
cfgs=(ovs1 podroute ovs1000 kernel ovnshared podrouteovn ovnlocal)
# shellcheck disable=SC2206 # a list of words
[ -n "$ONLY" ] && cfgs=($ONLY)
round_secs=0
for ((round = 0; round < RUNS; round++)); do
	read -r up _ </proc/uptime
	if [ "$DEADLINE" != 0 ] && [ "$round" -ge "$MIN_RUNS" ] &&
		[ $((${up%.*} + round_secs * 11 / 10)) -gt "$DEADLINE" ]; then
		say "stopping after $round rounds: another would end past the deadline (${DEADLINE} s)"
		break
	fi
	# Rotate the order each round, so that no variant always runs first.
	for ((i = 0; i < ${#cfgs[@]}; i++)); do
		c=${cfgs[$(((i + round) % ${#cfgs[@]}))]}
		configure "$c"
		runs_of "$c"
		# OVS's kernel datapath flows after its runs: what the stream
		# matched (the last round's are kept).
		case $c in ovs*) ovs-dpctl dump-flows >"$OUT/dpflows-$c.txt" 2>&1 ;; esac
	done
	read -r up2 _ </proc/uptime
	round_secs=$((${up2%.*} - ${up%.*}))
	say "round $((round + 1))/$RUNS done in $round_secs s (kpps received, per busy forwarding core):"
	awk -F'\t' -v r="$round" '$1 == r {
		n = $13 - $11; w = $13 / $14 - $11 / $12; busy = ($10 - $9) / 1e9
		printf "  %-14s %-8s %4s B  %7.1f  %7.1f  (busy %3.0f%%)\n", $2, $3, $4, n / w / 1e3, n / busy / 1e3, 100 * busy / ($6 - $5) }' "$DATA"
done
# P stats: the fast path's own view of the podroute runs.
P -j stats --net 1 >"$OUT/podroute_stats.json" 2>/dev/null

# ---- what the figures were measured on ----
cpu=$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -1)
jq -n --arg kernel "$(uname -r)" --arg cpu "$cpu" --argjson rounds "$round" --argjson secs "$SECS" \
	--arg ovs "$(ovs-vswitchd --version | head -1)" --arg podroute "$(build/podroute --version 2>&1 | head -1)" \
	--argjson idle_busy "$idle_busy" --argjson idle_fwd "$idle_fwd" --argjson warm "$WARM" --argjson ncpu "$(nproc --all)" --arg sizes "$SIZES" \
	--arg order "${cfgs[*]}" --arg hz "$(getconf CLK_TCK)" \
	'{vm_kernel: $kernel, vm_cpu: $cpu, vm_vcpus: $ncpu, rounds: $rounds, seconds_per_run: $secs,
	  sizes: ($sizes | split(" ") | map(tonumber)), config_order_round0: ($order | split(" ")),
	  openvswitch: $ovs, podroute: $podroute, user_hz: ($hz | tonumber),
	  warmup_seconds: $warm, no_traffic: {fwd_cpu_not_idle: $idle_busy, fwd_threads_busy: $idle_fwd}}' >"$OUT/meta.json"
say "$(wc -l <"$DATA") runs recorded"
