// SPDX-License-Identifier: GPL-2.0-only
/*
 * Per-packet cost of podroute's destination lookup and decision with
 * RANDOM destinations at 1 / 1,000 / 100,000 / 1,000,000 installed
 * prefixes, IPv4 and IPv6, hit and miss, side by side with baselines and
 * three prototype structures (podroute issue 5). The programs and the
 * structures, and how they would go into the datapath, are described in
 * bench/lookup_cost.bpf.c.
 *
 * Method (the kernel's `bench lpm-trie-*`): each measurement is one
 * BPF_PROG_TEST_RUN (repeat 1) of a program whose bpf_loop() takes `count`
 * consecutive destinations from a set of `nkeys` precomputed random
 * addresses; duration / count is ns per destination. Every variant is
 * measured in every run, interleaved (round r measures all variants of a
 * family/kind back to back, in an order rotated per round), and each
 * sample has the floor of its own round subtracted: the noop loop for the
 * lookups (trie, fib, lenhash, index, dir), the parse loop (write the
 * destination into the frame, parse it) for podroute's decision. A global
 * cursor moves on by `count` after each measurement, so a variant never
 * re-reads the destinations, and hence the paths, the previous one just
 * warmed. Full run: 7 runs, 2^20 destinations per set, 2^17 per
 * measurement; --quick: 1 run at 1 / 1,000 / 10,000 prefixes, 2^16
 * destinations. The bench pins itself to one CPU (the last, or --cpu).
 *
 * Why (d) runs pr_process() inside a loop rather than test-running
 * xdp_underlay over a batch of frames: a test run costs a syscall and
 * frame setup per packet (~1 us), far above the decision, and repeating
 * one frame keeps the path in cache (prog_cost's floor). Calling the real
 * decision from pr_datapath.h once per destination on a frame rewritten in
 * place measures the same code with only the (subtracted) rewrite added.
 * Its anti-spoof source lookup sees one fixed source address, so that
 * lookup is cache-warm: with random sources, too, (d) would pay a second
 * random lookup.
 *
 * Prefixes (fixed seed): IPv4 /16 1%, /24 59%, /28 15%, /32 25% (first
 * octet 1..223 but 127, 169, 192: no martians, and 192.0.2.0/24 is the
 * bench's link); a /24 lies in an installed /16 with probability 0.3, a
 * /28 in an installed /24 and a /32 in an installed /24 or /28 with
 * probability 0.5. IPv6 in fd00::/8: /48 10%, /64 60%, /128 30%, a /64 in
 * an installed /48 and a /128 in an installed /64 with probability 0.5.
 * The first prefix is a /24 (/64); scale N installs the first N. Hits: a
 * random installed prefix with random host bits. Misses: half uniform in
 * the same space, half "near" (an installed prefix with one bit of its
 * second half flipped, random host bits), kept only if the trie misses.
 *
 * Route values are interned (LK_NVALUES distinct values spread over the
 * prefixes, as the agent would), which keeps DIR-24-8's value array small.
 *
 * Correctness: before timing, lk_check compares lenhash, the index and dir with
 * the trie for every destination of the four sets (hits must all hit,
 * misses all miss, no disagreement); every timed run checks its own hit
 * count (lookups, FIB success, XDP_REDIRECT). Any failure exits 1.
 *
 * (c) installs the same prefixes as kernel routes (ip -batch, via a
 * gateway with a permanent neighbour on a veth) in a network namespace the
 * bench unshares for itself (gone when it exits); a step whose estimated
 * install time exceeds --fib-budget seconds is skipped and recorded so.
 *
 * Output: JSON (default bench/results/lookup_cost.json) with the machine,
 * every raw sample, medians, spreads and ratios against the trie; render
 * with `bench/report.sh lookup_cost`.
 *
 * Usage: lookup_cost [--quick] [--runs N] [--scales N,N,...] [--cpu N] [--no-fib]
 *                    [--fib-budget SEC] [--obj FILE] [--out FILE]
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <getopt.h>
#include <net/if.h>
#include <sched.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "shell_line.h"
#include "lookup_cost.h"
#include "datapath/interfaces.h"
#include "kernel/features.h"
#include "reconcile/lookup_index.h"
#include "podroute_abi.h"
#include "lib/prefix.h"

#define LK_IF_OUT "lkb0"  /* routes' device; redirect target of (d) */
#define LK_IF_IN "lkb1"   /* ingress of the test frames */
#define LK_GW4 "192.0.2.2"
#define LK_GW6 "2001:db8:ffff::2"
#define LK_MAX_RUNS 64
#define LK_CHANGED 2000 /* (d''): route changes recorded since the build */
#define LK_CHANGED_STR "2,000"
#define LK_MAX_SCALES 8
#define LK_MAX_PREFIXES 1000000 /* --scales: the largest the maps are sized for by default */
#define LK_TARGET_RATIO 0.15 /* issue 15: lookup at 1M prefixes <= 0.15 x the trie's */

enum lk_variant { V_NOOP, V_PARSE, V_TRIE, V_FIB, V_DECIDE, V_DECIDE_LSX, V_DECIDE_CHG, V_LENHASH,
		  V_BSL, V_DIR, V__COUNT };

static const struct {
	const char *name;  /* program and JSON name */
	const char *label; /* what it stands for, in the report */
	enum lk_variant floor;
} variants[V__COUNT] = {
	[V_NOOP] = { "noop", "noop loop (floor)", V_NOOP },
	[V_PARSE] = { "parse", "(a) parse-only", V_NOOP },
	[V_TRIE] = { "trie", "(b) LPM trie (podroute today)", V_NOOP },
	[V_FIB] = { "fib", "(c) bpf_fib_lookup", V_NOOP },
	[V_DECIDE] = { "decide", "(d) podroute decision, trie", V_PARSE },
	[V_DECIDE_LSX] = { "decide_index", "(d') podroute decision, index", V_PARSE },
	[V_DECIDE_CHG] = { "decide_index_changes",
			   "(d'') podroute decision, index with " LK_CHANGED_STR " changed prefixes recorded",
			   V_PARSE },
	[V_LENHASH] = { "lenhash", "(e1) per-length hash", V_NOOP },
	[V_BSL] = { "bsl", "(e3) podroute lookup index (compressed multibit trie)", V_NOOP },
	[V_DIR] = { "dir", "(e2) DIR-24-8", V_NOOP },
};

struct opts {
	bool quick, fib;
	int runs, cpu;
	double fib_budget;
	const char *obj, *out;
};

/* ---------- small helpers ---------- */

static uint64_t rng_state = 0x9e3779b97f4a7c15ULL;

static uint64_t rnd(void)
{
	/* splitmix64: fixed seed, the same prefixes and keys on every machine */
	uint64_t z = (rng_state += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void die(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));
static void die(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	fprintf(stderr, "lookup_cost: ");
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
	exit(1);
}

static void run_cmd(const char *cmd)
{
	int rc = system(cmd);

	if (rc != 0)
		die("'%s' failed (status %d)", cmd, rc);
}

static void write_file(const char *path, const char *val)
{
	FILE *f = fopen(path, "w");

	if (!f || fputs(val, f) < 0 || fclose(f))
		die("%s: cannot write: %s", path, strerror(errno));
}

static void mask_addr(uint8_t *a, unsigned len, unsigned bits)
{
	for (unsigned i = 0; i < bits / 8; i++) {
		int keep = (int)len - (int)i * 8;

		a[i] &= keep >= 8 ? 0xff : keep <= 0 ? 0 : (uint8_t)(0xff << (8 - keep));
	}
}

static void rand_bytes(uint8_t *a, size_t n)
{
	for (size_t i = 0; i < n; i++)
		a[i] = rnd();
}

/* ---------- prefix sets ---------- */

struct pset {
	int family, bits;
	uint32_t n, cap;
	struct pr_prefix *p;
	uint32_t *by_len[129]; /* indices of prefixes of each length */
	uint32_t n_len[129];
	uint32_t *ht;          /* dedup: open addressing, index + 1 */
	uint32_t ht_mask;
};

static uint32_t pfx_hash(const struct pr_prefix *p)
{
	uint32_t h = 2166136261u ^ p->len;

	for (int i = 0; i < 16; i++)
		h = (h ^ p->addr[i]) * 16777619u;
	return h ^ (h >> 15);
}

/* Add unless present; returns true if added. */
static bool pset_add(struct pset *s, const struct pr_prefix *p)
{
	uint32_t h = pfx_hash(p) & s->ht_mask;

	for (;; h = (h + 1) & s->ht_mask) {
		uint32_t i = s->ht[h];

		if (!i)
			break;
		if (pr_prefix_equal(&s->p[i - 1], p))
			return false;
	}
	s->p[s->n] = *p;
	s->ht[h] = ++s->n;
	s->by_len[p->len][s->n_len[p->len]++] = s->n - 1;
	return true;
}

static void rand_base(int family, uint8_t *a)
{
	memset(a, 0, 16);
	if (family == AF_INET) {
		do
			a[0] = 1 + rnd() % 223;
		while (a[0] == 127 || a[0] == 169 || a[0] == 192);
		rand_bytes(a + 1, 3);
	} else {
		a[0] = 0xfd;
		rand_bytes(a + 1, 15);
	}
}

/* A random installed prefix of one of the given lengths, or -1. */
static int64_t pick_of_len(struct pset *s, const unsigned *lens, int nlens)
{
	uint64_t tot = 0, r;

	for (int i = 0; i < nlens; i++)
		tot += s->n_len[lens[i]];
	if (!tot)
		return -1;
	r = rnd() % tot;
	for (int i = 0; i < nlens; i++) {
		if (r < s->n_len[lens[i]])
			return s->by_len[lens[i]][r];
		r -= s->n_len[lens[i]];
	}
	return -1;
}

static void pset_generate(struct pset *s, int family, uint32_t n)
{
	/* length, weight (per mille), nesting probability (percent), parents */
	static const struct mix {
		unsigned len, permille, nest_pct, parents[2];
		int nparents;
	} mix4[] = {
		{ 16, 10, 0, { 0 }, 0 },
		{ 24, 590, 30, { 16 }, 1 },
		{ 28, 150, 50, { 24 }, 1 },
		{ 32, 250, 50, { 24, 28 }, 2 },
	}, mix6[] = {
		{ 48, 100, 0, { 0 }, 0 },
		{ 64, 600, 50, { 48 }, 1 },
		{ 128, 300, 50, { 64 }, 1 },
	};
	const struct mix *mix = family == AF_INET ? mix4 : mix6;
	int nmix = family == AF_INET ? 4 : 3;

	memset(s, 0, sizeof(*s));
	s->family = family;
	s->bits = family == AF_INET ? 32 : 128;
	s->cap = n;
	s->p = calloc(n, sizeof(*s->p));
	for (int i = 0; i < nmix; i++)
		s->by_len[mix[i].len] = calloc(n, sizeof(uint32_t));
	s->ht_mask = 1;
	while (s->ht_mask < 2 * n)
		s->ht_mask <<= 1;
	s->ht = calloc(s->ht_mask, sizeof(uint32_t));
	s->ht_mask--;
	if (!s->p || !s->ht)
		die("out of memory for %u prefixes", n);

	while (s->n < n) {
		const struct mix *m = &mix[1]; /* the first prefix: a /24 (/64) */
		struct pr_prefix p = { .family = family };
		uint32_t w = rnd() % 1000, acc = 0;
		int64_t parent = -1;

		if (s->n) {
			for (int i = 0; i < nmix; i++) {
				acc += mix[i].permille;
				if (w < acc) {
					m = &mix[i];
					break;
				}
			}
		}
		rand_base(family, p.addr);
		if (m->nparents && rnd() % 100 < m->nest_pct)
			parent = pick_of_len(s, m->parents, m->nparents);
		if (parent >= 0) {
			/* Inside the parent: its bits, then random ones. */
			const struct pr_prefix *pp = &s->p[parent];
			uint8_t rb[16];

			rand_bytes(rb, 16);
			for (int i = 0; i < s->bits / 8; i++) {
				int keep = (int)pp->len - i * 8;
				uint8_t mk = keep >= 8 ? 0xff : keep <= 0 ? 0 : (uint8_t)(0xff << (8 - keep));

				p.addr[i] = (pp->addr[i] & mk) | (rb[i] & ~mk);
			}
		}
		p.len = m->len;
		mask_addr(p.addr, p.len, s->bits);
		pset_add(s, &p);
	}
}

/* ---------- route values ---------- */

/* Interned values (LK_NVALUES of them, see lookup_cost.h): the value id
 * is in nhg_id, which a redirect does not use. */
static uint32_t value_id(uint32_t prefix_index)
{
	_Static_assert(LK_NVALUES == 1U << 12, "value_id() takes 12 bits");
	return (prefix_index * 2654435761u) >> (32 - 12);
}

static struct pr_route value_of(uint32_t vid)
{
	return (struct pr_route){ .net_id = 1, .nhg_id = vid, .action = PR_ACT_REDIRECT,
				  .flags = PR_ROUTE_F_LOCAL };
}

static struct pr_route route_of(uint32_t prefix_index)
{
	return value_of(value_id(prefix_index));
}

/* ---------- the BPF side ---------- */

/* lk_rtval as mmapped: array values sit at an 8-byte stride. */
struct lk_rtslot {
	struct pr_route r;
	uint32_t pad;
};

struct bench {
	struct bpf_object *obj;
	int prog[V__COUNT + 1]; /* + check */
	int routes4, routes6, hash4, hash6, lens, params, result, keys, dir24, dir8, rtval;
	int lsx[2];
	struct pr_lookup_index index;        /* podroute's lookup index on this object's maps */
	uint32_t index_active[2];   /* its table per family once built */
	struct lk_addr *keys_mem;
	uint32_t *d24, *d8;
	struct lk_rtslot *rt;
	uint32_t d8_chunks, d8_used;
	int if_in, if_out;
	uint8_t frame4[128], frame6[128];
	size_t len4, len6;
};

static int map_fd(struct bench *b, const char *name)
{
	struct bpf_map *m = bpf_object__find_map_by_name(b->obj, name);

	if (!m)
		die("%s: map not in the object", name);
	return bpf_map__fd(m);
}

static int map_fd_of(void *b, const char *name)
{
	return map_fd(b, name);
}

static void *map_mmap(int fd, size_t size, const char *name)
{
	void *p = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);

	if (p == MAP_FAILED)
		die("%s: mmap %zu bytes: %s", name, size, strerror(errno));
	return p;
}

static void set_max(struct bpf_object *obj, const char *name, uint32_t n)
{
	struct bpf_map *m = bpf_object__find_map_by_name(obj, name);

	if (!m || bpf_map__set_max_entries(m, n))
		die("%s: cannot size the map to %u", name, n);
}

/* The kernel's own accounting of a map's memory (fdinfo "memlock"). */
static uint64_t map_memlock(int fd)
{
	char path[64], line[256];
	unsigned long long v = 0;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/self/fdinfo/%d", fd);
	f = fopen(path, "r");
	if (!f)
		return 0;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "memlock: %llu", &v) == 1)
			break;
	fclose(f);
	return v;
}

static uint32_t dir_chunks_needed(const struct pset *s)
{
	/* Distinct /24s holding a prefix longer than /24. */
	uint32_t n = 0, cap = 1U << 24;
	uint8_t *seen = calloc(cap / 8, 1);

	if (!seen)
		die("out of memory");
	for (uint32_t i = 0; i < s->n; i++) {
		uint32_t a;

		if (s->p[i].len <= 24)
			continue;
		memcpy(&a, s->p[i].addr, 4);
		a = ntohl(a) >> 8;
		if (!(seen[a / 8] & (1 << (a % 8)))) {
			seen[a / 8] |= 1 << (a % 8);
			n++;
		}
	}
	free(seen);
	return n;
}

static size_t build_frame(int family, uint8_t *buf)
{
	static const uint8_t rmac[6] = { 0x02, 0, 0, 0, 0, 0x01 };
	size_t l3 = 14;

	memset(buf, 0, 128);
	memcpy(buf, rmac, 6);
	buf[6] = 0x02;
	buf[11] = 0x09;
	if (family == AF_INET) {
		buf[12] = 0x08;
		buf[l3] = 0x45;
		buf[l3 + 3] = 20 + 8 + 18; /* 64-byte frame */
		buf[l3 + 8] = 64;
		buf[l3 + 9] = IPPROTO_UDP;
		inet_pton(AF_INET, "198.51.100.10", buf + l3 + 12);
		buf[l3 + 20] = 0x0f;       /* sport 4000 */
		buf[l3 + 21] = 0xa0;
		buf[l3 + 22] = 0x13;       /* dport 5000 */
		buf[l3 + 23] = 0x88;
		return 64;
	}
	buf[12] = 0x86;
	buf[13] = 0xdd;
	buf[l3] = 0x60;
	buf[l3 + 5] = 8 + 18;
	buf[l3 + 6] = IPPROTO_UDP;
	buf[l3 + 7] = 64;
	inet_pton(AF_INET6, "2001:db8::10", buf + l3 + 8);
	buf[l3 + 40] = 0x0f;
	buf[l3 + 41] = 0xa0;
	buf[l3 + 42] = 0x13;
	buf[l3 + 43] = 0x88;
	return 14 + 40 + 8 + 18;
}

static void bench_open(struct bench *b, const struct opts *o, uint32_t nmax, uint32_t chunks)
{
	static const char *progs[V__COUNT + 1] = { "lk_noop", "lk_parse", "lk_trie", "lk_fib",
						    "lk_decide", "lk_decide", "lk_decide", "lk_lenhash", "lk_bsl",
						    "lk_dir", "lk_check" };
	struct bpf_map *m;

	b->obj = bpf_object__open_file(o->obj, NULL);
	if (!b->obj)
		die("%s: cannot open: %s (make build/bench/lookup_cost.bpf.o)", o->obj, strerror(errno));
	/* pr_maps.h asks libbpf to pin by name; the bench's maps are private. */
	bpf_object__for_each_map(m, b->obj)
		bpf_map__set_pin_path(m, NULL);
	set_max(b->obj, "pr_routes4", nmax);
	set_max(b->obj, "pr_routes6", nmax);
	set_max(b->obj, "lk_hash4", nmax);
	set_max(b->obj, "lk_hash6", nmax);
	set_max(b->obj, "pr_lsx4", PR_LSX_MAP_ELEMS(nmax));
	set_max(b->obj, "pr_lsx6", PR_LSX_MAP_ELEMS(nmax));
	set_max(b->obj, "lk_dir8", chunks ? chunks : 1);
	if (pr_kernel_caps_apply(b->obj) || bpf_object__load(b->obj))
		die("%s: cannot load: %s", o->obj, strerror(errno));
	for (int i = 0; i <= V__COUNT; i++) {
		struct bpf_program *p = bpf_object__find_program_by_name(b->obj, progs[i]);

		if (!p)
			die("%s: program %s missing", o->obj, progs[i]);
		b->prog[i] = bpf_program__fd(p);
	}
	b->routes4 = map_fd(b, "pr_routes4");
	b->routes6 = map_fd(b, "pr_routes6");
	b->hash4 = map_fd(b, "lk_hash4");
	b->hash6 = map_fd(b, "lk_hash6");
	b->lens = map_fd(b, "lk_lens");
	b->params = map_fd(b, "lk_params");
	b->result = map_fd(b, "lk_result");
	b->keys = map_fd(b, "lk_keys");
	b->dir24 = map_fd(b, "lk_dir24");
	b->dir8 = map_fd(b, "lk_dir8");
	b->rtval = map_fd(b, "lk_rtval");
	b->lsx[0] = map_fd(b, "pr_lsx4");
	b->lsx[1] = map_fd(b, "pr_lsx6");
	{
		struct pr_lookup_index_fds fds;
		int err;

		pr_lookup_index_fds_by_name(&fds, map_fd_of, b);
		err = pr_lookup_index_open(&b->index, &fds);
		if (err)
			die("lookup index: cannot map: %s", strerror(-err));
	}
	b->d8_chunks = chunks ? chunks : 1;
	b->keys_mem = map_mmap(b->keys, (size_t)LK_SET__COUNT * LK_KEYS_MAX * sizeof(struct lk_addr),
			       "lk_keys");
	b->d24 = map_mmap(b->dir24, (size_t)4 << 24, "lk_dir24"); /* 2^20 blocks of 16 */
	b->d8 = map_mmap(b->dir8, (size_t)b->d8_chunks * 256 * 4, "lk_dir8");
	b->rt = map_mmap(b->rtval, LK_NVALUES * sizeof(*b->rt), "lk_rtval");
	for (uint32_t v = 0; v < LK_NVALUES; v++)
		b->rt[v].r = value_of(v);
	b->len4 = build_frame(AF_INET, b->frame4);
	b->len6 = build_frame(AF_INET6, b->frame6);
}

/* The namespace: a veth pair, a gateway with a permanent neighbour, forwarding on. */
static void netns_setup(struct bench *b)
{
	if (unshare(CLONE_NEWNET))
		die("unshare(CLONE_NEWNET): %s (needs root)", strerror(errno));
	run_cmd("ip link set lo up && ip link add " LK_IF_OUT " type veth peer name " LK_IF_IN
		" && ip link set " LK_IF_OUT " address 02:00:00:00:00:03"
		" && ip link set " LK_IF_IN " address 02:00:00:00:00:01"
		" && ip link set " LK_IF_OUT " up && ip link set " LK_IF_IN " up"
		" && ip addr add 192.0.2.1/24 dev " LK_IF_OUT
		" && ip -6 addr add 2001:db8:ffff::1/64 dev " LK_IF_OUT " nodad"
		" && ip neigh add " LK_GW4 " lladdr 02:00:00:00:00:02 dev " LK_IF_OUT " nud permanent"
		" && ip -6 neigh add " LK_GW6 " lladdr 02:00:00:00:00:02 dev " LK_IF_OUT
		" nud permanent");
	write_file("/proc/sys/net/ipv4/conf/all/forwarding", "1");
	write_file("/proc/sys/net/ipv6/conf/all/forwarding", "1");
	b->if_in = if_nametoindex(LK_IF_IN);
	b->if_out = if_nametoindex(LK_IF_OUT);
	if (!b->if_in || !b->if_out)
		die("veth pair %s/%s missing after setup", LK_IF_IN, LK_IF_OUT);
}

/* podroute's own tables for (d): one network, redirect to lkb0. */
static void datapath_setup(struct bench *b)
{
	struct pr_iface ifc = { .flags = PR_IF_F_UNDERLAY, .nmacs = 1,
				.rmac = { { 0x02, 0, 0, 0, 0, 0x01 } } };
	struct pr_net net = { .ifindex = b->if_out, .flags = PR_NET_F_VALID,
			      .dmac = { 0x02, 0, 0, 0, 0, 0x02 }, .smac = { 0x02, 0, 0, 0, 0, 0x03 } };
	struct bpf_devmap_val dv = { .ifindex = b->if_out };
	struct pr_global g = { .abi_version = PR_ABI_VERSION };
	uint32_t in = b->if_in, out = b->if_out, one = 1, zero = 0;

	struct pr_iface_maps im = { map_fd(b, "pr_ifaces"), map_fd(b, "pr_ifslots") };

	if (pr_iface_put(im, in, &ifc) ||
	    bpf_map_update_elem(map_fd(b, "pr_nets"), &one, &net, 0) ||
	    bpf_map_update_elem(map_fd(b, "pr_txports"), &out, &dv, 0) ||
	    /* a veth takes XDP frames (its peer has NAPI): redirect, not a hand-off to TC */
	    bpf_map_update_elem(map_fd(b, "pr_xdp_txports"), &out, &dv, 0) ||
	    bpf_map_update_elem(map_fd(b, "pr_config"), &zero, &g, 0))
		die("podroute maps: cannot configure: %s", strerror(errno));
}


/* ---------- inserting a step of prefixes into each structure ---------- */

struct upd {
	double trie_ns, hash_ns, dir_ns, dir_max_ns, dir_writes, fib_s, bsl_ns;
	uint64_t bsl_entries;
	uint32_t from, to;
	bool fib_done;
};

static void insert_trie(struct bench *b, const struct pset *s, uint32_t from, uint32_t to, struct upd *u)
{
	double t0 = now_s();

	for (uint32_t i = from; i < to; i++) {
		struct pr_route v = route_of(i);
		struct pr_lpm4_key k4;
		struct pr_lpm6_key k6;
		int err;

		if (s->family == AF_INET) {
			pr_prefix_to_key4(&s->p[i], 0, &k4);
			err = bpf_map_update_elem(b->routes4, &k4, &v, BPF_NOEXIST);
		} else {
			pr_prefix_to_key6(&s->p[i], 0, &k6);
			err = bpf_map_update_elem(b->routes6, &k6, &v, BPF_NOEXIST);
		}
		if (err)
			die("pr_routes%c: insert %u: %s", s->family == AF_INET ? '4' : '6', i, strerror(errno));
	}
	u->trie_ns = (now_s() - t0) * 1e9 / (to - from);
}

static void update_lens(struct bench *b, const struct pset *s, uint32_t upto)
{
	struct lk_lenset ls = { 0 };
	bool present[129] = { false };
	uint32_t idx = s->family == AF_INET ? LK_LENS4 : LK_LENS6;

	for (uint32_t i = 0; i < upto; i++)
		present[s->p[i].len] = true;
	for (int len = s->bits; len >= 0 && ls.n < LK_MAX_LENS; len--) {
		uint8_t m[16] = { 0 };

		if (!present[len])
			continue;
		memset(m, 0xff, 16);
		mask_addr(m, len, 128);
		ls.e[ls.n].len = len;
		memcpy(ls.e[ls.n].mask, m, 16);
		ls.n++;
	}
	if (bpf_map_update_elem(b->lens, &idx, &ls, 0))
		die("lk_lens: %s", strerror(errno));
}

static void insert_hash(struct bench *b, const struct pset *s, uint32_t from, uint32_t to, struct upd *u)
{
	double t0 = now_s();

	for (uint32_t i = from; i < to; i++) {
		struct pr_route v = route_of(i);
		int err;

		if (s->family == AF_INET) {
			struct lk_h4_key k = { .domain = 0, .len = s->p[i].len };

			memcpy(k.addr, s->p[i].addr, 4);
			err = bpf_map_update_elem(b->hash4, &k, &v, BPF_NOEXIST);
		} else {
			struct lk_h6_key k = { .domain = 0, .len = s->p[i].len };

			memcpy(k.addr, s->p[i].addr, 16);
			err = bpf_map_update_elem(b->hash6, &k, &v, BPF_NOEXIST);
		}
		if (err)
			die("lk_hash%c: insert %u: %s", s->family == AF_INET ? '4' : '6', i, strerror(errno));
	}
	/* The present-length list goes in after the entries it announces. */
	update_lens(b, s, to);
	u->hash_ns = (now_s() - t0) * 1e9 / (to - from);
}

static inline uint32_t d_len(uint32_t e)
{
	return (e >> LK_D_LEN_SHIFT) & LK_D_LEN_MASK;
}

/* Paint entries [first, first + n) of a level with enc where no longer prefix is. */
static uint32_t paint(uint32_t *t, uint32_t first, uint32_t n, uint32_t enc, uint32_t len)
{
	uint32_t w = 0;

	for (uint32_t j = first; j < first + n; j++) {
		uint32_t e = t[j];

		if (!(e & LK_D_SLOT_MASK) || d_len(e) <= len) {
			__atomic_store_n(&t[j], enc, __ATOMIC_RELAXED);
			w++;
		}
	}
	return w;
}

/* One IPv4 prefix into DIR-24-8: its value id wherever it is the longest match. */
static uint32_t dir_insert(struct bench *b, const struct pr_prefix *p, uint32_t index)
{
	uint32_t a, len = p->len, enc = (len << LK_D_LEN_SHIFT) | (value_id(index) + 1), w = 0;

	memcpy(&a, p->addr, 4);
	a = ntohl(a);
	if (len <= 24) {
		uint32_t first = a >> 8, n = 1U << (24 - len);

		for (uint32_t j = first; j < first + n; j++) {
			uint32_t e = b->d24[j];

			if (e & LK_D_CHUNK)
				w += paint(b->d8, (e & ~LK_D_CHUNK) << 8, 256, enc, len);
			else
				w += paint(b->d24, j, 1, enc, len);
		}
		return w;
	}
	if (!(b->d24[a >> 8] & LK_D_CHUNK)) {
		uint32_t c = b->d8_used++, e = b->d24[a >> 8];

		if (c >= b->d8_chunks)
			die("lk_dir8: more chunks than the %u counted", b->d8_chunks);
		/* Fill the chunk with the /24's answer, then publish it. */
		for (uint32_t t = 0; t < 256; t++)
			b->d8[(c << 8) + t] = e;
		__atomic_store_n(&b->d24[a >> 8], LK_D_CHUNK | c, __ATOMIC_RELEASE);
		w += 257;
	}
	return w + paint(b->d8, ((b->d24[a >> 8] & ~LK_D_CHUNK) << 8) | (a & 0xff),
			 1U << (32 - len), enc, len);
}

static void insert_dir(struct bench *b, const struct pset *s, uint32_t from, uint32_t to, struct upd *u)
{
	double t0 = now_s(), max = 0;
	uint64_t writes = 0;

	for (uint32_t i = from; i < to; i++) {
		double t1 = now_s(), d;

		writes += dir_insert(b, &s->p[i], i);
		d = now_s() - t1;
		if (d > max)
			max = d;
	}
	u->dir_ns = (now_s() - t0) * 1e9 / (to - from);
	u->dir_max_ns = max * 1e9;
	u->dir_writes = (double)writes / (to - from);
}

/* ---------- (e3) podroute's lookup index ---------- */

/* (d''): LK_CHANGED route changes recorded since the build, as the agent
 * records them under churn (pr_lookup_index_note_change), as /24s in 240.0.0.0/8
 * and /48s in 2001:db8::/32, which no destination lies in: the cost of the
 * extra lookup for the many packets whose prefix did not change. */
static void record_changes(struct bench *b, int fam)
{
	uint32_t act = b->index.ctl->active[fam];

	for (uint32_t k = 0; k < LK_CHANGED; k++) {
		struct pr_lpm6_key key = { .prefixlen = PR_LPM_DOMAIN_BITS + (fam ? 48 : 24) };

		if (fam) {
			key.addr[0] = 0x20, key.addr[1] = 0x01, key.addr[2] = 0x0d, key.addr[3] = 0xb8;
			key.addr[4] = k >> 8, key.addr[5] = k & 0xff;
		} else {
			key.addr[0] = 240, key.addr[1] = k >> 8, key.addr[2] = k & 0xff;
		}
		pr_lookup_index_note_change(&b->index, fam, &key);
	}
	if (act != b->index.ctl->active[fam] || b->index.changed[fam] != LK_CHANGED)
		die("lookup index: %u changes recorded, %zu in the set (active %u -> %u)", LK_CHANGED,
		    b->index.changed[fam], act, b->index.ctl->active[fam]);
	/* Left off until (d'') turns it on. */
	__atomic_store_n(&b->index.ctl->changed[fam][act - 1], 0, __ATOMIC_SEQ_CST);
}

/* Build the index from the first n prefixes as the agent does (user/reconcile/lookup_index.c:
 * the whole set, into the idle table), and time it. */
static void index_build(struct bench *b, const struct pset *s, uint32_t n, struct upd *u)
{
	int fam = s->family == AF_INET ? 0 : 1;
	struct pr_lookup_index_entry *e = calloc(n, sizeof(*e));
	double t0;
	int err;

	if (!e)
		die("out of memory");
	for (uint32_t i = 0; i < n; i++) {
		e[i].len = s->p[i].len;
		memcpy(e[i].addr, s->p[i].addr, 16);
		e[i].r = route_of(i);
	}
	t0 = now_s();
	err = pr_lookup_index_publish(&b->index, fam, e, n);
	if (err)
		die("lookup index, %u prefixes: %s (%s)", n, strerror(-err), b->index.why_off[fam]);
	u->bsl_ns = (now_s() - t0) * 1e9 / n;
	u->bsl_entries = b->index.entries[fam];
	b->index_active[fam] = b->index.ctl->active[fam];
	free(e);
	record_changes(b, fam);
}

/* The datapath reads the index (on) or the trie (off), for both families,
 * and with on, the sets of changes recorded since the build (changes) or
 * not. */
static void index_use(struct bench *b, bool on, bool changes)
{
	for (int f = 0; f < 2; f++) {
		__atomic_store_n(&b->index.ctl->active[f], on ? b->index_active[f] : 0, __ATOMIC_SEQ_CST);
		if (b->index_active[f])
			__atomic_store_n(&b->index.ctl->changed[f][b->index_active[f] - 1], changes ? 1 : 0,
					 __ATOMIC_SEQ_CST);
	}
}

/* Kernel routes for (c): ip -batch in this namespace. */
static void insert_fib(const struct pset *s, uint32_t from, uint32_t to, struct upd *u)
{
	char buf[PR_PREFIX_STRLEN];
	double t0 = now_s();
	FILE *ip = popen("ip -batch -", "w");
	int rc;

	if (!ip)
		die("ip -batch: %s", strerror(errno));
	for (uint32_t i = from; i < to; i++)
		fprintf(ip, "route add %s via %s dev " LK_IF_OUT "\n",
			pr_prefix_format(&s->p[i], buf, sizeof(buf)),
			s->family == AF_INET ? LK_GW4 : LK_GW6);
	rc = pclose(ip);
	if (rc)
		die("ip -batch: adding %s routes %u..%u failed (status %d)",
		    s->family == AF_INET ? "IPv4" : "IPv6", from, to, rc);
	u->fib_s = now_s() - t0;
	u->fib_done = true;
}

/* ---------- destinations ---------- */

static bool trie_hits(struct bench *b, int family, const uint8_t *a)
{
	struct pr_route v;

	if (family == AF_INET) {
		struct pr_lpm4_key k = { .prefixlen = PR_LPM_DOMAIN_BITS + 32 };

		memcpy(k.addr, a, 4);
		return !bpf_map_lookup_elem(b->routes4, &k, &v);
	} else {
		struct pr_lpm6_key k = { .prefixlen = PR_LPM_DOMAIN_BITS + 128 };

		memcpy(k.addr, a, 16);
		return !bpf_map_lookup_elem(b->routes6, &k, &v);
	}
}

static void make_keys(struct bench *b, const struct pset *s, uint32_t scale, uint32_t nkeys)
{
	struct lk_addr *hit = b->keys_mem + (size_t)(s->family == AF_INET ? LK_SET_HIT4 : LK_SET_HIT6) * LK_KEYS_MAX;
	struct lk_addr *miss = b->keys_mem + (size_t)(s->family == AF_INET ? LK_SET_MISS4 : LK_SET_MISS6) * LK_KEYS_MAX;
	uint64_t tries = 0;

	for (uint32_t i = 0; i < nkeys; i++) {
		const struct pr_prefix *p = &s->p[rnd() % scale];
		uint8_t rb[16];

		rand_bytes(rb, 16);
		memset(hit[i].a, 0, 16);
		for (int j = 0; j < s->bits / 8; j++) {
			int keep = (int)p->len - j * 8;
			uint8_t mk = keep >= 8 ? 0xff : keep <= 0 ? 0 : (uint8_t)(0xff << (8 - keep));

			hit[i].a[j] = (p->addr[j] & mk) | (rb[j] & ~mk);
		}
	}
	for (uint32_t i = 0; i < nkeys;) {
		uint8_t a[16];

		if (++tries > 100ULL * nkeys)
			die("cannot find %u missing destinations among %u prefixes", nkeys, scale);
		if (i % 2) {
			rand_base(s->family, a);
		} else {
			/* Near miss: an installed prefix with one bit of its second half flipped. */
			const struct pr_prefix *p = &s->p[rnd() % scale];
			unsigned bit = p->len / 2 + rnd() % (p->len - p->len / 2);
			uint8_t rb[16];

			rand_bytes(rb, 16);
			memset(a, 0, 16);
			for (int j = 0; j < s->bits / 8; j++) {
				int keep = (int)p->len - j * 8;
				uint8_t mk = keep >= 8 ? 0xff : keep <= 0 ? 0 : (uint8_t)(0xff << (8 - keep));

				a[j] = (p->addr[j] & mk) | (rb[j] & ~mk);
			}
			a[bit / 8] ^= 0x80 >> (bit % 8);
			if (s->family == AF_INET && (a[0] == 0 || a[0] == 127 || a[0] == 169 ||
						     a[0] == 192 || a[0] >= 224))
				continue;
			if (s->family == AF_INET6 && a[0] != 0xfd)
				continue;
		}
		if (trie_hits(b, s->family, a))
			continue;
		memcpy(miss[i].a, a, 16);
		i++;
	}
}

/* ---------- running the programs ---------- */

static double run_prog(struct bench *b, int prog, enum lk_set set, uint32_t start, uint32_t count,
		       uint32_t nkeys, struct lk_result *res)
{
	int family = set == LK_SET_HIT4 || set == LK_SET_MISS4 ? 4 : 6;
	struct lk_params prm = { .base = set * LK_KEYS_MAX, .mask = nkeys - 1, .start = start,
				 .count = count, .family = family, .ifindex = b->if_in };
	struct xdp_md ctx = { .ingress_ifindex = b->if_in };
	uint8_t frame[128];
	size_t len = family == 4 ? b->len4 : b->len6;
	uint32_t zero = 0;
	LIBBPF_OPTS(bpf_test_run_opts, o, .data_in = frame, .data_size_in = len,
		    .ctx_in = &ctx, .ctx_size_in = sizeof(ctx), .repeat = 1);

	memcpy(frame, family == 4 ? b->frame4 : b->frame6, len);
	ctx.data_end = len;
	if (bpf_map_update_elem(b->params, &zero, &prm, 0))
		die("lk_params: %s", strerror(errno));
	if (bpf_prog_test_run_opts(prog, &o))
		die("test run: %s", strerror(errno));
	if (o.retval != XDP_PASS)
		die("test run: program returned %u (params or result map missing)", o.retval);
	if (bpf_map_lookup_elem(b->result, &zero, res))
		die("lk_result: %s", strerror(errno));
	if (res->done != count)
		die("test run: %u of %u iterations ran", res->done, count);
	return (double)o.duration / count;
}

static const char *set_name(enum lk_set s)
{
	static const char *n[] = { "IPv4 hits", "IPv4 misses", "IPv6 hits", "IPv6 misses" };

	return n[s];
}

/* lk_check over a whole set: no disagreement, and hits/misses as named. */
static void check_set(struct bench *b, enum lk_set set, uint32_t nkeys, uint32_t scale)
{
	struct lk_result r;
	bool hit = set == LK_SET_HIT4 || set == LK_SET_HIT6;

	index_use(b, true, false);
	run_prog(b, b->prog[V__COUNT], set, 0, nkeys, nkeys, &r);
	if (r.mismatches) {
		const uint8_t *a = b->keys_mem[(size_t)set * LK_KEYS_MAX + r.bad_idx].a;
		char s[INET6_ADDRSTRLEN];

		inet_ntop(set < LK_SET_HIT6 ? AF_INET : AF_INET6, a, s, sizeof(s));
		die("%u prefixes, %s: %llu destinations answered differently by the trie and%s%s%s, "
		    "e.g. %s", scale, set_name(set), (unsigned long long)r.mismatches,
		    r.bad_mask & LK_BAD_LENHASH ? " lenhash" : "", r.bad_mask & LK_BAD_BSL ? " bsl" : "",
		    r.bad_mask & LK_BAD_DIR ? " dir" : "", s);
	}
	if (r.hits != (hit ? nkeys : 0))
		die("%u prefixes, %s: the trie matched %llu of %u destinations", scale, set_name(set),
		    (unsigned long long)r.hits, nkeys);
}

/* ---------- statistics and output ---------- */

static int cmp_d(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

struct stats {
	double med, min, max, q1, q3;
};

static struct stats stats_of(const double *v, int n)
{
	double s[LK_MAX_RUNS];
	struct stats st;

	memcpy(s, v, n * sizeof(double));
	qsort(s, n, sizeof(double), cmp_d);
	st.min = s[0];
	st.max = s[n - 1];
	st.med = n % 2 ? s[n / 2] : (s[n / 2 - 1] + s[n / 2]) / 2;
	st.q1 = s[(n - 1) / 4];
	st.q3 = s[(3 * (n - 1) + 3) / 4];
	return st;
}

/* Samples of one scale: [variant][set][run] ns per destination. */
struct scale_res {
	uint32_t prefixes;
	double raw[V__COUNT][LK_SET__COUNT][LK_MAX_RUNS];
	bool have[V__COUNT][LK_SET__COUNT];
	struct upd upd[2];            /* IPv4, IPv6: the step that reached this scale */
	uint64_t mem[4][2];           /* trie, lenhash, dir, bsl: bytes per family */
	bool fib_skipped[2];
	double fib_estimate_s[2];
};

static void json_array(FILE *f, const double *v, int n)
{
	fputc('[', f);
	for (int i = 0; i < n; i++)
		fprintf(f, "%s%.2f", i ? ", " : "", v[i]);
	fputc(']', f);
}

static void write_json(const struct opts *o, struct scale_res *sr, int nscales, uint32_t nkeys,
		       uint32_t count, double elapsed)
{
	char commit[128], cpu[256], fm[64], hv[64], date[64];
	struct utsname u;
	FILE *f = fopen(o->out, "w");
	bool first = true, last_have[V__COUNT][LK_SET__COUNT] = { { false } };
	double last_ratio[V__COUNT][LK_SET__COUNT];

	if (!f)
		die("%s: cannot write: %s", o->out, strerror(errno));
	shell_line("git describe --always --dirty 2>/dev/null", commit, sizeof(commit));
	shell_line("sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -1", cpu, sizeof(cpu));
	shell_line("awk -F': ' '/^cpu family/ {f=$2} /^model[[:space:]]*:/ {m=$2} "
		   "END {print \"family \" f \" model \" m}' /proc/cpuinfo", fm, sizeof(fm));
	shell_line("lscpu | sed -n 's/^Hypervisor vendor:[[:space:]]*//p'", hv, sizeof(hv));
	shell_line("date -u +%Y-%m-%dT%H:%M:%SZ", date, sizeof(date));
	uname(&u);

	fprintf(f, "{\n\"bench\": \"lookup_cost\",\n\"commit\": \"%s\",\n\"kernel\": \"%s\",\n"
		   "\"cpu\": \"%s\",\n\"cpu_model\": \"%s\",\n\"hypervisor\": \"%s\",\n"
		   "\"ncpu\": %ld,\n\"pinned_cpu\": %d,\n\"date\": \"%s\",\n"
		   "\"quick\": %s,\n\"runs\": %d,\n\"keys_per_set\": %u,\n\"iterations_per_run\": %u,\n"
		   "\"elapsed_s\": %.1f,\n",
		commit, u.release, cpu, fm, hv, sysconf(_SC_NPROCESSORS_ONLN), o->cpu, date,
		o->quick ? "true" : "false", o->runs, nkeys, count, elapsed);
	fprintf(f, "\"method\": \"bpf_loop over random destinations per BPF_PROG_TEST_RUN (repeat 1); "
		   "ns per destination; each sample minus its round's floor (noop loop; parse loop for "
		   "the decision); variants interleaved, order rotated per round\",\n");
	fprintf(f, "\"target_ratio\": %.2f,\n", LK_TARGET_RATIO);

	fprintf(f, "\"results\": [\n");
	for (int s = 0; s < nscales; s++) {
		for (int set = 0; set < LK_SET__COUNT; set++) {
			double trie_med = 0;
			double net[V__COUNT][LK_MAX_RUNS];

			for (int v = 0; v < V__COUNT; v++) {
				if (!sr[s].have[v][set])
					continue;
				for (int r = 0; r < o->runs; r++)
					net[v][r] = v == V_NOOP ? sr[s].raw[v][set][r]
						: sr[s].raw[v][set][r] - sr[s].raw[variants[v].floor][set][r];
			}
			if (sr[s].have[V_TRIE][set])
				trie_med = stats_of(net[V_TRIE], o->runs).med;
			for (int v = 0; v < V__COUNT; v++) {
				struct stats st, raw;

				if (!sr[s].have[v][set])
					continue;
				st = stats_of(net[v], o->runs);
				raw = stats_of(sr[s].raw[v][set], o->runs);
				fprintf(f, "%s  {\"variant\": \"%s\", \"label\": \"%s\", \"family\": \"%s\", "
					   "\"kind\": \"%s\", \"prefixes\": %u, \"floor\": \"%s\", "
					   "\"is_floor\": %s,\n"
					   "   \"median_ns\": %.2f, \"min_ns\": %.2f, \"max_ns\": %.2f, "
					   "\"q1_ns\": %.2f, \"q3_ns\": %.2f, \"raw_median_ns\": %.2f, ",
					first ? "" : ",\n", variants[v].name, variants[v].label,
					set < LK_SET_HIT6 ? "ipv4" : "ipv6",
					set == LK_SET_HIT4 || set == LK_SET_HIT6 ? "hit" : "miss",
					sr[s].prefixes, v == V_NOOP ? "none" : variants[variants[v].floor].name,
					v == V_NOOP ? "true" : "false", st.med, st.min, st.max, st.q1, st.q3, raw.med);
				if (s == nscales - 1 && trie_med > 0) {
					last_ratio[v][set] = st.med / trie_med;
					last_have[v][set] = true;
				}
				if (v != V_NOOP && trie_med > 0)
					fprintf(f, "\"ratio_vs_trie\": %.3f,\n", st.med / trie_med);
				else
					fprintf(f, "\"ratio_vs_trie\": null,\n");
				fprintf(f, "   \"raw_ns\": ");
				json_array(f, sr[s].raw[v][set], o->runs);
				fprintf(f, ", \"net_ns\": ");
				json_array(f, net[v], o->runs);
				fputc('}', f);
				first = false;
			}
		}
	}
	fprintf(f, "\n],\n");

	/* The target, at the largest scale: every family and kind. */
	fprintf(f, "\"target_summary\": [\n");
	first = true;
	for (int v = V_FIB; v < V__COUNT; v++) {
		static const char *setkey[] = { "ipv4_hit", "ipv4_miss", "ipv6_hit", "ipv6_miss" };
		double worst = 0;
		bool any = false;

		if (v == V_DECIDE || v == V_DECIDE_LSX || v == V_DECIDE_CHG)
			continue;
		fprintf(f, "%s  {\"variant\": \"%s\", \"label\": \"%s\", \"prefixes\": %u",
			first ? "" : ",\n", variants[v].name, variants[v].label, sr[nscales - 1].prefixes);
		for (int set = 0; set < LK_SET__COUNT; set++) {
			if (!last_have[v][set]) {
				fprintf(f, ", \"%s\": null", setkey[set]);
				continue;
			}
			fprintf(f, ", \"%s\": %.3f", setkey[set], last_ratio[v][set]);
			if (last_ratio[v][set] > worst)
				worst = last_ratio[v][set];
			any = true;
		}
		fprintf(f, ", \"worst\": %.3f, \"met\": %s}", worst,
			any && worst <= LK_TARGET_RATIO ? "true" : "false");
		first = false;
	}
	fprintf(f, "\n],\n");

	/* Memory and update cost per structure, family and scale. */
	static const char *mem_names[] = { "trie", "lenhash", "dir", "bsl" };
	first = true;
	fprintf(f, "\"memory\": [\n");
	for (int s = 0; s < nscales; s++)
		for (int fam = 0; fam < 2; fam++)
			for (int m = 0; m < 4; m++) {
				if (m == 2 && fam == 1)
					continue;
				fprintf(f, "%s  {\"structure\": \"%s\", \"family\": \"%s\", \"prefixes\": %u, "
					   "\"bytes\": %llu, \"bytes_per_prefix\": %.1f}",
					first ? "" : ",\n", mem_names[m], fam ? "ipv6" : "ipv4",
					sr[s].prefixes, (unsigned long long)sr[s].mem[m][fam],
					(double)sr[s].mem[m][fam] / sr[s].prefixes);
				first = false;
			}
	fprintf(f, "\n],\n\"updates\": [\n");
	first = true;
	for (int s = 0; s < nscales; s++)
		for (int fam = 0; fam < 2; fam++) {
			const struct upd *u = &sr[s].upd[fam];

			fprintf(f, "%s  {\"family\": \"%s\", \"from\": %u, \"to\": %u, "
				   "\"trie_ns_per_prefix\": %.0f, \"lenhash_ns_per_prefix\": %.0f, ",
				first ? "" : ",\n", fam ? "ipv6" : "ipv4", u->from, u->to, u->trie_ns, u->hash_ns);
			if (!fam)
				fprintf(f, "\"dir_ns_per_prefix\": %.0f, \"dir_max_ns\": %.0f, "
					   "\"dir_entries_written_per_prefix\": %.1f, ",
					u->dir_ns, u->dir_max_ns, u->dir_writes);
			fprintf(f, "\"bsl_rebuild_ns_per_prefix\": %.0f, \"bsl_entries\": %llu, ", u->bsl_ns,
				(unsigned long long)u->bsl_entries);
			if (u->fib_done)
				fprintf(f, "\"fib_ns_per_route\": %.0f, \"fib_install_s\": %.2f}",
					u->fib_s * 1e9 / (u->to - u->from), u->fib_s);
			else
				fprintf(f, "\"fib_ns_per_route\": null, \"fib_skipped\": \"%s\", "
					   "\"fib_estimate_s\": %.0f}",
					!o->fib ? "--no-fib" : sr[s].fib_skipped[fam] ? "over --fib-budget" : "not installed",
					sr[s].fib_estimate_s[fam]);
			first = false;
		}
	fprintf(f, "\n],\n");

	/* What bench/report.sh renders: jq expressions over each row, with
	 * report.sh's helpers (r1, r2, spread, span). */
	fputs("\"report\": {\n"
	      "  \"title\": \"Lookup and decision cost with random destinations (podroute issues 5 and 15)\",\n"
	      "  \"notes\": [\n"
	      "    \"ns per destination: median [min–max] over the runs, each sample minus the floor of its own round (the noop loop; for (d), (a) the frame rewrite and parse). Ratio: median / median of (b) the trie at the same scale, family and kind.\",\n"
	      "    \"Destinations: a fresh random address per iteration, keys_per_set per set; hits inside random installed prefixes (IPv4 /16 /24 /28 /32, IPv6 /48 /64 /128, partly nested), misses outside all of them (half near misses).\",\n"
	      "    \"(d) is podroute's whole XDP decision (pr_process) on a frame rewritten per iteration; its anti-spoof source lookup sees one fixed source (cache-warm).\",\n"
	      "    \"(e1)-(e3) are prototypes (bench/lookup_cost.bpf.c has the design note); before timing, every destination of every set is answered by each of them exactly as by the trie, or the bench fails. (e2) is IPv4 only.\",\n"
	      "    \"Memory: the kernel's memlock of the maps (trie: leaf nodes only, intermediate nodes are not counted; lenhash: elements plus a bucket array sized for the capacity; bsl (the lookup index): both tables (the agent rebuilds into the idle one), sized for the largest scale by PR_LSX_MAP_ELEMS: 62 B per prefix at 1M); dir: 64 MiB first level + 1 KiB per chunk in use + the value array.\",\n"
	      "    \"Updates: trie and lenhash, one bpf_map_update_elem per prefix; dir, stores into the mmapped arrays; bsl, the agent's whole rebuild of the index per scale (user/reconcile/lookup_index.c, ns per prefix); kernel routes, ip -batch.\"\n"
	      "  ],\n"
	      "  \"tables\": [\n"
	      "    {\"title\": \"target: ratio vs the trie at the largest scale (<= target_ratio in every family and kind)\", \"source\": \"target_summary\",\n"
	      "     \"columns\": [[\"variant\", \".label\"], [\"prefixes\", \".prefixes\"], [\"IPv4 hit\", \".ipv4_hit | r2\"], [\"IPv4 miss\", \".ipv4_miss | r2\"],\n"
	      "                 [\"IPv6 hit\", \".ipv6_hit | r2\"], [\"IPv6 miss\", \".ipv6_miss | r2\"], [\"worst\", \".worst | r2\"], [\"met\", \".met\"]]},\n"
	      "    {\"title\": \"ns per lookup (floor subtracted)\", \"source\": \"results\", \"filter\": \".is_floor | not\",\n"
	      "     \"columns\": [[\"variant\", \".label\"], [\"family\", \".family\"], [\"kind\", \".kind\"], [\"prefixes\", \".prefixes\"],\n"
	      "                 [\"ns median [min–max]\", \"spread(.median_ns; .min_ns; .max_ns)\"], [\"IQR\", \"span(.q1_ns; .q3_ns)\"], [\"ratio vs trie\", \".ratio_vs_trie | r2\"]]},\n"
	      "    {\"title\": \"floor: the noop loop, ns per iteration\", \"source\": \"results\", \"filter\": \".is_floor\",\n"
	      "     \"columns\": [[\"family\", \".family\"], [\"kind\", \".kind\"], [\"prefixes\", \".prefixes\"], [\"ns median [min–max]\", \"spread(.median_ns; .min_ns; .max_ns)\"]]},\n"
	      "    {\"title\": \"memory\", \"source\": \"memory\",\n"
	      "     \"columns\": [[\"structure\", \".structure\"], [\"family\", \".family\"], [\"prefixes\", \".prefixes\"], [\"bytes\", \".bytes\"], [\"bytes/prefix\", \".bytes_per_prefix | r1\"]]},\n"
	      "    {\"title\": \"update cost (ns per prefix)\", \"source\": \"updates\",\n"
	      "     \"columns\": [[\"family\", \".family\"], [\"from\", \".from\"], [\"to\", \".to\"], [\"trie\", \".trie_ns_per_prefix\"], [\"lenhash\", \".lenhash_ns_per_prefix\"],\n"
	      "                 [\"dir mean\", \".dir_ns_per_prefix\"], [\"dir max\", \".dir_max_ns\"], [\"dir entries written\", \".dir_entries_written_per_prefix\"],\n"
	      "                 [\"bsl rebuild\", \".bsl_rebuild_ns_per_prefix\"], [\"bsl elements\", \".bsl_entries\"],\n"
	      "                 [\"kernel route\", \".fib_ns_per_route // .fib_skipped\"], [\"kernel routes install (s)\", \".fib_install_s\"]]}\n"
	      "  ],\n"
	      "  \"plot\": {\"source\": \"results\", \"filter\": \".is_floor | not\", \"panel\": \"[.family, .kind] | join(\\\" \\\")\",\n"
	      "           \"series\": \".label\", \"x\": \".prefixes\", \"y\": \".median_ns\", \"ylow\": \".min_ns\", \"yhigh\": \".max_ns\",\n"
	      "           \"logx\": true, \"logy\": true, \"xlabel\": \"installed prefixes\", \"ylabel\": \"ns per lookup (floor subtracted)\"}\n"
	      "}\n}\n", f);
	if (fclose(f))
		die("%s: %s", o->out, strerror(errno));
}

/* ---------- main ---------- */

/* "1,16,256": up to LK_MAX_SCALES counts, ascending, within the prefix
 * sets; the number of them, or -1. */
static int parse_scales(const char *arg, uint32_t *out)
{
	const char *p = arg;
	int n = 0;

	while (*p) {
		char *end;
		unsigned long v;

		if (n == LK_MAX_SCALES || *p < '0' || *p > '9')
			return -1;
		errno = 0;
		v = strtoul(p, &end, 10);
		if (errno || !v || v > LK_MAX_PREFIXES || (n && v <= out[n - 1]))
			return -1;
		out[n++] = (uint32_t)v;
		if (*end == ',' && end[1])
			end++;
		else if (*end)
			return -1;
		p = end;
	}
	return n;
}

static void usage(FILE *f, const char *argv0)
{
	fprintf(f, "usage: %s [--quick] [--runs N] [--scales N,N,...] [--cpu N] [--no-fib] "
		   "[--fib-budget SEC] [--obj FILE] [--out FILE]\n"
		   "  --scales  prefixes per step, ascending, up to %d steps (default 1,1000,100000,1000000;\n"
		   "            --quick: 1,1000,10000)\n", argv0, LK_MAX_SCALES);
}

int main(int argc, char **argv)
{
	static const uint32_t full_scales[] = { 1, 1000, 100000, 1000000 };
	static const uint32_t quick_scales[] = { 1, 1000, 10000 };
	static const struct option lo[] = {
		{ "quick", no_argument, NULL, 'q' }, { "runs", required_argument, NULL, 'r' },
		{ "cpu", required_argument, NULL, 'c' }, { "no-fib", no_argument, NULL, 'F' },
		{ "fib-budget", required_argument, NULL, 'B' }, { "obj", required_argument, NULL, 'o' },
		{ "out", required_argument, NULL, 'w' }, { "scales", required_argument, NULL, 's' },
		{ "help", no_argument, NULL, 'h' }, { 0 }
	};
	uint32_t own_scales[LK_MAX_SCALES];
	int nown = 0;
	struct opts o = { .fib = true, .runs = 0, .cpu = -1, .fib_budget = 150,
			  .obj = "build/bench/lookup_cost.bpf.o", .out = "bench/results/lookup_cost.json" };
	const uint32_t *scales;
	struct scale_res *sr;
	struct pset ps[2];
	struct bench b = { 0 };
	uint32_t nscales, nkeys, count, cursor = 0, prev = 0, chunks;
	double t_start = now_s(), fib_rate[2] = { 0, 0 };
	cpu_set_t cs;
	int opt;

	while ((opt = getopt_long(argc, argv, "qr:c:FB:o:w:s:h", lo, NULL)) != -1) {
		switch (opt) {
		case 'q': o.quick = true; break;
		case 'r': o.runs = atoi(optarg); break;
		case 'c': o.cpu = atoi(optarg); break;
		case 'F': o.fib = false; break;
		case 'B': o.fib_budget = atof(optarg); break;
		case 'o': o.obj = optarg; break;
		case 'w': o.out = optarg; break;
		case 's':
			nown = parse_scales(optarg, own_scales);
			if (nown <= 0) {
				fprintf(stderr, "--scales \"%s\": up to %d prefix counts 1..%u, ascending, "
					"separated by commas\n", optarg, LK_MAX_SCALES, LK_MAX_PREFIXES);
				return 2;
			}
			break;
		case 'h': usage(stdout, argv[0]); return 0;
		default: usage(stderr, argv[0]); return 2;
		}
	}
	if (!o.runs)
		o.runs = o.quick ? 1 : 7;
	if (o.runs < 1 || o.runs > LK_MAX_RUNS) {
		fprintf(stderr, "--runs must be 1..%d\n", LK_MAX_RUNS);
		return 2;
	}
	scales = nown ? own_scales : o.quick ? quick_scales : full_scales;
	nscales = nown ? (uint32_t)nown : o.quick ? 3 : 4;
	nkeys = o.quick ? 1U << 16 : LK_KEYS_MAX;
	count = o.quick ? 1U << 16 : 1U << 17;

	/* One CPU, the last by default: the first takes interrupts and the shell. */
	if (o.cpu < 0)
		o.cpu = sysconf(_SC_NPROCESSORS_ONLN) - 1;
	CPU_ZERO(&cs);
	CPU_SET(o.cpu, &cs);
	if (sched_setaffinity(0, sizeof(cs), &cs))
		die("cpu %d: sched_setaffinity: %s", o.cpu, strerror(errno));

	fprintf(stderr, "generating %u IPv4 and IPv6 prefixes...\n", scales[nscales - 1]);
	pset_generate(&ps[0], AF_INET, scales[nscales - 1]);
	pset_generate(&ps[1], AF_INET6, scales[nscales - 1]);
	chunks = dir_chunks_needed(&ps[0]);
	fprintf(stderr, "DIR-24-8 needs %u second-level chunks (%.0f MiB) at %u prefixes\n", chunks,
		chunks / 1024.0, scales[nscales - 1]);
	netns_setup(&b);
	bench_open(&b, &o, scales[nscales - 1], chunks);
	datapath_setup(&b);
	sr = calloc(nscales, sizeof(*sr));
	if (!sr)
		die("out of memory");

	for (uint32_t si = 0; si < nscales; si++) {
		uint32_t n = scales[si];
		struct scale_res *r = &sr[si];

		r->prefixes = n;
		for (int fam = 0; fam < 2; fam++) {
			struct upd *u = &r->upd[fam];

			u->from = prev;
			u->to = n;
			insert_trie(&b, &ps[fam], prev, n, u);
			insert_hash(&b, &ps[fam], prev, n, u);
			if (fam == 0)
				insert_dir(&b, &ps[fam], prev, n, u);
			index_build(&b, &ps[fam], n, u);
			if (o.fib) {
				double est = fib_rate[fam] * (n - prev);

				/* Installed once skipped would leave a hole: stop at the first skip. */
				if ((si && !sr[si - 1].upd[fam].fib_done) || est > o.fib_budget) {
					r->fib_skipped[fam] = true;
					r->fib_estimate_s[fam] = est;
				} else {
					insert_fib(&ps[fam], prev, n, u);
					fib_rate[fam] = u->fib_s / (n - prev);
				}
			}
			make_keys(&b, &ps[fam], n, nkeys);
		}
		r->mem[0][0] = map_memlock(b.routes4);
		r->mem[0][1] = map_memlock(b.routes6);
		r->mem[1][0] = map_memlock(b.hash4) + map_memlock(b.lens) / 2;
		r->mem[1][1] = map_memlock(b.hash6) + map_memlock(b.lens) / 2;
		/* DIR-24-8: the first level, the chunks in use, the value slots. */
		r->mem[2][0] = ((uint64_t)4 << 24) + (uint64_t)b.d8_used * 1024 +
			       LK_NVALUES * sizeof(struct lk_rtslot);
		/* Both tables (the agent builds into the idle one), sized for the
		 * largest scale, as attach --index4-max would size them. */
		r->mem[3][0] = map_memlock(b.lsx[0]);
		r->mem[3][1] = map_memlock(b.lsx[1]);
		fprintf(stderr, "%u prefixes: installed (trie %.0f/%.0f ns, lenhash %.0f/%.0f ns, dir %.0f ns "
				"per prefix; kernel routes %s/%s; %u DIR chunks)\n",
			n, r->upd[0].trie_ns, r->upd[1].trie_ns, r->upd[0].hash_ns, r->upd[1].hash_ns,
			r->upd[0].dir_ns, r->upd[0].fib_done ? "yes" : "no", r->upd[1].fib_done ? "yes" : "no",
			b.d8_used);

		for (int set = 0; set < LK_SET__COUNT; set++)
			check_set(&b, set, nkeys, n);

		for (int run = 0; run < o.runs; run++) {
			for (int set = 0; set < LK_SET__COUNT; set++) {
				bool v4 = set < LK_SET_HIT6, hit = set == LK_SET_HIT4 || set == LK_SET_HIT6;

				for (int k = 0; k < V__COUNT; k++) {
					int v = (k + run) % V__COUNT;
					struct lk_result res;
					uint64_t want;

					if (v == V_DIR && !v4)
						continue;
					/* Routes go in step by step and stop at the first skipped step. */
					if (v == V_FIB && !r->upd[v4 ? 0 : 1].fib_done)
						continue;
					/* Only (e3), (d') and (d'') read the index; (d) is
					 * the same program reading the trie. */
					index_use(&b, v == V_BSL || v == V_DECIDE_LSX || v == V_DECIDE_CHG,
						  v == V_DECIDE_CHG);
					r->raw[v][set][run] = run_prog(&b, b.prog[v], set, cursor, count, nkeys, &res);
					r->have[v][set] = true;
					cursor = (cursor + count) & (nkeys - 1);
					/* Each variant must have done what its name says. */
					want = v == V_NOOP ? res.hits : v == V_PARSE ? count : hit ? count : 0;
					if (res.hits != want)
						die("%u prefixes, %s, %s: %llu of %u destinations hit, expected %llu",
						    n, set_name(set), variants[v].name, (unsigned long long)res.hits,
						    count, (unsigned long long)want);
				}
			}
		}
		fprintf(stderr, "%u prefixes: %d run(s) done (%.0f s so far)\n", n, o.runs, now_s() - t_start);
		prev = n;
	}
	write_json(&o, sr, nscales, nkeys, count, now_s() - t_start);
	fprintf(stderr, "results in %s; render with bench/report.sh lookup_cost\n", o.out);
	return 0;
}
