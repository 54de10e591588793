# SPDX-License-Identifier: GPL-2.0-only
# FRR (zebra + bgpd) inside a network namespace, one instance per
# namespace, with its own config, pid files and sockets under
# /var/run/frr/<ns> (sourced). See the project's notes on FRR in netns.
#
#   frr_start NS CONFIG_TEXT   start zebra and bgpd with that config (and
#                              bfdd when a neighbor line asks for bfd)
#   frr_stop NS                stop them (also done by frr_stop_all)
#   frr_vtysh NS CMD...        run vtysh commands against that instance
#   frr_wait_established NS PEER [TIMEOUT]   wait for the BGP session
FRR_BIN=/usr/lib/frr
FRR_INSTANCES=()

frr_start() {
	local ns=$1 conf=$2 dir=/var/run/frr/$1
	mkdir -p "$dir"
	printf '%s\n' "$conf" >"$dir/frr.conf"
	chown -R frr:frr "$dir"
	FRR_INSTANCES+=("$ns")
	ip netns exec "$ns" "$FRR_BIN/zebra" -d -N "$ns" -f "$dir/frr.conf" -i "$dir/zebra.pid" \
		-z "$dir/zserv.api" --vty_socket "$dir" -A 127.0.0.1 2>>"$dir/start.log" || return 1
	ip netns exec "$ns" "$FRR_BIN/bgpd" -d -N "$ns" -f "$dir/frr.conf" -i "$dir/bgpd.pid" \
		-z "$dir/zserv.api" --vty_socket "$dir" -A 127.0.0.1 2>>"$dir/start.log" || return 1
	# bfdd only where the config asks for BFD; its control socket per instance.
	if grep -q ' bfd$' "$dir/frr.conf"; then
		ip netns exec "$ns" "$FRR_BIN/bfdd" -d -N "$ns" -f "$dir/frr.conf" -i "$dir/bfdd.pid" \
			-z "$dir/zserv.api" --vty_socket "$dir" --bfdctl "$dir/bfdd.sock" -A 127.0.0.1 \
			2>>"$dir/start.log" || return 1
	fi
}

frr_stop() {
	local ns=$1 dir=/var/run/frr/$1 p
	for d in bfdd bgpd zebra; do
		[ -f "$dir/$d.pid" ] || continue
		p=$(cat "$dir/$d.pid")
		kill "$p" 2>/dev/null
		for _ in $(seq 50); do kill -0 "$p" 2>/dev/null || break; sleep 0.1; done
		kill -9 "$p" 2>/dev/null
	done
	rm -rf "$dir"
}

frr_stop_all() {
	for ns in "${FRR_INSTANCES[@]}"; do frr_stop "$ns"; done
	FRR_INSTANCES=()
}

frr_vtysh() {
	local ns=$1; shift
	local args=()
	for c in "$@"; do args+=(-c "$c"); done
	vtysh --vty_socket "/var/run/frr/$ns" "${args[@]}"
}

# Poll the session state (the condition itself, not a fixed sleep).
frr_wait_established() {
	local ns=$1 peer=$2 timeout=${3:-60} i
	for ((i = 0; i < timeout * 4; i++)); do
		frr_vtysh "$ns" "show bgp neighbors $peer json" 2>/dev/null |
			jq -e ".\"$peer\".bgpState == \"Established\"" >/dev/null 2>&1 && return 0
		sleep 0.25
	done
	return 1
}
