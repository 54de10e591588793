#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# The agent's start-up, as Kubernetes sees it:
#  - a config refused at start leaves nothing behind: no pinned map (their
#    sizes would be fixed for the next start);
#  - a device the config names that is not there yet (br-ex before OVS is
#    up) is a wait, not an exit: the agent runs, /healthz answers 200 (no
#    restart loop), /readyz 503 naming the device; once the device appears
#    the agent attaches to it and /readyz turns 200.
set -u
. "$(dirname "$0")/lib/topo.sh"
agent_test_begin startup
cfg=$dir/config.yaml
listen=127.0.0.1:19473
code() { in_ns "$NS_NODE" curl -s -o /dev/null -w '%{http_code}' "http://$listen/$1"; }

# 1. Refused at start: nothing pinned.
printf 'interfaces:\n  underlay: [in0\nnetworks: []\n' >"$cfg"
rm -rf "$PIN_DIR"
nsenter --net=/run/netns/"$NS_NODE" "$PODROUTE" --pin-dir "$PIN_DIR" agent --config "$cfg" \
	--metrics-listen none >"$AGENT_LOG" 2>&1 && fail "an invalid config started the agent"
grep -q "config rejected, not starting" "$AGENT_LOG" || fail "no refusal said: $(cat "$AGENT_LOG")"
[ -z "$(ls -A "$PIN_DIR" 2>/dev/null)" ] || fail "a refused start left pins: $(ls "$PIN_DIR" | tr '\n' ' ')"

# 2. br-ex not there yet: wait, alive but not ready; attach when it comes.
pod_config "$cfg" "  brex: brex0"
: >"$AGENT_LOG"
nsenter --net=/run/netns/"$NS_NODE" "$PODROUTE" --pin-dir "$PIN_DIR" agent --config "$cfg" \
	--metrics-listen "$listen" >>"$AGENT_LOG" 2>&1 &
AGENT_PID=$!
wait_for "grep -q 'agent running' '$AGENT_LOG'" 20 || fail "the agent did not run while waiting for brex0"
grep -q "waiting, not ready.*brex0" "$AGENT_LOG" || fail "the agent did not say what it waits for"
[ "$(code healthz)" = 200 ] || fail "/healthz $(code healthz) while waiting (kubelet would restart it)"
[ "$(code readyz)" = 503 ] || fail "/readyz $(code readyz) while waiting"
in_ns "$NS_NODE" curl -s "http://$listen/readyz" | grep -q "waiting for.*brex0" || fail "/readyz does not name brex0"
ip -n "$NS_NODE" link add brex0 type bridge && ip -n "$NS_NODE" link set brex0 up
wait_for "grep -q 'brex0: attached' '$AGENT_LOG'" 10 || fail "brex0 appeared, the agent did not attach"
wait_for "[ \$(code readyz) = 200 ]" 10 || fail "/readyz $(code readyz) after brex0 appeared: $(in_ns "$NS_NODE" curl -s "http://$listen/readyz")"
in_ns "$NS_NODE" tc filter show dev brex0 ingress | grep -q bpf || fail "no TC program on brex0"
kill "$AGENT_PID"; wait "$AGENT_PID"; AGENT_PID=
echo "refused config: exit, nothing pinned; missing brex0: alive (healthz 200), not ready (readyz 503), attached when it appeared"
