#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# The equivalence suite (selftests/net/lib/equiv.sh) over the uplinks the
# host kernel cannot build: the node peers with its routers over an 802.1Q
# sub-interface (in0.100), then over QinQ (in0.100.200 inside 802.1ad 100),
# and podroute is given that sub-interface as its underlay. East-west pod
# traffic leaves through the VLAN device (no XDP transmit: TC redirects the
# skb there), ingress arrives on it (the parent in0, attached too in the
# 802.1Q case, passes tagged frames: they are the VLAN device's). Every cell
# must agree with the kernel's own path at the receiving sockets.
set -u
cd "${PODROUTE_REPO:?run by selftests/vm/guest-tests.sh}" || exit 1
. selftests/net/lib/topo.sh
. selftests/net/lib/equiv.sh
[ -x "$FP" ] || { echo "FAIL: $FP missing (make check-vm builds it)"; exit 1; }
trap 'eq_cleanup; rm -rf "$EQ_DIR"' EXIT

eq_world 3 vlan veth
eq_agent "in0, in0.100"
grep -q "in0.100: attached as underlay (tc" "$EQ_LOG" || eq_fail "in0.100 not attached: $(grep attached "$EQ_LOG")"
eq_port_cells "802.1Q in0.100" 3
[ "$(count vlan-tagged)" -gt 0 ] || eq_fail "in0 never saw a tagged frame to pass: $(PR stats)"
eq_cleanup

eq_world 3 qinq veth
eq_agent "in0.100.200"
eq_port_cells "QinQ in0.100.200" 3
eq_report
echo "equivalence over 802.1Q and QinQ uplinks: $eq_cells cells agree"
