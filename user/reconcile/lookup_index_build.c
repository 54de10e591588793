// SPDX-License-Identifier: GPL-2.0-only
/*
 * The lookup index on memory: its builder and the datapath's search, step
 * for step (bpf/pr_lsx.h). Pure functions, so that unit tests check both
 * against a brute-force longest match; lookup_index.c puts the tables on
 * the pinned maps. The layout: include/podroute_abi.h.
 */
#include "reconcile/lookup_index.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "lib/prefix.h"

static void mask_addr(uint8_t *a, unsigned len)
{
	pr_addr_mask(a, len, 128);
}

/* ---------- the builder ---------- */

/* A prefix as the builder sorts it: the address as two host-order halves. */
struct bkey {
	uint64_t hi, lo;
	uint32_t domain;
	uint32_t route; /* index + 1 */
	uint32_t len;
};

static void addr_halves(const uint8_t *a, uint64_t *hi, uint64_t *lo)
{
	*hi = *lo = 0;
	for (int i = 0; i < 8; i++) {
		*hi = *hi << 8 | a[i];
		*lo = *lo << 8 | a[8 + i];
	}
}

static int bkey_cmp(const void *pa, const void *pb)
{
	const struct bkey *a = pa, *b = pb;

	if (a->domain != b->domain)
		return a->domain < b->domain ? -1 : 1;
	if (a->hi != b->hi)
		return a->hi < b->hi ? -1 : 1;
	if (a->lo != b->lo)
		return a->lo < b->lo ? -1 : 1;
	return a->len < b->len ? -1 : a->len > b->len;
}

/* The stride bits of (hi, lo) at depth d (bits past 127 read as 0): what
 * pr_lsx_bits() in bpf/pr_lsx.h computes, for any stride up to 32. */
static uint32_t bits_at(uint64_t hi, uint64_t lo, unsigned d, unsigned stride)
{
	uint64_t m = ((uint64_t)1 << stride) - 1;

	if (d + stride <= 64)
		return (uint32_t)((hi >> (64 - stride - d)) & m);
	if (d >= 64) {
		d -= 64;
		if (d + stride <= 64)
			return (uint32_t)((lo >> (64 - stride - d)) & m);
		return (uint32_t)((lo << (d + stride - 64)) & m);
	}
	return (uint32_t)(((hi << (d + stride - 64)) | (lo >> (128 - stride - d))) & m);
}

/* Whether prefix a covers prefix b (a no longer than b, same bits to a's length). */
static bool bkey_covers(const struct bkey *a, const struct bkey *b)
{
	uint64_t mh, ml;

	if (a->domain != b->domain || a->len > b->len)
		return false;
	mh = a->len >= 64 ? ~0ULL : a->len ? ~0ULL << (64 - a->len) : 0;
	ml = a->len <= 64 ? 0 : a->len >= 128 ? ~0ULL : ~0ULL << (128 - a->len);
	return !((a->hi ^ b->hi) & mh) && !((a->lo ^ b->lo) & ml);
}

struct builder {
	union pr_lsx_elem *m;
	uint32_t etop;  /* next free element */
	uint32_t eend;  /* the routes' first element: the end of the room */
	uint64_t wnext, wend; /* the free words of the element words came from last */
	const struct bkey *k;
	uint32_t *paint; /* the direct array's leaves while they are painted */
	struct pr_lookup_index_build_stats *st;
};

static int alloc_elems(struct builder *b, uint32_t k, uint32_t *out)
{
	if ((uint64_t)b->etop + k > b->eend)
		return -ENOSPC;
	*out = b->etop;
	b->etop += k;
	return 0;
}

/* k contiguous words, among the elements, next to what was built just
 * before (a node's leaves near its children: fewer pages per search):
 * the rest of the last element words came from when they fit, else new
 * elements. */
static int alloc_words(struct builder *b, uint32_t k, uint32_t *out)
{
	uint32_t e;
	int err;

	if (b->wend - b->wnext < k) {
		err = alloc_elems(b, (k + 5) / 6, &e);
		if (err)
			return err;
		b->wnext = (uint64_t)e * 6;
		b->wend = ((uint64_t)e + (k + 5) / 6) * 6;
	}
	*out = (uint32_t)b->wnext;
	b->wnext += k;
	b->st->words += k;
	return 0;
}

static void set_word(struct builder *b, uint32_t w, uint32_t v)
{
	b->m[w / 6].word[w % 6] = v;
}

/* Paint the slots of a level (depth d, stride bits) that prefix k covers. */
static void paint(uint32_t *slots, const struct bkey *k, unsigned d, unsigned stride)
{
	uint32_t first = k->len <= d ? 0 : bits_at(k->hi, k->lo, d, stride);
	uint32_t n = k->len <= d ? 1U << stride : 1U << (stride - (k->len - d));

	for (uint32_t s = first; s < first + n; s++)
		slots[s] = k->route;
}

/* Bits 16..127 of a prefix as a compressed leaf keeps them (w[0], w[1]). */
static void cleaf_bits(const struct bkey *k, uint64_t *c0, uint64_t *c1)
{
	*c0 = k->hi << 16 | k->lo >> 48;
	*c1 = k->lo << 16;
}

static int build_sub(struct builder *b, uint32_t elem, size_t lo, size_t hi, unsigned d, uint32_t inh);

/*
 * The node at element elem for prefixes k[lo, hi) (each longer than d,
 * all alike in their first d bits), under the inherited route inh: paint
 * the 64 values of the next 6 bits with the prefixes that end within
 * them, give each value that longer prefixes go through a child, and
 * store the leaves of the rest, one per run of equal leaves.
 */
static int build_node(struct builder *b, uint32_t elem, size_t lo, size_t hi, unsigned d, uint32_t inh)
{
	uint32_t best[64], clo[64], chi[64], cbase = 0, lbase = 0, nchild = 0, nruns = 0, prev = 0;
	uint64_t vec = 0, leafvec = 0;
	int err;

	for (int s = 0; s < 64; s++)
		best[s] = inh;
	for (size_t i = lo; i < hi; i++) {
		const struct bkey *k = &b->k[i];
		uint32_t s;

		if (k->len <= d + PR_LSX_STRIDE) {
			paint(best, k, d, PR_LSX_STRIDE);
			continue;
		}
		s = bits_at(k->hi, k->lo, d, PR_LSX_STRIDE);
		if (!(vec >> s & 1)) {
			vec |= 1ULL << s;
			clo[s] = (uint32_t)i;
			nchild++;
		}
		chi[s] = (uint32_t)i + 1;
	}
	for (int s = 0; s < 64; s++) {
		if (vec >> s & 1)
			continue;
		if (!nruns || best[s] != prev) {
			leafvec |= 1ULL << s;
			nruns++;
			prev = best[s];
		}
	}
	if (nchild && (err = alloc_elems(b, nchild, &cbase)))
		return err;
	if (nruns && (err = alloc_words(b, nruns, &lbase)))
		return err;
	b->m[elem].w[0] = vec;
	b->m[elem].w[1] = leafvec;
	b->m[elem].w[2] = (uint64_t)lbase << 32 | cbase;
	b->st->nodes++;
	nruns = 0;
	for (int s = 0; s < 64; s++) {
		if (vec >> s & 1)
			continue;
		if (leafvec >> s & 1)
			set_word(b, lbase + nruns++, best[s]);
	}
	for (int s = 0, j = 0; s < 64; s++) {
		if (!(vec >> s & 1))
			continue;
		err = build_sub(b, cbase + j++, clo[s], chi[s], d + PR_LSX_STRIDE, best[s]);
		if (err)
			return err;
	}
	return 0;
}

/* The bits two addresses share from the first, 0..128. */
static unsigned common_bits(const struct bkey *a, const struct bkey *b)
{
	if (a->hi != b->hi)
		return (unsigned)__builtin_clzll(a->hi ^ b->hi);
	if (a->lo != b->lo)
		return 64 + (unsigned)__builtin_clzll(a->lo ^ b->lo);
	return 128;
}

/* The depth (d plus a multiple of 6) down to which every prefix of
 * k[lo, hi) goes through the same bits and past which each is longer: a
 * skip goes there at once. d when there is no such depth. */
static unsigned skip_to(const struct builder *b, size_t lo, size_t hi, unsigned d)
{
	unsigned limit = common_bits(&b->k[lo], &b->k[hi - 1]);

	for (size_t i = lo; i < hi; i++)
		if (b->k[i].len - 1 < limit)
			limit = b->k[i].len - 1;
	return limit > d ? d + (limit - d) / PR_LSX_STRIDE * PR_LSX_STRIDE : d;
}

/* The subtree at element elem for prefixes k[lo, hi), each longer than d:
 * one compressed leaf when it holds one prefix or two nested ones (and
 * the path has checked the first 16 bits, which a compressed leaf does not
 * hold), a skip when they all go through the same next bits, else a node
 * (always, above depth 16: below a small direct array). */
static int build_sub(struct builder *b, uint32_t elem, size_t lo, size_t hi, unsigned d, uint32_t inh)
{
	const struct bkey *k = &b->k[lo];
	uint64_t c0, c1;

	if (d < PR_LSX_CLEAF_DEPTH)
		return build_node(b, elem, lo, hi, d, inh);
	if (hi - lo != 1 && (hi - lo != 2 || !bkey_covers(&k[0], &k[1]) || k[0].len == k[1].len)) {
		unsigned e = skip_to(b, lo, hi, d);
		uint32_t child;
		int err;

		if (e == d)
			return build_node(b, elem, lo, hi, d, inh);
		err = alloc_elems(b, 1, &child);
		if (err)
			return err;
		cleaf_bits(k, &c0, &c1);
		b->m[elem].w[0] = c0;
		b->m[elem].w[1] = c1 | (uint64_t)e << 8;
		b->m[elem].w[2] = PR_LSX_CLEAF | PR_LSX_SKIP | (uint64_t)inh << 31 | child;
		b->st->skips++;
		return build_sub(b, child, lo, hi, e, inh);
	}
	cleaf_bits(&k[hi - lo - 1], &c0, &c1);
	b->m[elem].w[0] = c0;
	b->m[elem].w[1] = c1 | (uint64_t)k[hi - lo - 1].len << 8 | (hi - lo == 2 ? k[0].len : 0);
	b->m[elem].w[2] = PR_LSX_CLEAF | (uint64_t)inh << (2 * PR_LSX_RBITS) |
			  (uint64_t)(hi - lo == 2 ? k[0].route : 0) << PR_LSX_RBITS | k[hi - lo - 1].route;
	b->st->cleaves++;
	return 0;
}

/* The bits every prefix of k[lo, hi) but a default route shares and is
 * longer than (or as long as), at most PR_LSX_MAX_SHIFT: the direct array
 * starts there. */
static unsigned domain_shift(const struct builder *b, size_t lo, size_t hi)
{
	unsigned s;

	if (lo < hi && !b->k[lo].len)
		lo++; /* the default route: the answer outside */
	if (lo == hi)
		return 0;
	s = common_bits(&b->k[lo], &b->k[hi - 1]);
	if (s > PR_LSX_MAX_SHIFT)
		s = PR_LSX_MAX_SHIFT;
	for (size_t i = lo; i < hi; i++)
		if (b->k[i].len < s)
			s = b->k[i].len;
	return s;
}

/*
 * The bits of the direct array's index for n prefixes, the longest maxlen
 * bits long, after a shift of sh bits. Every build writes every word of
 * it, so it grows with the prefixes: 64 words per prefix (most prefixes
 * alone under their word) up to 2^16 words (1,024 prefixes: the array
 * larger tables had before), then about one prefix per word up to
 * max_bits; at least PR_LSX_MIN_DP_BITS. A build of a few prefixes writes
 * a few hundred words, not 2^16 (50 to 70 us). An array that ends above
 * depth 16 is followed by nodes down to it, 6 bits each (a compressed leaf
 * holds the bits from 16 on): when a few bits more make them land on 16
 * exactly, a node less, the array takes them while it stays within 256
 * words per prefix.
 */
static unsigned dp_bits_for(size_t n, unsigned maxlen, unsigned sh, unsigned max_bits)
{
	unsigned db = PR_LSX_MIN_DP_BITS, r;

	while (db < PR_LSX_DP_BITS && ((size_t)1 << db) < 64 * n)
		db++;
	while (db < max_bits && ((size_t)1 << db) < n)
		db++;
	if (sh + db < PR_LSX_CLEAF_DEPTH && maxlen > sh + db) {
		r = (PR_LSX_CLEAF_DEPTH - sh - db) % PR_LSX_STRIDE;
		if (((size_t)1 << (db + r)) <= 256 * n)
			db += r;
	}
	return db;
}

/* The direct array of one domain, prefixes k[lo, hi), and its header. */
static int build_domain(struct builder *b, size_t lo, size_t hi, struct pr_lsx_dom *dom,
			unsigned max_bits)
{
	unsigned db, sh, d, maxlen = 0;
	uint32_t nslots;
	int err;

	for (size_t i = lo; i < hi; i++)
		if (b->k[i].len > maxlen)
			maxlen = b->k[i].len;
	sh = domain_shift(b, lo, hi);
	db = dp_bits_for(hi - lo, maxlen, sh, max_bits);
	nslots = 1U << db;
	d = sh + db;
	err = alloc_words(b, nslots, &dom->dp);
	if (err)
		return err;
	dom->shift = (uint8_t)sh;
	dom->dp_bits = (uint8_t)db;
	dom->common = sh ? b->k[hi - 1].hi & ~(~0ULL >> sh) : 0;
	dom->outside = lo < hi && !b->k[lo].len ? b->k[lo].route : 0;
	memset(b->paint, 0, nslots * sizeof(*b->paint));
	for (size_t i = lo; i < hi; i++)
		if (b->k[i].len <= d)
			paint(b->paint, &b->k[i], sh, db);
	for (uint32_t s = 0; s < nslots; s++)
		set_word(b, dom->dp + s, b->paint[s]);
	/* Longer prefixes: one subtree per value of the db bits that they go
	 * through (sorted, so each value's prefixes are together). */
	for (size_t i = lo; i < hi;) {
		const struct bkey *k = &b->k[i];
		uint32_t s = bits_at(k->hi, k->lo, sh, db), elem;
		size_t j = i + 1;

		if (k->len <= d) {
			i++;
			continue;
		}
		while (j < hi && bits_at(b->k[j].hi, b->k[j].lo, sh, db) == s)
			j++;
		err = alloc_elems(b, 1, &elem);
		if (!err)
			err = build_sub(b, elem, i, j, d, b->paint[s]);
		if (err)
			return err;
		set_word(b, dom->dp + s, PR_LSX_CHILD | elem);
		i = j;
	}
	return 0;
}

/* Distinct routes: an open-addressing set of route indices. */
struct route_set {
	uint32_t *slot; /* index + 1, 0 empty */
	uint32_t mask;
	struct pr_route *r;
	uint32_t n;
};

static uint32_t route_hash(const struct pr_route *r)
{
	uint64_t h = ((uint64_t)r->net_id << 32 | r->nhg_id) * 0x9e3779b97f4a7c15ULL;

	h ^= ((uint64_t)r->action << 8 | r->flags) * 0xff51afd7ed558ccdULL;
	return (uint32_t)(h >> 32);
}

/* Double the slots (the set stays at most half full, and small while the
 * routes are few, as they are: prefixes share their networks). */
static int route_grow(struct route_set *rs)
{
	uint32_t mask = rs->mask * 2 + 1, *slot = calloc((size_t)mask + 1, sizeof(*slot));

	if (!slot)
		return -ENOMEM;
	for (uint32_t v = 1; v <= rs->n; v++) {
		uint32_t i = route_hash(&rs->r[v - 1]) & mask;

		while (slot[i])
			i = (i + 1) & mask;
		slot[i] = v;
	}
	free(rs->slot);
	rs->slot = slot;
	rs->mask = mask;
	return 0;
}

/* The index + 1 of route r, added if new; 0 when there are too many (or
 * no memory). */
static uint32_t route_intern(struct route_set *rs, const struct pr_route *r)
{
	uint32_t i;

	if (2 * (rs->n + 1) > rs->mask && route_grow(rs))
		return 0;
	i = route_hash(r) & rs->mask;

	for (;; i = (i + 1) & rs->mask) {
		uint32_t v = rs->slot[i];

		if (!v)
			break;
		if (!memcmp(&rs->r[v - 1], r, sizeof(*r)))
			return v;
	}
	if (rs->n == PR_LSX_MAX_ROUTES)
		return 0;
	rs->r[rs->n] = *r;
	rs->r[rs->n].pad = 0;
	rs->slot[i] = ++rs->n;
	return rs->n;
}

int pr_lookup_index_fill(union pr_lsx_elem *map, uint32_t base, uint32_t nelems, bool v6,
			 const struct pr_lookup_index_entry *e, size_t n, struct pr_lsx_table *t,
			 struct pr_lookup_index_build_stats *st)
{
	struct builder b = { .m = map, .st = st };
	struct route_set rs = { 0 };
	struct bkey *k = NULL;
	unsigned max = v6 ? 128 : 32;
	uint32_t rbase, nre;
	size_t nk = 0;
	int err = 0;

	memset(st, 0, sizeof(*st));
	memset(t, 0, sizeof(*t));
	if (nelems < 2)
		return -ENOSPC;
	k = malloc((n ? n : 1) * sizeof(*k));
	rs.slot = calloc(1024, sizeof(*rs.slot));
	rs.r = malloc((n ? n : 1) * sizeof(*rs.r));
	b.paint = malloc(sizeof(uint32_t) << PR_LSX_MAX_DP_BITS);
	rs.mask = 1023;
	if (!k || !rs.slot || !rs.r || !b.paint) {
		err = -ENOMEM;
		goto out;
	}
	for (size_t i = 0; i < n; i++) {
		uint8_t a[16];

		if (e[i].domain > PR_LSX_MAX_DOMAIN || e[i].len > max) {
			st->skipped++;
			continue;
		}
		memcpy(a, e[i].addr, 16);
		if (!v6)
			memset(a + 4, 0, 12);
		mask_addr(a, e[i].len);
		addr_halves(a, &k[nk].hi, &k[nk].lo);
		k[nk].domain = e[i].domain;
		k[nk].len = e[i].len;
		k[nk].route = route_intern(&rs, &e[i].r);
		if (!k[nk].route) {
			err = -E2BIG;
			goto out;
		}
		nk++;
	}
	qsort(k, nk, sizeof(*k), bkey_cmp);
	b.k = k;
	/* The routes at the table's end, the rest from the table's start. */
	nre = (rs.n + 1) / 2;
	if (nre + 1 > nelems) {
		err = -ENOSPC;
		goto out;
	}
	rbase = base + nelems - nre;
	memcpy(&map[rbase], rs.r, (size_t)rs.n * sizeof(*rs.r));
	b.eend = rbase;
	/* Direct arrays as large as the domains ask for, or if the table
	 * cannot hold them, smaller ones: 2 bits less each time. */
	for (unsigned max_bits = PR_LSX_MAX_DP_BITS;; max_bits -= 2) {
		size_t skipped = st->skipped;

		b.etop = base;
		b.wnext = b.wend = 0;
		st->nodes = st->cleaves = st->skips = st->words = st->prefixes = 0;
		memset(t, 0, sizeof(*t));
		t->flags = PR_LSX_T_ALL;
		for (size_t i = 0; i < nk && !err;) {
			size_t j = i + 1;

			while (j < nk && k[j].domain == k[i].domain)
				j++;
			if (t->ndom == PR_LSX_MAX_DOMAINS) {
				t->flags &= ~PR_LSX_T_ALL;
				skipped += j - i;
			} else {
				err = build_domain(&b, i, j, &t->dom[t->ndom], max_bits);
				t->dom[t->ndom++].domain = k[i].domain;
				st->prefixes += j - i;
			}
			i = j;
		}
		if (!err)
			st->skipped = skipped;
		if (err != -ENOSPC || max_bits <= PR_LSX_DP_BITS)
			break;
		err = 0;
	}
	if (err)
		goto out;
	st->domains = t->ndom;
	st->routes = rs.n;
	st->elements = (b.etop - base) + nre;
	t->routes = rbase;
	t->nelems = (uint32_t)st->elements;
	t->flags |= PR_LSX_T_BUILT;
out:
	free(k);
	free(rs.slot);
	free(rs.r);
	free(b.paint);
	if (err)
		memset(t, 0, sizeof(*t));
	return err;
}

/* ---------- the search, as the datapath's ---------- */

static bool word_at(const union pr_lsx_elem *map, uint32_t map_elems, uint32_t w, uint32_t *v)
{
	if (w / 6 >= map_elems)
		return false;
	*v = map[w / 6].word[w % 6];
	return true;
}

static bool cmatch(uint64_t x0, uint64_t x1, uint64_t c0, uint64_t c1, unsigned len)
{
	uint64_t m0, m1;

	if (len <= 16)
		return true;
	if (len > 80) {
		m0 = ~0ULL;
		m1 = ~0ULL << (144 - (len > 128 ? 128 : len));
	} else {
		m0 = ~0ULL << (80 - len);
		m1 = 0;
	}
	return !((x0 ^ c0) & m0) && !((x1 ^ c1) & m1);
}

bool pr_lookup_index_search(const union pr_lsx_elem *map, uint32_t map_elems, const struct pr_lsx_table *t,
			    bool v6, uint32_t domain, const uint8_t *addr, const struct pr_route **out)
{
	const struct pr_lsx_dom *dom = NULL;
	uint32_t ent, res = UINT32_MAX;
	uint64_t hi, lo, x0, x1;
	unsigned sh, db;
	uint8_t a[16];

	*out = NULL;
	if (!(t->flags & PR_LSX_T_BUILT))
		return false;
	for (uint32_t i = 0; i < t->ndom && i < PR_LSX_MAX_DOMAINS; i++)
		if (t->dom[i].domain == domain) {
			dom = &t->dom[i];
			break;
		}
	if (!dom)
		return t->flags & PR_LSX_T_ALL;
	memcpy(a, addr, 16);
	if (!v6)
		memset(a + 4, 0, 12);
	addr_halves(a, &hi, &lo);
	x0 = hi << 16 | lo >> 48;
	x1 = lo << 16;
	sh = dom->shift;
	db = dom->dp_bits;
	if (sh > PR_LSX_MAX_SHIFT || db < PR_LSX_MIN_DP_BITS || db > PR_LSX_MAX_DP_BITS)
		return false;
	if (sh && (hi ^ dom->common) >> (64 - sh))
		ent = dom->outside;
	else if (!word_at(map, map_elems, dom->dp + (uint32_t)((hi << sh) >> (64 - db)), &ent))
		return false;
	for (unsigned it = 0, d = sh + db; it < PR_LSX_MAX_STEPS; it++) {
		const union pr_lsx_elem *el;
		uint32_t v;
		uint64_t below;

		if (!(ent & PR_LSX_CHILD)) {
			res = ent;
			break;
		}
		if ((ent & ~PR_LSX_CHILD) >= map_elems)
			return false;
		el = &map[ent & ~PR_LSX_CHILD];
		if (el->w[2] & PR_LSX_CLEAF) {
			uint64_t c1 = el->w[1], r = el->w[2];

			if (r & PR_LSX_SKIP) {
				d = (c1 >> 8) & 0xff;
				if (!cmatch(x0, x1, el->w[0], c1, d)) {
					res = (r >> 31) & PR_LSX_RMASK;
					break;
				}
				ent = PR_LSX_CHILD | (uint32_t)(r & 0x7fffffff);
				continue;
			}
			if (cmatch(x0, x1, el->w[0], c1, (c1 >> 8) & 0xff))
				res = r & PR_LSX_RMASK;
			else if ((c1 & 0xff) && cmatch(x0, x1, el->w[0], c1, c1 & 0xff))
				res = (r >> PR_LSX_RBITS) & PR_LSX_RMASK;
			else
				res = (r >> (2 * PR_LSX_RBITS)) & PR_LSX_RMASK;
			break;
		}
		if (d >= 128)
			return false;
		v = bits_at(hi, lo, d, PR_LSX_STRIDE);
		below = (2ULL << v) - 1;
		if (el->w[0] >> v & 1) {
			ent = PR_LSX_CHILD | ((uint32_t)el->w[2] + (uint32_t)__builtin_popcountll(el->w[0] & below) - 1);
			d += PR_LSX_STRIDE;
			continue;
		}
		if (!word_at(map, map_elems,
			     (uint32_t)(el->w[2] >> 32) + (uint32_t)__builtin_popcountll(el->w[1] & below) - 1, &ent))
			return false;
		res = ent & ~PR_LSX_CHILD;
		break;
	}
	if (res == UINT32_MAX)
		return false;
	if (res) {
		uint64_t slot = 2 * (uint64_t)t->routes + res - 1;

		if (slot / 2 >= map_elems)
			return false;
		*out = &map[slot / 2].r[slot % 2];
	}
	return true;
}

int pr_lookup_index_entry_from_key(bool v6, const void *key, const void *route, struct pr_lookup_index_entry *e)
{
	struct pr_prefix p;
	int err = v6 ? pr_prefix_from_key6(&p, &e->domain, key) : pr_prefix_from_key4(&p, &e->domain, key);

	if (err)
		return err;
	e->len = p.len;
	memcpy(e->addr, p.addr, 16);
	memcpy(&e->r, route, sizeof(e->r)); /* a mirror record need not be aligned */
	return 0;
}
