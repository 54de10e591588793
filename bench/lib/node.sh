# SPDX-License-Identifier: GPL-2.0-only
# For the benches that run podroute's agent in selftests/net/lib/topo.sh's
# topology with many BGP routes (churn.sh, churn_live.sh, control_plane.sh).
# Source after topo.sh; $dir is the bench's scratch directory.

# bench_config FILE ROUTES: the agent's config, the pod's network behind
# mp0, room for ROUTES learned routes and some more.
bench_config() {
	cat >"$1" <<YAML
interfaces:
  underlay: [in0]
  force_xdp: true   # the live generator hands frames to the attached XDP program
limits:
  max_learned_routes: $(($2 + 10000))
networks:
  - name: default
    prefixes: [10.128.1.0/24]
    target: {port: mp0, mac: $POD_MAC}
YAML
	# The routes' gateway, pinned: no ARP in the measured path.
	ip -n "$NS_NODE" neigh replace 192.0.2.12 lladdr 02:00:00:00:aa:12 dev in0 nud permanent
}

# bench_agent_start CONFIG [AGENT OPTIONS...]: the agent on CPU 0, logging to
# $AGENT_LOG; sets AGENT_PID once it runs.
bench_agent_start() {
	# nsenter itself in the background, not a function: $! must be the agent.
	nsenter --net=/run/netns/"$NS_NODE" taskset -c 0 "$PODROUTE" --pin-dir "$PIN_DIR" agent --config "$1" \
		--metrics-listen none "${@:2}" >>"$AGENT_LOG" 2>&1 &
	AGENT_PID=$!
	wait_for "grep -q 'agent running' '$AGENT_LOG'" 20 || { cat "$AGENT_LOG"; return 1; }
}

# bench_routes_batch N FILE: N BGP /24s from 11.0.0.0/24 up, via 192.0.2.12 on
# in0, as `ip -batch` input.
bench_routes_batch() {
	local i
	for ((i = 0; i < $1; i++)); do
		echo "route add $((11 + i / 65536)).$((i / 256 % 256)).$((i % 256)).0/24 via 192.0.2.12 dev in0 proto bgp"
	done >"$2"
}

# bench_install_routes N: those routes into the node's kernel, then wait until
# the running agent has them all in its map.
bench_install_routes() {
	echo "== installing $1 routes"
	bench_routes_batch "$1" "$dir/routes.batch"
	ip -n "$NS_NODE" -batch "$dir/routes.batch" || { echo "cannot install the routes"; return 1; }
	wait_for "[ \$(bpftool map dump pinned '$PIN_DIR/pr_routes4' -j | jq length) -gt $1 ]" 60 ||
		{ echo "agent did not take the routes"; return 1; }
}

# bench_index_current: the IPv4 lookup index is on, with no change since its
# build.
bench_index_current() {
	[ "$(node_podroute -j status | jq '.lookup_index.ipv4 | .active and .changed == 0')" = true ]
}
