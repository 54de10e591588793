/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The forwarding decision, written once and used by every attach point
 * (see docs/design.md, "Invariants"):
 *
 *   parse -> router MAC? -> LPM(dst) -> network -> [anti-spoof] -> action
 *     action: redirect to the network's port | FIB lookup in its VRF table
 *             | east-west: the kernel's FIB decides | pass | drop
 *     then: TTL/hop limit - 1, MACs rewritten, redirect.
 *
 * Two sides call it:
 *   PR_SIDE_UNDERLAY: packets from the provider network (NIC, br-ex); acts
 *     on locally advertised prefixes only.
 *   PR_SIDE_OVN: packets leaving OVN (ovn-k8s-mpX); acts on BGP-learned
 *     remote prefixes only (east-west, no encapsulation), and only as the
 *     kernel's own FIB lookup for the packet answers: its rules, its
 *     longest match among every route (connected, local, static, default),
 *     its ECMP member for the flow, its neighbour. The LPM only says
 *     "this destination is a remote pod prefix"; the kernel says where.
 *
 * Anything unexpected passes the packet untouched, counted with its reason:
 * the slow path stays what it was, so podroute is an accelerator, never a
 * dependency. IP addresses are never written (no NAT).
 */
#ifndef PR_DATAPATH_H
#define PR_DATAPATH_H

#include <stdbool.h>
#include <linux/bpf.h>
#include <bpf/bpf_endian.h>
#include <bpf/bpf_helpers.h>

#include "podroute_abi.h"
#include "pr_ctx.h"
#include "pr_lsx.h"
#include "pr_maps.h"
#include "pr_monitor.h"
#include "pr_parse.h"

#ifndef AF_INET
#define AF_INET 2
#endif
#ifndef AF_INET6
#define AF_INET6 10
#endif

enum pr_side { PR_SIDE_UNDERLAY, PR_SIDE_OVN };

/*
 * Benchmark only: bench/prog_cost's per-step breakdown compiles this file
 * again with -DPR_COST_STOP=n (build/bench/podroute_stop<n>.bpf.o), and
 * pr_process() then returns right after its step n (the numbers in the
 * marks below; 0: the context read only), with a verdict that depends on
 * the step's result so that the step is not optimised away. Without
 * PR_COST_STOP (every build that ships) the marks expand to nothing: the
 * instructions are those of the plain decision.
 */
#ifdef PR_COST_STOP
#define PR_COST_STEP(n, verdict)                \
	do {                                    \
		if ((n) == PR_COST_STOP)        \
			return (verdict);       \
	} while (0)
/* Where a stop leaves the trie lookups of both families the only
 * lookups of pr_lookup(), clang merges them into one call whose map
 * differs by path; the verifier then calls the lookup indirectly, through
 * the map's ops (a retpoline), which the plain build does not: keep them
 * apart, as they are there. */
#define PR_COST_KEEP(x) asm volatile("" : "+r"(x))
#else
#define PR_COST_STEP(n, verdict) do { } while (0)
#define PR_COST_KEEP(x) do { } while (0)
#endif

static __always_inline void pr_count(__u32 net_id, __u32 reason, __u32 bytes)
{
	__u32 idx = pr_stats_index(net_id, reason);
	struct pr_counter *c = bpf_map_lookup_elem(&pr_stats, &idx);

	if (c) {
		c->packets++;
		c->bytes += bytes;
	}
}

static __always_inline bool pr_mac_eq(const __u8 *a, const __u8 *b)
{
	return *(const __u32 *)a == *(const __u32 *)b &&
	       *(const __u16 *)(a + 4) == *(const __u16 *)(b + 4);
}

/* Unicast and one of the receiving interface's router MACs. */
static __always_inline bool pr_for_us(const struct pr_iface *ifc, const __u8 *dmac)
{
	if (dmac[0] & 1) /* multicast or broadcast */
		return false;
#pragma unroll
	for (__u32 i = 0; i < PR_MAX_RMACS; i++) {
		if (i >= ifc->nmacs)
			break;
		if (pr_mac_eq(ifc->rmac[i], dmac))
			return true;
	}
	return false;
}

/* Longest match of the destination (or source) within the receiving
 * interface's routing domain (its VRF table; 0 for the default VRF):
 * through the lookup index while it is current, else the trie. */
static __always_inline struct pr_route *pr_lookup(struct pr_pkt *p, __u32 domain, bool dst)
{
	struct pr_route *r;

	/* The index takes the address as words, read from the trie's key. */
	if (pr_is_ipv4(p)) {
		struct pr_lpm4_key k = { .prefixlen = PR_LPM_DOMAIN_BITS + 32, .domain = domain };
		__u32 a = dst ? p->ip4->daddr : p->ip4->saddr;

		__builtin_memcpy(k.addr, &a, 4);
		if (pr_lsx_lookup(false, domain, a, 0, 0, 0, &r))
			return r;
		return bpf_map_lookup_elem(&pr_routes4, &k);
	} else {
		struct pr_lpm6_key k = { .prefixlen = PR_LPM_DOMAIN_BITS + 128, .domain = domain };
		const __u32 *w = (const __u32 *)k.addr;

		__builtin_memcpy(k.addr, dst ? &p->ip6->daddr : &p->ip6->saddr, 16);
		if (pr_lsx_lookup(true, domain, w[0], w[1], w[2], w[3], &r))
			return r;
		r = bpf_map_lookup_elem(&pr_routes6, &k);
		PR_COST_KEEP(r);
		return r;
	}
}

static __always_inline struct pr_net *pr_net_get(__u32 net_id)
{
	struct pr_net *n;

	if (net_id >= PR_MAX_NETS)
		return NULL;
	n = bpf_map_lookup_elem(&pr_nets, &net_id);
	return n && (n->flags & PR_NET_F_VALID) ? n : NULL;
}

static __always_inline __u8 pr_ttl(struct pr_pkt *p)
{
	return pr_is_ipv4(p) ? p->ip4->ttl : p->ip6->hop_limit;
}

/* The kernel's ip_decrease_ttl(): TTL is the high byte of its 16-bit word. */
static __always_inline void pr_dec_ttl(struct pr_pkt *p)
{
	if (pr_is_ipv4(p)) {
		__u32 check = p->ip4->check;

		check += bpf_htons(0x0100);
		p->ip4->check = (__sum16)(check + (check >= 0xFFFF));
		p->ip4->ttl--;
	} else {
		p->ip6->hop_limit--;
	}
}

/* Where a redirect goes; filled by one of the three resolvers below. */
struct pr_tx {
	__u8 dmac[6];  /* at 0: copied as a 32- then a 16-bit word, */
	__u8 smac[6];  /* at 6: as a 16- then a 32-bit word (the verifier */
	__u32 ifindex; /* wants the stack's accesses aligned) */
};

/*
 * The flow as the kernel's input route lookup sees it. tot_len is the
 * packet's IP length, which the helper compares with the route's MTU; an
 * skb that is GSO (a TCP stream from a local socket, GRO) carries 0
 * instead, so that the helper checks it the way forwarding does, per
 * segment.
 */
static __always_inline void pr_fib_params(void *ctx, bool is_xdp, struct pr_pkt *p, __u32 in_ifindex,
					  struct bpf_fib_lookup *fib)
{
	bool gso = !is_xdp && ((struct __sk_buff *)ctx)->gso_size;

	fib->ifindex = in_ifindex;
	fib->l4_protocol = p->l4_proto;
	fib->sport = p->sport;
	fib->dport = p->dport;
	if (pr_is_ipv4(p)) {
		fib->family = AF_INET;
		fib->tos = p->ip4->tos;
		fib->tot_len = gso ? 0 : bpf_ntohs(p->ip4->tot_len);
		fib->ipv4_src = p->ip4->saddr;
		fib->ipv4_dst = p->ip4->daddr;
	} else {
		fib->family = AF_INET6;
		fib->flowinfo = *(__be32 *)p->ip6 & bpf_htonl(0x0FFFFFFF);
		fib->tot_len = gso ? 0 : bpf_ntohs(p->ip6->payload_len) + sizeof(struct ipv6hdr);
		__builtin_memcpy(fib->ipv6_src, &p->ip6->saddr, 16);
		__builtin_memcpy(fib->ipv6_dst, &p->ip6->daddr, 16);
	}
}

/* The helper's answer as a reason: 0 when it forwards, with tx filled. */
static __always_inline int pr_fib_result(long rc, const struct bpf_fib_lookup *fib, struct pr_tx *tx)
{
	switch (rc) {
	case BPF_FIB_LKUP_RET_SUCCESS:
		tx->ifindex = fib->ifindex;
		__builtin_memcpy(tx->dmac, fib->dmac, 6);
		__builtin_memcpy(tx->smac, fib->smac, 6);
		return 0;
	case BPF_FIB_LKUP_RET_NO_NEIGH:
		return PR_R_NO_NEIGH;
	case BPF_FIB_LKUP_RET_FRAG_NEEDED:
		return PR_R_FRAG_NEEDED;
	case BPF_FIB_LKUP_RET_BLACKHOLE:
	case BPF_FIB_LKUP_RET_UNREACHABLE:
	case BPF_FIB_LKUP_RET_PROHIBIT:
	case BPF_FIB_LKUP_RET_NOT_FWDED:
	case BPF_FIB_LKUP_RET_FWD_DISABLED:
		return PR_R_NOT_FWD;
	default:
		return PR_R_FIB_FAIL;
	}
}

/* Resolve the network's VRF table with the kernel FIB. 0 or a reason. */
static __always_inline int pr_resolve_fib(void *ctx, bool is_xdp, struct pr_pkt *p, __u32 in_ifindex,
					  const struct pr_net *net, struct pr_tx *tx)
{
	struct bpf_fib_lookup fib = {};

	pr_fib_params(ctx, is_xdp, p, in_ifindex, &fib);
	fib.tbid = net->vrf_table;
	/* BPF_FIB_LOOKUP_TBID needs kernel 6.8; older kernels answer -EINVAL,
	 * which lands in FIB_FAIL and the packet takes the slow path. */
	return pr_fib_result(bpf_fib_lookup(ctx, &fib, sizeof(fib),
					    BPF_FIB_LOOKUP_DIRECT | BPF_FIB_LOOKUP_TBID), &fib, tx);
}

/*
 * East-west: the kernel's own input lookup for this packet, as if it had
 * arrived on in_ifindex (policy rules, the ingress VRF, every table), and
 * its ECMP member: the helper hashes the flow with the kernel's multipath
 * hash (fib_multipath_hash_policy, seed), so a flow keeps its router when
 * it moves between the fast and the slow path. ICMP errors go to the slow
 * path: the kernel hashes their inner header, which the helper cannot see.
 */
static __always_inline int pr_resolve_kernel(void *ctx, bool is_xdp, struct pr_pkt *p, __u32 in_ifindex,
					     struct pr_tx *tx)
{
	struct bpf_fib_lookup fib = {};

	if (p->icmp_error)
		return PR_R_ICMP_ERROR;
	pr_fib_params(ctx, is_xdp, p, in_ifindex, &fib);
	return pr_fib_result(bpf_fib_lookup(ctx, &fib, sizeof(fib), 0), &fib, tx);
}

/* A packet from the underlay whose source is one of our own prefixes. */
static __always_inline bool pr_spoofed(struct pr_pkt *p, __u32 domain, __u32 *spoofed_net)
{
	struct pr_route *src = pr_lookup(p, domain, false);
	struct pr_net *n;

	if (!src || !(src->flags & PR_ROUTE_F_LOCAL))
		return false;
	n = pr_net_get(src->net_id);
	if (!n || !(n->flags & PR_NET_F_ANTISPOOF))
		return false;
	*spoofed_net = src->net_id;
	return true;
}

/* The agent says no network has anti-spoofing on: pr_spoofed() would only
 * find that out after a second longest match. */
static __always_inline bool pr_antispoof_off(void)
{
	__u32 zero = 0;
	struct pr_global *g = bpf_map_lookup_elem(&pr_config, &zero);

	return g && (g->flags & PR_G_F_NO_ANTISPOOF);
}

/* Shadow mode: the network's own flag or the global one. net may be NULL. */
static __always_inline bool pr_shadow(const struct pr_net *net)
{
	__u32 zero = 0;
	struct pr_global *g;

	if (net && (net->flags & PR_NET_F_SHADOW))
		return true;
	g = bpf_map_lookup_elem(&pr_config, &zero);
	return g && (g->flags & PR_G_F_SHADOW);
}

/* The agent has been gone longer than its bound: what it learned may be
 * stale, so learned routes are left to the kernel. */
static __always_inline bool pr_agent_gone(void)
{
	struct pr_liveness *l;
	__u32 zero = 0;

	l = bpf_map_lookup_elem(&pr_liveness, &zero);
	return l && l->stale_after_ms &&
	       bpf_ktime_get_ns() - l->heartbeat_ns > (__u64)l->stale_after_ms * 1000000ULL;
}

/* XDP, after bpf_xdp_adjust_meta(): re-derive the L3 header pointer. */
static __always_inline int pr_reload_l3(struct xdp_md *x, struct pr_pkt *p)
{
	void *data = (void *)(long)x->data, *data_end = (void *)(long)x->data_end;
	__u32 off = p->l3_off;

	if (off != sizeof(struct ethhdr))
		return -1;
	p->data = data;
	p->data_end = data_end;
	if (pr_is_ipv4(p)) {
		p->ip4 = data + off;
		if ((void *)(p->ip4 + 1) > data_end)
			return -1;
	} else {
		p->ip6 = data + off;
		if ((void *)(p->ip6 + 1) > data_end)
			return -1;
	}
	return 0;
}

/* TC on a device where our XDP program runs: carry out its hand-off. */
static __always_inline int pr_tc_deferred(struct __sk_buff *skb)
{
	struct pr_xdp_meta *m = pr_tc_meta(skb);
	__u32 ifindex, net_id;

	if (!m)
		return TC_ACT_OK; /* XDP passed it: the slow path, counted there */
	ifindex = m->ifindex;
	net_id = m->net_id;
	m->magic = 0; /* consumed: never acted on twice */
	if (net_id >= PR_MAX_NETS || !bpf_map_lookup_elem(&pr_txports, &ifindex)) {
		/* Already rewritten by XDP: cannot go to the slow path as is. */
		pr_count(net_id < PR_MAX_NETS ? net_id : 0, PR_R_NO_TARGET, skb->len);
		return TC_ACT_SHOT;
	}
	pr_count(net_id, PR_R_REDIRECT, skb->len);
	return bpf_redirect(ifindex, 0);
}

/* The receiving interface's entry: its slot in pr_ifslots when the slot
 * holds it (an inlined array lookup), else pr_ifaces (a hash lookup). */
static __always_inline struct pr_iface *pr_iface_of(__u32 ifindex)
{
	__u32 slot = pr_ifslot_of(ifindex);
	struct pr_ifslot *s = bpf_map_lookup_elem(&pr_ifslots, &slot);

	if (s && s->ifindex == ifindex)
		return &s->ifc;
	return bpf_map_lookup_elem(&pr_ifaces, &ifindex);
}

static __always_inline int pr_process(void *ctx, const bool is_xdp, const enum pr_side side)
{
	struct pr_pkt p = {};
	struct pr_iface *ifc;
	struct pr_route *rt;
	struct pr_net *net;
	struct pr_tx tx = {};
	struct pr_xdp_meta *meta = NULL;
	__u32 in_ifindex, net_id = 0, reason, spoofed_net;
	int r;

	pr_ctx_load(ctx, is_xdp, &p);
	in_ifindex = pr_ctx_ifindex(ctx, is_xdp);
	PR_COST_STEP(0, in_ifindex ? pr_verdict_drop(is_xdp) : pr_verdict_pass(is_xdp));
	ifc = pr_iface_of(in_ifindex);
	if (!ifc) {
		reason = PR_R_NO_IFACE;
		goto pass;
	}
	PR_COST_STEP(1, pr_verdict_drop(is_xdp));
	if (!is_xdp && (ifc->flags & PR_IF_F_XDP))
		return pr_tc_deferred(ctx);

	r = pr_parse_l2(&p);
	if (p.eth && !pr_for_us(ifc, p.eth->h_dest)) {
		reason = PR_R_NOT_FOR_US;
		goto pass;
	}
	PR_COST_STEP(2, r ? pr_verdict_pass(is_xdp) : pr_verdict_drop(is_xdp));
	/* TC: the kernel has usually moved a tag into the skb already; a
	 * tagged frame is the VLAN device's (pr_parse_l2). */
	if (!r && !is_xdp && ((struct __sk_buff *)ctx)->vlan_present)
		r = PR_R_VLAN_TAGS;
	if (!r)
		r = pr_parse_l3(&p);
	if (r) {
		reason = r;
		goto pass;
	}
	PR_COST_STEP(3, pr_verdict_drop(is_xdp));

	rt = pr_lookup(&p, ifc->vrf_table, true);
	PR_COST_STEP(4, rt ? pr_verdict_drop(is_xdp) : pr_verdict_pass(is_xdp));
	if (!rt) {
		reason = PR_R_MISS;
		goto pass;
	}
	/* Each side acts on its own kind of prefix; the rest is the slow path's. */
	if (side == PR_SIDE_UNDERLAY ? !(rt->flags & PR_ROUTE_F_LOCAL) : rt->action != PR_ACT_NEXTHOP) {
		reason = PR_R_MISS;
		goto pass;
	}
	net_id = rt->net_id;
	net = pr_net_get(net_id);
	if (!net) {
		reason = PR_R_NO_TARGET;
		goto pass;
	}
	/* VRF isolation: a network is reachable only from interfaces of its
	 * own VRF (the default VRF for networks without one), exactly where
	 * the kernel's lookup in the ingress VRF's table would find it. The
	 * domain in the key already scopes the lookup; this guards against a
	 * map whose route and network disagree. */
	if (side == PR_SIDE_UNDERLAY && net->vrf_table != ifc->vrf_table) {
		net_id = 0;
		reason = PR_R_MISS;
		goto pass;
	}
	PR_COST_STEP(5, pr_verdict_drop(is_xdp));
	if (side == PR_SIDE_UNDERLAY && !pr_antispoof_off() && pr_spoofed(&p, ifc->vrf_table, &spoofed_net)) {
		net_id = spoofed_net;
		reason = PR_R_SPOOF;
		goto drop;
	}
	PR_COST_STEP(6, pr_verdict_drop(is_xdp));

	switch (rt->action) {
	case PR_ACT_PASS:
		reason = PR_R_PASS_ACT;
		goto pass;
	case PR_ACT_DROP:
		reason = PR_R_DROP_ACT;
		goto drop;
	case PR_ACT_REDIRECT:
		tx.ifindex = net->ifindex;
		pr_mac_copy(tx.dmac, net->dmac);
		pr_mac_copy_at2(tx.smac, net->smac);
		break;
	case PR_ACT_FIB:
		r = pr_resolve_fib(ctx, is_xdp, &p, in_ifindex, net, &tx);
		if (r) {
			reason = r;
			goto pass;
		}
		break;
	case PR_ACT_NEXTHOP:
		if (pr_agent_gone()) {
			reason = PR_R_AGENT_GONE;
			goto pass;
		}
		r = pr_resolve_kernel(ctx, is_xdp, &p, in_ifindex, &tx);
		if (r) {
			reason = r;
			goto pass;
		}
		break;
	default:
		reason = PR_R_NO_TARGET;
		goto pass;
	}

	/* Expiring TTL: the kernel owes the sender an ICMP time exceeded. */
	if (pr_ttl(&p) <= 1) {
		reason = PR_R_TTL;
		goto pass;
	}
	PR_COST_STEP(7, tx.ifindex ? pr_verdict_drop(is_xdp) : pr_verdict_pass(is_xdp));
	/* Out the way it came (a hairpin): the kernel owes the sender an ICMP
	 * redirect with it. */
	if (tx.ifindex == in_ifindex) {
		reason = PR_R_NO_TARGET;
		goto pass;
	}
	/* Shadow mode: counted as enforcing would decide, and passed. */
	if (pr_shadow(net)) {
		if (!bpf_map_lookup_elem(&pr_txports, &tx.ifindex)) {
			reason = PR_R_NO_TARGET;
			goto pass;
		}
		if (is_xdp && !pr_kcap_xdp_meta &&
		    ((net->flags & PR_NET_F_SKB_XMIT) || !bpf_map_lookup_elem(&pr_xdp_txports, &tx.ifindex))) {
			reason = PR_R_NO_HANDOFF; /* as enforcing, below */
			goto pass;
		}
		pr_count(net_id, PR_R_REDIRECT, p.pkt_len);
		reason = PR_R_SHADOW;
		goto pass;
	}
	PR_COST_STEP(8, pr_verdict_drop(is_xdp));
	/*
	 * Targets that take no XDP frames (OVS internal ports, VLAN devices,
	 * bridges; a veth whose peer has no NAPI): TC, which runs on every
	 * device podroute attaches to, redirects the skb. Whether the target
	 * takes them is bpf_redirect_map()'s own answer: XDP_REDIRECT, the
	 * redirect recorded for the verdict below to carry out, or its
	 * fallback XDP_PASS when the device is not in pr_xdp_txports. Its yes
	 * also says the device is one podroute may use: the agent puts a
	 * device in pr_xdp_txports only once it is in pr_txports, and takes
	 * it out of pr_txports only after (test_reconcile checks both after
	 * every write).
	 */
	if (is_xdp && !(net->flags & PR_NET_F_SKB_XMIT) &&
	    bpf_redirect_map(&pr_xdp_txports, tx.ifindex, XDP_PASS) == XDP_REDIRECT) {
		PR_COST_STEP(9, pr_verdict_drop(is_xdp));
		goto xmit;
	}
	PR_COST_STEP(9, pr_verdict_pass(is_xdp));
	/* Else only to the devices podroute may use. */
	if (!bpf_map_lookup_elem(&pr_txports, &tx.ifindex)) {
		reason = PR_R_NO_TARGET;
		goto pass;
	}
	if (is_xdp) {
		/* A kernel that refuses XDP metadata (pr_kcap_xdp_meta): XDP
		 * cannot hand the packet to TC, and the kernel forwards it. */
		if (!pr_kcap_xdp_meta) {
			reason = PR_R_NO_HANDOFF;
			goto pass;
		}
		meta = pr_xdp_reserve_meta(ctx);
		if (!meta) {
			reason = PR_R_NO_TARGET;
			goto pass;
		}
		meta->magic = PR_META_MAGIC;
		meta->ifindex = tx.ifindex;
		meta->net_id = net_id;
		/* adjust_meta invalidated every packet pointer: find L3 again. */
		if (pr_reload_l3(ctx, &p)) {
			pr_xdp_release_meta(ctx);
			reason = PR_R_MALFORMED;
			goto pass;
		}
	}
xmit:
	PR_COST_STEP(10, meta ? pr_verdict_pass(is_xdp) : pr_verdict_drop(is_xdp));

	pr_monitor_event(ctx, is_xdp, &p, net_id, meta ? PR_R_DEFER_TC : PR_R_REDIRECT,
		   meta ? PR_V_DEFER_TC : PR_V_REDIRECT, tx.ifindex);
	pr_dec_ttl(&p);
	if (pr_ctx_rewrite_l2(ctx, is_xdp, tx.dmac, tx.smac)) {
		/* Modified already: the slow path would see a half-written frame. */
		pr_count(net_id, PR_R_MALFORMED, p.pkt_len);
		return pr_verdict_drop(is_xdp);
	}
	PR_COST_STEP(11, pr_verdict_drop(is_xdp));
	if (meta) {
		pr_count(net_id, PR_R_DEFER_TC, p.pkt_len);
		return XDP_PASS;
	}
	pr_count(net_id, PR_R_REDIRECT, p.pkt_len);
	PR_COST_STEP(12, pr_verdict_drop(is_xdp));
	/* XDP: the redirect bpf_redirect_map() recorded above. */
	return is_xdp ? XDP_REDIRECT : bpf_redirect(tx.ifindex, 0);

drop:
	pr_count(net_id, reason, p.pkt_len);
	if (pr_shadow(pr_net_get(net_id))) {
		pr_count(net_id, PR_R_SHADOW, p.pkt_len);
		pr_monitor_event(ctx, is_xdp, &p, net_id, reason, PR_V_PASS, 0);
		return pr_verdict_pass(is_xdp);
	}
	pr_monitor_event(ctx, is_xdp, &p, net_id, reason, PR_V_DROP, 0);
	return pr_verdict_drop(is_xdp);
pass:
	pr_count(net_id, reason, p.pkt_len);
	pr_monitor_event(ctx, is_xdp, &p, net_id, reason, PR_V_PASS, 0);
	return pr_verdict_pass(is_xdp);
}

#endif /* PR_DATAPATH_H */
