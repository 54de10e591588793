#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# Every program in every BPF object passes the verifier of this kernel
# (Debian 6.12): podroute's own build/*.bpf.o and the suite's test-only
# build/vm/*.bpf.o (which stand in while podroute's object is not built
# yet). For each object, `bpftool prog loadall` must pin exactly the
# programs the object holds, by name; the programs are the global
# functions outside .text (subprograms live in .text). Pins, including
# maps libbpf pins by name at bpffs' top, are removed afterwards, but only
# those this test created.
. "$(dirname "$0")/../lib.sh"
need bpftool llvm-objdump
mountpoint -q /sys/fs/bpf || fail "bpffs is not mounted on /sys/fs/bpf"

objs=()
for o in "$PODROUTE_REPO"/build/*.bpf.o "$VM_OBJ_DIR"/*.bpf.o; do
	[ -f "$o" ] && objs+=("$o")
done
[ "${#objs[@]}" -gt 0 ] || skip "no BPF object in build/ or $VM_OBJ_DIR (run make first)"
own=$(find "$PODROUTE_REPO"/build -maxdepth 1 -name '*.bpf.o' | wc -l)
[ "$own" -gt 0 ] || echo "note: no build/*.bpf.o yet; checking the suite's stand-ins only"

# Maps declared with LIBBPF_PIN_BY_NAME get pinned as /sys/fs/bpf/<map>:
# remove those that were not there before, and nothing else.
top_before=$(ls /sys/fs/bpf)
map_names=$(for o in "${objs[@]}"; do llvm-objdump -t "$o" | awk '$4 == ".maps" {print $NF}'; done | sort -u)
drop_new_map_pins() {
	local m
	for m in $map_names; do
		grep -qxF "$m" <<<"$top_before" || rm -f "/sys/fs/bpf/$m"
	done
}
on_exit drop_new_map_pins

bad=0 total=0
for o in "${objs[@]}"; do
	name=$(basename "$o" .bpf.o)
	want=$(llvm-objdump -t "$o" |
		awk '$2 ~ /g/ && $3 == "F" && $4 != ".text" {print $NF}' | sort)
	if [ -z "$want" ]; then
		echo "$o: holds no program"
		bad=$((bad + 1))
		continue
	fi
	dir=/sys/fs/bpf/vmload-$$-$name
	if ! bpftool prog loadall "$o" "$dir" >/dev/null 2>&1; then
		# Again with the verifier's log (slow under emulation: only now).
		rm -rf "$dir"
		echo "$o: rejected on $(uname -r); the end of the verifier's log:"
		bpftool -d prog loadall "$o" "$dir" 2>&1 | grep -v '^libbpf: elf:' |
			tail -n 40 | sed 's/^/  /'
		bad=$((bad + 1))
		rm -rf "$dir"
		continue
	fi
	got=$(ls "$dir" | sort)
	rm -rf "$dir"
	if [ "$got" != "$want" ]; then
		echo "$o: the object holds [$(echo $want)] but loadall pinned [$(echo $got)]"
		bad=$((bad + 1))
		continue
	fi
	total=$((total + $(wc -l <<<"$want")))
	echo "$o: $(echo $want) loaded"
done
drop_new_map_pins
[ "$bad" -eq 0 ] || fail "$bad of ${#objs[@]} objects did not load completely"
echo "$total programs in ${#objs[@]} objects pass the verifier of $(uname -r)"
