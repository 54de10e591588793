// SPDX-License-Identifier: GPL-2.0-only
/*
 * Packet-rate benchmark programs. xdp_gen_tx runs under
 * BPF_PROG_TEST_RUN with BPF_F_TEST_XDP_LIVE_FRAMES on the sender's veth:
 * XDP_TX sends each frame to the peer, i.e. into the node under test.
 * xdp_rx_count sits on the receiver's veth and counts, then drops, what
 * arrives, so every variant (fast path, slow path) is counted the same
 * way, and the receiving veth runs NAPI, which a veth needs to accept
 * XDP-redirected frames.
 */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__type(key, __u32);
	__type(value, __u64);
	__uint(max_entries, 1);
} rx_count SEC(".maps");

SEC("xdp")
int xdp_gen_tx(struct xdp_md *ctx)
{
	return XDP_TX;
}

SEC("xdp")
int xdp_rx_count(struct xdp_md *ctx)
{
	__u32 zero = 0;
	__u64 *c = bpf_map_lookup_elem(&rx_count, &zero);

	if (c)
		(*c)++;
	return XDP_DROP;
}

char LICENSE[] SEC("license") = "GPL";
