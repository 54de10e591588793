#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# The agent's metrics endpoint, scraped with curl inside the node namespace:
#  - a bad --metrics-listen address (exit 2) and a port already in use
#    (exit 1) stop the agent before it touches anything;
#  - N pings through the fast path show as exactly N redirect packets of
#    network "default" (bytes N * frame size, equal to `podroute stats`);
#  - map occupancy equals what `podroute routes` lists, also after a BGP
#    route comes and goes, and the route-to-map latency histogram counts it;
#  - a refused config: failures +1, success gauge 0, the error text escaped
#    in the info metric, /readyz 503 while /healthz stays 200; fixed again:
#    back to 1;
#  - 404 for other paths, 405 for other methods; HEAD works;
#  - the agent listening on IPv6 ([::]); detaching the datapath under it:
#    /healthz 503 naming the interface; without the option, 127.0.0.1:9473.
set -u
. "$(dirname "$0")/lib/topo.sh"
[ "$(id -u)" -eq 0 ] || { echo "needs root"; exit 4; }
command -v curl >/dev/null || { echo "curl is not installed"; exit 4; }
command -v jq >/dev/null || { echo "jq is not installed"; exit 4; }
fail() { echo "FAIL: $*"; [ -n "${AGENT_LOG:-}" ] && tail -20 "$AGENT_LOG" | sed 's/^/  agent: /'; exit 1; }
topo_create || fail "topology"
dir=$(mktemp -d /run/prtest-metrics.XXXXXX)
AGENT_LOG=$dir/agent.log
stop_agent() {
	[ -n "${AGENT_PID:-}" ] || return 0
	kill "$AGENT_PID" 2>/dev/null
	wait "$AGENT_PID" 2>/dev/null
	AGENT_PID=
}
trap 'stop_agent; topo_cleanup; rm -rf "$dir"' EXIT
cfg=$dir/config.yaml
write_cfg() {
	cat >"$cfg.new" <<YAML
interfaces:
  underlay: [in0]
networks:
  - name: default
    prefixes: [10.128.1.0/24]
    target:
      port: mp0
      neighbour: 10.128.1.5
YAML
	mv "$cfg.new" "$cfg"
}
write_cfg
in_ns "$NS_NODE" ping -c1 -W2 10.128.1.5 >/dev/null || fail "pod unreachable"

# The agent with its endpoint on the node's underlay address.
LISTEN=192.0.2.1:9474 BASE=http://192.0.2.1:9474
start_agent() { # listen address ("": the default)
	: >"$AGENT_LOG"
	nsenter --net=/run/netns/"$NS_NODE" "$PODROUTE" --pin-dir "$PIN_DIR" agent --config "$cfg" \
		${1:+--metrics-listen "$1"} >>"$AGENT_LOG" 2>&1 &
	AGENT_PID=$!
	wait_for "grep -q 'agent running' '$AGENT_LOG'" 20
}
in_node() { nsenter --net=/run/netns/"$NS_NODE" "$@"; }
scrape() { in_node curl -sS -g --max-time 5 "$BASE$1"; }
status_of() { local path=$1; shift; in_node curl -s -g -o /dev/null --max-time 5 -w '%{http_code}' "$@" "$BASE$path"; }
# The value of one sample, named exactly as the page writes it (no spaces).
metric() { scrape /metrics | awk -v k="$1" '$1 == k { print $2; found = 1 } END { if (!found) print "absent" }'; }
# Poll until a sample has a value (a shell test, e.g. "-eq 5").
wait_metric() { wait_for "[ \"\$(metric '$1')\" $2 ] 2>/dev/null" "${3:-10}"; }
PKTS='podroute_packets_total{network="default",network_id="1",reason="redirect"}'
BYTES='podroute_bytes_total{network="default",network_id="1",reason="redirect"}'
entries() { metric "podroute_map_entries{map=\"$1\"}"; }
cli_routes() { node_podroute -j routes "$1" | jq length; }

# Refusals before anything is touched: no datapath is loaded, no pin made.
out=$(node_podroute agent --config "$cfg" --metrics-listen 300.1.1.1:9474 2>&1); rc=$?
[ "$rc" -eq 2 ] && grep -q '"300.1.1.1": not a numeric IPv4 address' <<<"$out" ||
	fail "bad address: exit $rc, '$out'"
out=$(node_podroute agent --config "$cfg" --metrics-listen '::1:9474' 2>&1); rc=$?
[ "$rc" -eq 2 ] && grep -q 'brackets' <<<"$out" || fail "unbracketed IPv6: exit $rc, '$out'"
[ -e "$PIN_DIR" ] && fail "a refused start left pins"

start_agent "$LISTEN" || fail "agent did not start"
wait_for "[ \"\$(status_of /healthz)\" = 200 ]" 10 || fail "healthz not 200: $(scrape /healthz)"
[ "$(scrape /healthz)" = ok ] || fail "healthz body: $(scrape /healthz)"
[ "$(status_of /readyz)" = 200 ] || fail "readyz not 200: $(scrape /readyz)"

# A second agent on the same address refuses, naming it; the first serves on.
out=$(timeout 20 nsenter --net=/run/netns/"$NS_NODE" "$PODROUTE" --pin-dir "$PIN_DIR" agent \
	--config "$cfg" --metrics-listen "$LISTEN" 2>&1); rc=$?
[ "$rc" -eq 1 ] && grep -q "cannot listen on $LISTEN: Address already in use" <<<"$out" ||
	fail "port in use: exit $rc, '$out'"
kill -0 "$AGENT_PID" || fail "the first agent died"

# The page itself: content type, HEAD, unknown paths and methods.
hdr=$(in_node curl -sS -I --max-time 5 "$BASE/metrics")
grep -qi '^content-type: text/plain; version=0.0.4' <<<"$hdr" || fail "content type: $hdr"
[ "$(status_of /metrics -X POST)" = 405 ] || fail "POST not refused"
in_node curl -s -D - -o /dev/null -X DELETE --max-time 5 "$BASE/healthz" | grep -qi '^allow: GET, HEAD' ||
	fail "405 without Allow"
[ "$(status_of /nope)" = 404 ] || fail "unknown path not 404"
[ "$(status_of /metrics/x)" = 404 ] || fail "/metrics/x not 404"
page=$(scrape /metrics)
grep -q '^# TYPE podroute_route_to_map_latency_seconds histogram$' <<<"$page" || fail "no latency histogram"
grep -q '^podroute_build_info{version="[^"]*",abi="[0-9]*"} 1$' <<<"$page" || fail "no build info"
grep -q "^podroute_kernel_info{release=\"$(uname -r)\"," <<<"$page" || fail "no kernel info"
# Probed, not read off the version: this kernel takes a VRF table id
# (the prog suite's FIB cases in table 100 prove it independently).
grep -q "^podroute_kernel_info{.*vrf_fib_lookup=\"true\"," <<<"$page" || fail "the VRF FIB probe says no on $(uname -r)"
# Whether XDP may write metadata: as the CLI's own probe says (kernel builds
# differ; the prog suite's hand-off cases prove what each answer does).
meta=$("$PODROUTE" --version --json | jq -r .kernel.xdp_metadata)
grep -q "^podroute_kernel_info{.*,xdp_metadata=\"$meta\"} 1" <<<"$page" ||
	fail "podroute_kernel_info's xdp_metadata is not the probe's $meta"
grep -qE '^podroute_attached\{interface="in0",role="underlay",hook="(xdp|tc)",mode="[a-z]+"\} 1$' <<<"$page" ||
	fail "in0 not shown attached"
[ "$(metric podroute_reconciles_total)" -ge 1 ] || fail "no reconcile counted"
[ "$(metric podroute_reconcile_duration_seconds_count)" -ge 1 ] || fail "reconcile histogram empty"
[ "$(metric podroute_healthy)" = 1 ] || fail "podroute_healthy not 1"

# Occupancy: what the maps hold, as the CLI lists it.
[ "$(entries pr_routes4)" = "$(cli_routes -4)" ] && [ "$(entries pr_routes4)" = 1 ] ||
	fail "pr_routes4 entries $(entries pr_routes4), CLI lists $(cli_routes -4)"
[ "$(entries pr_routes6)" = 0 ] || fail "pr_routes6 entries $(entries pr_routes6)"
[ "$(entries pr_ifaces)" = 1 ] && [ "$(entries pr_nets)" = 1 ] ||
	fail "pr_ifaces $(entries pr_ifaces), pr_nets $(entries pr_nets)"
[ "$(metric 'podroute_map_capacity{map="pr_nets"}')" = 256 ] || fail "pr_nets capacity"

# Traffic through the fast path: every echo request is one redirect.
N=40 FRAME=98 # 56-byte payload + ICMP 8 + IPv4 20 + Ethernet 14
[ "$(metric "$PKTS")" = 0 ] || fail "redirect counter not 0 before traffic: $(metric "$PKTS")"
in_ns "$NS_CLIENT" ip route replace 10.128.0.0/16 via 192.0.2.1
in_ns "$NS_CLIENT" ping -q -c $N -i 0.01 -W 2 10.128.1.5 >"$dir/ping.txt" 2>&1
grep -q " 0% packet loss" "$dir/ping.txt" || fail "pings lost: $(grep loss "$dir/ping.txt")"
wait_metric "$PKTS" "-eq $N" || fail "redirect packets $(metric "$PKTS"), sent $N"
[ "$(metric "$BYTES")" -eq $((N * FRAME)) ] || fail "redirect bytes $(metric "$BYTES"), expected $((N * FRAME))"
cli=$(node_podroute -j stats --net 1 | jq '[.[] | select(.reason == "redirect") | .bytes] | add')
[ "$cli" = "$(metric "$BYTES")" ] || fail "podroute stats says $cli bytes, metrics $(metric "$BYTES")"

# A BGP-learned route: one more prefix, a next hop, a latency observation.
lat0=$(metric podroute_route_to_map_latency_seconds_count)
ip -n "$NS_NODE" route add 10.200.0.0/16 via 192.0.2.12 dev in0 proto bgp
wait_metric 'podroute_map_entries{map="pr_routes4"}' "-eq 2" || fail "learned route not counted"
[ "$(cli_routes -4)" = 2 ] || fail "CLI lists $(cli_routes -4) IPv4 prefixes"
[ "$(entries pr_nhgrps)" -ge 1 ] && [ "$(entries pr_nexthops)" -ge 1 ] ||
	fail "next hops not counted: groups $(entries pr_nhgrps), next hops $(entries pr_nexthops)"
[ "$(metric podroute_learned_routes)" = 1 ] || fail "learned routes $(metric podroute_learned_routes)"
[ "$(metric podroute_route_to_map_latency_seconds_count)" -gt "$lat0" ] || fail "route latency not observed"
# The lookup index is rebuilt once the writes pause and holds both prefixes.
wait_metric 'podroute_lookup_index_active{family="ipv4"}' "-eq 1" || fail "lookup index not current"
wait_metric 'podroute_lookup_index_entries{family="ipv4"}' "-ge 2" ||
	fail "lookup index holds $(metric 'podroute_lookup_index_entries{family="ipv4"}') entries"
[ "$(metric podroute_lookup_index_builds_total)" -ge 1 ] || fail "no lookup index build counted"
wait_metric 'podroute_lookup_index_changed_prefixes{family="ipv4"}' "-eq 0" ||
	fail "the rebuilt index still sends $(metric 'podroute_lookup_index_changed_prefixes{family="ipv4"}') changed prefixes to the trie"
# From one scrape: the agent may observe more between two.
page=$(scrape /metrics)
inf=$(awk '$1 == "podroute_route_to_map_latency_seconds_bucket{le=\"+Inf\"}" { print $2 }' <<<"$page")
cnt=$(awk '$1 == "podroute_route_to_map_latency_seconds_count" { print $2 }' <<<"$page")
[ -n "$inf" ] && [ "$inf" = "$cnt" ] || fail "+Inf bucket ($inf) differs from _count ($cnt)"
ip -n "$NS_NODE" route del 10.200.0.0/16
wait_metric 'podroute_map_entries{map="pr_routes4"}' "-eq 1" || fail "deleted route still counted"
[ "$(cli_routes -4)" = 1 ] || fail "CLI lists $(cli_routes -4) IPv4 prefixes after the delete"

# A refused config.
loads0=$(metric podroute_config_loads_total) fails0=$(metric podroute_config_load_failures_total)
printf 'interfaces:\n  underlay: [in0]\nnetworks:\n  - name: default\n    prefixes: [10.128.1.1/24]\n    target: {action: pass}\n' >"$cfg.new"
mv "$cfg.new" "$cfg"
wait_metric podroute_config_load_failures_total "-eq $((fails0 + 1))" || fail "config failure not counted"
[ "$(metric podroute_last_config_load_success)" = 0 ] || fail "success gauge not 0"
[ "$(metric podroute_config_loads_total)" -gt "$loads0" ] || fail "config loads not counted"
scrape /metrics | grep -qF 'podroute_last_config_error_info{error="'"$cfg"':5:' ||
	fail "error info without the file: $(scrape /metrics | grep error_info)"
scrape /metrics | grep -qF 'bad prefix \"10.128.1.1/24\"' || fail "error text not escaped: $(scrape /metrics | grep error_info)"
[ "$(status_of /readyz)" = 503 ] || fail "readyz not 503 with a refused config"
scrape /readyz | grep -q 'the last config load failed: .*bad prefix' || fail "readyz reason: $(scrape /readyz)"
[ "$(status_of /healthz)" = 200 ] || fail "a refused config made healthz fail: $(scrape /healthz)"
[ "$(metric "$PKTS")" = $N ] || fail "counters changed by a refused config"
write_cfg
wait_metric podroute_last_config_load_success "= 1" || fail "success gauge not back to 1"
scrape /metrics | grep -qx 'podroute_last_config_error_info{error=""} 1' || fail "error text not cleared"
[ "$(status_of /readyz)" = 200 ] || fail "readyz not back to 200: $(scrape /readyz)"
# The renderer's refusals, as the sidecar writes them into the file: a
# gauge, which changes no map (the same config otherwise).
[ "$(metric podroute_config_refused_objects)" = 0 ] || fail "refused objects without any"
{ cat "$cfg"; echo "refused_objects: 3"; } >"$cfg.new" && mv "$cfg.new" "$cfg"
wait_metric podroute_config_refused_objects "= 3" || fail "the renderer's refusals not exported"
write_cfg
wait_metric podroute_config_refused_objects "= 0" || fail "refusals gone, gauge not back to 0"

# IPv6: a restarted agent on [::]; then detach the datapath under it.
stop_agent
BASE='http://[::1]:9475'
start_agent '[::]:9475' || fail "agent on [::]:9475 did not start"
grep -q 'serving /metrics, /healthz, /readyz on \[::\]:9475' "$AGENT_LOG" || fail "IPv6 listen not logged"
wait_for "[ \"\$(status_of /healthz)\" = 200 ]" 10 || fail "healthz over IPv6: $(scrape /healthz)"
[ "$(metric "$PKTS")" = $N ] || fail "counters not read from the adopted maps: $(metric "$PKTS")"
node_podroute detach in0 >/dev/null 2>&1 || fail "detach"
[ "$(status_of /healthz)" = 503 ] || fail "healthz not 503 after detach"
scrape /healthz | grep -q '^in0 (underlay): not attached' || fail "healthz reason: $(scrape /healthz)"
[ "$(metric podroute_healthy)" = 0 ] || fail "podroute_healthy not 0"
scrape /metrics | grep -q '^podroute_attached{interface="in0"' && fail "in0 still shown attached"
[ "$(metric 'podroute_interface_ok{interface="in0",role="underlay"}')" = 0 ] || fail "interface_ok not 0"
kill -0 "$AGENT_PID" || fail "agent died"
stop_agent
# No --metrics-listen: the default, 127.0.0.1:9473 (a restart re-attaches).
BASE=http://127.0.0.1:9473
start_agent "" || fail "agent with the default address did not start"
wait_for "[ \"\$(status_of /healthz)\" = 200 ]" 10 || fail "healthz on the default address: $(scrape /healthz)"
stop_agent
echo "metrics: $N redirects = $N packets/$((N * FRAME)) bytes; occupancy follows routes; config failure" \
	"counted and escaped; healthz/readyz follow attach and config; IPv6 listen"
exit 0
