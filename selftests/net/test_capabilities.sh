#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# The least capability set the DaemonSet grants (deploy/daemonset.yaml),
# proved on this kernel: the agent, as uid 0 with exactly CAP_BPF,
# CAP_PERFMON and CAP_NET_ADMIN (effective, permitted, inheritable,
# ambient and bounding sets; nothing else), loads and pins the datapath,
# attaches it, fills the maps, serves metrics and carries traffic through
# the fast path. With any one of the three dropped it refuses to start
# with a message naming the missing one, leaving no pinned map behind.
set -u
. "$(dirname "$0")/lib/topo.sh"
fail() { echo "FAIL: $*"; exit 1; }
command -v setpriv >/dev/null || { echo "setpriv (util-linux) missing"; exit 4; }
CAPS="bpf perfmon net_admin"
topo_create || fail "topology"
cfg=$(mktemp) log=$(mktemp)
trap '[ -n "${AGENT_PID:-}" ] && kill "$AGENT_PID" 2>/dev/null; wait 2>/dev/null; rm -f "$cfg" "$log"; topo_cleanup' EXIT
# force_xdp: this test follows the XDP program's lifecycle on a veth (its
# traffic is ping, which XDP handles as the kernel would).
cat >"$cfg" <<YAML
interfaces:
  underlay: [in0]
  force_xdp: true
networks:
  - name: default
    prefixes: [10.128.1.0/24]
    target: {port: mp0, mac: $POD_MAC}
YAML
ip -n "$NS_CLIENT" route add 10.128.1.0/24 via 192.0.2.1
# podroute in the node namespace with exactly the given capabilities; it
# replaces the calling (sub)shell, so a background call's $! is the agent.
with_caps() {
	local caps=$1 set=-all c
	shift
	for c in $caps; do set+=",+$c"; done
	exec nsenter --net=/run/netns/"$NS_NODE" setpriv --reuid=0 --regid=0 --clear-groups \
		--inh-caps="$set" --ambient-caps="$set" --bounding-set="$set" \
		"$PODROUTE" --pin-dir "$PIN_DIR" "$@"
}

# 1. Exactly the three: a running agent does the whole job.
with_caps "$CAPS" agent --config "$cfg" --metrics-listen 127.0.0.1:9481 >"$log" 2>&1 &
AGENT_PID=$!
wait_for "grep -q 'agent running' '$log'" 20 || fail "agent with $CAPS did not start: $(cat "$log")"
eff=$(awk '/^CapEff/ {print $2}' /proc/$AGENT_PID/status)
# bits 12 (net_admin), 38 (perfmon), 39 (bpf): 0xc000001000, and nothing else
[ "$eff" = 000000c000001000 ] || fail "agent's effective set is $eff, expected exactly bpf+perfmon+net_admin"
[ -e "$PIN_DIR/pr_routes4" ] || fail "maps not pinned"
routes_jq 'map(select(.prefix == "10.128.1.0/24")) | length == 1' || fail "prefix not in the maps"
in_ns "$NS_CLIENT" ping -c 10 -i 0.05 -W 2 10.128.1.5 >/dev/null || fail "ping through the fast path"
[ "$(counter 1 redirect)" -eq 10 ] || fail "expected 10 redirects, got $(counter 1 redirect)"
code=$(in_ns "$NS_NODE" curl -s -o /dev/null -w '%{http_code}' http://127.0.0.1:9481/healthz)
[ "$code" = 200 ] || fail "/healthz answered $code under the least capabilities: $(in_ns "$NS_NODE" curl -s http://127.0.0.1:9481/healthz)"
kill "$AGENT_PID"; wait "$AGENT_PID" 2>/dev/null; AGENT_PID=
echo "ok: bpf+perfmon+net_admin: attached, maps filled, 10/10 fast-pathed, healthz 200"
# A restart (rolling update) under the same set adopts the pinned maps,
# recognises the XDP program the earlier agent attached by its recorded id
# (opening it by id would need CAP_SYS_ADMIN) and swaps it atomically.
xdp_id() { ip -n "$NS_NODE" -j link show in0 | jq '.[0].xdp.prog.id // 0'; }
old=$(xdp_id)
(with_caps "$CAPS" agent --config "$cfg" --once) >"$log" 2>&1 || fail "restart under $CAPS: $(cat "$log")"
new=$(xdp_id)
[ "$new" != 0 ] && [ "$new" != "$old" ] || fail "restart did not swap the XDP program ($old -> $new): $(cat "$log")"
grep -q 'attached as underlay (xdp native + tc' "$log" || fail "restart fell back: $(cat "$log")"
in_ns "$NS_CLIENT" ping -c 10 -i 0.05 -W 2 10.128.1.5 >/dev/null || fail "ping after the restart"
[ "$(counter 1 redirect)" -eq 20 ] || fail "after the restart: expected 20 redirects, got $(counter 1 redirect)"
# status under the same set (kubectl exec ... podroute status), where a
# program's name needs CAP_SYS_ADMIN: ours by recorded id, in0 ok (the
# --once agent's heartbeat may have aged past its bound on a slow machine:
# that, and only that, may make the overall verdict a problem).
st=$(with_caps "$CAPS" status -j 2>&1); rc=$?
jq -e '.interfaces[] | select(.ifname == "in0") | .verdict == "ok" and .xdp_owner == "ours"' <<<"$st" >/dev/null ||
	fail "status under $CAPS: $st"
[ "$rc" -eq 0 ] || jq -e '.problems == ["the agent is gone"]' <<<"$st" >/dev/null || fail "status under $CAPS: exit $rc: $st"
# detach under the same set (kubectl exec ... podroute detach) removes it
(with_caps "$CAPS" detach in0) >"$log" 2>&1 || fail "detach under $CAPS: $(cat "$log")"
[ "$(xdp_id)" = 0 ] || fail "detach under $CAPS left XDP program $(xdp_id): $(cat "$log")"
echo "ok: restart under the same set: maps adopted, XDP program swapped ($old -> $new), 10/10 more fast-pathed; detach works too"
node_podroute detach --unpin >/dev/null 2>&1

# 2. Each one missing: a clear refusal naming it, nothing pinned.
for drop in $CAPS; do
	rest=$(tr ' ' '\n' <<<"$CAPS" | grep -vx "$drop" | tr '\n' ' ')
	out=$(with_caps "$rest" agent --config "$cfg" --once 2>&1) && fail "agent started without cap_$drop"
	want="CAP_$(tr a-z A-Z <<<"$drop")"
	grep -q "needs CAP_BPF, CAP_PERFMON and CAP_NET_ADMIN (this process lacks $want)" <<<"$out" ||
		fail "without cap_$drop the error does not name $want: $out"
	[ -z "$(ls -A "$PIN_DIR" 2>/dev/null)" ] || fail "without cap_$drop something was pinned: $(ls "$PIN_DIR")"
	echo "ok: without cap_$drop: refused, naming $want"
done
