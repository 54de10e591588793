// SPDX-License-Identifier: GPL-2.0-only
/*
 * Benchmark floor: the datapath's own parser (Ethernet, VLANs, IPv4/IPv6
 * with the same checks) and nothing else, so that podroute's lookup and
 * decision cost is the difference between the two.
 */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

#include "pr_parse.h"

SEC("xdp")
int xdp_parse_only(struct xdp_md *ctx)
{
	struct pr_pkt p = {};

	p.data = (void *)(long)ctx->data;
	p.data_end = (void *)(long)ctx->data_end;
	p.pkt_len = p.data_end - p.data;
	if (pr_parse_l2(&p) || pr_parse_l3(&p))
		return XDP_PASS;
	return p.l4_proto == 255 ? XDP_DROP : XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
