# SPDX-License-Identifier: GPL-2.0-only
# shellcheck shell=bash
# Open vSwitch in the VM, laid out as OVN-Kubernetes does, for the VM tests
# and bench/pktrate_vm_guest.sh (sourced; both define fail).
#
#   ovs_start          ovsdb-server and ovs-vswitchd, state under /run/openvswitch
#                      (daemon output to $OVS_LOG when set, else the caller's)
#   ovnk_bridges UL POD MAC
#                      br-ex (MAC, holding the underlay device UL) and br-int
#                      (an internal port ovn-k8s-mp0 and the pod's port POD),
#                      joined by patch ports
#   brex_mac_wait MAC [BRIDGE]
#                      until BRIDGE (br-ex) has MAC (call once its links are up)

ovs_start() {
	local run=/run/openvswitch log=${OVS_LOG:-/dev/stderr}

	mkdir -p $run /etc/openvswitch
	# A fresh database per test: an earlier test's is still on the guest's tmpfs.
	rm -f /etc/openvswitch/conf.db /etc/openvswitch/.conf.db.~lock~
	ovsdb-tool create /etc/openvswitch/conf.db /usr/share/openvswitch/vswitch.ovsschema || fail "ovsdb-tool"
	ovsdb-server --remote=punix:$run/db.sock --pidfile --detach --log-file=/tmp/ovsdb.log \
		/etc/openvswitch/conf.db >>"$log" 2>&1 || fail "ovsdb-server"
	ovs-vsctl --no-wait init
	ovs-vswitchd --pidfile --detach --log-file=/tmp/vswitchd.log >>"$log" 2>&1 || fail "ovs-vswitchd"
}

ovnk_bridges() {
	local ul=$1 podport=$2 mac=$3

	ovs-vsctl add-br br-ex -- set bridge br-ex other-config:hwaddr="$mac" \
		-- add-port br-ex "$ul" \
		-- add-br br-int -- add-port br-int ovn-k8s-mp0 -- set interface ovn-k8s-mp0 type=internal \
		-- add-port br-int "$podport" \
		-- add-port br-ex patch-ex-to-int -- set interface patch-ex-to-int type=patch options:peer=patch-int-to-ex \
		-- add-port br-int patch-int-to-ex -- set interface patch-int-to-ex type=patch options:peer=patch-ex-to-int ||
		fail "bridges"
}

brex_mac_wait() {
	local mac=$1 br=${2:-br-ex}

	# ovs-vswitchd applies other-config:hwaddr asynchronously; podroute
	# reads br-ex's MAC as a router MAC, so wait for the configured one.
	for _ in $(seq 100); do
		ip -br link show "$br" | grep -q "$mac" && return 0
		sleep 0.1
	done
	fail "$br never got its MAC"
}
