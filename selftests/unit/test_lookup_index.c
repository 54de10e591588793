// SPDX-License-Identifier: GPL-2.0-only
/*
 * Unit tests: the lookup index's builder and search (user/reconcile/lookup_index.c) against a
 * brute-force longest match over the same prefixes, on random nested sets
 * in several domains, plus the refusals (too many lengths, table too
 * small, domains above the indexed range).
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
 * one (so that markers, bmps and shorter covering prefixes all matter). */
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

/* Every query answered as the brute force answers it; returns hits. */
static unsigned check(const struct pr_lsx_line *tab, const struct pr_lsx_lens *ls, bool v6,
		      unsigned tbl, const struct pr_lookup_index_entry *e, size_t n, unsigned queries,
		      unsigned *misses)
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
		} else {
			for (unsigned i = 0; i < (v6 ? 16 : 4); i++)
				a[i] = (uint8_t)rnd();
		}
		want = brute(e, n, domain, a);
		got = pr_lookup_index_search(tab, ls, v6, tbl, domain, a);
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

static void random_sets(bool v6, const unsigned *lens, size_t nlens)
{
	const size_t n = 2000;
	const uint32_t nlines = 4 * n;
	struct pr_lookup_index_entry *e = calloc(n, sizeof(*e));
	struct pr_lsx_line *tab = calloc(nlines, sizeof(*tab));
	struct pr_lookup_index_build_stats st;
	struct pr_lsx_lens ls;

	assert_non_null(e);
	assert_non_null(tab);
	for (unsigned seed = 1; seed <= 2; seed++) {
		unsigned tbl = seed & 1, hits, misses;

		rng = seed * 7919;
		gen(e, n, v6, lens, nlens);
		assert_int_equal(pr_lookup_index_fill(tab, nlines, v6, tbl, e, n, &ls, &st), 0);
		assert_int_equal(st.prefixes, n);
		assert_int_equal(ls.n, nlens);
		assert_true(st.markers > 0);
		hits = check(tab, &ls, v6, tbl, e, n, 10000, &misses);
		print_message("%s seed %u: %u hits, %u misses, %zu markers\n", v6 ? "IPv6" : "IPv4",
			      seed, hits, misses, st.markers);
		/* The check is not vacuous: both answers occur, often. */
		assert_true(hits > 1000);
		assert_true(misses > 1000);
	}
	free(e);
	free(tab);
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

/* Every length 0..15 at once: the deepest search (4 probes, 16 lengths). */
static void test_sixteen_lengths(void **state)
{
	static const unsigned lens[] = { 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15 };

	(void)state;
	random_sets(false, lens, 16);
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

static uint32_t net_of(const struct pr_lsx_line *tab, const struct pr_lsx_lens *ls, uint32_t domain,
		       const char *a)
{
	struct pr_lookup_index_entry q = entry4(domain, a, 32, 0);
	const struct pr_route *r = pr_lookup_index_search(tab, ls, false, 0, domain, q.addr);

	return r ? r->net_id : 0;
}

/* A search that goes longer on a marker and fails comes back with the
 * marker's bmp; the default route answers what nothing else covers. */
static void test_markers_and_default(void **state)
{
	struct pr_lookup_index_entry e[] = {
		entry4(0, "0.0.0.0", 0, 1),        entry4(0, "10.0.0.0", 8, 2),
		entry4(0, "10.128.0.0", 16, 3),    entry4(0, "10.128.1.7", 32, 4),
		entry4(1001, "10.128.1.0", 24, 5),
	};
	struct pr_lsx_line tab[64];
	struct pr_lookup_index_build_stats st;
	struct pr_lsx_lens ls;

	(void)state;
	assert_int_equal(pr_lookup_index_fill(tab, 64, false, 0, e, 5, &ls, &st), 0);
	assert_int_equal(net_of(tab, &ls, 0, "10.128.1.7"), 4);
	assert_int_equal(net_of(tab, &ls, 0, "10.128.1.8"), 3); /* via the /24 marker */
	assert_int_equal(net_of(tab, &ls, 0, "10.129.0.1"), 2);
	assert_int_equal(net_of(tab, &ls, 0, "192.0.2.1"), 1);
	assert_int_equal(net_of(tab, &ls, 1001, "10.128.1.9"), 5);
	assert_int_equal(net_of(tab, &ls, 1001, "10.128.2.9"), 0); /* the default route is domain 0's */
	assert_int_equal(net_of(tab, &ls, 1002, "10.128.1.7"), 0);
}

static void test_refusals(void **state)
{
	struct pr_lookup_index_entry e[40];
	struct pr_lsx_line tab[8];
	struct pr_lookup_index_build_stats st;
	struct pr_lsx_lens ls;

	(void)state;
	/* 17 lengths: more than a search can visit. */
	for (unsigned i = 0; i < 17; i++)
		e[i] = entry4(0, "10.1.2.3", 16 + i > 32 ? 32 : 16 + i, i + 1);
	assert_int_equal(pr_lookup_index_fill(tab, 8, false, 0, e, 17, &ls, &st), -E2BIG);
	/* More keys than 8 lines hold within reach. */
	for (unsigned i = 0; i < 40; i++) {
		char a[32];

		snprintf(a, sizeof(a), "10.0.%u.0", i);
		e[i] = entry4(0, a, 24, i + 1);
	}
	assert_int_equal(pr_lookup_index_fill(tab, 8, false, 0, e, 40, &ls, &st), -ENOSPC);
	assert_int_equal(pr_lookup_index_fill(tab, 1, false, 0, e, 1, &ls, &st), -ENOSPC);
	/* A domain above the indexed range is left to the trie, and counted. */
	e[0] = entry4(PR_LSX_MAX_DOMAIN + 1, "10.0.0.0", 8, 1);
	e[1] = entry4(0, "10.0.0.0", 8, 2);
	assert_int_equal(pr_lookup_index_fill(tab, 8, false, 0, e, 2, &ls, &st), 0);
	assert_int_equal(st.skipped, 1);
	assert_int_equal(st.prefixes, 1);
	assert_int_equal(net_of(tab, &ls, 0, "10.1.1.1"), 2);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_v4_random_sets),
		cmocka_unit_test(test_v6_random_sets),
		cmocka_unit_test(test_sixteen_lengths),
		cmocka_unit_test(test_markers_and_default),
		cmocka_unit_test(test_refusals),
	};
	return cmocka_run_group_tests_name("lsx", tests, NULL, NULL);
}
