// SPDX-License-Identifier: GPL-2.0-only
/*
 * Test-only XDP programs for the VM suite: xdp_count_a and xdp_count_b
 * each count the frames they see in a global of their own and pass them
 * on. test_xdp_multiprog.sh attaches both to one veth through libxdp's
 * dispatcher (which needs freplace, missing on the host kernel) and checks
 * that each of them ran; test_kernel_features.sh attaches one natively.
 */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

__u64 count_a;
__u64 count_b;

SEC("xdp")
int xdp_count_a(struct xdp_md *ctx)
{
	__sync_fetch_and_add(&count_a, 1);
	return XDP_PASS;
}

SEC("xdp")
int xdp_count_b(struct xdp_md *ctx)
{
	__sync_fetch_and_add(&count_b, 1);
	return XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
