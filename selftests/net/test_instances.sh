#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# Two podroute instances on one node (two --pin-dir), the second a stranger
# to the first: it must not replace or remove the first one's programs,
# though they carry the same names. A program is an instance's own only if
# its id is in that instance's pinned pr_progids.
#  - B's attach on A's interface is refused, naming another instance, and
#    A's XDP and TC programs stay (same ids);
#  - B's detach of that interface, and B's detach --unpin, leave them;
#  - A re-attaches (replacing its own programs) and detaches cleanly.
set -u
. "$(dirname "$0")/lib/topo.sh"
[ "$(id -u)" -eq 0 ] || { echo "needs root"; exit 4; }
fail() { echo "FAIL: $*"; exit 1; }
topo_create || fail "topology"
PIN_B=$PIN_DIR-b
trap 'PB detach --unpin >/dev/null 2>&1; rm -rf "$PIN_B"; topo_cleanup' EXIT
PA() { node_podroute "$@"; }
PB() { nsenter --net=/run/netns/"$NS_NODE" "$PODROUTE" --pin-dir "$PIN_B" "$@"; }
xdp_id() { ip -n "$NS_NODE" -j link show in0 | jq '.[0].xdp.prog.id // 0'; }
tc_id() { in_ns "$NS_NODE" tc filter show dev in0 ingress | sed -n 's/.* id \([0-9]*\) .*/\1/p' | head -1; }

PA attach --underlay in0 --force-xdp >/dev/null 2>&1 || fail "A: attach"
x0=$(xdp_id) t0=$(tc_id)
[ "$x0" -gt 0 ] && [ "${t0:-0}" -gt 0 ] || fail "A: no XDP ($x0) or TC (${t0:-0}) program on in0"
out=$(PB attach --underlay in0 --force-xdp 2>&1) && fail "B: attach over A's programs succeeded"
echo "$out" | grep -q "another podroute instance" || fail "B's refusal does not name another instance: $out"
[ "$(xdp_id)" = "$x0" ] && [ "$(tc_id)" = "$t0" ] || fail "B's attach changed A's programs ($x0/$t0 -> $(xdp_id)/$(tc_id))"
out=$(PB detach in0 2>&1)
[ "$(xdp_id)" = "$x0" ] && [ "$(tc_id)" = "$t0" ] || fail "B's detach in0 removed A's programs: $out"
echo "$out" | grep -q "another podroute instance" || fail "B's detach does not say whose the programs are: $out"
PB detach --unpin >/dev/null 2>&1
[ "$(xdp_id)" = "$x0" ] && [ "$(tc_id)" = "$t0" ] || fail "B's detach --unpin removed A's programs"
PA attach --underlay in0 --force-xdp >/dev/null 2>&1 || fail "A: re-attach over its own programs"
[ "$(xdp_id)" -gt 0 ] || fail "A: no XDP after re-attach"
PA detach >/dev/null 2>&1 || fail "A: detach"
[ "$(xdp_id)" = 0 ] && [ -z "$(tc_id)" ] || fail "A's detach left $(xdp_id)/$(tc_id)"
echo "B refused on A's in0 and left A's XDP $x0 and TC $t0 through attach, detach and detach --unpin; A re-attached and detached"
