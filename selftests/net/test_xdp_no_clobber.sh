#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# podroute never replaces or removes an XDP program it did not install
# (host kernel: no freplace, so no dispatcher): with another tool's program
# on the underlay, `attach --mode native --force-xdp` fails with a message
# naming it (plain --mode native on a veth is refused before that, saying why),
# auto mode falls back to TC, and detach leaves the other program in place.
set -u
. "$(dirname "$0")/lib/topo.sh"
[ "$(id -u)" -eq 0 ] || { echo "needs root"; exit 4; }
fail() { echo "FAIL: $*"; exit 1; }
topo_create || fail "topology"
work=$(mktemp -d /run/prtest-clobber.XXXXXX)
trap 'topo_cleanup; rm -rf "$work"' EXIT
cat >"$work/other.c" <<'C'
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
SEC("xdp") int other_tool(struct xdp_md *ctx) { return XDP_PASS; }
char LICENSE[] SEC("license") = "GPL";
C
clang -target bpf -O2 -g -I/usr/include/$(gcc -print-multiarch) -c "$work/other.c" -o "$work/other.o" || fail "build"
ip -n "$NS_NODE" link set dev in0 xdpdrv obj "$work/other.o" sec xdp || fail "attach the other program"
other_id() { ip -n "$NS_NODE" -j link show in0 | jq '.[0].xdp.prog.id // 0'; }
id=$(other_id)
[ "$id" -gt 0 ] || fail "other program not attached"
# A veth's packets are not safe for XDP: plain --mode native is refused for
# that reason, naming it; --force-xdp gets to the other program's check.
out=$(node_podroute attach --underlay in0 --mode native 2>&1) && fail "native attach on a veth succeeded"
echo "$out" | grep -q "refusing XDP: a veth device hands over packets of local sockets" ||
	fail "the refusal does not say why XDP is unsafe on a veth: $out"
out=$(node_podroute attach --underlay in0 --mode native --force-xdp 2>&1) && fail "native attach over another program succeeded"
echo "$out" | grep -q "other_tool" || fail "the refusal does not name the other program: $out"
[ "$(other_id)" -eq "$id" ] || fail "the other program was replaced"
node_podroute attach --underlay in0 >/dev/null 2>&1 || fail "auto attach did not fall back to TC"
[ "$(other_id)" -eq "$id" ] || fail "the other program was replaced in auto mode"
node_podroute -j status | jq -e '.interfaces[0].tc_prog_id > 0' >/dev/null || fail "no TC fallback"
node_podroute detach >/dev/null 2>&1 || fail "detach"
[ "$(other_id)" -eq "$id" ] || fail "detach removed the other program"
echo "other program $id kept through native refusal, TC fallback and detach"
