#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# The agent's health for Kubernetes probes does not depend on the metrics
# listener (issue 13, item 5):
#  - `podroute health` (liveness) and `--ready` read the file the agent's
#    loop rewrites every second: 0 while healthy;
#  - 40 slow clients holding the metrics port (headers dribbled forever)
#    do not make it fail: 10 of 10 answers 0, each within 2 s; the HTTP
#    listener takes at most 4 of their connections (per-client limit);
#  - a stopped loop (SIGSTOP) is seen: stale after --max-age, back after
#    SIGCONT.
set -u
. "$(dirname "$0")/lib/topo.sh"
slow=()
agent_test_cleanup() { for p in "${slow[@]}"; do kill "$p" 2>/dev/null; done; }
agent_test_begin health
hf=$dir/health port=19475
cfg=$dir/config.yaml
pod_config "$cfg"
: >"$AGENT_LOG"
nsenter --net=/run/netns/"$NS_NODE" "$PODROUTE" --pin-dir "$PIN_DIR" agent --config "$cfg" \
	--metrics-listen 127.0.0.1:$port --health-file "$hf" >>"$AGENT_LOG" 2>&1 &
AGENT_PID=$!
wait_for "grep -q 'agent running' '$AGENT_LOG'" 20 || fail "agent did not start"
health() { "$PODROUTE" health --file "$hf" "$@" >"$dir/out" 2>&1; }
wait_for "health" 5 || fail "podroute health: $(cat "$dir/out")"
wait_for "health --ready" 10 || fail "podroute health --ready: $(cat "$dir/out")"

# 40 clients that open a request and never finish its headers.
for i in $(seq 40); do
	ip netns exec "$NS_NODE" bash -c "exec 3<>/dev/tcp/127.0.0.1/$port || exit 0
		printf 'GET /healthz HTTP/1.1\r\nHost: x\r\n' >&3
		while printf 'X-Slow-$i: y\r\n' >&3 2>/dev/null; do sleep 1; done" 2>/dev/null &
	slow+=($!)
done
wait_for "[ \$(ip netns exec $NS_NODE ss -Htn state established '( sport = :$port )' | wc -l) -ge 1 ]" 5 ||
	fail "no slow client got in"
ok=0
for i in $(seq 10); do
	t0=$(date +%s%N)
	health && [ $((($(date +%s%N) - t0) / 1000000)) -lt 2000 ] && ok=$((ok + 1))
	sleep 0.2
done
[ "$ok" -eq 10 ] || fail "podroute health answered 0 within 2 s $ok of 10 times under 40 slow clients: $(cat "$dir/out")"
held=$(ip netns exec "$NS_NODE" ss -Htn state established "( sport = :$port )" | wc -l)
[ "$held" -le 4 ] || fail "the metrics listener holds $held connections of one client (limit 4)"
for p in "${slow[@]}"; do kill "$p" 2>/dev/null; done
slow=()

# A stopped loop goes stale; a resumed one is healthy again.
kill -STOP "$AGENT_PID"
wait_for "! \"$PODROUTE\" health --file '$hf' --max-age 3 >'$dir/out' 2>&1" 10 || fail "a stopped agent still looks alive"
grep -q "stale" "$dir/out" || fail "the failure does not say stale: $(cat "$dir/out")"
kill -CONT "$AGENT_PID"
wait_for "health --max-age 3" 5 || fail "the resumed agent is not healthy again: $(cat "$dir/out")"
kill "$AGENT_PID"; wait "$AGENT_PID"; AGENT_PID=
echo "health: 10/10 under 40 slow clients (the listener held $held of their connections); stopped loop stale within 10 s, healthy after SIGCONT"
