// SPDX-License-Identifier: GPL-2.0-only
/*
 * Per-lookup cost at 1 / 1,000 / 100,000 / 1,000,000 installed prefixes,
 * IPv4 and IPv6, hit and miss, random destinations (bench/lpm_scale.bpf.c
 * explains the in-kernel loop). Variants, interleaved in every run:
 *   trie  the kernel LPM trie with podroute's key (podroute today)
 *   hash  per-length hash probes over the lengths present (the candidate)
 *   fib   bpf_fib_lookup in the kernel's table holding the same prefixes
 *         (IPv4, with --fib: run inside a namespace, see lpm_scale.sh)
 * each minus the noop loop of the same run. Prefix lengths: /16 /24 /28
 * /32 for IPv4 (inside 10.0.0.0/8), /48 /64 /128 for IPv6 (inside
 * fd00::/16); hits are random addresses inside random installed prefixes,
 * misses random addresses outside them all. Before timing, every
 * destination of both sets is checked in BPF: trie and hash must agree
 * (the bench fails otherwise), hits must all hit and misses all miss.
 * Memory per prefix comes from the maps' memlock (fdinfo).
 *
 * Usage: lpm_scale OBJ [--quick] [--runs N] [--fib IFINDEX] [--json FILE]
 */
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <linux/bpf.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "lpm_scale.h"

#define AF_INET 2
#define AF_INET6 10

static const char *const mode_name[M__COUNT] = { "noop", "trie", "hash", "fib", "check" };

struct bench {
	struct bpf_object *obj;
	struct lpm_scale_globals *g;
	int prog, trie, hash, keys;
};

static uint64_t rng = 88172645463325252ULL;
static uint32_t fib_ifindex_global; /* the FIB variant's ingress device */

static uint64_t rnd(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return rng;
}

/* Maps sized for n prefixes, as podroute would size them. */
static int open_bench(struct bench *b, const char *path, size_t n)
{
	struct bpf_map *bss;
	size_t sz;

	b->obj = bpf_object__open_file(path, NULL);
	if (b->obj) {
		bpf_map__set_max_entries(bpf_object__find_map_by_name(b->obj, "trie"), n < 64 ? 64 : n);
		bpf_map__set_max_entries(bpf_object__find_map_by_name(b->obj, "hash"), n < 64 ? 64 : n);
	}
	if (!b->obj || bpf_object__load(b->obj)) {
		fprintf(stderr, "lpm_scale: cannot load %s: %s\n", path, strerror(errno));
		return -1;
	}
	bss = bpf_object__find_map_by_name(b->obj, ".bss");
	/* The globals: .bss is mmapable; map it ourselves (libbpf remaps it
	 * only for skeletons). */
	sz = bss ? bpf_map__value_size(bss) : 0;
	b->g = sz >= sizeof(*b->g) ? mmap(NULL, sz, PROT_READ | PROT_WRITE, MAP_SHARED, bpf_map__fd(bss), 0) : NULL;
	if (b->g == MAP_FAILED)
		b->g = NULL;
	b->prog = bpf_program__fd(bpf_object__find_program_by_name(b->obj, "run"));
	b->trie = bpf_object__find_map_fd_by_name(b->obj, "trie");
	b->hash = bpf_object__find_map_fd_by_name(b->obj, "hash");
	b->keys = bpf_object__find_map_fd_by_name(b->obj, "keys");
	if (!b->g || sz < sizeof(*b->g) || b->prog < 0 || b->trie < 0 || b->hash < 0 || b->keys < 0) {
		fprintf(stderr, "lpm_scale: %s lacks the expected program, maps or globals\n", path);
		return -1;
	}
	return 0;
}

/* One run: ns for the whole loop. */
static double run_ns(struct bench *b, int mode, uint32_t loops, uint32_t ifindex)
{
	uint8_t pkt[64] = {};
	struct xdp_md ctx = { .data_end = sizeof(pkt), .ingress_ifindex = ifindex };
	LIBBPF_OPTS(bpf_test_run_opts, o, .data_in = pkt, .data_size_in = sizeof(pkt), .repeat = 1);

	memcpy(pkt, &loops, 4);
	if (ifindex) {
		o.ctx_in = &ctx;
		o.ctx_size_in = sizeof(ctx);
	}
	b->g->mode = mode;
	if (bpf_prog_test_run_opts(b->prog, &o) || o.retval != XDP_PASS) {
		fprintf(stderr, "lpm_scale: test run (%s): %s retval %u\n", mode_name[mode], strerror(errno), o.retval);
		exit(1);
	}
	return o.duration;
}

static long memlock(int fd)
{
	char path[64], line[256];
	long v = -1;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/self/fdinfo/%d", fd);
	f = fopen(path, "r");
	while (f && fgets(line, sizeof(line), f))
		if (sscanf(line, "memlock: %ld", &v) == 1)
			break;
	if (f)
		fclose(f);
	return v;
}

struct pfx {
	uint8_t addr[16];
	uint8_t len;
};

static void mask(uint8_t *a, int len, int alen)
{
	for (int i = 0; i < alen; i++) {
		int bits = len - i * 8;

		a[i] = bits >= 8 ? a[i] : bits > 0 ? a[i] & (0xff << (8 - bits)) : 0;
	}
}

/* n distinct prefixes of the family's length mix. */
static struct pfx *gen_prefixes(int fam, size_t n, bool *present)
{
	static const int l4[] = { 16, 24, 24, 24, 24, 28, 28, 32, 32, 32 };
	static const int l6[] = { 48, 64, 64, 64, 64, 64, 128, 128, 128, 128 };
	int alen = fam == AF_INET ? 4 : 16;
	struct pfx *p = calloc(n, sizeof(*p));
	/* Distinctness through the trie itself would cost a syscall each: an
	 * open-addressing set of the generated keys instead. */
	size_t cap = 1;
	uint64_t *set;

	while (cap < n * 4)
		cap <<= 1;
	set = calloc(cap, sizeof(*set));
	for (size_t i = 0; i < n;) {
		struct pfx *x = &p[i];
		uint64_t h = 1469598103934665603ULL, r;
		size_t s;

		for (int k = 0; k < alen; k += 8) {
			r = rnd();
			memcpy(x->addr + k, &r, alen - k < 8 ? alen - k : 8);
		}
		x->len = fam == AF_INET ? l4[rnd() % 10] : l6[rnd() % 10];
		if (n < 300 && fam == AF_INET && x->len == 16)
			x->len = 24;
		if (fam == AF_INET) {
			x->addr[0] = 10;
		} else {
			x->addr[0] = 0xfd;
			x->addr[1] = 0x00;
		}
		mask(x->addr, x->len, alen);
		for (int k = 0; k < alen; k++)
			h = (h ^ x->addr[k]) * 1099511628211ULL;
		h = ((h ^ x->len) * 1099511628211ULL) | 1;
		for (s = h & (cap - 1); set[s] && set[s] != h; s = (s + 1) & (cap - 1))
			;
		if (set[s])
			continue; /* (almost surely) a duplicate: draw again */
		set[s] = h;
		present[x->len] = true;
		i++;
	}
	free(set);
	return p;
}

static int install(struct bench *b, int fam, const struct pfx *p, size_t n, const bool *present)
{
	int alen = fam == AF_INET ? 4 : 16;

	for (size_t i = 0; i < n; i++) {
		struct lkey k = { .prefixlen = 32 + p[i].len };
		uint32_t v = i + 1;

		memcpy(k.addr, p[i].addr, alen);
		if (bpf_map_update_elem(b->trie, &k, &v, 0) || bpf_map_update_elem(b->hash, &k, &v, 0)) {
			fprintf(stderr, "lpm_scale: insert %zu: %s\n", i, strerror(errno));
			return -1;
		}
	}
	b->g->family = fam;
	b->g->ifindex = fib_ifindex_global;
	b->g->nlens = 0;
	for (int l = alen * 8; l >= 0; l--)
		if (present[l] && b->g->nlens < MAX_LENS)
			b->g->lens[b->g->nlens++] = l;
	return 0;
}

/* Destinations: inside random installed prefixes (hit) or outside all. */
static void fill_keys(struct bench *b, int fam, const struct pfx *p, size_t n, bool hit, uint32_t nkeys)
{
	int alen = fam == AF_INET ? 4 : 16;

	for (uint32_t i = 0; i < nkeys; i++) {
		uint8_t a[16] = {};
		uint64_t r;

		for (int k = 0; k < alen; k += 8) {
			r = rnd();
			memcpy(a + k, &r, alen - k < 8 ? alen - k : 8);
		}
		if (hit) {
			const struct pfx *x = &p[rnd() % n];

			for (int k = 0; k < alen; k++) {
				int bits = x->len - k * 8;
				uint8_t m = bits >= 8 ? 0xff : bits > 0 ? 0xff << (8 - bits) : 0;

				a[k] = (x->addr[k] & m) | (a[k] & ~m);
			}
		} else if (fam == AF_INET) {
			a[0] = 11;
		} else {
			a[0] = 0xfd;
			a[1] = 0x01;
		}
		bpf_map_update_elem(b->keys, &i, a, 0);
	}
	b->g->nkeys_mask = nkeys - 1;
}

static int fib_routes(const struct pfx *p, size_t n, const char *dev)
{
	char path[] = "/tmp/lpm_scale.XXXXXX";
	int fd = mkstemp(path), st;
	FILE *f = fdopen(fd, "w");
	pid_t pid;

	st = system("ip route flush proto 99 2>/dev/null"); /* none the first time */
	(void)st;
	for (size_t i = 0; i < n; i++)
		fprintf(f, "route add %u.%u.%u.%u/%u via 192.0.2.2 dev %s proto 99\n", p[i].addr[0], p[i].addr[1],
			p[i].addr[2], p[i].addr[3], p[i].len, dev);
	fclose(f);
	pid = fork();
	if (!pid) {
		execlp("ip", "ip", "-batch", path, (char *)NULL);
		_exit(127);
	}
	waitpid(pid, &st, 0);
	unlink(path);
	return WIFEXITED(st) && !WEXITSTATUS(st) ? 0 : -1;
}

static int cmp_d(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

int main(int argc, char **argv)
{
	static const size_t scales_full[] = { 1, 1000, 100000, 1000000 }, scales_quick[] = { 1, 1000, 100000 };
	const size_t *scales = scales_full;
	size_t nscales = 4;
	int runs = 5, fib_ifindex = 0;
	uint32_t loops = 1u << 20, nkeys = NKEYS_MAX;
	const char *obj = NULL, *json = NULL, *fibdev = "lpm0";
	FILE *js = NULL;
	bool first_row = true;

	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--quick")) {
			scales = scales_quick;
			nscales = 3;
			runs = 3;
			loops = 1u << 18;
		} else if (!strcmp(argv[i], "--runs") && i + 1 < argc) {
			runs = atoi(argv[++i]);
		} else if (!strcmp(argv[i], "--fib") && i + 1 < argc) {
			fib_ifindex = atoi(argv[++i]);
			fib_ifindex_global = fib_ifindex;
		} else if (!strcmp(argv[i], "--json") && i + 1 < argc) {
			json = argv[++i];
		} else if (argv[i][0] != '-' && !obj) {
			obj = argv[i];
		} else {
			fprintf(stderr, "usage: lpm_scale OBJ [--quick] [--runs N] [--fib IFINDEX] [--json FILE]\n");
			return 2;
		}
	}
	if (!obj || runs < 1 || runs > 101) {
		fprintf(stderr, "usage: lpm_scale OBJ [--quick] [--runs N (1..101)] [--fib IFINDEX] [--json FILE]\n");
		return 2;
	}
	if (json) {
		js = fopen(json, "w");
		if (!js) {
			perror(json);
			return 1;
		}
		fprintf(js, "{\"bench\": \"lpm_scale\", \"loops\": %u, \"runs\": %d, \"rows\": [\n", loops, runs);
	}
	printf("%-4s %-4s %9s  %-5s %12s %12s %12s   %9s %9s   %s\n", "fam", "set", "prefixes", "", "trie ns",
	       "hash ns", "fib ns", "hash/trie", "fib/trie", "bytes/prefix trie hash");
	for (int fi = 0; fi < 2; fi++) {
		int fam = fi ? AF_INET6 : AF_INET;

		for (size_t si = 0; si < nscales; si++) {
			size_t n = scales[si];
			bool present[129] = {};
			struct bench b = {};
			struct pfx *p;
			bool fib = fam == AF_INET && fib_ifindex;
			long mt, mh;

			if (open_bench(&b, obj, n))
				return 1;
			p = gen_prefixes(fam, n, present);
			if (install(&b, fam, p, n, present) || (fib && fib_routes(p, n, fibdev))) {
				fprintf(stderr, "lpm_scale: setup of %zu prefixes failed\n", n);
				return 1;
			}
			mt = memlock(b.trie);
			mh = memlock(b.hash);
			for (int hit = 1; hit >= 0; hit--) {
				double s[M__COUNT][101];
				double med[M__COUNT], lo[M__COUNT], hi[M__COUNT];

				fill_keys(&b, fam, p, n, hit, nkeys);
				/* Correctness first: trie and hash agree on every key, and
				 * the set is what it claims (all hits, or all misses). */
				run_ns(&b, M_CHECK, nkeys, 0);
				if (b.g->mismatches || b.g->hits != (hit ? nkeys : 0)) {
					fprintf(stderr, "lpm_scale: %s %zu %s: %llu disagreements, %llu/%u hits\n",
						fam == AF_INET ? "v4" : "v6", n, hit ? "hit" : "miss",
						(unsigned long long)b.g->mismatches, (unsigned long long)b.g->hits, nkeys);
					return 1;
				}
				for (int r = 0; r < runs; r++) {
					double noop = run_ns(&b, M_NOOP, loops, fib ? fib_ifindex : 0);

					for (int m = M_TRIE; m <= M_FIB; m++) {
						if (m == M_FIB && !fib)
							continue;
						s[m][r] = (run_ns(&b, m, loops, fib ? fib_ifindex : 0) - noop) / loops;
						/* Every variant answered as the set says. */
						if (b.g->hits != (hit ? loops : 0)) {
							fprintf(stderr, "lpm_scale: %s on %zu %s: %llu of %u lookups hit\n",
								mode_name[m], n, hit ? "hits" : "misses",
								(unsigned long long)b.g->hits, loops);
							return 1;
						}
					}
				}
				for (int m = M_TRIE; m <= M_FIB; m++) {
					if (m == M_FIB && !fib) {
						med[m] = lo[m] = hi[m] = -1;
						continue;
					}
					qsort(s[m], runs, sizeof(double), cmp_d);
					med[m] = s[m][runs / 2];
					lo[m] = s[m][0];
					hi[m] = s[m][runs - 1];
				}
				printf("%-4s %-4s %9zu  %-5s %5.0f [%3.0f-%3.0f] %5.0f [%3.0f-%3.0f] ", fam == AF_INET ? "v4" : "v6",
				       hit ? "hit" : "miss", n, "", med[M_TRIE], lo[M_TRIE], hi[M_TRIE], med[M_HASH],
				       lo[M_HASH], hi[M_HASH]);
				if (fib)
					printf("%5.0f [%3.0f-%3.0f]", med[M_FIB], lo[M_FIB], hi[M_FIB]);
				else
					printf("%12s", "-");
				printf("   %8.2fx %8s   %6.0f %6.0f\n", med[M_HASH] / med[M_TRIE],
				       fib ? "" : "-", (double)mt / n, (double)mh / n);
				if (fib)
					printf("%80s fib/trie %.2fx\n", "", med[M_FIB] / med[M_TRIE]);
				if (js) {
					for (int m = M_TRIE; m <= M_FIB; m++) {
						if (m == M_FIB && !fib)
							continue;
						fprintf(js, "%s  {\"family\": \"%s\", \"set\": \"%s\", \"prefixes\": %zu, "
							"\"variant\": \"%s\", \"unit\": \"ns/lookup\", \"median\": %.2f, "
							"\"min\": %.2f, \"max\": %.2f, \"ratio_to_trie\": %.3f, "
							"\"bytes_per_prefix\": %.1f, \"samples\": [",
							first_row ? "" : ",\n", fam == AF_INET ? "ipv4" : "ipv6",
							hit ? "hit" : "miss", n, mode_name[m], med[m], lo[m], hi[m],
							med[m] / med[M_TRIE],
							m == M_HASH ? (double)mh / n : m == M_TRIE ? (double)mt / n : 0.0);
						for (int r = 0; r < runs; r++)
							fprintf(js, "%s%.2f", r ? ", " : "", s[m][r]);
						fprintf(js, "]}");
						first_row = false;
					}
				}
			}
			free(p);
			bpf_object__close(b.obj);
		}
	}
	if (js) {
		fprintf(js, "\n]}\n");
		fclose(js);
	}
	return 0;
}
