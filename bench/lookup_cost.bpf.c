// SPDX-License-Identifier: GPL-2.0-only
/*
 * Per-destination cost of podroute's lookup and decision with random
 * destinations, measured the way the kernel's `bench lpm-trie-*` does:
 * one BPF_PROG_TEST_RUN of a program below runs bpf_loop() over `count`
 * destinations taken in turn from a large array of precomputed random
 * addresses (lk_keys), so that no two consecutive lookups share a path;
 * the same loop doing nothing but reading the destination (lk_noop) is the
 * floor subtracted from the lookups. bench/lookup_cost.c drives it.
 * Programs (one per variant):
 *
 *   lk_noop    read the destination, fold it into a sink (floor)
 *   lk_parse   (a) write the destination into the test frame, reset TTL
 *              and destination MAC, parse it with bpf/pr_parse.h (floor of
 *              the decision)
 *   lk_trie    (b) the kernel LPM trie: podroute's own pr_routes4/6 map and
 *              key (bpf/pr_maps.h, include/podroute_abi.h)
 *   lk_fib     (c) a full bpf_fib_lookup() (flags 0: rules, table, nexthop,
 *              neighbour, as xdp-tools' xdp-forward does by default) in the
 *              kernel table of the namespace the bench runs in
 *   lk_decide  (d) lk_parse's frame write, then podroute's whole decision,
 *              pr_process() from bpf/pr_datapath.h as xdp_underlay runs it,
 *              called as a function of its own (lk_decide_one);
 *              the bench runs it with the lookup index off (d: the trie
 *              answers), on (d': the index answers), and on with 2,000
 *              route changes recorded since its build (d'': each lookup
 *              first misses in the set of changed prefixes)
 *   lk_lenhash (e1) prototype: one BPF hash of (domain, length, masked
 *              address), probed for the lengths present, longest first
 *   lk_bsl     (e3) podroute's lookup index (bpf/pr_lsx.h, built by
 *              user/reconcile/lookup_index_build.c): a compressed multibit trie
 *              (Poptrie-like: a direct array on 6 to 20 bits, 6-bit nodes with
 *              popcount indexing, compressed leaves and skips) in an
 *              mmapable array of 24-byte elements; until issue 15 a binary
 *              search on the lengths present, each probe one hash line
 *   lk_dir     (e2) prototype, IPv4: DIR-24-8 (2^24 entries on the top 24
 *              bits, 256-entry chunks for the /24s that hold longer
 *              prefixes), then the interned route value
 *   lk_check   every structure against the trie for each destination of a
 *              set: counts disagreements (the bench fails on any)
 *
 * (e3) went into the datapath (include/podroute_abi.h says how it stays
 * equal to the trie). DIR-24-8 stays a prototype: 4 to 5 times faster
 * again on IPv4, but 64 MiB before the first prefix and 1 KiB per /24 that
 * holds a longer prefix, and IPv4 only.
 */
#include "pr_datapath.h"
#include "lookup_cost.h"

/* Every destination set, one after the other (struct lk_addr each). */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(map_flags, BPF_F_MMAPABLE);
	__type(key, __u32);
	__type(value, struct lk_addr);
	__uint(max_entries, LK_SET__COUNT * LK_KEYS_MAX);
} lk_keys SEC(".maps");

/* This run's parameters and results. */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__type(key, __u32);
	__type(value, struct lk_params);
	__uint(max_entries, 1);
} lk_params SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__type(key, __u32);
	__type(value, struct lk_result);
	__uint(max_entries, 1);
} lk_result SEC(".maps");

/* (e1) lengths present, longest first, per family (LK_LENS4/6). */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__type(key, __u32);
	__type(value, struct lk_lenset);
	__uint(max_entries, LK_LENS__COUNT);
} lk_lens SEC(".maps");

/* (e1) (domain, length, masked address) -> route; capacity set by the bench. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, struct lk_h4_key);
	__type(value, struct pr_route);
	__uint(max_entries, 1);
} lk_hash4 SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, struct lk_h6_key);
	__type(value, struct pr_route);
	__uint(max_entries, 1);
} lk_hash6 SEC(".maps");

/* (e2) DIR-24-8 first level: one u32 per /24 (see LK_D_* in lookup_cost.h),
 * in blocks of 16 (2^20 blocks, 64 MiB). */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(map_flags, BPF_F_MMAPABLE);
	__type(key, __u32);
	__type(value, struct lk_d24_blk);
	__uint(max_entries, 1U << 20);
} lk_dir24 SEC(".maps");

/* (e2) second level: one 256-entry chunk per /24 holding longer prefixes;
 * capacity set by the bench. */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(map_flags, BPF_F_MMAPABLE);
	__type(key, __u32);
	__type(value, struct lk_d8_chunk);
	__uint(max_entries, 1);
} lk_dir8 SEC(".maps");

/* (e2) interned route values: value id -> route. */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(map_flags, BPF_F_MMAPABLE);
	__type(key, __u32);
	__type(value, struct pr_route);
	__uint(max_entries, LK_NVALUES);
} lk_rtval SEC(".maps");

/* The router MAC of the test frames (the bench configures pr_ifaces with it). */
static const __u8 lk_rmac[ETH_ALEN] = { 0x02, 0x00, 0x00, 0x00, 0x00, 0x01 };

struct lk_loop {
	struct xdp_md *xdp;
	__u32 base, mask, start, family, ifindex;
	__u32 bad_idx, done, bad_mask;
	__u64 sink, hits, others, mismatches;
};

static __always_inline const struct lk_addr *lk_key(struct lk_loop *l, __u64 i)
{
	__u32 idx = l->base + ((l->start + (__u32)i) & l->mask);

	return bpf_map_lookup_elem(&lk_keys, &idx);
}

static __always_inline __u32 lk_fold(const struct lk_addr *k, __u32 family)
{
	const __u32 *w = (const __u32 *)k->a;

	return family == 4 ? w[0] : w[0] ^ w[1] ^ w[2] ^ w[3];
}

static __always_inline struct pr_route *lk_look_trie(const struct lk_addr *k, __u32 family)
{
	if (family == 4) {
		struct pr_lpm4_key key = { .prefixlen = PR_LPM_DOMAIN_BITS + 32 };

		__builtin_memcpy(key.addr, k->a, 4);
		return bpf_map_lookup_elem(&pr_routes4, &key);
	} else {
		struct pr_lpm6_key key = { .prefixlen = PR_LPM_DOMAIN_BITS + 128 };

		__builtin_memcpy(key.addr, k->a, 16);
		return bpf_map_lookup_elem(&pr_routes6, &key);
	}
}

/* (e1): the lengths present, longest first; the first hit is the longest match. */
static __always_inline struct pr_route *lk_look_hash(const struct lk_addr *k, __u32 family)
{
	__u32 idx = family == 4 ? LK_LENS4 : LK_LENS6;
	const __u32 *w = (const __u32 *)k->a;
	struct lk_lenset *ls = bpf_map_lookup_elem(&lk_lens, &idx);
	struct pr_route *r;

	if (!ls)
		return NULL;
	if (family == 4) {
		struct lk_h4_key key = { .domain = 0 };

		for (__u32 i = 0; i < LK_MAX_LENS; i++) {
			__u32 a;

			if (i >= ls->n)
				break;
			key.len = ls->e[i].len;
			a = w[0] & ls->e[i].mask[0];
			__builtin_memcpy(key.addr, &a, 4);
			r = bpf_map_lookup_elem(&lk_hash4, &key);
			if (r)
				return r;
		}
	} else {
		struct lk_h6_key key = { .domain = 0 };
		__u32 *kw = (__u32 *)key.addr;

		for (__u32 i = 0; i < LK_MAX_LENS; i++) {
			if (i >= ls->n)
				break;
			key.len = ls->e[i].len;
			kw[0] = w[0] & ls->e[i].mask[0];
			kw[1] = w[1] & ls->e[i].mask[1];
			kw[2] = w[2] & ls->e[i].mask[2];
			kw[3] = w[3] & ls->e[i].mask[3];
			r = bpf_map_lookup_elem(&lk_hash6, &key);
			if (r)
				return r;
		}
	}
	return NULL;
}

/* (e2), IPv4 only: at most three dependent loads. */
static __always_inline struct pr_route *lk_look_dir(const struct lk_addr *k)
{
	__u32 a = bpf_ntohl(*(const __u32 *)k->a), idx = a >> 12, v, slot;
	struct lk_d24_blk *blk = bpf_map_lookup_elem(&lk_dir24, &idx);
	struct lk_d8_chunk *c;

	if (!blk)
		return NULL;
	v = blk->e[(a >> 8) & 15];
	if (v & LK_D_CHUNK) {
		idx = v & ~LK_D_CHUNK;
		c = bpf_map_lookup_elem(&lk_dir8, &idx);
		if (!c)
			return NULL;
		v = c->e[a & 0xff];
	}
	slot = v & LK_D_SLOT_MASK; /* value id + 1 */
	if (!slot)
		return NULL;
	slot--;
	return bpf_map_lookup_elem(&lk_rtval, &slot);
}

/* (e3) podroute's lookup index (bpf/pr_lookup_index.h), as pr_lookup() reads it
 * for the default VRF; the bench makes it current only for this variant,
 * (d') and the check. */
static __always_inline struct pr_route *lk_look_lsx(const struct lk_addr *k, __u32 family)
{
	const __u32 *w = (const __u32 *)k->a;
	struct pr_route *r = NULL;

	if (family == 4)
		return pr_lsx_lookup(false, 0, w[0], 0, 0, 0, &r) ? r : NULL;
	return pr_lsx_lookup(true, 0, w[0], w[1], w[2], w[3], &r) ? r : NULL;
}

static __always_inline void lk_count(struct lk_loop *l, struct pr_route *r)
{
	if (r) {
		l->hits++;
		l->sink += r->nhg_id;
	} else {
		l->others++;
	}
}

/*
 * Put the destination into the test frame and undo what the previous
 * decision changed (TTL, destination MAC, IPv4 checksum), so that every
 * iteration decides a fresh packet. Returns the frame's length or 0.
 */
static __always_inline int lk_patch(struct lk_loop *l, const struct lk_addr *k)
{
	void *data = (void *)(long)l->xdp->data, *end = (void *)(long)l->xdp->data_end;
	struct ethhdr *eth = data;

	if (l->family == 4) {
		struct iphdr *ip = data + sizeof(*eth);

		if ((void *)(ip + 1) > end)
			return -1;
		__u16 *w = (__u16 *)ip;
		__u32 sum = 0;

		__builtin_memcpy(&ip->daddr, k->a, 4);
		ip->ttl = 64;
		/* A valid header checksum, or the decision passes it as bad. */
		ip->check = 0;
#pragma unroll
		for (int i = 0; i < 10; i++)
			sum += w[i];
		sum = (sum & 0xffff) + (sum >> 16);
		sum = (sum & 0xffff) + (sum >> 16);
		ip->check = ~sum & 0xffff;
	} else {
		struct ipv6hdr *ip6 = data + sizeof(*eth);

		if ((void *)(ip6 + 1) > end)
			return -1;
		__builtin_memcpy(&ip6->daddr, k->a, 16);
		ip6->hop_limit = 64;
	}
	__builtin_memcpy(eth->h_dest, lk_rmac, ETH_ALEN);
	return 0;
}

static long lk_cb_noop(__u64 i, void *ctx)
{
	struct lk_loop *l = ctx;
	const struct lk_addr *k = lk_key(l, i);

	if (!k)
		return 1;
	l->sink += lk_fold(k, l->family);
	l->done++;
	return 0;
}

static long lk_cb_parse(__u64 i, void *ctx)
{
	struct lk_loop *l = ctx;
	const struct lk_addr *k = lk_key(l, i);
	struct pr_pkt p = {};

	if (!k || lk_patch(l, k))
		return 1;
	p.data = (void *)(long)l->xdp->data;
	p.data_end = (void *)(long)l->xdp->data_end;
	p.pkt_len = p.data_end - p.data;
	if (pr_parse_l2(&p) || pr_parse_l3(&p))
		l->others++;
	else
		l->hits++;
	l->sink += p.l4_proto;
	l->done++;
	return 0;
}

static long lk_cb_trie(__u64 i, void *ctx)
{
	struct lk_loop *l = ctx;
	const struct lk_addr *k = lk_key(l, i);

	if (!k)
		return 1;
	lk_count(l, lk_look_trie(k, l->family));
	l->done++;
	return 0;
}

static long lk_cb_fib(__u64 i, void *ctx)
{
	struct lk_loop *l = ctx;
	const struct lk_addr *k = lk_key(l, i);
	struct bpf_fib_lookup f = {};
	long rc;

	if (!k)
		return 1;
	f.ifindex = l->ifindex;
	f.l4_protocol = IPPROTO_UDP;
	f.sport = bpf_htons(4000);
	f.dport = bpf_htons(5000);
	if (l->family == 4) {
		f.family = AF_INET;
		f.tot_len = 20 + 8 + 18;
		f.ipv4_src = bpf_htonl(0xc6336401); /* 198.51.100.1 */
		__builtin_memcpy(&f.ipv4_dst, k->a, 4);
	} else {
		f.family = AF_INET6;
		f.tot_len = 40 + 8 + 18;
		f.ipv6_src[0] = bpf_htonl(0x20010db8);
		f.ipv6_src[3] = bpf_htonl(1);
		__builtin_memcpy(f.ipv6_dst, k->a, 16);
	}
	rc = bpf_fib_lookup(l->xdp, &f, sizeof(f), 0);
	if (rc == BPF_FIB_LKUP_RET_SUCCESS) {
		l->hits++;
		l->sink += f.ifindex + f.dmac[5];
	} else {
		l->others++;
		l->sink += rc;
	}
	l->done++;
	return 0;
}

/*
 * The decision exactly as xdp_underlay runs it, behind a call of its own,
 * as the kernel calls xdp_underlay. A global function, so the verifier
 * checks it once on its own, as it checks xdp_underlay (about 60,000
 * instructions). Inlined into the bpf_loop callback it was checked as part
 * of a loop: since 6.17 the verifier compares states inside a loop that has
 * not converged yet by their ranges, not only by what they will use, so
 * hardly any of the decision's paths were pruned and the callback passed
 * the 1,000,000 limit on 6.18 (18,000 paths reached its end). Costs a
 * BPF-to-BPF call per destination, which the parse floor does not pay.
 */
__noinline int lk_decide_one(struct xdp_md *ctx)
{
	return pr_process(ctx, true, PR_SIDE_UNDERLAY);
}

static long lk_cb_decide(__u64 i, void *ctx)
{
	struct lk_loop *l = ctx;
	const struct lk_addr *k = lk_key(l, i);
	int rc;

	if (!k || lk_patch(l, k))
		return 1;
	rc = lk_decide_one(l->xdp);
	if (rc == XDP_REDIRECT)
		l->hits++;
	else
		l->others++;
	l->sink += rc;
	l->done++;
	return 0;
}

static long lk_cb_lenhash(__u64 i, void *ctx)
{
	struct lk_loop *l = ctx;
	const struct lk_addr *k = lk_key(l, i);

	if (!k)
		return 1;
	lk_count(l, lk_look_hash(k, l->family));
	l->done++;
	return 0;
}

static long lk_cb_bsl(__u64 i, void *ctx)
{
	struct lk_loop *l = ctx;
	const struct lk_addr *k = lk_key(l, i);

	if (!k)
		return 1;
	lk_count(l, lk_look_lsx(k, l->family));
	l->done++;
	return 0;
}

static long lk_cb_dir(__u64 i, void *ctx)
{
	struct lk_loop *l = ctx;
	const struct lk_addr *k = lk_key(l, i);

	if (!k)
		return 1;
	lk_count(l, lk_look_dir(k));
	l->done++;
	return 0;
}

/* Same answer: both absent, or the same route value (nhg_id is unique per
 * prefix in the bench, so this names the matched prefix). */
static __always_inline bool lk_same(const struct pr_route *a, const struct pr_route *b)
{
	if (!a || !b)
		return !a && !b;
	return a->nhg_id == b->nhg_id && a->net_id == b->net_id && a->action == b->action &&
	       a->flags == b->flags;
}

static long lk_cb_check(__u64 i, void *ctx)
{
	struct lk_loop *l = ctx;
	const struct lk_addr *k = lk_key(l, i);
	struct pr_route *t;
	__u32 bad = 0;

	if (!k)
		return 1;
	t = lk_look_trie(k, l->family);
	if (!lk_same(t, lk_look_hash(k, l->family)))
		bad |= LK_BAD_LENHASH;
	if (!lk_same(t, lk_look_lsx(k, l->family)))
		bad |= LK_BAD_BSL;
	if (l->family == 4 && !lk_same(t, lk_look_dir(k)))
		bad |= LK_BAD_DIR;
	/* No branch on the counters themselves: a precise counter would keep
	 * the verifier from ever seeing two iterations of the callback as equal. */
	if (bad) {
		l->bad_idx = (l->start + (__u32)i) & l->mask;
		l->bad_mask |= bad;
		l->mismatches++;
	}
	lk_count(l, t);
	l->done++;
	return 0;
}

static __always_inline int lk_run(struct xdp_md *ctx, void *cb)
{
	__u32 zero = 0;
	struct lk_params *prm = bpf_map_lookup_elem(&lk_params, &zero);
	struct lk_result *res = bpf_map_lookup_elem(&lk_result, &zero);
	struct lk_loop l = { .xdp = ctx };

	if (!prm || !res)
		return XDP_ABORTED;
	l.base = prm->base;
	l.mask = prm->mask;
	l.start = prm->start;
	l.family = prm->family;
	l.ifindex = prm->ifindex;
	bpf_loop(prm->count, cb, &l, 0);
	res->sink = l.sink;
	res->hits = l.hits;
	res->others = l.others;
	res->mismatches = l.mismatches;
	res->bad_idx = l.bad_idx;
	res->bad_mask = l.bad_mask;
	res->done = l.done;
	return XDP_PASS;
}

#define LK_PROG(name, cb)                      \
	SEC("xdp")                             \
	int name(struct xdp_md *ctx)           \
	{                                      \
		return lk_run(ctx, cb);        \
	}

LK_PROG(lk_noop, lk_cb_noop)
LK_PROG(lk_parse, lk_cb_parse)
LK_PROG(lk_trie, lk_cb_trie)
LK_PROG(lk_fib, lk_cb_fib)
LK_PROG(lk_decide, lk_cb_decide)
LK_PROG(lk_lenhash, lk_cb_lenhash)
LK_PROG(lk_dir, lk_cb_dir)
LK_PROG(lk_bsl, lk_cb_bsl)
LK_PROG(lk_check, lk_cb_check)

char LICENSE[] SEC("license") = "GPL";
