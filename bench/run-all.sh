#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# `make bench`: run every benchmark and keep its raw results, with the
# commit, kernel and CPU they were measured on, under bench/results/.
# Never part of `make check`.
set -euo pipefail
cd "$(dirname "$0")/.."
out=bench/results/$(date -u +%Y%m%dT%H%M%SZ)
mkdir -p "$out"
{
	echo "{\"commit\": \"$(git describe --always --dirty 2>/dev/null || echo unknown)\","
	echo " \"kernel\": \"$(uname -r)\","
	echo " \"cpu\": \"$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -1)\","
	echo " \"ncpu\": $(nproc)}"
} >"$out/machine.json"
echo "== verifier headroom: instructions processed per program on the host, 6.12 and 6.1 (verifier.sh) =="
# Counts, not timings: the VMs' emulation does not skew them. A program
# over the goal (exit 1) is a result too: it is in the report, and the run
# goes on; a kernel that could not be measured (exit 2) stops it.
bench/verifier.sh | tee "$out/verifier.txt" || [ "$?" -eq 1 ]
cp bench/results/verifier.json bench/results/verifier.md "$out/"
echo "== per-packet decision cost (BPF_PROG_TEST_RUN) =="
# Pin to the second CPU: the first one takes the interrupts and this shell.
taskset -c "$(( $(nproc) - 1 ))" build/bench/prog_cost -j >"$out/prog_cost.json"
taskset -c "$(( $(nproc) - 1 ))" build/bench/prog_cost | tee "$out/prog_cost.txt"
echo "== where the decision's nanoseconds go: cost per step of pr_process (prog_cost -s) =="
taskset -c "$(( $(nproc) - 1 ))" build/bench/prog_cost -s bench/results/prog_cost_steps.json -r 401 |
	tee "$out/prog_cost_steps.txt"
bench/report.sh prog_cost_steps
cp bench/results/prog_cost_steps.json bench/results/prog_cost_steps.md "$out/"
echo "== lookup and decision cost at 1 / 1k / 100k / 1M prefixes, random destinations (lookup_cost) =="
build/bench/lookup_cost && bench/report.sh lookup_cost | tee "$out/lookup_cost.txt"
cp bench/results/lookup_cost.json bench/results/lookup_cost.md "$out/"
[ -e bench/results/lookup_cost.png ] && cp bench/results/lookup_cost.png "$out/"
echo "== packet rate: fast path vs kernel forwarding (pktrate.sh) =="
# Exit 4: the kernel refuses live frames (pktgen probe-live); the VM's
# kernels are measured next, and the run goes on.
bench/pktrate.sh --json "$out/pktrate.json" | tee "$out/pktrate.txt" || [ "$?" -eq 4 ]
echo "== packet rate in a VM: podroute XDP vs OVS kernel datapath and kernel forwarding, about 10 min (pktrate_vm.sh) ==" && bench/pktrate_vm.sh --out "$out" | tee "$out/pktrate_vm.txt"
echo "== TCP request/response and stream, fast vs slow path (tcp_rr.sh) =="
bench/tcp_rr.sh | tee "$out/tcp_rr.txt"
cp bench/results/tcp_rr.json bench/results/tcp_rr.md "$out/"
echo "== churn: decisions for unchanged prefixes (100,000 routes, lookup index on) during route churn and full resyncs (churn.sh) =="
bench/churn.sh | tee "$out/churn.txt"
cp bench/results/churn.json bench/results/churn.md "$out/"
echo "== churn on live traffic: forwarding rate to the pod during 10k route changes/s (churn_live.sh) =="
if bench/churn_live.sh | tee "$out/churn_live.txt"; then
	cp bench/results/churn_live.json bench/results/churn_live.md "$out/"
else
	[ "$?" -eq 4 ] # not measured here, as pktrate.sh above; anything else stops the run
fi
echo "== control plane: route -> map latency, 100k cold start (control_plane.sh) =="
bench/control_plane.sh 1000 100000 | tee "$out/control_plane.txt"
cp bench/results/control_plane.json "$out/"
echo "== restart -> following: adopting the pinned programs vs loading again (restart.sh) =="
bench/restart.sh | tee "$out/restart.txt"
cp bench/results/restart.json bench/results/restart.md "$out/"
echo "== convergence from an FRR peer: 1k / 10k / 100k routes (convergence.sh) =="
bench/convergence.sh | tee "$out/convergence.txt"
cp bench/results/convergence.json bench/results/convergence.md "$out/"
echo "results in $out"
