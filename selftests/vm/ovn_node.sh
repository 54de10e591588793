# SPDX-License-Identifier: GPL-2.0-only
# shellcheck shell=bash
# OVN in the VM (sourced, after ovnk_bridges.sh's ovs_start): the northbound
# and southbound databases, ovn-northd and ovn-controller of Debian's OVN
# (23.03), for one chassis, so that the tests meet OVN's own pipeline
# (logical switches and routers, port groups, ACLs, conntrack) rather than
# flows written by hand. Databases under /run/ovn (the guest's /etc is the
# host's, read-only), logs in /tmp.
#
#   ovn_node_start CHASSIS
#                       Open vSwitch (ovs_start) and OVN (ovn_start), both
#                       stopped when the test ends (lib.sh's on_exit)
#   ovn_start CHASSIS   start OVN; br-int is ovn-controller's
#   ovn_stop            stop it (the caller stops OVS)
#   ovn_bound LSP       wait until ovn-controller has bound the logical port
#   ovn_synced          wait until ovn-controller has installed what the
#                       northbound database says (ovn-nbctl --wait=hv sync)
#   acl_log_count NAME  how many packets ACL NAME logged so far

OVN_RUN=/run/ovn
export OVN_NB_DB=unix:$OVN_RUN/ovnnb_db.sock OVN_SB_DB=unix:$OVN_RUN/ovnsb_db.sock

ovn_start() {
	local chassis=$1 db

	mkdir -p $OVN_RUN
	for db in nb sb; do
		rm -f $OVN_RUN/ovn${db}_db.db
		ovsdb-tool create $OVN_RUN/ovn${db}_db.db /usr/share/ovn/ovn-$db.ovsschema || fail "ovsdb-tool $db"
		ovsdb-server --detach --pidfile=$OVN_RUN/ovn${db}_db.pid --log-file=/tmp/ovn${db}.log \
			--remote=punix:$OVN_RUN/ovn${db}_db.sock $OVN_RUN/ovn${db}_db.db || fail "ovsdb-server $db"
	done
	ovn-nbctl init && ovn-sbctl init || fail "ovn init"
	ovn-northd --detach --pidfile=$OVN_RUN/ovn-northd.pid --log-file=/tmp/ovn-northd.log \
		--ovnnb-db="$OVN_NB_DB" --ovnsb-db="$OVN_SB_DB" || fail "ovn-northd"
	ovs-vsctl set open_vswitch . external_ids:system-id="$chassis" \
		external_ids:ovn-remote="$OVN_SB_DB" external_ids:ovn-encap-type=geneve \
		external_ids:ovn-encap-ip=127.0.0.1 external_ids:ovn-bridge=br-int || fail "chassis"
	ovn-controller --detach --pidfile=$OVN_RUN/ovn-controller.pid --log-file=/tmp/ovn-controller.log \
		unix:/run/openvswitch/db.sock || fail "ovn-controller"
	for _ in $(seq 300); do
		ovn-sbctl --bare --columns=name find chassis name="$chassis" | grep -q . && return 0
		sleep 0.1
	done
	fail "ovn-controller did not register chassis $chassis"
}

ovn_node_start() {
	on_exit "ovs-appctl -t ovsdb-server exit"
	on_exit "ovs-appctl -t ovs-vswitchd exit --cleanup"
	on_exit "ovn_stop"
	OVS_LOG=/tmp/ovs-start.log ovs_start
	ovn_start "$1"
}

ovn_stop() {
	local p

	for p in ovn-controller ovn-northd ovnnb_db ovnsb_db; do
		[ -f $OVN_RUN/$p.pid ] && kill "$(cat $OVN_RUN/$p.pid)" 2>/dev/null
	done
}

ovn_bound() {
	for _ in $(seq 300); do
		[ "$(ovn-nbctl get logical_switch_port "$1" up 2>/dev/null)" = true ] && return 0
		sleep 0.1
	done
	fail "logical port $1 never came up (ovn-controller did not bind it)"
}

ovn_synced() {
	timeout 60 ovn-nbctl --wait=hv sync || fail "ovn-controller did not catch up with the northbound database"
}

acl_log_count() {
	grep -c "acl_log.*name=\"$1\"" /tmp/ovn-controller.log
}
