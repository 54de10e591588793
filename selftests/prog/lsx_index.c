// SPDX-License-Identifier: GPL-2.0-only
/*
 * The lookup index in the real datapath (bpf/pr_lsx.h): built from the
 * tries the way the agent builds it (user/lsx.c), it must decide every
 * packet exactly as the trie does. The whole case table runs a second
 * time with the index on (test_progs.c); here, a random sweep compares the
 * two on thousands of packets, frame for frame.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <linux/bpf.h>
#include <bpf/bpf.h>

#include "lsx.h"
#include "pktbuild.h"
#include "prefix.h"
#include "progtest.h"

static struct pr_lsx X;
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
static size_t trie_entries(bool v6, struct pr_lsx_entry **out)
{
	int fd = v6 ? E.fd_routes6 : E.fd_routes4;
	uint8_t key[sizeof(struct pr_lpm6_key)], next[sizeof(key)];
	struct pr_lsx_entry *e = NULL;
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
		if (!bpf_map_lookup_elem(fd, key, &r) && !pr_lsx_entry_from_key(v6, key, &r, &e[n]))
			n++;
	}
	*out = e;
	return n;
}

/* Build both families' index from the tries and make it current. */
static int index_publish(void)
{
	for (int f = 0; f < 2; f++) {
		struct pr_lsx_entry *e;
		size_t n = trie_entries(f, &e);
		int err = pr_lsx_publish(&X, f, e, n);

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

	if (bpf_map_lookup_elem(env_map("pr_lsx_ctl"), &zero, &c))
		return check_fail("pr_lsx_ctl: %s", strerror(errno));
	for (int f = 0; f < 2; f++)
		if ((c.active[f] != 1 && c.active[f] != 2) || !c.lens[f][c.active[f] - 1].n)
			return check_fail("IPv%d: index not current (active %u)", f ? 6 : 4, c.active[f]);
	return true;
}

bool index_begin(const char *only)
{
	bool ok;
	int err;

	if (only && !strstr("index", only) && !strstr(only, "index"))
		return false;
	err = pr_lsx_open(&X, env_map("pr_lsx4"), env_map("pr_lsx6"), env_map("pr_lsx_ctl"));
	tap_begin();
	if (err) {
		check_fail("pr_lsx_open: %s", strerror(-err));
		tap_end("index: built from the tries", false);
		return false;
	}
	err = index_publish();
	ok = !err ? index_current() : check_fail("publish: %s", strerror(-err));
	tap_end("index: built from the tries, current for IPv4 and IPv6 as the kernel sees it", ok);
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

/* A destination inside a random installed prefix, or anywhere in the range. */
static void random_dst(bool v6, const struct pr_prefix *p, size_t n, char *out, size_t size)
{
	uint8_t a[16];

	for (int b = 0; b < 16; b++)
		a[b] = (uint8_t)rnd();
	if (rnd() % 2) {
		const struct pr_prefix *q = &p[rnd() % n];

		for (unsigned bit = 0; bit < q->len; bit++) {
			uint8_t m = 0x80 >> (bit % 8);

			a[bit / 8] = (a[bit / 8] & ~m) | (q->addr[bit / 8] & m);
		}
	} else if (v6) {
		a[0] = 0xfd, a[1] = 0x42;
	} else {
		a[0] = 10;
	}
	inet_ntop(v6 ? AF_INET6 : AF_INET, a, out, size);
}

/* Packets from the default VRF's underlay: the index's verdict and frame
 * must be the trie's, for every packet. */
static bool sweep(bool v6, size_t nprefixes, unsigned npackets)
{
	struct pr_prefix *p;
	unsigned redirects = 0, others = 0;
	bool ok = true;

	index_use(false);
	clear_trie(E.fd_routes4);
	clear_trie(E.fd_routes6);
	p = random_prefixes(v6, nprefixes);
	if (index_publish()) {
		free(p);
		return check_fail("publish failed");
	}
	for (unsigned i = 0; i < npackets && ok; i++) {
		char dst[INET6_ADDRSTRLEN], src[INET6_ADDRSTRLEN];
		struct pkt_spec s = { .family = v6 ? AF_INET6 : AF_INET, .src = src, .dst = dst,
				      .ttl = 64, .sport = 7, .dport = 9, .payload_len = 16 };
		uint8_t in[PKT_MAX], out[2][PKT_MAX + 64];
		uint32_t out_len[2], ret[2];
		size_t len, l3;

		random_dst(v6, p, nprefixes, dst, sizeof(dst));
		random_dst(v6, p, nprefixes, src, sizeof(src)); /* the anti-spoof lookup too */
		memcpy(s.dmac, E.mac_in, 6);
		memcpy(s.smac, MAC_PEER, 6);
		len = pkt_build(&s, in, &l3);
		for (int on = 0; on < 2; on++) {
			int err;

			index_use(on);
			err = run_prog(PR_PROG_XDP_UNDERLAY, E.if_in, in, len, out[on], &out_len[on], &ret[on]);
			if (err)
				ok = check_fail("%s -> %s: test run: %s", src, dst, strerror(-err));
		}
		if (ok && (ret[0] != ret[1] || out_len[0] != out_len[1] ||
			   memcmp(out[0], out[1], out_len[0])))
			ok = check_fail("%s -> %s: trie gave verdict %u (%u bytes), index %u (%u bytes)",
					src, dst, ret[0], out_len[0], ret[1], out_len[1]);
		if (ret[0] == XDP_REDIRECT)
			redirects++;
		else
			others++;
	}
	free(p);
	/* Not vacuous: both kinds of verdict occur, often. */
	if (ok && (redirects < npackets / 10 || others < npackets / 10))
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
	index_use(false);
	pr_lsx_close(&X);
}
