// SPDX-License-Identifier: GPL-2.0-only
/*
 * podroute's programs: thin wrappers that bind the one decision in
 * pr_datapath.h to an attach point. Named by where they attach:
 *
 *   xdp_underlay  XDP on the underlay NIC: ingress to advertised prefixes
 *   tc_ingress    TC ingress on br-ex and on the NIC: the same decision in
 *                 skb context, or, where xdp_underlay runs, the redirect
 *                 XDP handed over for targets without ndo_xdp_xmit
 *   xdp_ovn       XDP on an OVN-facing veth: east-west to BGP next hops
 *   tc_ovn        TC ingress on ovn-k8s-mpX (OVS internal port): the same
 */
#include "pr_datapath.h"

SEC("xdp")
int xdp_underlay(struct xdp_md *ctx)
{
	return pr_process(ctx, true, PR_SIDE_UNDERLAY);
}

SEC("tc")
int tc_ingress(struct __sk_buff *skb)
{
	return pr_process(skb, false, PR_SIDE_UNDERLAY);
}

SEC("xdp")
int xdp_ovn(struct xdp_md *ctx)
{
	return pr_process(ctx, true, PR_SIDE_OVN);
}

SEC("tc")
int tc_ovn(struct __sk_buff *skb)
{
	return pr_process(skb, false, PR_SIDE_OVN);
}

char LICENSE[] SEC("license") = "GPL";
