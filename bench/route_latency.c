// SPDX-License-Identifier: GPL-2.0-only
/*
 * Time from a route change in the kernel to the entry in podroute's map,
 * with the agent running: add N routes (proto bgp) one at a time over
 * rtnetlink and, for each, spin on the pinned pr_routes4 until the prefix
 * is there; then delete each and wait until it is gone. Prints median,
 * p99 and max of both, in microseconds; with --json FILE, also every
 * sample there. Run inside the node's namespace.
 * Usage: route_latency PIN_DIR IFNAME GATEWAY [N] [--json FILE]
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdbool.h>
#include <net/if.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <linux/rtnetlink.h>
#include <bpf/bpf.h>

#include "podroute_abi.h"
#include "rtnl_route.h"

static double now_us(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec * 1e6 + t.tv_nsec / 1e3;
}

static int cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

/* Print the summary; with f, also "key": {summary, samples in order taken}. */
static void report(const char *what, const char *key, double *v, int n, FILE *f, bool last)
{
	double *s = malloc(n * sizeof(*s));

	if (!s)
		exit(1);
	memcpy(s, v, n * sizeof(*s));
	qsort(s, n, sizeof(*s), cmp);
	printf("%-22s n=%d median %.0f us  p99 %.0f us  max %.0f us\n", what, n, s[n / 2],
	       s[(int)(n * 0.99)], s[n - 1]);
	if (f) {
		fprintf(f, "  \"%s\": {\"n\": %d, \"median_us\": %.1f, \"p99_us\": %.1f, \"max_us\": %.1f, "
			   "\"samples_us\": [", key, n, s[n / 2], s[(int)(n * 0.99)], s[n - 1]);
		for (int i = 0; i < n; i++)
			fprintf(f, "%s%.1f", i ? ", " : "", v[i]);
		fprintf(f, "]}%s\n", last ? "" : ",");
	}
	free(s);
}

int main(int argc, char **argv)
{
	const char *json = NULL;
	char path[512];
	int n = 1000, fd, map, ifindex, err;
	double *add, *del;
	FILE *jf = NULL;
	uint32_t gw;

	if (argc > 5 && !strcmp(argv[argc - 2], "--json")) {
		json = argv[argc - 1];
		argc -= 2;
	}
	if (argc > 4)
		n = atoi(argv[4]);
	if (argc < 4 || argc > 5 || n < 1 || n > 60000) {
		fprintf(stderr, "usage: %s PIN_DIR IFNAME GATEWAY [N (1-60000)] [--json FILE]\n", argv[0]);
		return 2;
	}
	snprintf(path, sizeof(path), "%s/pr_routes4", argv[1]);
	map = bpf_obj_get(path);
	ifindex = if_nametoindex(argv[2]);
	if (map < 0 || !ifindex || inet_pton(AF_INET, argv[3], &gw) != 1) {
		fprintf(stderr, "need the pinned map %s, device %s, gateway %s\n", path, argv[2], argv[3]);
		return 1;
	}
	fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);
	add = calloc(n, sizeof(*add));
	del = calloc(n, sizeof(*del));
	for (int pass = 0; pass < 2; pass++) {
		for (int i = 0; i < n; i++) {
			uint8_t a = 100 + i / 256, b = i % 256;
			struct pr_lpm4_key k = { .prefixlen = PR_LPM_DOMAIN_BITS + 24, .addr = { 10, a, b, 0 } };
			struct pr_route v;
			double t0 = now_us(), t;

			err = rtnl_route24(fd, pass ? RTM_DELROUTE : RTM_NEWROUTE, a, b, gw, ifindex);
			if (err) {
				fprintf(stderr, "route %s 10.%u.%u.0/24: %s\n", pass ? "del" : "add", a, b,
					strerror(-err));
				return 1;
			}
			/* The agent writes the entry: spin until it is (not) there. */
			while ((bpf_map_lookup_elem(map, &k, &v) == 0) == pass) {
				if (now_us() - t0 > 5e6) {
					fprintf(stderr, "10.%u.%u.0/24: map not updated within 5 s\n", a, b);
					return 1;
				}
			}
			t = now_us() - t0;
			(pass ? del : add)[i] = t;
		}
	}
	if (json && !(jf = fopen(json, "w"))) {
		perror(json);
		return 1;
	}
	if (jf)
		fprintf(jf, "{\n");
	report("ip route add -> map", "add", add, n, jf, false);
	report("ip route del -> map", "del", del, n, jf, true);
	if (jf) {
		fprintf(jf, "}\n");
		fclose(jf);
	}
	return 0;
}
