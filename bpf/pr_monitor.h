/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Sampled decision events for `podroute monitor` (the maps and the lease:
 * include/podroute_abi.h, struct pr_monitor). Every exit of pr_process()
 * asks pr_monitor_wants(), inline: with no monitor running that is one
 * array load and a branch. Only when a monitor wants the packet is the
 * event built, by a global function per program type: the verifier checks
 * it once, on its own, instead of at every exit of every caller's paths,
 * so the datapath's verification cost barely moves. It reads the frame
 * again from the L3 offset it is given, with its own bounds checks, and
 * runs before the frame is rewritten (TTL as received).
 */
#ifndef PR_MONITOR_H
#define PR_MONITOR_H

#include <stdbool.h>
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/in.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/pkt_cls.h>
#include <bpf/bpf_endian.h>
#include <bpf/bpf_helpers.h>

#include "podroute_abi.h"
#include "pr_maps.h"

static __always_inline bool pr_monitor_wants(__u32 net_id)
{
	__u32 zero = 0;
	struct pr_monitor *m = bpf_map_lookup_elem(&pr_monitor, &zero);

	return m && m->until_ns && (!m->net_plus1 || m->net_plus1 == net_id + 1);
}

/* What pr_process() knows, packed into the five arguments a BPF function
 * may take: the L3 offset and family, and net, reason and verdict. */
#define PR_MON_L3(off, fam) ((__u32)(off) | (__u32)(fam) << 16)
#define PR_MON_WHAT(net, reason, verdict) \
	((__u32)(net) | (__u32)(reason) << 16 | (__u32)(verdict) << 24)

static __always_inline void pr_mon_emit(void *ctx, void *data, void *data_end, __u32 ifindex, __u32 len,
					__u32 l3, __u32 what, __u32 tx_ifindex)
{
	__u32 zero = 0, off = l3 & 0xffff, fam = l3 >> 16;
	struct pr_monitor *m = bpf_map_lookup_elem(&pr_monitor, &zero);
	struct pr_mon_budget *b = bpf_map_lookup_elem(&pr_mon_budget, &zero);
	struct pr_event ev = {};
	__u64 now = bpf_ktime_get_ns();
	__u32 l4off = 0;

	if (!m || !b || now > m->until_ns)
		return;
	if (m->sample > 1 && bpf_get_prandom_u32() % m->sample)
		return;
	if (now - b->window_ns >= 1000000000ULL) {
		b->window_ns = now;
		b->used = 0;
	}
	if (m->per_cpu_limit && b->used >= m->per_cpu_limit)
		return;
	b->used++;

	ev.ts_ns = now;
	ev.ifindex = ifindex;
	ev.tx_ifindex = tx_ifindex;
	ev.net_id = what & 0xffff;
	ev.reason = (what >> 16) & 0xff;
	ev.verdict = what >> 24;
	ev.pkt_len = len;
	if (off > 64)
		goto out;
	if (fam == 4) {
		struct iphdr *ip = data + off;

		if ((void *)(ip + 1) > data_end)
			goto out;
		ev.family = 4;
		ev.proto = ip->protocol;
		ev.ttl = ip->ttl;
		__builtin_memcpy(ev.saddr, &ip->saddr, 4);
		__builtin_memcpy(ev.daddr, &ip->daddr, 4);
		if (!(ip->frag_off & bpf_htons(0x1fff)))
			l4off = off + ip->ihl * 4;
	} else if (fam == 6) {
		struct ipv6hdr *ip6 = data + off;

		if ((void *)(ip6 + 1) > data_end)
			goto out;
		ev.family = 6;
		ev.proto = ip6->nexthdr;
		ev.ttl = ip6->hop_limit;
		__builtin_memcpy(ev.saddr, &ip6->saddr, 16);
		__builtin_memcpy(ev.daddr, &ip6->daddr, 16);
		l4off = off + sizeof(*ip6);
	}
	if (l4off && l4off <= 128 && (ev.proto == IPPROTO_TCP || ev.proto == IPPROTO_UDP)) {
		__be16 *ports = data + l4off;

		if ((void *)(ports + 2) <= data_end) {
			ev.sport = ports[0];
			ev.dport = ports[1];
		}
	}
out:
	bpf_perf_event_output(ctx, &pr_events, BPF_F_CURRENT_CPU, &ev, sizeof(ev));
}

__noinline int pr_mon_xdp(struct xdp_md *ctx, __u32 l3, __u32 what, __u32 tx_ifindex)
{
	void *data = (void *)(long)ctx->data, *data_end = (void *)(long)ctx->data_end;

	pr_mon_emit(ctx, data, data_end, ctx->ingress_ifindex, data_end - data, l3, what, tx_ifindex);
	return 0;
}

__noinline int pr_mon_tc(struct __sk_buff *skb, __u32 l3, __u32 what, __u32 tx_ifindex)
{
	void *data = (void *)(long)skb->data, *data_end = (void *)(long)skb->data_end;

	pr_mon_emit(skb, data, data_end, skb->ifindex, skb->len, l3, what, tx_ifindex);
	return 0;
}

/* At an exit of pr_process(): an event if a monitor wants this packet. */
static __always_inline void pr_monitor_event(void *ctx, bool is_xdp, const struct pr_pkt *p, __u32 net_id,
				       __u32 reason, __u32 verdict, __u32 tx_ifindex)
{
	__u32 fam = p->l3_proto == ETH_P_IP ? 4 : p->l3_proto == ETH_P_IPV6 ? 6 : 0, l3, what;

	if (!pr_monitor_wants(net_id))
		return;
	l3 = PR_MON_L3(p->l3_off, fam);
	what = PR_MON_WHAT(net_id, reason, verdict);
	if (is_xdp)
		pr_mon_xdp(ctx, l3, what, tx_ifindex);
	else
		pr_mon_tc(ctx, l3, what, tx_ifindex);
}

#endif /* PR_MONITOR_H */
