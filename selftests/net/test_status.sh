#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# `podroute status` tells what the kernel has on each hook, and exits on it:
# a healthy attach (XDP and TC on the underlay in0 and the OVN port mp0) is
# "ok", exit 0; our TC filter deleted behind podroute's back is "missing",
# another tool's XDP program in place of ours is "foreign" (named, "someone
# else's"), our XDP program detached is "missing", each exit 1 with the
# interface named; so is another tool's filter at podroute's TC handle; an
# OVN port whose XDP program is ours needs no TC filter
# (it was reported "tc ingress: none MISSING"); -j carries the same verdicts,
# with -j before or after the command.
set -u
. "$(dirname "$0")/lib/topo.sh"
NS_CLIENT=st-c-$TOPO_ID NS_NODE=st-n-$TOPO_ID NS_POD=st-p-$TOPO_ID NS_VM=st-v-$TOPO_ID
[ "$(id -u)" -eq 0 ] || { echo "needs root"; exit 4; }
fail() { echo "FAIL: $*"; exit 1; }
topo_create || fail "topology"
work=$(mktemp -d /run/prtest-status.XXXXXX)
trap 'topo_cleanup; rm -rf "$work"' EXIT
cat >"$work/other.c" <<'C'
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
SEC("xdp") int other_tool(struct xdp_md *ctx) { return XDP_PASS; }
SEC("tc") int other_tc(struct __sk_buff *skb) { return 0; }
char LICENSE[] SEC("license") = "GPL";
C
clang -target bpf -O2 -g -I/usr/include/$(gcc -print-multiarch) -c "$work/other.c" -o "$work/other.o" || fail "build"

attach() { node_podroute attach --underlay in0 --ovn mp0 --mode generic --force-xdp >/dev/null 2>&1; }
# status in text and JSON (both option orders): sets $text, $json, $rc and
# checks the three agree on the exit code.
read_status() {
	local rc2 rc3 json2
	text=$(node_podroute status 2>&1); rc=$?
	json=$(node_podroute -j status 2>&1); rc2=$?
	json2=$(node_podroute status -j 2>&1); rc3=$?
	[ "$rc" = "$rc2" ] && [ "$rc" = "$rc3" ] || fail "exit codes differ: text $rc, -j status $rc2, status -j $rc3"
	[ "$json" = "$json2" ] || fail "-j before and after the command differ"
}
verdict_of() { jq -r ".interfaces[] | select(.ifname == \"$1\") | .verdict" <<<"$json"; }
line_of() { grep -E "^  $1 " <<<"$text"; }
expect() { # IF VERDICT (what `status` must say of IF, in text and JSON)
	[ "$(verdict_of "$1")" = "$2" ] || fail "$1: JSON verdict $(verdict_of "$1"), not $2: $json"
	line_of "$1" | grep -qw -- "$2" || fail "$1: text line does not say $2: $(line_of "$1")"
}
tc_del() { tc -n "$NS_NODE" filter del dev "$1" ingress pref 0x5052 handle 0x50520001 bpf; }

attach || fail "attach"
read_status
[ "$rc" -eq 0 ] || fail "healthy attach: exit $rc: $text"
expect in0 ok
expect mp0 ok
[ "$(jq -r .verdict <<<"$json")" = ok ] || fail "healthy attach: overall $(jq -c '[.verdict,.problems]' <<<"$json")"
grep -q "^verdict: *ok" <<<"$text" || fail "healthy attach: text verdict: $text"

# Our TC filter deleted on the underlay behind podroute's back.
tc_del in0 || fail "delete in0's filter"
read_status
[ "$rc" -eq 1 ] || fail "TC filter gone on in0: exit $rc"
expect in0 missing
expect mp0 ok
grep -q "^verdict: *PROBLEM" <<<"$text" || fail "TC filter gone: no PROBLEM verdict: $text"
[ "$(jq -r .verdict <<<"$json")" = problem ] || fail "TC filter gone: overall $(jq -r .verdict <<<"$json")"
echo "in0 TC deleted: $(line_of in0 | tr -s ' ')"

# Attach again: back to ok.
attach || fail "re-attach"
read_status
[ "$rc" -eq 0 ] || fail "re-attached: exit $rc: $text"

# An OVN port whose XDP program is ours takes every packet there: its TC
# filter is not needed, and its absence is no problem.
tc_del mp0 || fail "delete mp0's filter"
read_status
[ "$rc" -eq 0 ] || fail "OVN port with XDP and no TC: exit $rc: $text"
expect mp0 ok
line_of mp0 | grep -qi missing && fail "OVN port with XDP and no TC reported missing: $(line_of mp0)"
attach || fail "re-attach"

# Another tool's XDP program in place of ours on in0.
ip -n "$NS_NODE" link set dev in0 xdpgeneric off || fail "detach our XDP"
ip -n "$NS_NODE" link set dev in0 xdpgeneric obj "$work/other.o" sec xdp || fail "attach the other program"
read_status
[ "$rc" -eq 1 ] || fail "foreign XDP on in0: exit $rc"
expect in0 foreign
expect mp0 ok
line_of in0 | grep -q "other_tool (someone else's" || fail "in0: the other program is not named someone else's: $(line_of in0)"
[ "$(jq -r '.interfaces[] | select(.ifname == "in0") | .xdp_owner' <<<"$json")" = "someone else's" ] ||
	fail "JSON xdp_owner: $(jq -c '.interfaces[0]' <<<"$json")"
jq -r '.interfaces[] | select(.ifname == "in0") | .why' <<<"$json" | grep -q other_tool ||
	fail "JSON why does not name the other program"
echo "in0 foreign XDP: $(line_of in0 | tr -s ' ')"
ip -n "$NS_NODE" link set dev in0 xdpgeneric off

# Another tool's TC filter at podroute's handle and priority on in0.
attach || fail "re-attach after the other tool left"
tc -n "$NS_NODE" filter replace dev in0 ingress pref 0x5052 handle 0x50520001 bpf da obj "$work/other.o" sec tc ||
	fail "replace our TC filter"
read_status
[ "$rc" -eq 1 ] || fail "foreign TC filter on in0: exit $rc"
expect in0 foreign
[ "$(jq -r '.interfaces[] | select(.ifname == "in0") | .tc_owner' <<<"$json")" = "someone else's" ] ||
	fail "JSON tc_owner: $(jq -c '.interfaces[] | select(.ifname == "in0")' <<<"$json")"
line_of in0 | grep -q "other_tc (someone else's)" || fail "in0: the other TC program is not named: $(line_of in0)"
echo "in0 foreign TC: $(line_of in0 | tr -s ' ')"
tc_del in0

# Our XDP program detached from the OVN port behind podroute's back.
attach || fail "re-attach after the other tool left"
ip -n "$NS_NODE" link set dev mp0 xdpgeneric off || fail "detach mp0's XDP"
read_status
[ "$rc" -eq 1 ] || fail "XDP gone on mp0: exit $rc"
expect mp0 missing
expect in0 ok
echo "mp0 XDP detached: $(line_of mp0 | tr -s ' ')"

# Nothing attached (pins left): a problem too.
node_podroute detach >/dev/null 2>&1 || fail "detach"
read_status
[ "$rc" -eq 1 ] || fail "nothing attached: exit $rc"
jq -e '.problems | any(test("no interface attached"))' <<<"$json" >/dev/null || fail "nothing attached: $json"
echo "status verdicts: ok, missing, foreign (XDP and TC), missing; exit codes 0/1 agree in text and JSON"
