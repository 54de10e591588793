#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# libxdp's multi-program dispatcher works on this kernel (it needs
# freplace, which the host kernel refuses): xdp_count_a and xdp_count_b,
# loaded one after the other with `xdp-loader load` on the same veth, are
# both listed by `xdp-loader status` behind one dispatcher in native mode,
# both see the frames of a ping across that veth (each counts them in its
# own global), and `xdp-loader unload --all` leaves the veth bare.
# podroute relies on this to share an interface with other XDP users.
. "$(dirname "$0")/../lib.sh"
need xdp-loader bpftool jq nsenter ping
vm_obj xdp_count

nsa=vmxdp-a-$$ nsb=vmxdp-b-$$
for n in "$nsa" "$nsb"; do
	ip netns add "$n" || fail "netns $n"
	on_exit "ip netns del $n"
done
# nsenter, not `ip netns exec`: libxdp pins its dispatcher in bpffs, which
# the latter hides by remounting /sys.
ina() { nsenter --net=/run/netns/"$nsa" "$@"; }
[ -d /sys/fs/bpf/xdp ] || on_exit "rmdir /sys/fs/bpf/xdp"
ip -n "$nsa" link add x0 type veth peer name x1 netns "$nsb"
ip -n "$nsa" addr add 10.70.0.1/24 dev x0
ip -n "$nsb" addr add 10.70.0.2/24 dev x1
ip -n "$nsa" link set x0 up
ip -n "$nsb" link set x1 up
on_exit "nsenter --net=/run/netns/$nsa xdp-loader unload x0 --all"

ina xdp-loader load -m native -n xdp_count_a x0 "$VM_OBJ" || fail "xdp-loader load xdp_count_a"
ina xdp-loader load -m native -n xdp_count_b x0 "$VM_OBJ" || fail "xdp-loader load xdp_count_b"
status=$(ina xdp-loader status x0) || fail "xdp-loader status"
printf '%s\n' "$status" | sed 's/^/  /'
grep -q 'xdp_dispatcher.*native' <<<"$status" || fail "no dispatcher in native mode on x0"
for p in xdp_count_a xdp_count_b; do
	grep -q "=> .*$p" <<<"$status" || fail "$p is not listed behind the dispatcher"
done

# Each program's own counter, from the .bss of the object instance it was
# loaded from (each xdp-loader run loads its own copy of the object).
count() { # PROG VARIABLE
	local id
	for id in $(bpftool -j prog show name "$1" | jq '.. | objects | .map_ids? // empty | .[]'); do
		bpftool -j map show id "$id" | jq -e '.name | endswith(".bss")' >/dev/null || continue
		bpftool -j map dump id "$id" | jq "[.. | objects | .$2? // empty] | first // 0"
		return
	done
	echo 0
}
a0=$(count xdp_count_a count_a)
b0=$(count xdp_count_b count_b)
ip netns exec "$nsb" ping -c 3 -i 0.2 -W 5 10.70.0.1 >/dev/null || fail "no ping across x0 with two XDP programs passing"
a1=$(count xdp_count_a count_a)
b1=$(count xdp_count_b count_b)
[ $((a1 - a0)) -ge 3 ] || fail "xdp_count_a saw $((a1 - a0)) frames of the ping, want >= 3"
[ $((b1 - b0)) -ge 3 ] || fail "xdp_count_b saw $((b1 - b0)) frames of the ping, want >= 3"
echo "both ran: xdp_count_a saw $((a1 - a0)) frames, xdp_count_b $((b1 - b0))"

ina xdp-loader unload x0 --all || fail "xdp-loader unload --all"
ip -n "$nsa" link show x0 | grep -q 'prog/xdp' && fail "an XDP program is still on x0 after unload --all"
echo "unloaded: x0 bare again"
