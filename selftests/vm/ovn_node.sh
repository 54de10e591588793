# SPDX-License-Identifier: GPL-2.0-only
# shellcheck shell=bash
# OVN in the VM (sourced, after ovnk_bridges.sh's ovs_start): the northbound
# and southbound databases, ovn-northd and ovn-controller of Debian's OVN
# (23.03), for one chassis, so that the tests meet OVN's own pipeline
# (logical switches and routers, port groups, ACLs, conntrack) rather than
# flows written by hand. Databases under /run/ovn (the guest's /etc is the
# host's, read-only), logs in /tmp.
#
#   ovn_node_start CHASSIS [ENCAP_IP]
#                       Open vSwitch (ovs_start) and OVN (ovn_start), both
#                       stopped when the test ends (lib.sh's on_exit)
#   ovn_start CHASSIS [ENCAP_IP]
#                       start OVN; $OVN_BRIDGE (br-int) is ovn-controller's;
#                       its Geneve tunnels end at ENCAP_IP (127.0.0.1: one
#                       chassis needs none; ovn_node2.sh's second needs the
#                       node's underlay address)
#   ovn_stop            stop it (the caller stops OVS)
#   ovn_chassis_up NAME wait until chassis NAME's ovn-controller registered it
#   ovn_bound LSP       wait until ovn-controller has bound the logical port
#   ovn_synced          wait until ovn-controller has installed what the
#                       northbound database says (ovn-nbctl --wait=hv sync)
#   acl_log_count NAME  how many packets ACL NAME logged so far
#   ovnk_podroute_config FILE RTRMAC
#                       podroute's config for the default network (below)
#   ovnk_node ..., ovnk_gateway_mode MODE, ovnk_slow_path_packets
#                       one node as OVN-Kubernetes lays it out (below)

OVN_RUN=/run/ovn
export OVN_NB_DB=unix:$OVN_RUN/ovnnb_db.sock OVN_SB_DB=unix:$OVN_RUN/ovnsb_db.sock
# ovn-controller's integration bridge (the bench keeps br-int for its hand-laid flows)
OVN_BRIDGE=${OVN_BRIDGE:-br-int}

ovn_start() {
	local chassis=$1 encap=${2:-127.0.0.1} db

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
		external_ids:ovn-encap-ip="$encap" external_ids:ovn-bridge="$OVN_BRIDGE" || fail "chassis"
	ovn-controller --detach --pidfile=$OVN_RUN/ovn-controller.pid --log-file=/tmp/ovn-controller.log \
		unix:/run/openvswitch/db.sock || fail "ovn-controller"
	ovn_chassis_up "$chassis"
}

ovn_chassis_up() {
	for _ in $(seq 300); do
		ovn-sbctl --bare --columns=name find chassis name="$1" | grep -q . && return 0
		sleep 0.1
	done
	fail "the ovn-controller of chassis $1 did not register it"
}

ovn_node_start() {
	on_exit "ovs-appctl -t ovsdb-server exit"
	on_exit "ovs-appctl -t ovs-vswitchd exit --cleanup"
	on_exit "ovn_stop"
	OVS_LOG=/tmp/ovs-start.log ovs_start
	ovn_start "$@"
}

# ovnk_podroute_config FILE RTRMAC: podroute's config for node1 (underlay
# ul0, br-ex) with the default network's pods 10.128.1.0/24 behind
# ovn-k8s-mp0, frames addressed to the cluster router's MAC RTRMAC.
ovnk_podroute_config() {
	cat >"$1" <<YAML
interfaces:
  underlay: [ul0]
  brex: br-ex
networks:
  - name: default
    prefixes: [10.128.1.0/24]
    target: {port: ovn-k8s-mp0, mac: $2}
YAML
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

# ovnk_node NODE SUBNET UL EXT EXT_MAC EXT_ADDR MP POD_PORT POD_LSP POD_MAC
#   One node as OVN-Kubernetes lays it out, on a started OVN (ovn_start):
#   bridge EXT (MAC EXT_MAC, address EXT_ADDR/24) holding the underlay
#   device UL, a catch-all NORMAL flow; on OVN's integration bridge the
#   internal management port MP (LSP k8s-NODE) and the pod's port POD_PORT
#   (LSP POD_LSP, MAC POD_MAC, port security). Logical: the node switch NODE
#   for SUBNET.0/24 (SUBNET is three octets: the cluster router's port .1,
#   the management port .2, the pod .5; the cluster network is its /16),
#   ovn_cluster_router, the join switch (100.64.0.0/16), the gateway router
#   GR_NODE on this chassis with EXT_ADDR and EXT's MAC on its external
#   switch, whose localnet port reaches EXT (bridge mapping physnet:EXT).
#   MACs are OVN-K's: 0a:58 and the IPv4 address. Sets OVNK_* for
#   ovnk_gateway_mode. No policy: callers add their port groups and ACLs.
ovnk_node() {
	local node=$1 net=$2 ul=$3 ext=$4 extmac=$5 extaddr=$6 mp=$7 podport=$8 lsp=$9 podmac=${10}
	local cluster mpmac rtrmac

	cluster=${net%.*}.0.0/16
	mpmac=$(ip4_mac "$net.2") rtrmac=$(ip4_mac "$net.1")
	ovs-vsctl add-br "$ext" -- set bridge "$ext" other-config:hwaddr="$extmac" -- add-port "$ext" "$ul" \
		-- --may-exist add-br "$OVN_BRIDGE" \
		-- add-port "$OVN_BRIDGE" "$mp" -- set interface "$mp" type=internal mac="\"$mpmac\"" \
			external_ids:iface-id="k8s-$node" \
		-- add-port "$OVN_BRIDGE" "$podport" -- set interface "$podport" external_ids:iface-id="$lsp" ||
		fail "bridges of $node"
	ip addr add "$extaddr/24" dev "$ext" && ip link set "$ext" up || fail "$ext up"
	brex_mac_wait "$extmac" "$ext"
	ovs-ofctl add-flow "$ext" "table=0,priority=0,actions=NORMAL" || fail "$ext: NORMAL flow"
	ip link set "$mp" address "$mpmac" && ip addr add "$net.2/24" dev "$mp" && ip link set "$mp" up ||
		fail "$mp up"
	ovn-nbctl ls-add "$node" -- set logical_switch "$node" other_config:subnet="$net.0/24" \
		-- lsp-add "$node" "k8s-$node" -- lsp-set-addresses "k8s-$node" "$mpmac $net.2" \
		-- lsp-add "$node" "$lsp" -- lsp-set-addresses "$lsp" "$podmac $net.5" \
		-- lsp-set-port-security "$lsp" "$podmac $net.5" \
		-- lr-add ovn_cluster_router \
		-- lrp-add ovn_cluster_router "rtos-$node" "$rtrmac" "$net.1/24" \
		-- lsp-add "$node" "stor-$node" -- lsp-set-type "stor-$node" router \
		-- lsp-set-addresses "stor-$node" router -- lsp-set-options "stor-$node" router-port="rtos-$node" \
		|| fail "logical topology of $node"
	ovn-nbctl ls-add join \
		-- lrp-add ovn_cluster_router rtoj-ovn_cluster_router 0a:58:64:40:00:01 100.64.0.1/16 \
		-- lsp-add join jtor-ovn_cluster_router -- lsp-set-type jtor-ovn_cluster_router router \
		-- lsp-set-addresses jtor-ovn_cluster_router router \
		-- lsp-set-options jtor-ovn_cluster_router router-port=rtoj-ovn_cluster_router \
		-- lr-add "GR_$node" -- set logical_router "GR_$node" options:chassis="$node" \
		-- lrp-add "GR_$node" "rtoj-GR_$node" 0a:58:64:40:00:02 100.64.0.2/16 \
		-- lsp-add join "jtor-GR_$node" -- lsp-set-type "jtor-GR_$node" router \
		-- lsp-set-addresses "jtor-GR_$node" router -- lsp-set-options "jtor-GR_$node" router-port="rtoj-GR_$node" \
		-- lr-route-add "GR_$node" "$cluster" 100.64.0.1 \
		-- ls-add "ext_$node" \
		-- lrp-add "GR_$node" "rtoe-GR_$node" "$extmac" "$extaddr/24" \
		-- lsp-add "ext_$node" "etor-GR_$node" -- lsp-set-type "etor-GR_$node" router \
		-- lsp-set-addresses "etor-GR_$node" router -- lsp-set-options "etor-GR_$node" router-port="rtoe-GR_$node" \
		-- lsp-add "ext_$node" "breth0_$node" -- lsp-set-type "breth0_$node" localnet \
		-- lsp-set-addresses "breth0_$node" unknown -- lsp-set-options "breth0_$node" network_name=physnet ||
		fail "gateway router of $node"
	ovs-vsctl set open_vswitch . external_ids:ovn-bridge-mappings="physnet:$ext" || fail "bridge mapping"
	OVNK_EXT=$ext OVNK_NET=$net OVNK_MP_ADDR=$net.2 OVNK_RTR_MAC=$rtrmac
	OVNK_UL_PORT=$(ovs-vsctl get interface "$ul" ofport) || fail "$ul's OpenFlow port"
}

# ovnk_gateway_mode local|shared
#   The cluster router's way out and EXT's flow for the node's pod subnet
#   (priority 300, from the underlay port, as ovnkube-node writes it for an
#   advertised network): local: out through the management port to the
#   host, and EXT hands the subnet's traffic to the host (LOCAL); shared:
#   out through the gateway router, and EXT hands the subnet's traffic to
#   OVN's localnet patch port, ARP to both, OVN's frames to the wire.
ovnk_gateway_mode() {
	local ext=$OVNK_EXT ul=$OVNK_UL_PORT subnet=$OVNK_NET.0/24 patch

	ovn-nbctl --if-exists lr-route-del ovn_cluster_router 0.0.0.0/0
	ovn-nbctl --if-exists --policy=src-ip lr-route-del ovn_cluster_router "$subnet"
	ovs-ofctl del-flows "$ext" "table=0,in_port=$ul,ip,nw_dst=$subnet"
	ovs-ofctl del-flows "$ext" "table=0,in_port=$ul,arp"
	if [ "$1" = local ]; then
		ovn-nbctl lr-route-add ovn_cluster_router 0.0.0.0/0 "$OVNK_MP_ADDR" || fail "local gateway route"
		ovs-ofctl add-flow "$ext" "table=0,priority=300,in_port=$ul,ip,nw_dst=$subnet,actions=output:LOCAL" ||
			fail "local gateway flow"
	else
		for _ in $(seq 100); do
			patch=$(ovs-vsctl list-ports "$ext" | grep '^patch-' | head -1)
			[ -n "$patch" ] && break
			sleep 0.1
		done
		[ -n "$patch" ] || fail "ovn-controller made no patch port for the localnet port"
		patch=$(ovs-vsctl get interface "$patch" ofport)
		ovn-nbctl --policy=src-ip lr-route-add ovn_cluster_router "$subnet" 100.64.0.2 || fail "shared gateway route"
		ovs-ofctl add-flow "$ext" "table=0,priority=300,in_port=$ul,ip,nw_dst=$subnet,actions=output:$patch" &&
			ovs-ofctl add-flow "$ext" "table=0,priority=250,in_port=$ul,arp,actions=output:LOCAL,output:$patch" &&
			ovs-ofctl add-flow "$ext" "table=0,priority=200,in_port=$patch,actions=output:$ul" ||
			fail "shared gateway flows"
	fi
	ovn_synced
}

# ovnk_slow_path_packets: packets EXT's priority-300 flow (the slow path) carried
ovnk_slow_path_packets() {
	ovs-appctl revalidator/wait >/dev/null 2>&1
	ovs-ofctl dump-flows "$OVNK_EXT" table=0,ip | sed -n 's/.*n_packets=\([0-9]*\),.*priority=300.*/\1/p' | head -1
}

# ovnk_slow_path_grew N: wait (5 s at most) until that flow has carried more
# than N packets: ovs-vswitchd pushes datapath statistics to OpenFlow
# counters asynchronously
ovnk_slow_path_grew() {
	for _ in $(seq 25); do
		[ "$(ovnk_slow_path_packets)" -gt "$1" ] && return 0
		sleep 0.2
	done
	return 1
}

# ip4_mac ADDR: OVN-Kubernetes' MAC for an address, 0a:58 and its four octets
ip4_mac() {
	local IFS=.
	# shellcheck disable=SC2086 # split on dots
	printf '0a:58:%02x:%02x:%02x:%02x\n' $1
}
