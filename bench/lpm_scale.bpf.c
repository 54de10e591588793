// SPDX-License-Identifier: GPL-2.0-only
/*
 * Lookup cost at scale, measured the way the kernel's own `bench
 * lpm-trie-*` does: one BPF_PROG_TEST_RUN of this program runs bpf_loop()
 * over `loops` lookups, each with the next of `nkeys` random destinations
 * from an array (so no two consecutive lookups share a path), and the
 * same loop with no lookup (noop) is subtracted. Modes:
 *   NOOP   read the destination only (the baseline)
 *   TRIE   the kernel LPM trie, keyed as podroute's pr_routes4/6 (domain +
 *          address): podroute's structure today
 *   HASH   the candidate: one hash map of (length, domain, masked address),
 *          probed for the prefix lengths actually present, longest first
 *   FIB    a full bpf_fib_lookup() per packet in the kernel's table (what
 *          xdp-forward does), IPv4
 *   CHECK  TRIE and HASH side by side: counts destinations where they
 *          disagree (must be 0)
 * The answer of every lookup is summed into `acc`, so nothing is optimised
 * away, and hits are counted.
 */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

#define AF_INET 2

#include "lpm_scale.h"

struct {
	__uint(type, BPF_MAP_TYPE_LPM_TRIE);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__uint(max_entries, 2100000);
	__type(key, struct lkey);
	__type(value, __u32);
} trie SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__uint(max_entries, 2100000);
	__type(key, struct lkey);
	__type(value, __u32);
} hash SEC(".maps");

struct addr16 {
	__u8 a[16];
};

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, NKEYS_MAX);
	__type(key, __u32);
	__type(value, struct addr16);
} keys SEC(".maps");

/* Set by userspace before each run (inputs) and read after it (results). */
struct lpm_scale_globals g;

struct cb {
	struct xdp_md *ctx;
	__u64 acc, hits, bad;
};

static __always_inline __u32 trie_lookup(const struct addr16 *d, int alen)
{
	struct lkey k = { .prefixlen = 32 + alen * 8 };
	__u32 *v;

	__builtin_memcpy(k.addr, d->a, 16);
	v = bpf_map_lookup_elem(&trie, &k);
	return v ? *v : 0;
}

static __always_inline __u32 hash_lookup(const struct addr16 *d, int alen)
{
	for (__u32 j = 0; j < MAX_LENS; j++) {
		struct lkey k = {};
		__u32 plen, *v;

		if (j >= g.nlens)
			break;
		plen = g.lens[j & (MAX_LENS - 1)];
		k.prefixlen = 32 + plen;
		/* The address masked to plen bits, byte by byte. */
		for (int b = 0; b < 16; b++) {
			__u32 bits = plen > (__u32)b * 8 ? plen - b * 8 : 0;

			if (b >= alen)
				break;
			k.addr[b] = bits >= 8 ? d->a[b] : bits ? d->a[b] & (0xff << (8 - bits)) : 0;
		}
		v = bpf_map_lookup_elem(&hash, &k);
		if (v)
			return *v;
	}
	return 0;
}

static long step(__u32 i, struct cb *c)
{
	__u32 idx = i & g.nkeys_mask, r = 0;
	int alen = g.family == AF_INET ? 4 : 16;
	struct addr16 *d = bpf_map_lookup_elem(&keys, &idx);

	if (!d)
		return 1;
	switch (g.mode) {
	case M_NOOP:
		r = d->a[3];
		break;
	case M_TRIE:
		r = trie_lookup(d, alen);
		break;
	case M_HASH:
		r = hash_lookup(d, alen);
		break;
	case M_FIB: {
		struct bpf_fib_lookup p = { .family = AF_INET, .ifindex = g.ifindex };
		long rc;

		__builtin_memcpy(&p.ipv4_dst, d->a, 4);
		rc = bpf_fib_lookup(c->ctx, &p, sizeof(p), 0);
		r = rc == BPF_FIB_LKUP_RET_SUCCESS || rc == BPF_FIB_LKUP_RET_NO_NEIGH;
		break;
	}
	case M_CHECK:
		r = trie_lookup(d, alen);
		c->bad += r != hash_lookup(d, alen);
		break;
	}
	c->acc += r;
	c->hits += r != 0;
	return 0;
}

SEC("xdp")
int run(struct xdp_md *ctx)
{
	struct cb c = { .ctx = ctx };
	/* The loop count comes in the packet's first 4 bytes. */
	void *data = (void *)(long)ctx->data, *end = (void *)(long)ctx->data_end;
	__u32 loops;

	if (data + 4 > end)
		return XDP_ABORTED;
	loops = *(__u32 *)data;
	bpf_loop(loops, step, &c, 0);
	g.acc = c.acc;
	g.hits = c.hits;
	g.mismatches = c.bad;
	return XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
