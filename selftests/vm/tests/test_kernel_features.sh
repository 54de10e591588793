#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# The VM's kernel has what the host kernel lacks and the suite relies on,
# each shown by using it, not by a config lookup: a VRF device whose
# connected routes land in its own table, the Open vSwitch kernel datapath
# forwarding between two ports (ovsdb-server and ovs-vswitchd started by
# hand with their state under /run, stopped at the end), pktgen sending a
# counted burst, and native XDP on a veth; plus BTF and a kernel new
# enough for BPF_FIB_LOOKUP_TBID (6.8).
. "$(dirname "$0")/../lib.sh"
need ip bpftool jq nsenter ovsdb-tool ovsdb-server ovs-vswitchd ovs-vsctl ovs-dpctl ovs-appctl
[ "${PODROUTE_IN_VM:-0}" = 1 ] || skip "runs only inside the VM (selftests/vm/run-tests.sh)"

ns=vmfeat-$$ nsa=vmfeat-a-$$ nsb=vmfeat-b-$$
pins=/sys/fs/bpf/vmfeat-$$
for n in $ns $nsa $nsb; do
	ip netns add "$n" || fail "netns $n"
	on_exit "ip netns del $n"
done
nsx() { ip netns exec "$ns" "$@"; }

# ---- kernel basics ----
read -r major minor _ <<<"$(uname -r | tr '.-' '  ')"
[ "$major" -gt 6 ] || { [ "$major" -eq 6 ] && [ "$minor" -ge 8 ]; } ||
	fail "kernel $(uname -r) is older than 6.8 (no BPF_FIB_LOOKUP_TBID)"
[ -r /sys/kernel/btf/vmlinux ] || fail "no kernel BTF (/sys/kernel/btf/vmlinux)"
echo "kernel $(uname -r) with BTF"

# ---- VRF ----
ip -n "$ns" link add vrf-t type vrf table 100 || fail "cannot create a VRF device"
# Delete the VRF before its namespace: when the namespace goes first, the
# VRF cannot cycle its dying ports and says so on the console.
on_exit "ip -n $ns link del vrf-t"
ip -n "$ns" link set vrf-t up
ip -n "$ns" -d link show vrf-t | grep -q 'vrf table 100' || fail "vrf-t is not bound to table 100"
ip -n "$ns" link add v0 type veth peer name v1
ip -n "$ns" link set v0 master vrf-t || fail "cannot enslave v0 to vrf-t"
ip -n "$ns" link set v0 up
ip -n "$ns" link set v1 up
ip -n "$ns" addr add 10.66.0.1/24 dev v0
ip -n "$ns" route show table 100 | grep -q '^10.66.0.0/24 dev v0' ||
	fail "v0's connected route is not in the VRF's table 100: $(ip -n "$ns" route show table 100)"
ip -n "$ns" route show table main | grep -q '10.66.0.0' && fail "v0's connected route leaked into table main"
ip -n "$ns" route get vrf vrf-t 10.66.0.9 | grep -q 'dev v0' || fail "route lookup in vrf-t does not reach v0"
echo "VRF: vrf-t bound to table 100, v0's route is there and not in main"

# ---- native XDP on veth ----
vm_obj xdp_count
ip -n "$ns" link add x0 type veth peer name x1
bpftool prog loadall "$VM_OBJ" "$pins" type xdp || fail "cannot load $VM_OBJ"
on_exit "rm -rf $pins"
nsenter --net=/run/netns/"$ns" bpftool net attach xdpdrv pinned "$pins/xdp_count_a" dev x0 ||
	fail "cannot attach XDP in driver mode to veth x0"
# Attach mode 1 is XDP_ATTACHED_DRV.
ip -n "$ns" -j -d link show x0 | jq -e '.[0].xdp | .mode == 1 and .prog.name == "xdp_count_a"' >/dev/null ||
	fail "x0 does not show xdp_count_a in driver mode: $(ip -n "$ns" -d link show x0 | grep -i xdp)"
ip -n "$ns" link set x0 xdp off
echo "XDP: xdp_count_a attached to veth x0 in driver (native) mode"

# ---- pktgen ----
ip -n "$ns" link add p0 type veth peer name p1
ip -n "$ns" link set p0 up
ip -n "$ns" link set p1 up
[ -w /proc/net/pktgen/pgctrl ] || fail "no /proc/net/pktgen: pktgen not loaded"
p1_mac=$(ip -n "$ns" -j link show p1 | jq -r '.[0].address')
rx_before=$(ip -n "$ns" -j -s link show p1 | jq '.[0].stats64.rx.packets')
nsx sh -c "
	echo 'rem_device_all' >/proc/net/pktgen/kpktgend_0 &&
	echo 'add_device p0' >/proc/net/pktgen/kpktgend_0 &&
	for c in 'count 50' 'pkt_size 60' 'delay 0' 'dst 10.68.0.2' 'dst_mac $p1_mac'; do
		echo \"\$c\" >/proc/net/pktgen/p0 || exit 1
	done &&
	echo start >/proc/net/pktgen/pgctrl" || fail "pktgen run on p0 failed"
nsx grep -q 'Result: OK' /proc/net/pktgen/p0 || fail "pktgen: $(nsx cat /proc/net/pktgen/p0 | grep Result)"
nsx sh -c 'echo rem_device_all >/proc/net/pktgen/kpktgend_0'
rx_after=$(ip -n "$ns" -j -s link show p1 | jq '.[0].stats64.rx.packets')
[ $((rx_after - rx_before)) -ge 50 ] || fail "pktgen sent 50 frames on p0, p1 received $((rx_after - rx_before))"
echo "pktgen: 50 frames from p0 arrived on p1"

# ---- Open vSwitch kernel datapath ----
export OVS_RUNDIR=/run/openvswitch OVS_DBDIR=/run/openvswitch OVS_LOGDIR=/var/log/openvswitch
mkdir -p "$OVS_RUNDIR" "$OVS_LOGDIR"
# Ask a daemon to exit and wait (bounded) until it has: its reply comes
# before it is gone, and ovs-vswitchd removes the datapath on the way out.
ovs_exit() { # DAEMON [ARGS]
	local pid
	pid=$(cat "$OVS_RUNDIR/$1.pid" 2>/dev/null) || return 1
	ovs-appctl -t "$@" >/dev/null || return 1
	for _ in $(seq 300); do
		kill -0 "$pid" 2>/dev/null || return 0
		sleep 0.1
	done
	return 1
}
ovs_stop() {
	ovs_exit ovs-vswitchd exit --cleanup || pkill -F "$OVS_RUNDIR/ovs-vswitchd.pid"
	ovs_exit ovsdb-server exit || pkill -F "$OVS_RUNDIR/ovsdb-server.pid"
	ovs-dpctl del-dp ovs-system
	rm -rf "${OVS_RUNDIR:?}"/* "${OVS_LOGDIR:?}"/*
}
on_exit ovs_stop
ovsdb-tool create "$OVS_DBDIR/conf.db" /usr/share/openvswitch/vswitch.ovsschema || fail "ovsdb-tool create"
ovsdb-server "$OVS_DBDIR/conf.db" --remote="punix:$OVS_RUNDIR/db.sock" \
	--pidfile --detach --no-chdir --log-file -vconsole:off || fail "ovsdb-server did not start"
ovs-vsctl --no-wait init || fail "ovs-vsctl init"
ovs-vswitchd --pidfile --detach --no-chdir --log-file -vconsole:off || fail "ovs-vswitchd did not start"
# Without --no-wait, ovs-vsctl returns once ovs-vswitchd has applied it.
ovs-vsctl --timeout=120 add-br br-t || fail "add-br br-t: $(tail -n 5 "$OVS_LOGDIR/ovs-vswitchd.log")"
ip link add a1 type veth peer name a0 netns "$nsa"
ip link add b1 type veth peer name b0 netns "$nsb"
ovs-vsctl --timeout=120 add-port br-t a1 -- add-port br-t b1 || fail "add-port"
ip link set a1 up
ip link set b1 up
ip -n "$nsa" addr add 10.69.0.1/24 dev a0
ip -n "$nsb" addr add 10.69.0.2/24 dev b0
ip -n "$nsa" link set a0 up
ip -n "$nsb" link set b0 up
dp=$(ovs-dpctl show) || fail "ovs-dpctl show failed"
printf '%s\n' "$dp" | sed 's/^/  /'
grep -q '^system@ovs-system:' <<<"$dp" || fail "no kernel datapath ovs-system"
for p in 'br-t (internal)' a1 b1; do
	grep -qF "$p" <<<"$dp" || fail "datapath lacks port $p"
done
# Ping until two replies came back, for at most 20 s: the first packets
# wait for ARP and for ovs-vswitchd to install flows. (guest-tests.sh holds
# this test back until 10 s of uptime: see the OVS 3.1.0 note there.)
ip netns exec "$nsa" ping -c 2 -i 0.3 -w 20 10.69.0.2 >/dev/null || fail "no ping across br-t within 20 s"
flows=$(ovs-dpctl dump-flows | grep -c 'in_port') || true
[ "${flows:-0}" -gt 0 ] || fail "ping crossed br-t but the kernel datapath holds no flows"
echo "OVS: ovs-system datapath with br-t, a1, b1; ping across it; $flows kernel flows"

ovs_exit ovs-vswitchd exit --cleanup || fail "ovs-vswitchd would not exit"
ovs_exit ovsdb-server exit || fail "ovsdb-server would not exit"
ovs-dpctl show 2>/dev/null | grep -q . && fail "datapath left after ovs-vswitchd exit --cleanup"
echo "OVS stopped, datapath removed"
