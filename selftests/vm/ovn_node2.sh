# SPDX-License-Identifier: GPL-2.0-only
# shellcheck shell=bash
# A second OVN node in the VM (sourced, after ovn_node.sh): a network
# namespace standing for the node, with its own Open vSwitch (ovsdb-server
# and ovs-vswitchd: the kernel datapath is per network namespace) and its
# own ovn-controller (chassis NODE) against the same southbound database
# as the VM's own node (its unix socket: /run is one tmpfs for every
# namespace). The two chassis build a real Geneve tunnel over a veth
# "underlay" between the VM's root namespace (node1) and the node.
#
#   ovn_node2_ns NODE UL ADDR
#                       namespace NODE, veth UL (in the root namespace: the
#                       caller puts it on node1's br-ex) to NODE's eth0
#                       holding ADDR/24 (its node address); forwarding on
#   ovn_node2_start NODE ENCAP_IP
#                       NODE's Open vSwitch and ovn-controller (Geneve
#                       tunnels to and from ENCAP_IP), stopped at test end
#   node_exec NODE CMD...
#                       CMD in NODE's namespace, its OVS and OVN tools
#                       pointed at NODE's daemons
#   ovnk_node2 NODE SUBNET PODPORT PODNS LSP
#                       NODE laid out as OVN-Kubernetes lays out a further
#                       node of the default network (below)
#
# Daemons' state under /run/NODE-ovs and /run/NODE-ovn, logs in /tmp/NODE-*.

node_exec() {
	local node=$1
	shift
	OVS_RUNDIR=/run/$node-ovs OVS_DBDIR=/run/$node-ovs OVS_LOGDIR=/tmp OVN_RUNDIR=/run/$node-ovn \
		ip netns exec "$node" "$@"
}

ovn_node2_ns() {
	local node=$1 ul=$2 addr=$3

	on_exit "ip netns del $node"
	on_exit "ip link del $ul"
	ip netns add "$node" && ip -n "$node" link set lo up || fail "namespace $node"
	ip link add "$ul" type veth peer name eth0 netns "$node" || fail "underlay veth of $node"
	ip -n "$node" addr add "$addr/24" dev eth0 && ip -n "$node" link set eth0 up || fail "$node's eth0"
	ip netns exec "$node" sysctl -qw net.ipv4.ip_forward=1 || fail "$node: forwarding"
}

ovn_node2_start() {
	local node=$1 encap=$2 run=/run/$1-ovs

	mkdir -p "$run" "/run/$node-ovn"
	# Stopped in this order (on_exit runs last-registered first): the
	# controller, then ovs-vswitchd (--cleanup: its datapath and tunnel
	# devices go), then the database; the namespace itself goes after.
	on_exit "node_exec $node ovs-appctl -t ovsdb-server exit"
	on_exit "node_exec $node ovs-appctl -t ovs-vswitchd exit --cleanup"
	on_exit "kill \$(cat /run/$node-ovn/ovn-controller.pid)"
	rm -f "$run/conf.db" "$run/.conf.db.~lock~" # a fresh database, as ovs_start
	ovsdb-tool create "$run/conf.db" /usr/share/openvswitch/vswitch.ovsschema || fail "$node: ovsdb-tool"
	node_exec "$node" ovsdb-server --remote=punix:"$run/db.sock" --pidfile --detach \
		--log-file="/tmp/$node-ovsdb.log" "$run/conf.db" >>/tmp/$node-ovs-start.log 2>&1 || fail "$node: ovsdb-server"
	node_exec "$node" ovs-vsctl --no-wait init || fail "$node: ovs-vsctl init"
	node_exec "$node" ovs-vswitchd --pidfile --detach --log-file="/tmp/$node-vswitchd.log" \
		>>/tmp/$node-ovs-start.log 2>&1 || fail "$node: ovs-vswitchd"
	node_exec "$node" ovs-vsctl set open_vswitch . external_ids:system-id="$node" \
		external_ids:ovn-remote="$OVN_SB_DB" external_ids:ovn-encap-type=geneve \
		external_ids:ovn-encap-ip="$encap" external_ids:ovn-bridge=br-int || fail "$node: chassis"
	node_exec "$node" ovn-controller --detach --pidfile="/run/$node-ovn/ovn-controller.pid" \
		--log-file="/tmp/$node-ovn-controller.log" "unix:$run/db.sock" || fail "$node: ovn-controller"
	ovn_chassis_up "$node"
}

# ovnk_node2 NODE SUBNET PODPORT PODNS LSP
#   On NODE's br-int the management port ovn-k8s-mp0 (internal, LSP
#   k8s-NODE, SUBNET.2/24, MTU 1400 as OVN-K leaves room for Geneve) and
#   the pod's port PODPORT, a veth to PODNS's eth0 (LSP LSP, SUBNET.5,
#   port security, default route via SUBNET.1). Logical: the node switch
#   NODE for SUBNET.0/24 and its router port rtos-NODE (SUBNET.1) on the
#   existing ovn_cluster_router, which is distributed: a packet between
#   two nodes' pods is routed on the sending chassis and crosses in the
#   Geneve tunnel. The host routes the cluster network (SUBNET's /16) via
#   the router's port over ovn-k8s-mp0, as ovnkube-node does. No gateway
#   router or br-ex for this node: it is the far end of the tests'
#   east-west traffic and its host is its gateway (local gateway mode).
ovnk_node2() {
	local node=$1 net=$2 podport=$3 podns=$4 lsp=$5 mpmac rtrmac podmac

	mpmac=$(ip4_mac "$net.2") rtrmac=$(ip4_mac "$net.1")
	ip -n "$node" link add "$podport" type veth peer name eth0 netns "$podns" || fail "$node: pod veth"
	podmac=$(ip -n "$podns" -br link show eth0 | awk '{print $3}')
	node_exec "$node" ovs-vsctl --may-exist add-br br-int \
		-- add-port br-int ovn-k8s-mp0 -- set interface ovn-k8s-mp0 type=internal mac="\"$mpmac\"" \
			external_ids:iface-id="k8s-$node" \
		-- add-port br-int "$podport" -- set interface "$podport" external_ids:iface-id="$lsp" ||
		fail "$node: br-int ports"
	ip -n "$node" link set ovn-k8s-mp0 address "$mpmac" && ip -n "$node" link set ovn-k8s-mp0 mtu 1400 &&
		ip -n "$node" addr add "$net.2/24" dev ovn-k8s-mp0 && ip -n "$node" link set ovn-k8s-mp0 up &&
		ip -n "$node" route add "${net%.*}.0.0/16" via "$net.1" dev ovn-k8s-mp0 || fail "$node: ovn-k8s-mp0"
	ip -n "$node" link set "$podport" up || fail "$node: $podport up"
	ovn-nbctl ls-add "$node" -- set logical_switch "$node" other_config:subnet="$net.0/24" \
		-- lsp-add "$node" "k8s-$node" -- lsp-set-addresses "k8s-$node" "$mpmac $net.2" \
		-- lsp-add "$node" "$lsp" -- lsp-set-addresses "$lsp" "$podmac $net.5" \
		-- lsp-set-port-security "$lsp" "$podmac $net.5" \
		-- lrp-add ovn_cluster_router "rtos-$node" "$rtrmac" "$net.1/24" \
		-- lsp-add "$node" "stor-$node" -- lsp-set-type "stor-$node" router \
		-- lsp-set-addresses "stor-$node" router -- lsp-set-options "stor-$node" router-port="rtos-$node" ||
		fail "logical topology of $node"
	ip -n "$podns" addr add "$net.5/24" dev eth0 && ip -n "$podns" link set eth0 mtu 1400 &&
		ip -n "$podns" link set eth0 up && ip -n "$podns" route add default via "$net.1" || fail "$node: pod"
}
