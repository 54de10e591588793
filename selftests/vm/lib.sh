# SPDX-License-Identifier: GPL-2.0-only
# shellcheck shell=bash
# Shared by the VM tests (sourced): verdict helpers in kselftest style, the
# folder holding the suite's own BPF objects, and cleanup actions run in
# reverse order of registration whatever way the test ends.
#
#   fail MSG...      print "FAIL: MSG" and exit 1
#   skip MSG...      print the reason (last line) and exit 4
#   need CMD...      skip unless every command exists
#   vm_obj NAME      set VM_OBJ to build/vm/NAME.bpf.o (built on the host
#                    by run-tests.sh); skips when it is missing
#   on_exit CMD      run CMD (a string, eval'd) when the test ends
#   wait_bound NS PORT PROTO...
#                    wait (up to 10 s, else fail) until a socket in
#                    namespace NS is bound to PORT for each PROTO (udp, tcp)
set -u
PODROUTE_REPO=${PODROUTE_REPO:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}
VM_OBJ_DIR=${PODROUTE_VM_OUT:-$PODROUTE_REPO/build/vm}

fail() { echo "FAIL: $*"; exit 1; }
skip() { echo "$*"; exit 4; }
need() {
	local c
	for c in "$@"; do command -v "$c" >/dev/null || skip "$c not installed"; done
}
vm_obj() {
	VM_OBJ=$VM_OBJ_DIR/$1.bpf.o
	[ -f "$VM_OBJ" ] || skip "$VM_OBJ missing (run-tests.sh builds it on the host)"
}

wait_bound() {
	local ns=$1 port=$2 p
	shift 2
	for p in "$@"; do
		for _ in $(seq 200); do
			ip netns exec "$ns" ss -Hln --"$p" "sport = :$port" | grep -q . && continue 2
			sleep 0.05
		done
		fail "$ns: nothing bound to $p port $port"
	done
}

_on_exit=()
on_exit() { _on_exit+=("$1"); }
_run_on_exit() {
	local i
	for ((i = ${#_on_exit[@]} - 1; i >= 0; i--)); do eval "${_on_exit[$i]}" >/dev/null 2>&1; done
}
trap _run_on_exit EXIT
