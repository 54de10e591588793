#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# The equivalence suite (selftests/net/lib/equiv.sh) with the node's
# OVN-facing port an Open vSwitch internal port (as ovn-k8s-mp0 is): the
# pod is a port of the same OVS bridge. East-west from the pod reaches
# podroute's TC on the internal port; ingress is redirected into it (an
# internal port takes no XDP frames: TC's skb redirect). Every cell must
# agree with the kernel's own path at the receiving sockets.
set -u
cd "${PODROUTE_REPO:?run by selftests/vm/guest-tests.sh}" || exit 1
fail() { echo "FAIL: $*"; exit 1; }
. selftests/vm/ovnk_bridges.sh
. selftests/net/lib/topo.sh
. selftests/net/lib/equiv.sh
[ -x "$FP" ] || { echo "FAIL: $FP missing (make check-vm builds it)"; exit 1; }
trap 'eq_cleanup; ip link del podeq 2>/dev/null; ovs-appctl -t ovs-vswitchd exit --cleanup 2>/dev/null;
	ovs-appctl -t ovsdb-server exit 2>/dev/null; rm -rf "$EQ_DIR"' EXIT
OVS_LOG=/dev/null ovs_start

eq_world 2 plain ovs
eq_agent in0
grep -q "mp0: attached as ovn (tc" "$EQ_LOG" || eq_fail "mp0 not on TC: $(grep attached "$EQ_LOG")"
eq_port_cells "OVS internal port" 2
eq_report
echo "equivalence through an OVS internal port: $eq_cells cells agree"
