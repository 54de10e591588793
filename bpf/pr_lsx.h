/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The datapath's reader of the lookup index (the layout and why it exists:
 * include/podroute_abi.h; the builder: user/reconcile/lookup_index.c). pr_lsx_lookup() answers
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

/* Linear probing from the key's home line within [base, base + nlines). */
static __always_inline int pr_lsx_scan(void *map, __u32 base, __u32 nlines, __u32 meta, __u32 w0,
				       __u32 w1, __u32 w2, __u32 w3)
{
	__u32 line = pr_lsx_line_of(pr_lsx_hash(meta, w0, w1, w2, w3), nlines);

	for (int i = 0; i < PR_LSX_MAX_PROBE / 2; i++) {
		__u32 idx = base + line;
		struct pr_lsx_line *ln = bpf_map_lookup_elem(map, &idx);

		if (!ln)
			return -1;
#pragma unroll
		for (int s = 0; s < 2; s++) {
			const struct pr_lsx_slot *sl = &ln->s[s];
			const __u32 *a = (const __u32 *)sl->addr;

			if (!sl->meta)
				return -1;
			if ((sl->meta & PR_LSX_KEYMASK) == meta && a[0] == w0 && a[1] == w1 &&
			    a[2] == w2 && a[3] == w3)
				return (int)(idx * 2 + s);
		}
		line = line + 1 == nlines ? 0 : line + 1;
	}
	return -1;
}

/*
 * The slot (line * 2 + slot, within the family's map) holding the key
 * meta + address words, or -1. The builder keeps every key within
 * PR_LSX_MAX_PROBE slots of its home line and an empty slot ends a run. A
 * global function: the verifier checks it once, on its own, rather than at
 * every step of every caller's search (and BPF functions take at most five
 * arguments, hence the family and table inside meta). One call site per
 * map: a lookup whose map is known there is inlined, one that may be
 * either map is a real call.
 */
__noinline int pr_lsx_find(__u32 meta, __u32 w0, __u32 w1, __u32 w2, __u32 w3)
{
	__u32 zero = 0, fam = meta & PR_LSX_V6 ? 1 : 0, tbl = meta & PR_LSX_TABLE1 ? 1 : 0;
	struct pr_lsx_ctl *c = bpf_map_lookup_elem(&pr_lsx_ctl, &zero);
	struct pr_lsx_lens *ls;

	if (!c)
		return -1;
	ls = &c->lens[fam][tbl];
	if (!ls->nlines)
		return -1;
	if (fam)
		return pr_lsx_scan(&pr_lsx6, ls->base, ls->nlines, meta, w0, w1, w2, w3);
	return pr_lsx_scan(&pr_lsx4, ls->base, ls->nlines, meta, w0, w1, w2, w3);
}

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

/* Whether a change may cover the destination (words w in domain) since
 * table tbl of family fam was built, by the set's filter: false only when
 * none can. */
static __always_inline bool pr_lsx_maybe_changed(const struct pr_lsx_ctl *c, __u32 fam, __u32 tbl,
						 __u32 domain, const __u32 *w)
{
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

/* pr_lsx_search()'s answers besides a slot. */
#define PR_LSX_NO_MATCH (-1) /* no prefix covers the destination */
#define PR_LSX_ASK_TRIE (-2) /* the index cannot answer: the trie must */

/*
 * Whether a prefix covering the destination (words w0..w3 in the domain,
 * family and table that key holds, as pr_lsx_lookup builds it) changed
 * since that table was built: the set's filter first (most destinations
 * are covered by no change), then the set itself, keyed as the trie is.
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
	return pr_lsx_maybe_changed(c, fam, tbl, domain, w) && pr_lsx_changed(fam, tbl, &k);
}

/*
 * Longest match of address words w0..w3 (IPv4: w0, the rest 0) in table
 * tbl of the family and the domain that key holds (PR_LSX_USED, PR_LSX_V6
 * for IPv6, PR_LSX_TABLE1 for table 1, domain << PR_LSX_DOMAIN_SHIFT):
 * the slot (line * 2 + slot, within the family's map) whose bmp is the
 * route, PR_LSX_NO_MATCH, or PR_LSX_ASK_TRIE when the table has no lengths
 * the index can serve. A probe that finds an entry sends the search longer
 * and brings the entry's bmp; one that finds nothing sends it shorter.
 *
 * A global function, like pr_lsx_find: the verifier checks it once, on its
 * own. Inlined, its five dependent probes (each a miss, a hit with a bmp or
 * a hit without, and lo, hi and the best slot so far different after each)
 * were walked again for every state a caller reached it in: 88% of the
 * instructions the verifier processed for xdp_underlay.
 */
__noinline int pr_lsx_search(__u32 key, __u32 w0, __u32 w1, __u32 w2, __u32 w3)
{
	__u32 zero = 0, fam = key & PR_LSX_V6 ? 1 : 0, tbl = key & PR_LSX_TABLE1 ? 1 : 0;
	struct pr_lsx_ctl *c = bpf_map_lookup_elem(&pr_lsx_ctl, &zero);
	struct pr_lsx_lens *ls;
	int lo = 0, hi, best = PR_LSX_NO_MATCH;

	if (!c)
		return PR_LSX_ASK_TRIE;
	ls = &c->lens[fam][tbl];
	if (!ls->n || ls->n > PR_LSX_MAX_LENS)
		return PR_LSX_ASK_TRIE;
	hi = (int)ls->n - 1;
	for (int it = 0; it < 5; it++) { /* ceil(log2(PR_LSX_MAX_LENS + 1)) */
		struct pr_lsx_line *ln;
		struct pr_lsx_len *e;
		__u32 mid, line;
		int s;

		if (lo > hi)
			break;
		mid = ((__u32)(lo + hi) / 2) & (PR_LSX_MAX_LENS - 1);
		e = &ls->e[mid];
		s = pr_lsx_find(key | (e->len & 0xff), w0 & e->mask[0], w1 & e->mask[1],
				w2 & e->mask[2], w3 & e->mask[3]);
		if (s < 0) {
			hi = (int)mid - 1;
			continue;
		}
		line = (__u32)s >> 1;
		ln = fam ? bpf_map_lookup_elem(&pr_lsx6, &line) : bpf_map_lookup_elem(&pr_lsx4, &line);
		if (ln && (ln->s[s & 1].meta & PR_LSX_BMP))
			best = s;
		lo = (int)mid + 1;
	}
	return best;
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
	__u32 zero = 0, fam = v6 ? 1 : 0, act, tbl, key, line;
	struct pr_lsx_ctl *c = bpf_map_lookup_elem(&pr_lsx_ctl, &zero);
	struct pr_lsx_line *ln;
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
	 * period after the datapath stopped reading it. */
	if (c->changed[fam][tbl] && pr_lsx_stale(key, w0, w1, w2, w3))
		return false;
	s = pr_lsx_search(key, w0, w1, w2, w3);
	if (s == PR_LSX_ASK_TRIE)
		return false;
	*out = NULL;
	if (s < 0)
		return true;
	/* The slot the search found: the table it was read from stays as it
	 * is while the datapath may read it (the agent writes it a grace
	 * period after deactivating it), so the entry still holds its bmp. */
	line = (__u32)s >> 1;
	ln = v6 ? bpf_map_lookup_elem(&pr_lsx6, &line) : bpf_map_lookup_elem(&pr_lsx4, &line);
	if (ln)
		*out = &ln->s[s & 1].bmp;
	return true;
}

#endif /* PR_LSX_H */
