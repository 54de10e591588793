#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# `podroute explain` and `podroute check` against the agent on the shared
# topology (lib/topo.sh), with real kernel routes and the real pinned maps:
#  - explain of a pod address from the underlay: redirect to mp0 with the
#    pod's MAC, and the kernel's route agrees (same device);
#  - the same for the network's IPv6 prefix;
#  - explain of an address podroute does not own: pass (miss), agreeing;
#  - explain east-west from the OVN port: the learned route's gateway and its
#    neighbour MAC, as the kernel's route says;
#  - a spoofed source from the underlay: drop (spoof);
#  - which lookup answered: the index, then the trie once a hand edit turned
#    the index off (explain says why);
#  - a more specific kernel route behind the agent's back (proto static, which
#    the route policy does not mirror) sends a pod address out of in0: explain
#    marks the disagreement (exit 1, "agree": false);
#  - check on the clean state: exit 0, no item, and the agent's
#    podroute_drift_differences is 0;
#  - a network entry changed and a learned route deleted by hand with bpftool,
#    and a TC filter removed with tc:
#    check names both and exits 1, and the agent's gauge rises above 0;
#    a restarted agent repairs them and check is clean again;
#  - with a br-ex configured and (a stand-in) ovs-vsctl: the underlay NIC on
#    another bridge, on none, and a br-ex OVS does not know are each named.
set -u
. "$(dirname "$0")/lib/topo.sh"
# This test's own namespace names and pins (prefix ex-).
NS_CLIENT=ex-c-$TOPO_ID NS_NODE=ex-n-$TOPO_ID NS_POD=ex-p-$TOPO_ID NS_VM=ex-v-$TOPO_ID
PIN_DIR=/sys/fs/bpf/ex-podroute-$TOPO_ID
command -v curl >/dev/null || { echo "curl is not installed"; exit 4; }
command -v bpftool >/dev/null || { echo "bpftool is not installed"; exit 4; }
agent_test_begin explain
cfg=$dir/config.yaml
# Generic XDP on the underlay (forced: a veth), so that check also compares
# the interface's XDP flag with the XDP program the kernel has there.
ifx="  ovn: [mp0]
  mode: generic
  force_xdp: true"
# The pod network with an IPv6 prefix too (pod_config's, plus fd00:128:1::/64).
write_cfg() { # [EXTRA interface lines]
	cat >"$cfg.new" <<YAML
interfaces:
  underlay: [in0]
$ifx
${1:+$1
}networks:
  - name: default
    prefixes: [10.128.1.0/24, fd00:128:1::/64]
    target: {port: mp0, mac: $POD_MAC}
YAML
	mv "$cfg.new" "$cfg"
}
write_cfg
in_ns "$NS_NODE" sysctl -qw net.ipv6.conf.all.forwarding=1
ip -n "$NS_NODE" -6 addr add 2001:db8:2::1/64 dev in0 nodad
ip -n "$NS_NODE" -6 addr add fd00:128:1::1/64 dev mp0 nodad
ipn() { ip -n "$NS_NODE" "$@"; }
# A learned (BGP) route the agent mirrors, with a resolved next hop.
ipn neigh replace 192.0.2.12 lladdr 02:00:00:00:aa:02 dev in0 nud permanent
ipn route add 10.200.0.0/16 via 192.0.2.12 dev in0 proto bgp
agent_start "$cfg" --check-interval 1 || fail "agent did not start"
wait_for "routes_jq '.[] | select(.prefix == \"10.200.0.0/16\" and .action == \"nexthop\")'" ||
	fail "the learned route did not reach the map"
metric() { in_ns "$NS_NODE" curl -sS --max-time 5 127.0.0.1:9473/metrics | awk -v m="$1" '$1 == m {print $2}'; }
check() { node_podroute check --config "$cfg" --settle 200 "$@"; }

# ---- explain ----
out=$(node_podroute -j explain 10.128.1.5 --from in0 --src 192.0.2.2) || fail "explain of a pod address: exit $? ($out)"
echo "$out" | jq -e '.podroute.verdict == "redirect" and .podroute.target == "mp0" and .podroute.xdp == true and
	.podroute.prefix == "10.128.1.0/24" and .podroute.dmac == "'"$POD_MAC"'" and
	.kernel.device == "mp0" and .agree == true' >/dev/null ||
	fail "explain 10.128.1.5: expected a redirect to mp0 agreeing with the kernel: $out"
# The agent built the lookup index at start: the datapath reads it (and the
# trie, walked too, gives the same answer, else a disagreement is marked).
echo "$out" | jq -e '.podroute.lookup == "index"' >/dev/null || fail "explain: expected the lookup index to answer: $out"
# East-west from the OVN side: the learned route, its gateway and MAC.
out=$(node_podroute -j explain 10.200.3.4 --from mp0 --src 10.128.1.5 --proto tcp --sport 40000 --dport 443) ||
	fail "explain east-west: exit $? ($out)"
echo "$out" | jq -e '.podroute.side == "ovn" and .podroute.action == "nexthop" and .podroute.verdict == "redirect" and
	.podroute.target == "in0" and .podroute.gateway == "192.0.2.12" and .podroute.dmac == "02:00:00:00:aa:02" and
	.kernel.device == "in0" and .kernel.mac == "02:00:00:00:aa:02" and .agree == true' >/dev/null ||
	fail "explain 10.200.3.4 from mp0: expected the BGP next hop, agreeing: $out"
# IPv6: the same pod network's IPv6 prefix.
out=$(node_podroute -j explain fd00:128:1::5 --from in0 --src 2001:db8:2::2) || fail "explain IPv6: exit $? ($out)"
echo "$out" | jq -e '.podroute.verdict == "redirect" and .podroute.target == "mp0" and
	.podroute.prefix == "fd00:128:1::/64" and .podroute.lookup == "index" and .kernel.device == "mp0" and .agree == true' \
	>/dev/null || fail "explain fd00:128:1::5: expected a redirect to mp0 agreeing with the kernel: $out"
out=$(node_podroute -j explain 198.51.100.7 --from in0 --src 192.0.2.2) || fail "explain of a foreign address: exit $? ($out)"
echo "$out" | jq -e '.podroute.verdict == "pass" and .podroute.reason == "miss" and .agree == true' >/dev/null ||
	fail "explain 198.51.100.7: expected pass (miss), agreeing: $out"
node_podroute explain 10.128.1.5 --from in0 --src 192.0.2.2 | grep -q "AGREE" || fail "text output has no verdict line"

# Anti-spoofing: a source inside the pod prefix, from the underlay, is dropped;
# a disagreement exactly when the kernel would forward it (rp_filter may not).
out=$(node_podroute -j explain 10.128.1.5 --from in0 --src 10.128.1.9)
echo "$out" | jq -e '.podroute.verdict == "drop" and .podroute.reason == "spoof" and
	.agree == (.kernel.result != "unicast")' >/dev/null || fail "explain of a spoofed source: $out"

# A hand edit of the trie turns the lookup index off: the trie answers, and explain says so and why.
node_podroute prefix add 10.250.0.0/16 net 1 >/dev/null || fail "prefix add"
out=$(node_podroute -j explain 10.128.1.5 --from in0 --src 192.0.2.2)
echo "$out" | jq -e '.podroute.lookup == "trie" and (.podroute.lookup_why_trie | test("off")) and
	.podroute.prefix == "10.128.1.0/24" and .agree == true' >/dev/null ||
	fail "explain after a hand edit: expected the trie to answer: $out"
node_podroute prefix del 10.250.0.0/16 >/dev/null || fail "prefix del"

# Behind the agent's back: a static /32 inside the pod prefix, out of the underlay.
ipn route add 10.128.1.77/32 via 192.0.2.2 dev in0 proto static
out=$(node_podroute -j explain 10.128.1.77 --from in0 --src 192.0.2.2); rc=$?
[ "$rc" -eq 1 ] || fail "explain of a disagreeing address: exit $rc, expected 1 ($out)"
echo "$out" | jq -e '.podroute.verdict == "redirect" and .podroute.target == "mp0" and
	.kernel.device == "in0" and .agree == false and (.disagreements | length) >= 1' >/dev/null ||
	fail "explain 10.128.1.77: the disagreement is not marked: $out"
node_podroute explain 10.128.1.77 --from in0 --src 192.0.2.2 | grep -q "DISAGREE" ||
	fail "text output does not mark the disagreement"
ipn route del 10.128.1.77/32

# ---- check: clean ----
out=$(check -j); rc=$?
[ "$rc" -eq 0 ] || fail "check on a clean state: exit $rc: $out"
echo "$out" | jq -e '.differences == 0 and (.items | length) == 0' >/dev/null || fail "check clean: $out"
wait_for '[ "$(metric podroute_drift_checks_total)" -ge 1 ] 2>/dev/null' 20 || fail "the agent ran no drift check"
[ "$(metric podroute_drift_differences)" = 0 ] || fail "podroute_drift_differences is $(metric podroute_drift_differences) on a clean state"

# ---- check: hand edits ----
# Network 1's target MAC changed, and the learned route deleted, by hand.
pin_nets=$PIN_DIR/pr_nets
nsenter --net=/run/netns/"$NS_NODE" bpftool map update pinned "$pin_nets" key 1 0 0 0 \
	value $(nsenter --net=/run/netns/"$NS_NODE" bpftool -j map lookup pinned "$pin_nets" key 1 0 0 0 |
		jq -r '.value | .[0:8] + ["0x02","0x00","0x00","0x00","0x00","0x99"] + .[14:] | join(" ")') ||
	fail "bpftool could not change pr_nets"
nsenter --net=/run/netns/"$NS_NODE" bpftool map delete pinned "$PIN_DIR/pr_routes4" \
	key 48 0 0 0 0 0 0 0 10 200 0 0 || fail "bpftool could not delete the learned route"
# And the OVN port's TC filter removed behind the agent's back.
tc -n "$NS_NODE" filter del dev mp0 ingress || fail "tc filter del"
out=$(check -j); rc=$?
[ "$rc" -eq 1 ] || fail "check after hand edits: exit $rc, expected 1: $out"
echo "$out" | jq -e '.differences >= 3' >/dev/null || fail "check: fewer than 3 differences: $out"
echo "$out" | jq -e '.items | any(startswith("interface mp0:") and contains("TC filter is not attached"))' >/dev/null ||
	fail "check does not name the missing TC filter: $out"
echo "$out" | jq -e '.items | any(startswith("network 1:") and contains("02:00:00:00:00:99"))' >/dev/null ||
	fail "check does not name the changed network: $out"
echo "$out" | jq -e '.items | any(startswith("route 10.200.0.0/16: missing"))' >/dev/null ||
	fail "check does not name the deleted route: $out"
check >/dev/null; [ $? -eq 1 ] || fail "text check: exit not 1"
wait_for '[ "$(metric podroute_drift_differences)" -gt 0 ] 2>/dev/null' 20 ||
	fail "podroute_drift_differences did not rise (is $(metric podroute_drift_differences))"
grep -q "drift: network 1:" "$AGENT_LOG" || fail "the agent did not log the difference"
# The running agent's mirror still holds what it wrote, so it writes nothing;
# a restarted agent adopts the maps, compares, and repairs them.
kill -TERM "$AGENT_PID"; wait "$AGENT_PID" 2>/dev/null
agent_start "$cfg" --check-interval 1 || fail "agent did not restart"
wait_for 'check >/dev/null' 20 || fail "check still differs after the restarted agent's reconcile: $(check)"
wait_for '[ "$(metric podroute_drift_checks_total)" -ge 1 ] 2>/dev/null && [ "$(metric podroute_drift_differences)" = 0 ]' 20 ||
	fail "podroute_drift_differences is not 0 after the repair"
# ---- check: Open vSwitch (a stand-in ovs-vsctl answering from files) ----
# With a br-ex configured, the underlay NIC must be one of its ports.
mkdir -p "$dir/bin"
cat >"$dir/bin/ovs-vsctl" <<'SH'
#!/bin/sh
d=$(dirname "$0")
case "$2" in
br-exists) [ "$3" = "$(cat "$d/bridge")" ] && exit 0; exit 2 ;;
port-to-br) [ -f "$d/port-$3" ] && { cat "$d/port-$3"; exit 0; }; exit 1 ;;
esac
exit 1
SH
chmod +x "$dir/bin/ovs-vsctl"
echo brx0 >"$dir/bin/bridge"
echo brx0 >"$dir/bin/port-in0"
ipn link add brx0 type bridge && ipn link set brx0 up
write_cfg "  brex: brx0"
ovs_check() { PATH=$dir/bin:$PATH node_podroute check --config "$cfg" --settle 200 "$@"; }
wait_for 'ovs_check >/dev/null' 20 || fail "check with br-ex and its port in place is not clean: $(ovs_check)"
echo br-other >"$dir/bin/port-in0"
out=$(ovs_check -j); rc=$?
[ "$rc" -eq 1 ] && echo "$out" | jq -e '.items | any(startswith("interface in0:") and contains("on bridge br-other"))' >/dev/null ||
	fail "check does not name an underlay NIC on another OVS bridge (exit $rc): $out"
rm "$dir/bin/port-in0"
ovs_check -j | jq -e '.items | any(startswith("interface in0:") and contains("not a port in Open vSwitch"))' >/dev/null ||
	fail "check does not name an underlay NIC outside OVS: $(ovs_check)"
echo br-ex >"$dir/bin/bridge"
ovs_check -j | jq -e '.items | any(startswith("interface brx0:") and contains("no such bridge"))' >/dev/null ||
	fail "check does not name a br-ex missing from OVS: $(ovs_check)"
# Without ovs-vsctl (the host's PATH has none here) nothing is said of OVS.
command -v ovs-vsctl >/dev/null || check >/dev/null || fail "check without OVS is not clean: $(check)"

node_podroute check --settle abc >/dev/null 2>&1; [ $? -eq 2 ] || fail "a bad --settle is not a usage error"
echo "explain and check: OK"
