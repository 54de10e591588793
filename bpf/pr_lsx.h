/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The datapath's reader of the lookup index (the layout and why it exists:
 * include/podroute_abi.h; the builder: user/reconcile/lookup_index_build.c). pr_lsx_lookup() answers
 * for a destination when the index of its family is current and its domain
 * is indexed, and says so; otherwise the caller reads the trie.
 */
#ifndef PR_LSX_H
#define PR_LSX_H

#include <stdbool.h>
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

#include "podroute_abi.h"
#include "pr_maps.h"

/* Whether a prefix covering the destination (trie_key) changed since
 * table tbl of its family was built. */
static __always_inline bool pr_lsx_changed(bool v6, __u32 tbl, const void *trie_key)
{
	if (v6)
		return tbl ? bpf_map_lookup_elem(&pr_lsx_chg6_1, trie_key)
			   : bpf_map_lookup_elem(&pr_lsx_chg6_0, trie_key);
	return tbl ? bpf_map_lookup_elem(&pr_lsx_chg4_1, trie_key)
		   : bpf_map_lookup_elem(&pr_lsx_chg4_0, trie_key);
}

/* IPv4: whether a change may cover the destination (w0, a raw load of the
 * address) since table tbl was built, by its /16's bit in the set's filter:
 * false only when none can. Cheap enough to run inline on every packet. */
static __always_inline bool pr_lsx_maybe_changed4(const struct pr_lsx_ctl *c, __u32 tbl, __u32 w0)
{
	__u32 bit = pr_lsx_chg4_bit(bpf_ntohl(w0)), word = tbl * (PR_LSX_CHG_BITS / 64) + bit / 64;
	__u64 *bits;

	if (c->chg[0][tbl].n > PR_LSX_CHG_LENS)
		return true;
	bits = bpf_map_lookup_elem(&pr_lsx_chgbits, &word);
	return !bits || (*bits >> (bit % 64)) & 1;
}

/* IPv6: whether a change may cover the destination (words w in domain)
 * since table tbl was built, by the set's filter: false only when none
 * can. */
static __always_inline bool pr_lsx_maybe_changed6(const struct pr_lsx_ctl *c, __u32 tbl, __u32 domain,
						  const __u32 *w)
{
	const __u32 fam = 1;
	const struct pr_lsx_chg_filter *f = &c->chg[fam][tbl];
	__u32 n = f->n;

	if (n > PR_LSX_CHG_LENS)
		return true;
	for (int i = 0; i < PR_LSX_CHG_LENS; i++) {
		const struct pr_lsx_len *e = &f->e[i];
		__u32 h, word;
		__u64 *bits;

		if (i >= (int)n)
			break;
		h = pr_lsx_hash(PR_LSX_USED | domain << PR_LSX_DOMAIN_SHIFT | (e->len & 0xff),
				w[0] & e->mask[0], w[1] & e->mask[1], w[2] & e->mask[2],
				w[3] & e->mask[3]) & (PR_LSX_CHG_BITS - 1);
		word = (fam * 2 + tbl) * (PR_LSX_CHG_BITS / 64) + h / 64;
		bits = bpf_map_lookup_elem(&pr_lsx_chgbits, &word);
		if (!bits || (*bits >> (h % 64)) & 1)
			return true;
	}
	return false;
}

/*
 * Whether a prefix covering the destination (words w0..w3 in the domain,
 * family and table that key holds, as pr_lsx_lookup builds it) changed
 * since that table was built: the set's filter first (most destinations
 * are covered by no change; IPv4's the caller has tested, inline), then
 * the set itself, keyed as the trie is.
 * A global function: checked once on its own. Called beside
 * pr_lsx_search, not from it, so that the two never stack up on one call
 * chain (6.1 allows 512 bytes across every frame of a chain, and a bench
 * runs this decision two calls deep already).
 */
__noinline int pr_lsx_stale(__u32 key, __u32 w0, __u32 w1, __u32 w2, __u32 w3)
{
	__u32 zero = 0, fam = key & PR_LSX_V6 ? 1 : 0, tbl = key & PR_LSX_TABLE1 ? 1 : 0;
	__u32 domain = (key >> PR_LSX_DOMAIN_SHIFT) & PR_LSX_MAX_DOMAIN;
	struct pr_lsx_ctl *c = bpf_map_lookup_elem(&pr_lsx_ctl, &zero);
	/* The destination as the trie keys it (an IPv4 key is the first 12
	 * bytes: the words after w0 are 0); its words are read from there. */
	struct pr_lpm6_key k = { .prefixlen = PR_LPM_DOMAIN_BITS + (fam ? 128 : 32),
				 .domain = domain };
	__u32 *w = (__u32 *)k.addr;

	w[0] = w0;
	w[1] = w1;
	w[2] = w2;
	w[3] = w3;
	if (!c)
		return 1;
	return (!fam || pr_lsx_maybe_changed6(c, tbl, domain, w)) && pr_lsx_changed(fam, tbl, &k);
}

/* pr_lsx_search()'s answers besides a slot. */
#define PR_LSX_NO_MATCH (-1) /* no prefix covers the destination */
#define PR_LSX_ASK_TRIE (-2) /* the index cannot answer: the trie must */

/* Bits set in x: the BPF instruction set has no popcount. */
static __always_inline __u32 pr_lsx_popcount(__u64 x)
{
	x = x - ((x >> 1) & 0x5555555555555555ULL);
	x = (x & 0x3333333333333333ULL) + ((x >> 2) & 0x3333333333333333ULL);
	x = (x + (x >> 4)) & 0x0f0f0f0f0f0f0f0fULL;
	return (__u32)((x * 0x0101010101010101ULL) >> 56);
}

/*
 * The two helpers below have no branches on purpose: the depth and the
 * lengths they take are read from the map, and every branch on them would
 * split the verifier's walk of the search into paths it cannot prune
 * (BPF has no conditional move), several times over per step.
 */

/* The top n bits (0..64) set. */
static __always_inline __u64 pr_lsx_top(__u64 n)
{
	return ~((~0ULL >> (n >> 1)) >> (n - (n >> 1)));
}

/* The 6 bits of the address (hi: bits 0..63, lo: 64..127) at depth d
 * (below 128), as a number; bits past 127 read as 0. */
static __always_inline __u32 pr_lsx_bits(__u64 hi, __u64 lo, __u64 d)
{
	__u64 s = (d >> 6) & 1, x = (hi & (s - 1)) | (lo & -s), y = lo & (s - 1), dd = d & 63;

	return (__u32)((((x << dd) | ((y >> 1) >> (63 - dd))) >> (64 - PR_LSX_STRIDE)) & 63);
}

/* Whether bits 16..len-1 (len 16..128) of the address (x0: bits 16..79,
 * x1: 80..127 in the high 48 bits) equal those of a compressed leaf's
 * prefix or a skip's path (c0, c1; c1's low 16 bits are not address). */
static __always_inline bool pr_lsx_cmatch(__u64 x0, __u64 x1, __u64 c0, __u64 c1, __u64 len)
{
	__u64 n = len - 16, n0 = n - (n - 64) * ((n >> 6) & 1), n1 = n - n0;

	return !(((x0 ^ c0) & pr_lsx_top(n0)) | ((x1 ^ c1) & pr_lsx_top(n1) & ~0xffffULL));
}

/*
 * The walk from a direct-array word of family map m (the two families'
 * maps are separate call sites, so that every lookup is inlined): the
 * route index + 1 that the leaf it ends on holds, 0 for none, or
 * 0xffffffff when the table is inconsistent with itself (the trie must
 * answer). hi, lo: the address in host order; depth: the bits the word
 * stands for (6 or more; below 16, nodes come before any compressed leaf
 * or skip, which check bits 16 and on only).
 */
#define PR_LSX_WALK(m, word, depth, hi, lo)                                                          \
	({                                                                                           \
		__u64 hi_ = (hi), lo_ = (lo);                                                        \
		__u64 x0_ = hi_ << 16 | lo_ >> 48, x1_ = lo_ << 16;                                  \
		__u32 idx_ = (word), res_ = idx_, d_ = (depth);                                      \
                                                                                                     \
		/* The loop starts at an element: a test of the child bit at its head \
		 * would be decided by the step before, which makes the verifier      \
		 * track the element's index exactly and prune nothing. */           \
		if (idx_ & PR_LSX_CHILD) {                                                           \
			idx_ &= ~PR_LSX_CHILD;                                                       \
			res_ = 0xffffffff;                                                           \
			for (__u32 it_ = 0; it_ < PR_LSX_MAX_STEPS; it_++) {                         \
				union pr_lsx_elem *el_ = bpf_map_lookup_elem(m, &idx_);              \
				__u64 c1_, r_, vec_, below_;                                         \
				__u32 v_;                                                            \
                                                                                                     \
				if (!el_)                                                            \
					break;                                                       \
				c1_ = el_->w[1];                                                     \
				r_ = el_->w[2];                                                      \
				if (r_ & PR_LSX_CLEAF) {                                             \
					if (r_ & PR_LSX_SKIP) {                                      \
						d_ = (c1_ >> 8) & 0xff;                              \
						if (!pr_lsx_cmatch(x0_, x1_, el_->w[0], c1_, d_)) {  \
							res_ = (r_ >> 31) & PR_LSX_RMASK;            \
							break;                                       \
						}                                                    \
						idx_ = r_ & 0x7fffffff;                              \
						continue;                                            \
					}                                                            \
					if (pr_lsx_cmatch(x0_, x1_, el_->w[0], c1_, (c1_ >> 8) & 0xff)) \
						res_ = r_ & PR_LSX_RMASK;                            \
					else if ((c1_ & 0xff) &&                                     \
						 pr_lsx_cmatch(x0_, x1_, el_->w[0], c1_, c1_ & 0xff)) \
						res_ = (r_ >> PR_LSX_RBITS) & PR_LSX_RMASK;          \
					else                                                         \
						res_ = (r_ >> (2 * PR_LSX_RBITS)) & PR_LSX_RMASK;    \
					break;                                                       \
				}                                                                    \
				/* No test of the depth: the builder puts no node at 128 or   \
				 * past (nor does a wrong depth make a read unsafe). */       \
				v_ = pr_lsx_bits(hi_, lo_, d_);                                      \
				below_ = (2ULL << v_) - 1;                                           \
				vec_ = el_->w[0];                                                    \
				if ((vec_ >> v_) & 1) {                                              \
					idx_ = (__u32)r_ + pr_lsx_popcount(vec_ & below_) - 1;       \
					d_ += PR_LSX_STRIDE;                                         \
					continue;                                                    \
				}                                                                    \
				res_ = pr_lsx_word(m, (__u32)(r_ >> 32) +                            \
							      pr_lsx_popcount(c1_ & below_) - 1);    \
				/* a node's leaf is a leaf, whatever the builder wrote */            \
				if (res_ != 0xffffffff)                                              \
					res_ &= ~PR_LSX_CHILD;                                       \
				break;                                                               \
			}                                                                            \
		}                                                                                    \
		res_;                                                                                \
	})

/* Word i of map m (6 per element), or 0xffffffff. i / 6 as a multiply and
 * a shift, exact for every 32-bit i (0xaaaaaaab is 2^34 / 6 rounded up):
 * BPF has a divide instruction, and the JIT makes it a real one, several
 * times slower. The word's index within its element is hidden from clang,
 * which otherwise computes it in a way the verifier cannot bound, and then
 * checked. */
#define pr_lsx_word(m, i)                                                                            \
	({                                                                                           \
		__u32 i_ = (i), e_ = (__u32)(((__u64)i_ * 0xaaaaaaabULL) >> 34), w_ = i_ - e_ * 6;   \
		union pr_lsx_elem *we_ = bpf_map_lookup_elem(m, &e_);                                \
		asm volatile("" : "+r"(w_));                                                         \
		we_ && w_ < 6 ? we_->word[w_] : 0xffffffff;                                          \
	})

/* The search of one family's map: see pr_lsx_search. */
#define PR_LSX_SEARCH(m, t, domain, a0, a1, a2, a3)                                                  \
	({                                                                                           \
		__u32 ndom_ = (t)->ndom, r_ = 0xffffffff, sh_;                                       \
		__u64 ahi_ = (__u64)(a0) << 32 | (a1), alo_ = (__u64)(a2) << 32 | (a3);               \
		struct pr_lsx_dom *dm_ = NULL;                                                       \
		int out_;                                                                            \
                                                                                                     \
		for (__u32 i_ = 0; i_ < PR_LSX_MAX_DOMAINS; i_++) {                                  \
			if (i_ >= ndom_)                                                             \
				break;                                                               \
			if ((t)->dom[i_].domain == (domain)) {                                       \
				dm_ = &(t)->dom[i_];                                                 \
				break;                                                               \
			}                                                                            \
		}                                                                                    \
		if (dm_) {                                                                           \
			__u32 db_ = dm_->dp_bits & 31;                                               \
                                                                                                     \
			sh_ = dm_->shift & 63;                                                       \
			if ((ahi_ ^ dm_->common) & pr_lsx_top(sh_))                                   \
				r_ = dm_->outside;                                                   \
			else                                                                         \
				r_ = pr_lsx_word(m, dm_->dp + (__u32)((ahi_ << sh_) >> (64 - db_))); \
			if (r_ != 0xffffffff)                                                        \
				r_ = PR_LSX_WALK(m, r_, sh_ + db_, ahi_, alo_);                      \
		}                                                                                    \
		if (!dm_)                                                                            \
			out_ = (t)->flags & PR_LSX_T_ALL ? PR_LSX_NO_MATCH : PR_LSX_ASK_TRIE;        \
		else                                                                                 \
			out_ = r_ == 0xffffffff ? PR_LSX_ASK_TRIE                                    \
			       : r_		? (int)(2 * (t)->routes + r_ - 1)                     \
						: PR_LSX_NO_MATCH;                                    \
		out_;                                                                                \
	})

/*
 * Longest match of address words w0..w3 (raw loads of the address, IPv4:
 * w0, the rest 0) in table tbl of the family and the domain that key holds
 * (PR_LSX_USED, PR_LSX_V6 for IPv6, PR_LSX_TABLE1 for table 1,
 * domain << PR_LSX_DOMAIN_SHIFT): the route slot (element * 2 + half,
 * within the family's map), PR_LSX_NO_MATCH, or PR_LSX_ASK_TRIE when the
 * table cannot answer (not built, the domain not indexed).
 *
 * A global function: the verifier checks it once, on its own, rather than
 * at every state a caller reaches it in.
 */
__noinline int pr_lsx_search(__u32 key, __u32 w0, __u32 w1, __u32 w2, __u32 w3)
{
	__u32 zero = 0, fam = key & PR_LSX_V6 ? 1 : 0, tbl = key & PR_LSX_TABLE1 ? 1 : 0;
	__u32 domain = (key >> PR_LSX_DOMAIN_SHIFT) & PR_LSX_MAX_DOMAIN;
	struct pr_lsx_ctl *c = bpf_map_lookup_elem(&pr_lsx_ctl, &zero);
	struct pr_lsx_table *t;
	__u32 a0 = bpf_ntohl(w0);

	if (!c)
		return PR_LSX_ASK_TRIE;
	t = &c->tab[fam][tbl];
	if (!(t->flags & PR_LSX_T_BUILT))
		return PR_LSX_ASK_TRIE;
	if (fam)
		return PR_LSX_SEARCH(&pr_lsx6, t, domain, a0, bpf_ntohl(w1), bpf_ntohl(w2),
				     bpf_ntohl(w3));
	return PR_LSX_SEARCH(&pr_lsx4, t, domain, a0, 0, 0, 0);
}

/*
 * Longest match of address words w0..w3 (IPv4: w0, the rest 0) in domain,
 * through the index: true with *out the route (NULL: no prefix matches),
 * or false when the index cannot answer and the trie must: not built, off
 * until the next build, the domain is not indexed, or a prefix covering
 * the destination changed since the build. The active table is read once
 * here and both global functions are told which it is.
 */
static __always_inline bool pr_lsx_lookup(bool v6, __u32 domain, __u32 w0, __u32 w1, __u32 w2,
					  __u32 w3, struct pr_route **out)
{
	__u32 zero = 0, fam = v6 ? 1 : 0, act, tbl, key, elem;
	struct pr_lsx_ctl *c = bpf_map_lookup_elem(&pr_lsx_ctl, &zero);
	union pr_lsx_elem *el;
	int s;

	if (!c || domain > PR_LSX_MAX_DOMAIN)
		return false;
	act = c->active[fam];
	if (act != 1 && act != 2)
		return false;
	tbl = act - 1;
	/* clang folds the two tests into a range check the verifier cannot
	 * follow to the index: hide the value, then mask it. */
	asm volatile("" : "+r"(tbl));
	tbl &= 1;
	key = PR_LSX_USED | (v6 ? PR_LSX_V6 : 0) | (tbl ? PR_LSX_TABLE1 : 0) |
	      domain << PR_LSX_DOMAIN_SHIFT;
	/* The table's own set: the agent records a change there before it
	 * writes the trie, and empties it only to rebuild the table, a grace
	 * period after the datapath stopped reading it. Under steady churn
	 * the set is never empty: IPv4's filter is tested here, so that the
	 * packets no change covers do not pay for the call (about as much as
	 * the search itself). */
	if (c->changed[fam][tbl] && (v6 || pr_lsx_maybe_changed4(c, tbl, w0)) &&
	    pr_lsx_stale(key, w0, w1, w2, w3))
		return false;
	s = pr_lsx_search(key, w0, w1, w2, w3);
	if (s == PR_LSX_ASK_TRIE)
		return false;
	*out = NULL;
	if (s < 0)
		return true;
	/* The route the search found: the table it was read from stays as it
	 * is while the datapath may read it (the agent writes it a grace
	 * period after deactivating it). */
	elem = (__u32)s >> 1;
	el = v6 ? bpf_map_lookup_elem(&pr_lsx6, &elem) : bpf_map_lookup_elem(&pr_lsx4, &elem);
	if (!el)
		return false;
	*out = &el->r[s & 1];
	return true;
}

#endif /* PR_LSX_H */
