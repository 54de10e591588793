// SPDX-License-Identifier: GPL-2.0-only
/*
 * Unit tests: the lookup index's builder and search (user/reconcile/lookup_index_build.c) against a
 * brute-force longest match over the same prefixes, on random nested sets
 * in several domains and both tables of a map, small tables (small direct
 * arrays, with nodes below those that end above depth 16), plus the
 * refusals (table too small, domains above the indexed range or past the
 * indexed number).
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "reconcile/lookup_index.h"

static uint64_t rng;

static uint64_t rnd(void)
{
	uint64_t z = (rng += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

static void mask(uint8_t *a, unsigned len)
{
	for (unsigned i = 0; i < 16; i++) {
		unsigned bits = len > i * 8 ? len - i * 8 : 0;

		a[i] &= bits >= 8 ? 0xff : (uint8_t)(0xff00 >> bits);
	}
}

/* Random bits past the first len of a (a stays inside the prefix). */
static void fill_host_bits(uint8_t *a, unsigned len, unsigned bytes)
{
	uint8_t m[16];

	memset(m, 0xff, sizeof(m));
	mask(m, len);
	for (unsigned i = 0; i < bytes; i++)
		a[i] |= (uint8_t)rnd() & (uint8_t)~m[i];
}

static bool covers(const struct pr_lookup_index_entry *e, uint32_t domain, const uint8_t *addr)
{
	uint8_t a[16];

	memcpy(a, addr, 16);
	mask(a, e->len);
	return e->domain == domain && !memcmp(a, e->addr, 16);
}

static const struct pr_lookup_index_entry *brute(const struct pr_lookup_index_entry *e, size_t n, uint32_t domain,
					const uint8_t *addr)
{
	const struct pr_lookup_index_entry *best = NULL;

	for (size_t i = 0; i < n; i++)
		if (covers(&e[i], domain, addr) && (!best || e[i].len > best->len))
			best = &e[i];
	return best;
}

/* Prefixes go in the first three; queries also ask the fourth, which has none. */
static const uint32_t domains[] = { 0, 1001, 1002, 1003 };

/* n distinct prefixes of the given lengths, a third nested in an earlier
 * one (so that pushed leaves, compressed leaves and shorter covering prefixes
 * all matter). */
static size_t gen(struct pr_lookup_index_entry *e, size_t n, bool v6, const unsigned *lens, size_t nlens)
{
	size_t k = 0;

	while (k < n) {
		struct pr_lookup_index_entry p = {};
		bool dup = false;

		p.len = lens[rnd() % nlens];
		if (k && rnd() % 3 == 0) {
			const struct pr_lookup_index_entry *parent = &e[rnd() % k];

			p = *parent;
			p.len = lens[rnd() % nlens];
			if (p.len <= parent->len)
				continue;
			fill_host_bits(p.addr, parent->len, v6 ? 16 : 4);
		} else {
			p.domain = domains[rnd() % 3];
			for (unsigned i = 0; i < (v6 ? 16 : 4); i++)
				p.addr[i] = (uint8_t)rnd();
		}
		mask(p.addr, p.len);
		for (size_t i = 0; i < k && !dup; i++)
			dup = e[i].domain == p.domain && e[i].len == p.len && !memcmp(e[i].addr, p.addr, 16);
		if (dup)
			continue;
		p.r = (struct pr_route){ .net_id = (uint32_t)k + 1, .nhg_id = (uint32_t)rnd(),
					 .action = (uint8_t)(k % PR_ACT_MAX), .flags = (uint8_t)(k & 1) };
		e[k++] = p;
	}
	return k;
}

/* A map of two tables as the agent lays them out: table t at t * M / 2. */
#define MAP_ELEMS (2 * (17 * PR_LSX_DP_ELEMS + 16))
/* The elements of a one-prefix domain's direct array (2^6 words). */
#define SMALL_DP_ELEMS (((1 << PR_LSX_MIN_DP_BITS) + 5) / 6)

/* Every query answered as the brute force answers it; returns hits. */
static unsigned check(const union pr_lsx_elem *map, const struct pr_lsx_table *t, bool v6,
		      const struct pr_lookup_index_entry *e, size_t n, unsigned queries, unsigned *misses)
{
	unsigned hits = 0;

	*misses = 0;
	for (unsigned q = 0; q < queries; q++) {
		uint8_t a[16] = {};
		uint32_t domain = domains[rnd() % 4];
		const struct pr_lookup_index_entry *want;
		const struct pr_route *got;

		if (q % 2) { /* near an installed prefix: inside it or just past its end */
			const struct pr_lookup_index_entry *p = &e[rnd() % n];

			memcpy(a, p->addr, 16);
			domain = p->domain;
			fill_host_bits(a, p->len, v6 ? 16 : 4);
			if (rnd() % 4 == 0)
				a[(v6 ? 16 : 4) - 1] ^= 1 << (rnd() % 8);
			if (rnd() % 8 == 0 && p->len) /* the bit just past the prefix, or its last */
				a[(p->len - 1) / 8] ^= 0x80 >> ((p->len - 1) % 8);
		} else {
			for (unsigned i = 0; i < (v6 ? 16 : 4); i++)
				a[i] = (uint8_t)rnd();
		}
		want = brute(e, n, domain, a);
		assert_true(pr_lookup_index_search(map, MAP_ELEMS, t, v6, domain, a, &got));
		if (!want) {
			assert_null(got);
			(*misses)++;
			continue;
		}
		assert_non_null(got);
		assert_memory_equal(got, &want->r, sizeof(want->r));
		hits++;
	}
	return hits;
}

/* Two random sets, one in each table of one map, each checked after both
 * are built (a table never writes outside its half). */
static void random_sets(bool v6, const unsigned *lens, size_t nlens)
{
	const size_t n = 2000;
	struct pr_lookup_index_entry *e[2] = { calloc(n, sizeof(*e[0])), calloc(n, sizeof(*e[1])) };
	union pr_lsx_elem *map = calloc(MAP_ELEMS, sizeof(*map));
	struct pr_lookup_index_build_stats st;
	struct pr_lsx_table t[2];

	assert_non_null(e[0]);
	assert_non_null(e[1]);
	assert_non_null(map);
	for (unsigned tbl = 0; tbl < 2; tbl++) {
		rng = (tbl + 1) * 7919;
		gen(e[tbl], n, v6, lens, nlens);
		assert_int_equal(pr_lookup_index_fill(map, tbl * MAP_ELEMS / 2, MAP_ELEMS / 2, v6, e[tbl], n,
						      &t[tbl], &st),
				 0);
		assert_int_equal(st.prefixes, n);
		assert_int_equal(st.domains, 3);
		assert_true(t[tbl].flags & PR_LSX_T_BUILT);
		assert_true(t[tbl].flags & PR_LSX_T_ALL);
		assert_true(st.nodes > 0);
		assert_true(st.cleaves > 0);
		if (v6) /* nested prefixes far below a shorter one */
			assert_true(st.skips > 0);
		print_message("%s table %u: %zu nodes, %zu compressed leaves, %zu skips, %zu words, %zu elements\n",
			      v6 ? "IPv6" : "IPv4", tbl, st.nodes, st.cleaves, st.skips, st.words, st.elements);
	}
	for (unsigned tbl = 0; tbl < 2; tbl++) {
		unsigned hits, misses;

		hits = check(map, &t[tbl], v6, e[tbl], n, 10000, &misses);
		print_message("%s table %u: %u hits, %u misses\n", v6 ? "IPv6" : "IPv4", tbl, hits, misses);
		/* The check is not vacuous: both answers occur, often. */
		assert_true(hits > 1000);
		assert_true(misses > 1000);
	}
	free(e[0]);
	free(e[1]);
	free(map);
}

static void test_v4_random_sets(void **state)
{
	static const unsigned lens[] = { 8, 16, 20, 24, 28, 32 };

	(void)state;
	random_sets(false, lens, 6);
}

static void test_v6_random_sets(void **state)
{
	static const unsigned lens[] = { 32, 48, 56, 64, 96, 128 };

	(void)state;
	random_sets(true, lens, 6);
}

/* Every length at once, /0 and the host routes included: the painting of
 * a direct array and of nodes at every offset within their 16 or 6 bits. */
static void test_every_length_v4(void **state)
{
	unsigned lens[33];

	(void)state;
	for (unsigned i = 0; i <= 32; i++)
		lens[i] = i;
	random_sets(false, lens, 33);
}

static void test_every_length_v6(void **state)
{
	unsigned lens[129];

	(void)state;
	for (unsigned i = 0; i <= 128; i++)
		lens[i] = i;
	random_sets(true, lens, 129);
}

/* Sparse lengths deep in IPv6, where compressed leaves hold one prefix or
 * two nested ones, at every offset of their words. */
static void test_v6_nested_pairs(void **state)
{
	static const unsigned lens[] = { 17, 63, 64, 65, 79, 80, 81, 127, 128 };

	(void)state;
	random_sets(true, lens, 9);
}

/* One cluster's prefixes, as IPv6 pod networks are: all within one /48
 * (and, in domain 0, a default route): the direct array starts past the
 * bits they share, and a destination outside the /48 gets the default. */
static void test_v6_cluster(void **state)
{
	static const unsigned lens[] = { 52, 56, 64, 80, 128 };
	static const uint8_t cluster[6] = { 0xfd, 0x12, 0x34, 0x56, 0x78, 0x9a };
	const size_t n = 2000;
	struct pr_lookup_index_entry *e = calloc(n, sizeof(*e));
	union pr_lsx_elem *map = calloc(MAP_ELEMS, sizeof(*map));
	struct pr_lookup_index_build_stats st;
	struct pr_lsx_table t;
	unsigned hits, misses;
	size_t k = 0;

	(void)state;
	assert_non_null(e);
	assert_non_null(map);
	rng = 4242;
	gen(e, n, true, lens, 5);
	/* Into the cluster, then without the duplicates that made. */
	for (size_t i = 0; i < n; i++) {
		bool dup = false;

		memcpy(e[i].addr, cluster, sizeof(cluster));
		for (size_t j = 0; j < k && !dup; j++)
			dup = e[j].domain == e[i].domain && e[j].len == e[i].len &&
			      !memcmp(e[j].addr, e[i].addr, 16);
		if (!dup)
			e[k++] = e[i];
	}
	e[k - 1] = (struct pr_lookup_index_entry){ .domain = 0, .len = 0, .r = { .net_id = 999999 } };
	assert_int_equal(pr_lookup_index_fill(map, 0, MAP_ELEMS / 2, true, e, k, &t, &st), 0);
	for (unsigned i = 0; i < t.ndom; i++) {
		assert_int_equal(t.dom[i].shift, PR_LSX_MAX_SHIFT);
		assert_int_equal(t.dom[i].outside != 0, t.dom[i].domain == 0);
	}
	hits = check(map, &t, true, e, k, 10000, &misses);
	print_message("IPv6 cluster: %zu prefixes, %u hits, %u misses\n", k, hits, misses);
	assert_true(hits > 1000);
	assert_true(misses > 1000);
	free(e);
	free(map);
}

/* addr + d (d = 1 or -1) as a 32- or 128-bit number, wrapping. */
static void addr_step(uint8_t *a, bool v6, int d)
{
	for (int i = (v6 ? 16 : 4) - 1; i >= 0; i--) {
		a[i] = (uint8_t)(a[i] + d);
		if (a[i] != (d > 0 ? 0 : 0xff))
			break;
	}
}

/* Each prefix's first and last addresses and the ones just outside them,
 * in its domain and in the one without prefixes: the brute force's answer. */
static void check_edges(const union pr_lsx_elem *map, const struct pr_lsx_table *t, bool v6,
			const struct pr_lookup_index_entry *e, size_t n)
{
	for (size_t i = 0; i < n; i++)
		for (unsigned k = 0; k < 4; k++) {
			uint8_t a[16];
			uint32_t domain = k == 3 ? domains[3] : e[i].domain;
			const struct pr_lookup_index_entry *want;
			const struct pr_route *got;

			memcpy(a, e[i].addr, 16);
			if (k & 1) { /* the last address */
				uint8_t m[16];

				memset(m, 0xff, sizeof(m));
				mask(m, e[i].len);
				for (unsigned b = 0; b < (v6 ? 16u : 4u); b++)
					a[b] |= (uint8_t)~m[b];
			}
			if (k == 1)
				addr_step(a, v6, 1);
			else if (k == 2)
				addr_step(a, v6, -1);
			want = brute(e, n, domain, a);
			assert_true(pr_lookup_index_search(map, MAP_ELEMS, t, v6, domain, a, &got));
			if (!want) {
				assert_null(got);
				continue;
			}
			assert_non_null(got);
			assert_memory_equal(got, &want->r, sizeof(want->r));
		}
}

/*
 * Small domains get small direct arrays (a few words per prefix, not
 * 2^16), with nodes below them down to depth 16 where they end above it:
 * 1, 2, 63, 64 and 65 prefixes over the whole address space (no shift),
 * with and without a default route, in one domain or three, both tables
 * of a map; every answer the brute force's, at random and at each
 * prefix's edges.
 */
static void small_domains(bool v6)
{
	static const unsigned lens4[] = { 1, 7, 12, 16, 17, 23, 24, 31, 32 };
	static const unsigned lens6[] = { 1, 9, 16, 17, 33, 48, 64, 65, 127, 128 };
	static const size_t sizes[] = { 1, 2, 63, 64, 65 };
	union pr_lsx_elem *map = calloc(MAP_ELEMS, sizeof(*map));
	struct pr_lookup_index_entry e[66];
	struct pr_lookup_index_build_stats st;
	struct pr_lsx_table t;
	unsigned hits = 0, misses = 0, above16 = 0, domains_seen = 0;

	assert_non_null(map);
	for (unsigned c = 0; c < 4 * sizeof(sizes) / sizeof(sizes[0]); c++) {
		size_t n = sizes[c / 4];
		bool dflt = c & 1, one_domain = c & 2;
		unsigned tbl = c & 1, h, m;

		rng = 1000 + c;
		gen(e, n, v6, v6 ? lens6 : lens4, v6 ? 10 : 9);
		if (one_domain) { /* all in domain 0, without the duplicates that makes */
			size_t k = 0;

			for (size_t i = 0; i < n; i++) {
				bool dup = false;

				for (size_t j = 0; j < k && !dup; j++)
					dup = e[j].len == e[i].len && !memcmp(e[j].addr, e[i].addr, 16);
				if (!dup) {
					e[k] = e[i];
					e[k++].domain = domains[0];
				}
			}
			n = k;
		}
		if (dflt) /* a default route, in the first prefix's domain */
			e[n++] = (struct pr_lookup_index_entry){ .domain = e[0].domain, .r = { .net_id = 777 } };
		assert_int_equal(pr_lookup_index_fill(map, tbl * MAP_ELEMS / 2, MAP_ELEMS / 2, v6, e, n, &t, &st),
				 0);
		assert_int_equal(st.prefixes, n);
		if (one_domain)
			assert_int_equal(st.domains, 1);
		else
			domains_seen += st.domains;
		for (unsigned i = 0; i < t.ndom; i++) {
			assert_true(t.dom[i].dp_bits < PR_LSX_DP_BITS);
			above16 += t.dom[i].shift + t.dom[i].dp_bits < PR_LSX_CLEAF_DEPTH;
		}
		assert_true(st.words < 16 * 1024);
		h = check(map, &t, v6, e, n, 2000, &m);
		hits += h;
		misses += m;
		check_edges(map, &t, v6, e, n);
	}
	print_message("IPv%d small domains: %u hits, %u misses, %u arrays ending above depth 16, %u domains "
		      "in the tables of several\n", v6 ? 6 : 4, hits, misses, above16, domains_seen);
	/* Not vacuous: both answers, and arrays followed by nodes down to 16. */
	assert_true(hits > 2000);
	assert_true(misses > 2000);
	assert_true(above16 > 5);
	assert_true(domains_seen > 20); /* several domains per table, mostly */
	free(map);
}

static void test_small_domains_v4(void **state)
{
	(void)state;
	small_domains(false);
}

static void test_small_domains_v6(void **state)
{
	(void)state;
	small_domains(true);
}

/* A domain of more than 65,536 prefixes gets a larger direct array (a
 * level less), or the smallest when the table cannot hold the larger. */
static void test_large_direct_array(void **state)
{
	const size_t n32 = 70000, n20 = 2000;
	struct pr_lookup_index_entry *e = calloc(n32 + n20, sizeof(*e));
	union pr_lsx_elem *map = calloc(MAP_ELEMS, sizeof(*map));
	struct pr_lookup_index_build_stats st;
	struct pr_lsx_table t;
	unsigned hits, misses;
	size_t n = 0, big;

	(void)state;
	assert_non_null(e);
	assert_non_null(map);
	for (uint32_t i = 0; i < n32; i++) { /* distinct: an odd multiplier is a bijection */
		uint32_t a = i * 2654435761u;

		e[n] = (struct pr_lookup_index_entry){ .len = 32, .r = { .net_id = i + 1 } };
		for (int b = 0; b < 4; b++)
			e[n].addr[b] = (uint8_t)(a >> (24 - 8 * b));
		n++;
	}
	for (size_t i = 0; i < n20; i++) { /* /20s around some of them */
		struct pr_lookup_index_entry p = e[i * 31];
		bool dup = false;

		p.len = 20;
		p.r.net_id = 100000 + (uint32_t)i;
		mask(p.addr, 20);
		for (size_t j = n32; j < n && !dup; j++)
			dup = !memcmp(e[j].addr, p.addr, 16);
		if (!dup)
			e[n++] = p;
	}
	assert_int_equal(pr_lookup_index_fill(map, 0, MAP_ELEMS / 2, false, e, n, &t, &st), 0);
	assert_int_equal(t.dom[0].dp_bits, 17);
	rng = 99;
	hits = check(map, &t, false, e, n, 600, &misses);
	assert_true(hits > 150 && misses > 50);
	/* Room for the structure with a 16-bit array, not with a 17-bit one. */
	big = st.elements;
	assert_int_equal(pr_lookup_index_fill(map, 0, (uint32_t)big - 1000, false, e, n, &t, &st), 0);
	assert_int_equal(t.dom[0].dp_bits, 16);
	hits = check(map, &t, false, e, n, 600, &misses);
	assert_true(hits > 150 && misses > 50);
	free(e);
	free(map);
}

static struct pr_lookup_index_entry entry4(uint32_t domain, const char *a, unsigned len, uint32_t net)
{
	struct pr_lookup_index_entry e = { .domain = domain, .len = (uint8_t)len, .r = { .net_id = net } };
	unsigned b[4];

	assert_int_equal(sscanf(a, "%u.%u.%u.%u", &b[0], &b[1], &b[2], &b[3]), 4);
	for (int i = 0; i < 4; i++)
		e.addr[i] = (uint8_t)b[i];
	mask(e.addr, len);
	return e;
}

/* The route the search finds (its net_id), 0 for none, -1 when the trie must answer. */
static int net_of(const union pr_lsx_elem *map, const struct pr_lsx_table *t, uint32_t domain, const char *a)
{
	struct pr_lookup_index_entry q = entry4(domain, a, 32, 0);
	const struct pr_route *r;

	if (!pr_lookup_index_search(map, MAP_ELEMS, t, false, domain, q.addr, &r))
		return -1;
	return r ? (int)r->net_id : 0;
}

/* Leaves are pushed: what a longer prefix does not cover answers with the
 * longest one above it, from a node, a compressed leaf or the direct
 * array; the default route answers what nothing else covers. */
static void test_pushed_leaves_and_default(void **state)
{
	struct pr_lookup_index_entry e[] = {
		entry4(0, "0.0.0.0", 0, 1),        entry4(0, "10.0.0.0", 8, 2),
		entry4(0, "10.128.0.0", 16, 3),    entry4(0, "10.128.1.7", 32, 4),
		entry4(1001, "10.128.1.0", 24, 5), entry4(0, "10.128.2.0", 24, 6),
		entry4(0, "10.128.2.128", 25, 7),
	};
	union pr_lsx_elem *map = calloc(MAP_ELEMS, sizeof(*map));
	struct pr_lookup_index_build_stats st;
	struct pr_lsx_table t;

	(void)state;
	assert_non_null(map);
	assert_int_equal(pr_lookup_index_fill(map, 0, MAP_ELEMS / 2, false, e, 7, &t, &st), 0);
	assert_int_equal(net_of(map, &t, 0, "10.128.1.7"), 4);
	assert_int_equal(net_of(map, &t, 0, "10.128.1.8"), 3);
	assert_int_equal(net_of(map, &t, 0, "10.128.2.1"), 6);   /* compressed leaf: the shorter */
	assert_int_equal(net_of(map, &t, 0, "10.128.2.200"), 7); /* and the longer */
	assert_int_equal(net_of(map, &t, 0, "10.128.3.1"), 3);
	assert_int_equal(net_of(map, &t, 0, "10.129.0.1"), 2);
	assert_int_equal(net_of(map, &t, 0, "192.0.2.1"), 1);
	assert_int_equal(net_of(map, &t, 1001, "10.128.1.9"), 5);
	assert_int_equal(net_of(map, &t, 1001, "10.128.2.9"), 0); /* the default route is domain 0's */
	assert_int_equal(net_of(map, &t, 1002, "10.128.1.7"), 0); /* no prefixes: no match */
	free(map);
}

/* The smallest tables, by hand: a default route alone, a host route
 * alone, both; the answer for the address, its neighbours and far away. */
static void test_tiny_tables(void **state)
{
	union pr_lsx_elem *map = calloc(MAP_ELEMS, sizeof(*map));
	struct pr_lookup_index_entry e[3];
	struct pr_lookup_index_build_stats st;
	struct pr_lsx_table t;

	(void)state;
	assert_non_null(map);
	e[0] = entry4(0, "0.0.0.0", 0, 1);
	assert_int_equal(pr_lookup_index_fill(map, 0, MAP_ELEMS / 2, false, e, 1, &t, &st), 0);
	assert_int_equal(t.dom[0].dp_bits, PR_LSX_MIN_DP_BITS);
	assert_int_equal(net_of(map, &t, 0, "0.0.0.0"), 1);
	assert_int_equal(net_of(map, &t, 0, "255.255.255.255"), 1);
	assert_int_equal(net_of(map, &t, 1, "10.0.0.1"), 0);
	e[0] = entry4(0, "10.1.2.3", 32, 2);
	assert_int_equal(pr_lookup_index_fill(map, 0, MAP_ELEMS / 2, false, e, 1, &t, &st), 0);
	assert_int_equal(t.dom[0].shift, 32);
	assert_int_equal(net_of(map, &t, 0, "10.1.2.3"), 2);
	assert_int_equal(net_of(map, &t, 0, "10.1.2.2"), 0);
	assert_int_equal(net_of(map, &t, 0, "10.1.2.4"), 0);
	assert_int_equal(net_of(map, &t, 0, "138.1.2.3"), 0);
	/* With a default route and a /16 elsewhere: nothing shifts, the
	 * array ends above depth 16, nodes take the path down to it, then
	 * compressed leaves. */
	e[1] = entry4(0, "0.0.0.0", 0, 1);
	e[2] = entry4(0, "192.168.0.0", 16, 3);
	assert_int_equal(pr_lookup_index_fill(map, 0, MAP_ELEMS / 2, false, e, 3, &t, &st), 0);
	assert_true(t.dom[0].shift + t.dom[0].dp_bits < PR_LSX_CLEAF_DEPTH);
	assert_true(st.nodes > 0 && st.cleaves > 0);
	assert_int_equal(net_of(map, &t, 0, "10.1.2.3"), 2);
	assert_int_equal(net_of(map, &t, 0, "10.1.2.2"), 1);
	assert_int_equal(net_of(map, &t, 0, "10.1.2.4"), 1);
	assert_int_equal(net_of(map, &t, 0, "11.1.2.3"), 1);
	assert_int_equal(net_of(map, &t, 0, "192.168.255.255"), 3);
	assert_int_equal(net_of(map, &t, 0, "192.169.0.0"), 1);
	free(map);
}

static void test_refusals(void **state)
{
	struct pr_lookup_index_entry e[40];
	union pr_lsx_elem *map = calloc(MAP_ELEMS, sizeof(*map));
	struct pr_lookup_index_build_stats st;
	struct pr_lsx_table t;

	(void)state;
	assert_non_null(map);
	/* One prefix: a direct array of 2^6 words and the route. */
	e[0] = entry4(0, "10.0.0.0", 24, 1);
	assert_int_equal(pr_lookup_index_fill(map, 0, SMALL_DP_ELEMS, false, e, 1, &t, &st), -ENOSPC);
	assert_false(t.flags & PR_LSX_T_BUILT);
	assert_int_equal(pr_lookup_index_fill(map, 0, 1, false, e, 1, &t, &st), -ENOSPC);
	assert_int_equal(pr_lookup_index_fill(map, 0, SMALL_DP_ELEMS + 1, false, e, 1, &t, &st), 0);
	assert_int_equal(t.dom[0].dp_bits, PR_LSX_MIN_DP_BITS);
	/* Nothing at all: built, and every destination misses. */
	assert_int_equal(pr_lookup_index_fill(map, 0, MAP_ELEMS / 2, false, e, 0, &t, &st), 0);
	assert_int_equal(net_of(map, &t, 0, "10.0.0.1"), 0);
	/* A domain above the indexed range is left to the trie, and counted. */
	e[0] = entry4(PR_LSX_MAX_DOMAIN + 1, "10.0.0.0", 8, 1);
	e[1] = entry4(0, "10.0.0.0", 8, 2);
	assert_int_equal(pr_lookup_index_fill(map, 0, MAP_ELEMS / 2, false, e, 2, &t, &st), 0);
	assert_int_equal(st.skipped, 1);
	assert_int_equal(st.prefixes, 1);
	assert_int_equal(net_of(map, &t, 0, "10.1.1.1"), 2);
	/* Past PR_LSX_MAX_DOMAINS domains, the rest are the trie's: and so is
	 * any domain not listed, since it may be one of them. */
	for (unsigned i = 0; i < 20; i++)
		e[i] = entry4(i, "10.0.0.0", 8, i + 1);
	/* (20 routes: 10 elements.) */
	assert_int_equal(pr_lookup_index_fill(map, 0, 16 * SMALL_DP_ELEMS + 9, false, e, 20, &t, &st), -ENOSPC);
	assert_int_equal(pr_lookup_index_fill(map, 0, 16 * SMALL_DP_ELEMS + 10, false, e, 20, &t, &st), 0);
	assert_int_equal(st.domains, PR_LSX_MAX_DOMAINS);
	assert_int_equal(st.skipped, 4);
	assert_false(t.flags & PR_LSX_T_ALL);
	assert_int_equal(net_of(map, &t, 15, "10.1.1.1"), 16);
	assert_int_equal(net_of(map, &t, 16, "10.1.1.1"), -1);
	assert_int_equal(net_of(map, &t, 100, "10.1.1.1"), -1);
	free(map);
}

/* Many prefixes, few routes: a leaf names a route by its index, each
 * distinct route is stored once. */
static void test_routes_shared(void **state)
{
	struct pr_lookup_index_entry e[256];
	union pr_lsx_elem *map = calloc(MAP_ELEMS, sizeof(*map));
	struct pr_lookup_index_build_stats st;
	struct pr_lsx_table t;

	(void)state;
	assert_non_null(map);
	for (unsigned i = 0; i < 256; i++) {
		char a[32];

		snprintf(a, sizeof(a), "10.%u.%u.0", i / 16, i % 16);
		e[i] = entry4(0, a, 24, 1 + i % 3);
	}
	assert_int_equal(pr_lookup_index_fill(map, 0, MAP_ELEMS / 2, false, e, 256, &t, &st), 0);
	assert_int_equal(st.routes, 3);
	assert_int_equal(net_of(map, &t, 0, "10.15.15.9"), 1 + 255 % 3);
	assert_int_equal(net_of(map, &t, 0, "10.15.16.9"), 0);
	free(map);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_v4_random_sets),
		cmocka_unit_test(test_v6_random_sets),
		cmocka_unit_test(test_every_length_v4),
		cmocka_unit_test(test_every_length_v6),
		cmocka_unit_test(test_v6_nested_pairs),
		cmocka_unit_test(test_v6_cluster),
		cmocka_unit_test(test_small_domains_v4),
		cmocka_unit_test(test_small_domains_v6),
		cmocka_unit_test(test_tiny_tables),
		cmocka_unit_test(test_large_direct_array),
		cmocka_unit_test(test_pushed_leaves_and_default),
		cmocka_unit_test(test_refusals),
		cmocka_unit_test(test_routes_shared),
	};
	return cmocka_run_group_tests_name("lsx", tests, NULL, NULL);
}
