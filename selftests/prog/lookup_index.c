// SPDX-License-Identifier: GPL-2.0-only
/*
 * The lookup index in the real datapath (bpf/pr_lookup_index.h): built from the
 * tries the way the agent builds it (user/reconcile/lookup_index.c), it must decide every
 * packet exactly as the trie does. The whole case table runs a second
 * time with the index on (test_progs.c); here, a random sweep compares the
 * two on thousands of packets, frame for frame, on large tables and small
 * ones (small direct arrays), where the trie is itself checked against a
 * brute-force longest match.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <linux/bpf.h>
#include <bpf/bpf.h>

#include "reconcile/lookup_index.h"
#include "pktbuild.h"
#include "lib/prefix.h"
#include "progtest.h"

static struct pr_lookup_index X;
static uint32_t saved_active[2];

static uint64_t rng = 0x6c73785f7465737aULL;

static uint64_t rnd(void)
{
	uint64_t z = (rng += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

/* Every prefix of one trie, as the index takes them. */
static size_t trie_entries(bool v6, struct pr_lookup_index_entry **out)
{
	int fd = v6 ? E.fd_routes6 : E.fd_routes4;
	uint8_t key[sizeof(struct pr_lpm6_key)], next[sizeof(key)];
	struct pr_lookup_index_entry *e = NULL;
	size_t n = 0, cap = 0;
	void *prev = NULL;

	while (!bpf_map_get_next_key(fd, prev, next)) {
		struct pr_route r;

		memcpy(key, next, sizeof(key));
		prev = key;
		if (n == cap) {
			cap = cap ? cap * 2 : 256;
			e = realloc(e, cap * sizeof(*e));
			if (!e)
				abort();
		}
		memset(&e[n], 0, sizeof(e[n]));
		if (!bpf_map_lookup_elem(fd, key, &r) && !pr_lookup_index_entry_from_key(v6, key, &r, &e[n]))
			n++;
	}
	*out = e;
	return n;
}

/* Build both families' index from the tries and make it current. */
static int index_publish(void)
{
	for (int f = 0; f < 2; f++) {
		struct pr_lookup_index_entry *e;
		size_t n = trie_entries(f, &e);
		int err = pr_lookup_index_publish(&X, f, e, n);

		free(e);
		if (err)
			return err;
		saved_active[f] = X.ctl->active[f];
	}
	return 0;
}

/* The datapath reads the index (on) or the tries (off): the same build. */
static void index_use(bool on)
{
	for (int f = 0; f < 2; f++)
		__atomic_store_n(&X.ctl->active[f], on ? saved_active[f] : 0, __ATOMIC_SEQ_CST);
}

static bool index_current(void)
{
	struct pr_lsx_ctl c;
	uint32_t zero = 0;

	if (bpf_map_lookup_elem(env_map(PR_MAP_LSX_CTL), &zero, &c))
		return check_fail("pr_lsx_ctl: %s", strerror(errno));
	for (int f = 0; f < 2; f++)
		if ((c.active[f] != 1 && c.active[f] != 2) || !(c.tab[f][c.active[f] - 1].flags & PR_LSX_T_BUILT))
			return check_fail("IPv%d: index not current (active %u)", f ? 6 : 4, c.active[f]);
	return true;
}

bool index_begin(const char *only)
{
	static const char name[] =
		"index: built from the tries, current for IPv4 and IPv6 as the kernel sees it";
	struct pr_lookup_index_fds fds;
	bool ok;
	int err;

	pr_lookup_index_fds_from(&fds, E.dp.map_fd);
	err = pr_lookup_index_open(&X, &fds);
	if (!err)
		err = index_publish();
	ok = !err && index_current();
	/* Reported when the filter asks for it, or when it failed (the index
	 * tests are skipped then). */
	if (!ok || !only || strstr(name, only) || strstr(only, "index")) {
		tap_begin();
		if (err)
			check_fail("open or publish: %s", strerror(-err));
		tap_end(name, ok);
	}
	return ok;
}

static void clear_trie(int fd)
{
	uint8_t key[sizeof(struct pr_lpm6_key)];

	while (!bpf_map_get_next_key(fd, NULL, key))
		if (bpf_map_delete_elem(fd, key))
			break;
}

/* The networks a random prefix may name, all reachable from E.if_in. */
static const struct { uint32_t net; uint8_t action; } targets[] = {
	{ 1, PR_ACT_REDIRECT }, { 2, PR_ACT_REDIRECT }, { 3, PR_ACT_REDIRECT },
	{ 5, PR_ACT_PASS },     { 6, PR_ACT_DROP },
};

/* n random prefixes under 10/8 (IPv4) or fd42::/16 (IPv6), a third nested
 * in an earlier one; a quarter in domain 100, which packets arriving in the
 * default VRF must never match. */
static struct pr_prefix *random_prefixes(bool v6, size_t n)
{
	static const unsigned lens4[] = { 12, 16, 20, 24, 28, 32 }, lens6[] = { 32, 48, 64, 96, 128 };
	struct pr_prefix *p = calloc(n, sizeof(*p));
	char buf[PR_PREFIX_STRLEN];

	if (!p)
		abort();
	for (size_t i = 0; i < n; i++) {
		unsigned len = v6 ? lens6[rnd() % 5] : lens4[rnd() % 6], keep = 0;
		uint8_t a[16];

		for (int b = 0; b < 16; b++)
			a[b] = (uint8_t)rnd();
		if (i && rnd() % 3 == 0) { /* inside an earlier prefix, when longer */
			const struct pr_prefix *parent = &p[rnd() % i];

			if (len > parent->len) {
				memcpy(a, parent->addr, parent->len / 8);
				keep = parent->len;
			}
		}
		if (keep % 8 || !keep) {
			if (v6)
				a[0] = 0xfd, a[1] = 0x42;
			else
				a[0] = 10;
		}
		pr_prefix_from_addr(&p[i], v6 ? AF_INET6 : AF_INET, a, len);
		put_route_in(rnd() % 4 == 0 ? 100 : 0, pr_prefix_format(&p[i], buf, sizeof(buf)),
			     targets[i % 5].net, targets[i % 5].action, PR_ROUTE_F_LOCAL, 0);
	}
	return p;
}

/* A random address inside prefix pfx/len (len 0: anywhere). */
static void addr_in(bool v6, const uint8_t *pfx, unsigned len, char *out, size_t size)
{
	uint8_t a[16];

	for (int b = 0; b < 16; b++)
		a[b] = (uint8_t)rnd();
	for (unsigned bit = 0; bit < len; bit++) {
		uint8_t m = 0x80 >> (bit % 8);

		a[bit / 8] = (a[bit / 8] & ~m) | (pfx[bit / 8] & m);
	}
	inet_ntop(v6 ? AF_INET6 : AF_INET, a, out, size);
}

/* A destination inside a random installed prefix, or anywhere in the range. */
static void random_dst(bool v6, const struct pr_prefix *p, size_t n, char *out, size_t size)
{
	static const uint8_t range4[16] = { 10 }, range6[16] = { 0xfd, 0x42 };

	if (rnd() % 2) {
		const struct pr_prefix *q = &p[rnd() % n];

		addr_in(v6, q->addr, q->len, out, size);
	} else {
		addr_in(v6, v6 ? range6 : range4, v6 ? 16 : 8, out, size);
	}
}

/* A UDP frame src -> dst from the peer to the underlay's MAC. */
static size_t frame_to(bool v6, const char *src, const char *dst, uint8_t *in)
{
	struct pkt_spec s = { .family = v6 ? AF_INET6 : AF_INET, .src = src, .dst = dst,
			      .ttl = 64, .sport = 7, .dport = 9, .payload_len = 16 };
	size_t l3;

	memcpy(s.dmac, E.mac_in, 6);
	memcpy(s.smac, MAC_PEER, 6);
	return pkt_build(&s, in, &l3);
}

static bool same_out(uint32_t ret_a, uint32_t len_a, const uint8_t *a, uint32_t ret_b, uint32_t len_b,
		     const uint8_t *b)
{
	return ret_a == ret_b && len_a == len_b && !memcmp(a, b, len_a);
}

/* Tries holding only n random prefixes of one family, indexed; NULL when
 * the build failed. */
static struct pr_prefix *fresh_prefixes(bool v6, size_t n)
{
	struct pr_prefix *p;

	index_use(false);
	clear_trie(E.fd_routes4);
	clear_trie(E.fd_routes6);
	p = random_prefixes(v6, n);
	if (index_publish()) {
		free(p);
		return NULL;
	}
	return p;
}

/* One packet src -> dst from the default VRF's underlay, decided by the
 * trie and then by the index: the same verdict and frame, or a failure.
 * Counts the trie's verdict as a redirect or another. */
static bool trie_then_index(bool v6, const char *src, const char *dst, unsigned *redirects,
			    unsigned *others)
{
	uint8_t in[PKT_MAX], out[2][PKT_MAX + 64];
	uint32_t out_len[2], ret[2];
	size_t len = frame_to(v6, src, dst, in);

	for (int on = 0; on < 2; on++) {
		int err;

		index_use(on);
		err = run_prog(PR_PROG_XDP_UNDERLAY, E.if_in, in, len, out[on], &out_len[on], &ret[on]);
		if (err)
			return check_fail("%s -> %s: test run: %s", src, dst, strerror(-err));
	}
	if (!same_out(ret[0], out_len[0], out[0], ret[1], out_len[1], out[1]))
		return check_fail("%s -> %s: trie gave verdict %u (%u bytes), index %u (%u bytes)", src, dst,
				  ret[0], out_len[0], ret[1], out_len[1]);
	if (ret[0] == XDP_REDIRECT)
		(*redirects)++;
	else
		(*others)++;
	return true;
}

/* Packets from the default VRF's underlay: the index's verdict and frame
 * must be the trie's, for every packet. */
static bool sweep(bool v6, size_t nprefixes, unsigned npackets)
{
	struct pr_prefix *p;
	unsigned redirects = 0, others = 0;
	bool ok = true;

	p = fresh_prefixes(v6, nprefixes);
	if (!p)
		return check_fail("publish failed");
	for (unsigned i = 0; i < npackets && ok; i++) {
		char dst[INET6_ADDRSTRLEN], src[INET6_ADDRSTRLEN];

		random_dst(v6, p, nprefixes, dst, sizeof(dst));
		random_dst(v6, p, nprefixes, src, sizeof(src)); /* the anti-spoof lookup too */
		ok = trie_then_index(v6, src, dst, &redirects, &others);
	}
	free(p);
	/* Not vacuous: both kinds of verdict occur, often. */
	if (ok && (redirects < npackets / 10 || others < npackets / 10))
		ok = check_fail("only %u redirects and %u others", redirects, others);
	return ok;
}

/* The trie key of an index entry (domain, length, address). */
static void entry_key(bool v6, const struct pr_lookup_index_entry *e, void *key)
{
	if (v6) {
		struct pr_lpm6_key *k = key;

		*k = (struct pr_lpm6_key){ .prefixlen = PR_LPM_DOMAIN_BITS + e->len, .domain = e->domain };
		memcpy(k->addr, e->addr, 16);
	} else {
		struct pr_lpm4_key *k = key;

		*k = (struct pr_lpm4_key){ .prefixlen = PR_LPM_DOMAIN_BITS + e->len, .domain = e->domain };
		memcpy(k->addr, e->addr, 4);
	}
}

/* Whether the current table's set of changes is consulted. */
static void changes_use(bool v6, bool on)
{
	unsigned t = saved_active[v6] - 1;

	__atomic_store_n(&X.ctl->changed[v6][t], on ? 1 : 0, __ATOMIC_SEQ_CST);
}

/*
 * IPv4's filter of table t passes exactly the /16s the changes c[0..n)
 * overlap: all of them (else a packet would miss its change) and no other
 * (else it would not spare the packets no change covers). False with a message
 * when not.
 */
static bool filter4_exact(unsigned t, const struct pr_lookup_index_entry *c, size_t n)
{
	static uint64_t want[PR_LSX_CHG_BITS / 64];
	const uint64_t *have = &X.chgbits[t * (PR_LSX_CHG_BITS / 64)];

	memset(want, 0, sizeof(want));
	for (size_t i = 0; i < n; i++) {
		uint32_t top = (uint32_t)c[i].addr[0] << 8 | c[i].addr[1];
		uint32_t span = c[i].len < 16 ? 1U << (16 - c[i].len) : 1;

		for (uint32_t b = top & ~(span - 1); b < (top & ~(span - 1)) + span; b++)
			want[b / 64] |= 1ULL << (b % 64);
	}
	for (size_t w = 0; w < PR_LSX_CHG_BITS / 64; w++)
		if (want[w] != have[w])
			return check_fail("IPv4 change filter, /16s %zu..%zu: bits %#llx, the changes "
					  "overlap %#llx", w * 64, w * 64 + 63, (unsigned long long)have[w],
					  (unsigned long long)want[w]);
	return true;
}

/*
 * Route changes after a build, recorded the way the agent records them
 * (pr_lookup_index_note_change, then the trie write): deletions, new targets, and
 * new prefixes nested in old ones, some at lengths the table does not have.
 * The index must stay on and still decide every packet as the trie does,
 * including packets to the changed prefixes; and without its set of
 * changes the same table must get some of those wrong (else the test
 * proves nothing). A new build then empties the set.
 */
static bool changes_while_on(bool v6, size_t nprefixes, size_t nchanges, unsigned npackets,
			     bool few_lens)
{
	static const unsigned new_lens4[] = { 22, 26, 30 }, new_lens6[] = { 56, 80, 112 };
	/* few_lens: changes at three lengths only, which the set's filter
	 * knows one by one (PR_LSX_CHG_LENS); otherwise at many, past it. */
	const unsigned old_lens[2] = { v6 ? 64 : 24, v6 ? 96 : 28 }, few_new = v6 ? 80 : 26;
	int fd = v6 ? E.fd_routes6 : E.fd_routes4;
	struct pr_lookup_index_entry *e, *chg = calloc(nchanges, sizeof(*chg));
	unsigned stale_wrong = 0;
	size_t n, counts[3] = { 0, 0, 0 };
	struct pr_prefix *p;
	bool ok = true;

	if (!chg)
		abort();
	p = fresh_prefixes(v6, nprefixes);
	if (!p) {
		free(chg);
		return check_fail("publish failed");
	}
	n = trie_entries(v6, &e);
	for (size_t i = 0; i < nchanges; i++) {
		struct pr_lookup_index_entry c = e[rnd() % n];
		uint8_t key[sizeof(struct pr_lpm6_key)];
		unsigned kind = rnd() % 3;
		unsigned len = few_lens ? few_new : v6 ? new_lens6[rnd() % 3] : new_lens4[rnd() % 3];

		while (few_lens && c.len != old_lens[0] && c.len != old_lens[1])
			c = e[rnd() % n];

		if (kind == 2 && len <= c.len)
			kind = 1; /* not longer: retarget it instead */
		if (kind == 2) { /* a longer prefix inside it, at a length the table lacks */
			for (unsigned bit = c.len; bit < len; bit++)
				if (rnd() & 1)
					c.addr[bit / 8] |= 0x80 >> (bit % 8);
			c.len = len;
		}
		if (kind) /* a new or another target */
			c.r = (struct pr_route){ .net_id = targets[rnd() % 5].net, .flags = PR_ROUTE_F_LOCAL };
		for (size_t t = 0; kind && t < 5; t++)
			if (targets[t].net == c.r.net_id)
				c.r.action = targets[t].action;
		entry_key(v6, &c, key);
		pr_lookup_index_note_change(&X, v6, key);
		/* (A prefix drawn twice may be deleted already.) */
		if (kind ? bpf_map_update_elem(fd, key, &c.r, 0)
			 : bpf_map_delete_elem(fd, key) && errno != ENOENT)
			ok = check_fail("trie write: %s", strerror(errno)) && ok;
		chg[i] = c;
		counts[kind]++;
	}
	if (X.ctl->active[v6] != saved_active[v6] || !X.changed[v6])
		ok = check_fail("IPv%d: index went off (active %u) or recorded nothing (%zu)", v6 ? 6 : 4,
				X.ctl->active[v6], X.changed[v6]);
	/* (IPv4's filter is by /16, at any length: it never passes all.) */
	else if ((few_lens || !v6) != (X.ctl->chg[v6][saved_active[v6] - 1].n <= PR_LSX_CHG_LENS))
		ok = check_fail("the set's filter knows %u lengths", X.ctl->chg[v6][saved_active[v6] - 1].n);
	if (ok && !v6)
		ok = filter4_exact(saved_active[v6] - 1, chg, nchanges);
	for (unsigned i = 0; i < npackets && ok; i++) {
		char dst[INET6_ADDRSTRLEN], src[INET6_ADDRSTRLEN];
		uint8_t in[PKT_MAX], out[3][PKT_MAX + 64];
		uint32_t out_len[3], ret[3];
		size_t len;

		/* Two packets in three to a changed prefix, from anywhere. */
		if (rnd() % 3) {
			const struct pr_lookup_index_entry *c = &chg[rnd() % nchanges];

			addr_in(v6, c->addr, c->len, dst, sizeof(dst));
		} else {
			random_dst(v6, p, nprefixes, dst, sizeof(dst));
		}
		random_dst(v6, p, nprefixes, src, sizeof(src));
		len = frame_to(v6, src, dst, in);
		/* 0: the trie; 1: the index with its changes; 2: without them */
		for (int m = 0; m < 3; m++) {
			int err;

			index_use(m > 0);
			changes_use(v6, m < 2);
			err = run_prog(PR_PROG_XDP_UNDERLAY, E.if_in, in, len, out[m], &out_len[m], &ret[m]);
			if (err)
				ok = check_fail("%s -> %s: test run: %s", src, dst, strerror(-err));
		}
		changes_use(v6, true);
		if (ok && !same_out(ret[0], out_len[0], out[0], ret[1], out_len[1], out[1]))
			ok = check_fail("%s -> %s: trie gave verdict %u (%u bytes), index with %zu changes %u "
					"(%u bytes)", src, dst, ret[0], out_len[0], X.changed[v6], ret[1],
					out_len[1]);
		stale_wrong += !same_out(ret[0], out_len[0], out[0], ret[2], out_len[2], out[2]);
	}
	index_use(true);
	if (ok && stale_wrong < npackets / 20)
		ok = check_fail("only %u of %u packets would have been wrong without the set of changes "
				"(%zu deleted, %zu retargeted, %zu added)",
				stale_wrong, npackets, counts[0], counts[1], counts[2]);
	/* A build takes the changes in and empties the set of the table it
	 * writes; the one it leaves keeps its set until it is built again. */
	if (ok && index_publish())
		ok = check_fail("publish after the changes failed");
	if (ok) {
		uint8_t key[sizeof(struct pr_lpm6_key)];
		unsigned t = saved_active[v6] - 1;

		if (X.ctl->changed[v6][t] || !bpf_map_get_next_key(X.fd_chg[v6][t], NULL, key) ||
		    X.changed[v6])
			ok = check_fail("the new table's set of changes is not empty");
	}
	/* The next build writes the table the changes were recorded for: its
	 * set goes, deleted from the keys the agent recorded (one batch). */
	if (ok && index_publish())
		ok = check_fail("the second publish after the changes failed");
	for (unsigned t = 0; ok && t < 2; t++) {
		uint8_t key[sizeof(struct pr_lpm6_key)];

		if (X.ctl->changed[v6][t] || !bpf_map_get_next_key(X.fd_chg[v6][t], NULL, key))
			ok = check_fail("table %u's set of changes is not empty after both tables were built", t);
	}
	free(e);
	free(p);
	free(chg);
	return ok;
}

/* Whether prefix p covers address a (the first p->len bits alike). */
static bool prefix_covers(const struct pr_prefix *p, const uint8_t *a)
{
	for (unsigned bit = 0; bit < p->len; bit++) {
		uint8_t m = 0x80 >> (bit % 8);

		if ((a[bit / 8] ^ p->addr[bit / 8]) & m)
			return false;
	}
	return true;
}

/* A small table of n prefixes over the whole address space (so that no
 * bits are shared and the direct array ends above depth 16 unless the
 * prefixes are few), a third nested in an earlier one, a quarter but the
 * first in domain 100, and with dflt a default route in domain 0 first;
 * domain[i] says where prefix i went. Returns the prefixes (n + dflt). */
static struct pr_prefix *small_prefixes(bool v6, size_t n, bool dflt, uint32_t *domain)
{
	static const unsigned lens4[] = { 1, 8, 12, 16, 17, 24, 31, 32 };
	static const unsigned lens6[] = { 1, 16, 17, 33, 48, 64, 127, 128 };
	struct pr_prefix *p = calloc(n + 1, sizeof(*p));
	char buf[PR_PREFIX_STRLEN];
	size_t k = 0;

	if (!p)
		abort();
	if (dflt) {
		static const uint8_t zero[16];

		pr_prefix_from_addr(&p[k], v6 ? AF_INET6 : AF_INET, zero, 0);
		domain[k++] = 0;
	}
	for (size_t i = 0; i < n; i++, k++) {
		unsigned len = v6 ? lens6[rnd() % 8] : lens4[rnd() % 8];
		uint8_t a[16];

		for (int b = 0; b < 16; b++)
			a[b] = (uint8_t)rnd();
		domain[k] = i && rnd() % 4 == 0 ? 100 : 0;
		if (i && rnd() % 3 == 0) { /* inside an earlier prefix, when longer */
			size_t j = rnd() % k;

			if (len > p[j].len) {
				for (unsigned bit = 0; bit < p[j].len; bit++) {
					uint8_t m = 0x80 >> (bit % 8);

					a[bit / 8] = (a[bit / 8] & ~m) | (p[j].addr[bit / 8] & m);
				}
				domain[k] = domain[j];
			}
		}
		pr_prefix_from_addr(&p[k], v6 ? AF_INET6 : AF_INET, a, len);
	}
	/* A prefix drawn twice: the later route. The default route is not a
	 * local network's (else anti-spoofing would drop every packet). */
	for (size_t i = 0; i < k; i++)
		put_route_in(domain[i], pr_prefix_format(&p[i], buf, sizeof(buf)), targets[i % 5].net,
			     targets[i % 5].action, p[i].len ? PR_ROUTE_F_LOCAL : 0, 0);
	return p;
}

/* The brute-force longest match of a among the domain-0 prefixes (the
 * later of two equal ones): its index, or -1. */
static long brute_match(const struct pr_prefix *p, const uint32_t *domain, size_t n, const uint8_t *a)
{
	long best = -1;

	for (size_t i = 0; i < n; i++)
		if (!domain[i] && prefix_covers(&p[i], a) && (best < 0 || p[i].len >= p[best].len))
			best = (long)i;
	return best;
}

/* A destination for a small table: inside a prefix, at one of its edges
 * (first, last, or the address either side), or anywhere. */
static void small_dst(bool v6, const struct pr_prefix *p, size_t n, uint8_t *a)
{
	const struct pr_prefix *q = &p[rnd() % n];
	unsigned bytes = v6 ? 16 : 4, kind = rnd() % 8;

	memset(a, 0, 16);
	for (unsigned b = 0; b < bytes; b++)
		a[b] = (uint8_t)rnd();
	if (kind >= 6)
		return; /* anywhere */
	for (unsigned bit = 0; bit < q->len; bit++) {
		uint8_t m = 0x80 >> (bit % 8);

		a[bit / 8] = (a[bit / 8] & ~m) | (q->addr[bit / 8] & m);
	}
	if (kind < 3)
		return; /* inside */
	for (unsigned bit = q->len; bit < bytes * 8; bit++) { /* kind 3, 4: the first; 5: the last */
		uint8_t m = 0x80 >> (bit % 8);

		a[bit / 8] = kind == 5 ? a[bit / 8] | m : a[bit / 8] & ~m;
	}
	if (kind == 4) /* one below the first */
		for (int b = (int)bytes - 1; b >= 0 && a[b]-- == 0; b--)
			;
	if (kind == 5 && rnd() % 2) /* one past the last */
		for (int b = (int)bytes - 1; b >= 0 && ++a[b] == 0; b--)
			;
}

/*
 * A small table (n random prefixes over the whole space, a default route
 * with dflt): its direct array in domain 0 is small (dp_bits below 16;
 * *above16 counts those that end above depth 16, with nodes below), and
 * for every packet the trie agrees with a brute-force longest match, and
 * the index's verdict and frame are the trie's.
 */
static bool small_sweep(bool v6, size_t n, bool dflt, unsigned npackets, unsigned *above16)
{
	uint32_t *domain = calloc(n + 1, sizeof(*domain));
	const struct pr_lsx_table *t;
	unsigned redirects = 0, others = 0, small = 0;
	struct pr_prefix *p;
	size_t np = n + dflt;
	bool ok = true;

	if (!domain)
		abort();
	index_use(false);
	clear_trie(E.fd_routes4);
	clear_trie(E.fd_routes6);
	p = small_prefixes(v6, n, dflt, domain);
	if (index_publish()) {
		free(p);
		free(domain);
		return check_fail("publish failed");
	}
	t = &X.ctl->tab[v6][saved_active[v6] - 1];
	for (uint32_t i = 0; i < t->ndom; i++) {
		if (t->dom[i].domain)
			continue;
		small = t->dom[i].dp_bits < PR_LSX_DP_BITS;
		*above16 += t->dom[i].shift + t->dom[i].dp_bits < PR_LSX_CLEAF_DEPTH;
	}
	if (!small)
		ok = check_fail("domain 0's direct array is not a small one");
	for (unsigned i = 0; i < npackets && ok; i++) {
		char dst[INET6_ADDRSTRLEN], src[INET6_ADDRSTRLEN];
		uint8_t a[16];
		uint8_t key[sizeof(struct pr_lpm6_key)];
		struct pr_lpm6_key *k6 = (struct pr_lpm6_key *)key;
		struct pr_lpm4_key *k4 = (struct pr_lpm4_key *)key;
		struct pr_route r;
		long want;
		bool found;

		/* A source no local prefix covers (anti-spoofing would drop the
		 * packet whatever its destination), looked up all the same. */
		for (int tries = 0; tries < 64; tries++) {
			long m;

			small_dst(v6, p, np, a);
			m = brute_match(p, domain, np, a);
			if (m < 0 || !p[m].len)
				break;
		}
		inet_ntop(v6 ? AF_INET6 : AF_INET, a, src, sizeof(src));
		small_dst(v6, p, np, a);
		inet_ntop(v6 ? AF_INET6 : AF_INET, a, dst, sizeof(dst));
		/* The reference itself: the trie's answer is the brute force's. */
		if (v6)
			*k6 = (struct pr_lpm6_key){ .prefixlen = PR_LPM_DOMAIN_BITS + 128 };
		else
			*k4 = (struct pr_lpm4_key){ .prefixlen = PR_LPM_DOMAIN_BITS + 32 };
		memcpy(v6 ? k6->addr : k4->addr, a, v6 ? 16 : 4);
		found = !bpf_map_lookup_elem(v6 ? E.fd_routes6 : E.fd_routes4, key, &r);
		want = brute_match(p, domain, np, a);
		if (found != (want >= 0) ||
		    (found && (r.net_id != targets[want % 5].net || r.action != targets[want % 5].action)))
			ok = check_fail("%s: the trie says %s (net %u), the brute force prefix %ld", dst,
					found ? "a match" : "none", found ? r.net_id : 0, want);
		if (ok)
			ok = trie_then_index(v6, src, dst, &redirects, &others);
	}
	free(p);
	free(domain);
	/* (A lone default route: one verdict for every packet.) */
	if (ok && np > 1 && (redirects < npackets / 20 || others < npackets / 20))
		ok = check_fail("only %u redirects and %u others", redirects, others);
	return ok;
}

void run_index_sweeps(const char *only)
{
	static const struct { bool v6; size_t prefixes; unsigned packets; const char *name; } sw[] = {
		{ false, 4000, 3000, "index: 4,000 random IPv4 prefixes (2 domains, nested), 3,000 packets: "
				      "every verdict and frame as the trie's" },
		{ true, 4000, 3000, "index: 4,000 random IPv6 prefixes (2 domains, nested), 3,000 packets: "
				     "every verdict and frame as the trie's" },
	};

	for (size_t i = 0; i < sizeof(sw) / sizeof(sw[0]); i++) {
		if (only && !strstr(sw[i].name, only))
			continue;
		tap_begin();
		tap_end(sw[i].name, sweep(sw[i].v6, sw[i].prefixes, sw[i].packets));
	}
	for (int v6 = 0; v6 < 2; v6++) {
		static const size_t sizes[] = { 0, 1, 2, 63, 64, 65 };
		unsigned above16 = 0;
		char name[200];

		for (size_t i = 0; i < 2 * sizeof(sizes) / sizeof(sizes[0]); i++) {
			size_t n = sizes[i / 2];
			bool dflt = !n || i % 2;

			if (!n && i % 2)
				continue;
			snprintf(name, sizeof(name),
				 "index: small IPv%d table, %zu random prefixes%s (2 domains, whole space): small "
				 "direct array, trie as brute force, 600 packets decided as by the trie",
				 v6 ? 6 : 4, n, dflt ? " and a default route" : "");
			if (only && !strstr(name, only))
				continue;
			tap_begin();
			tap_end(name, small_sweep(v6, n, dflt, 600, &above16));
		}
		snprintf(name, sizeof(name), "index: small IPv%d tables: some direct arrays end above depth 16",
			 v6 ? 6 : 4);
		if (only && !strstr(name, only))
			continue;
		tap_begin();
		tap_end(name, above16 > 2 || check_fail("%u of them", above16));
	}
	for (int k = 0; k < 4; k++) {
		bool v6 = k & 1, few = k & 2;
		char name[200];

		snprintf(name, sizeof(name),
			 "index: 300 IPv%d route changes after a build (deleted, retargeted, added at a new "
			 "length) at %s lengths: stays on, 3,000 packets decided as by the trie", v6 ? 6 : 4,
			 few ? "3 (the set's filter on)" : v6 ? "many (the filter passes all)"
							    : "many (the filter by /16, /12 to /32)");
		if (only && !strstr(name, only))
			continue;
		tap_begin();
		tap_end(name, changes_while_on(v6, 4000, 300, 3000, few));
	}
	index_use(false);
	pr_lookup_index_close(&X);
}
