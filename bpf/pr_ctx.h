/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The few things that differ between XDP and TC: how to reach the packet,
 * which device it arrived on, how to redirect, and the verdict codes.
 * Every function takes `is_xdp` as a compile-time constant; with
 * __always_inline the other branch is dead code and the verifier never
 * sees a helper the program type may not call.
 */
#ifndef PR_CTX_H
#define PR_CTX_H

#include <stdbool.h>
#include <linux/bpf.h>
#include <linux/pkt_cls.h>
#include <bpf/bpf_helpers.h>

#include "pr_maps.h"
#include "pr_parse.h"

/* Headers we may read in TC: Ethernet, IPv4 with options or IPv6, L4 ports. */
#define PR_TC_PULL_LEN (sizeof(struct ethhdr) + 60 + 8)

static __always_inline int pr_verdict_pass(bool is_xdp)
{
	return is_xdp ? XDP_PASS : TC_ACT_OK;
}

static __always_inline int pr_verdict_drop(bool is_xdp)
{
	return is_xdp ? XDP_DROP : TC_ACT_SHOT;
}

/* Fill data pointers and frame length. TC: make the headers linear first. */
static __always_inline void pr_ctx_load(void *ctx, bool is_xdp, struct pr_pkt *p)
{
	if (is_xdp) {
		struct xdp_md *x = ctx;

		p->data = (void *)(long)x->data;
		p->data_end = (void *)(long)x->data_end;
		p->pkt_len = p->data_end - p->data;
	} else {
		struct __sk_buff *skb = ctx;
		__u32 want = skb->len < PR_TC_PULL_LEN ? skb->len : PR_TC_PULL_LEN;

		if ((__u32)(skb->data_end - skb->data) < want)
			bpf_skb_pull_data(skb, want);
		p->data = (void *)(long)skb->data;
		p->data_end = (void *)(long)skb->data_end;
		p->pkt_len = skb->len;
	}
}

static __always_inline __u32 pr_ctx_ifindex(void *ctx, bool is_xdp)
{
	return is_xdp ? ((struct xdp_md *)ctx)->ingress_ifindex : ((struct __sk_buff *)ctx)->ifindex;
}

/* A MAC address as one 32-bit and one 16-bit move rather than six byte
 * moves (clang knows no alignment for a __u8 array; the verifier allows
 * unaligned access to packets and map values where the CPU does it
 * efficiently, which the programs' targets all do, but not to the stack). */
static __always_inline void pr_mac_copy(__u8 *dst, const __u8 *src)
{
	*(__u32 *)dst = *(const __u32 *)src;
	*(__u16 *)(dst + 4) = *(const __u16 *)(src + 4);
}

/* The same, as a 16- then a 32-bit move: for an address at an offset of 2
 * modulo 4 on the stack. */
static __always_inline void pr_mac_copy_at2(__u8 *dst, const __u8 *src)
{
	*(__u16 *)dst = *(const __u16 *)src;
	*(__u32 *)(dst + 2) = *(const __u32 *)(src + 2);
}

/* Write the Ethernet header of the next hop (the frame is untagged: see
 * pr_parse_l2). Returns 0, or -1 if the frame could not be rewritten. */
static __always_inline int pr_ctx_rewrite_l2(void *ctx, bool is_xdp, const __u8 *dmac, const __u8 *smac)
{
	void *data = is_xdp ? (void *)(long)((struct xdp_md *)ctx)->data
			    : (void *)(long)((struct __sk_buff *)ctx)->data;
	void *data_end = is_xdp ? (void *)(long)((struct xdp_md *)ctx)->data_end
				: (void *)(long)((struct __sk_buff *)ctx)->data_end;
	struct ethhdr *eth = data;

	if ((void *)(eth + 1) > data_end)
		return -1;
	pr_mac_copy(eth->h_dest, dmac);        /* dmac, smac: struct pr_tx's */
	pr_mac_copy_at2(eth->h_source, smac);
	return 0;
}

/*
 * Whether this kernel lets XDP programs call bpf_xdp_adjust_meta(), which
 * carries the hand-off to TC. Some kernel builds refuse the helper to XDP
 * ("program of this type cannot use helper"), and with it the whole
 * program. The loader asks the kernel and writes this before the load
 * (pr_kernel_caps_apply, user/kernel/features.h): a constant of frozen
 * .rodata, so that where it is false the verifier never visits the calls.
 */
const volatile bool pr_kcap_xdp_meta = true;

/* XDP: reserve the metadata for a TC hand-off before touching the packet. */
static __always_inline struct pr_xdp_meta *pr_xdp_reserve_meta(struct xdp_md *x)
{
	struct pr_xdp_meta *m;

	if (bpf_xdp_adjust_meta(x, -(int)sizeof(*m)))
		return NULL;
	m = (void *)(long)x->data_meta;
	if ((void *)(m + 1) > (void *)(long)x->data)
		return NULL;
	return m;
}

/* XDP: give the reservation back (the packet takes another path). */
static __always_inline void pr_xdp_release_meta(struct xdp_md *x)
{
	bpf_xdp_adjust_meta(x, (int)sizeof(struct pr_xdp_meta));
}

/* TC: the hand-off our XDP program left, or NULL. */
static __always_inline struct pr_xdp_meta *pr_tc_meta(struct __sk_buff *skb)
{
	struct pr_xdp_meta *m = (void *)(long)skb->data_meta;

	if ((void *)(m + 1) > (void *)(long)skb->data)
		return NULL;
	return m->magic == PR_META_MAGIC ? m : NULL;
}

#endif /* PR_CTX_H */
