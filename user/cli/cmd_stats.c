// SPDX-License-Identifier: GPL-2.0-only
/*
 * `podroute stats`: the datapath's packet and byte counters (pr_stats, per
 * CPU) summed, per network and reason; with --interval, per-second rates
 * from the difference of two readings, one block per interval, as
 * xdp-bench prints them. By default only the networks that exist (network 0,
 * "matched no network", and the valid pr_nets entries): a deleted network's
 * counters stay in the map, but it is no longer there to watch.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "cli/cli.h"
#include "datapath/pins.h"
#include "lib/names.h"
#include "podroute_abi.h"

#define NCOUNTERS (PR_MAX_NETS * PR_R_MAX)

struct reading {
	struct pr_counter sum[NCOUNTERS]; /* over CPUs */
	bool net_exists[PR_MAX_NETS];
	double t; /* CLOCK_MONOTONIC, seconds */
};

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static int read_counters(const struct pr_pins *p, struct pr_counter *pc, int ncpu, struct reading *r)
{
	memset(r, 0, sizeof(*r));
	r->t = now_s();
	for (uint32_t k = 0; k < NCOUNTERS; k++) {
		if (bpf_map_lookup_elem(p->fd[PR_MAP_STATS], &k, pc))
			return -errno;
		for (int i = 0; i < ncpu; i++) {
			r->sum[k].packets += pc[i].packets;
			r->sum[k].bytes += pc[i].bytes;
		}
	}
	r->net_exists[0] = true; /* what matched no network */
	for (uint32_t id = 1; id < PR_MAX_NETS; id++) {
		struct pr_net n;

		r->net_exists[id] = !bpf_map_lookup_elem(p->fd[PR_MAP_NETS], &id, &n) && (n.flags & PR_NET_F_VALID);
	}
	return 0;
}

struct stats_opts {
	long only; /* one network, or -1 */
	bool all;  /* every slot and every counter, zeros too */
};

/* One block: totals (prev NULL), or the rates since prev. */
static void print_block(const struct stats_opts *o, const struct reading *cur, const struct reading *prev)
{
	double dt = prev ? cur->t - prev->t : 0;

	if (cli.json) {
		jw_init(&cli.jw, stdout, cli.pretty);
		jw_arr_begin(&cli.jw);
	} else if (prev) {
		printf("%-4s %-12s %14s %16s   (per second, over %.2f s)\n", "net", "reason", "packets/s",
		       "bytes/s", dt);
	} else {
		printf("%-4s %-12s %14s %16s\n", "net", "reason", "packets", "bytes");
	}
	for (uint32_t net = 0; net < PR_MAX_NETS; net++) {
		/* --net names one network: shown whether or not it exists. */
		if (o->only >= 0 ? net != o->only : !o->all && !cur->net_exists[net])
			continue;
		for (uint32_t r = 0; r < PR_R_MAX; r++) {
			const struct pr_counter *c = &cur->sum[pr_stats_index(net, r)];
			double pps = 0, bps = 0;

			/* A counter that never moved is noise; one that moved
			 * stays, so a rate falls to 0 when traffic stops. */
			if (!c->packets && !o->all)
				continue;
			if (prev && dt > 0) {
				const struct pr_counter *b = &prev->sum[pr_stats_index(net, r)];

				/* A counter never goes back, but the map may have
				 * been re-created between two readings. */
				pps = c->packets >= b->packets ? (c->packets - b->packets) / dt : 0;
				bps = c->bytes >= b->bytes ? (c->bytes - b->bytes) / dt : 0;
			}
			if (cli.json) {
				jw_obj_begin(&cli.jw);
				jw_ku64(&cli.jw, "net", net);
				jw_kstr(&cli.jw, "reason", pr_reason_name(r));
				jw_ku64(&cli.jw, "packets", c->packets);
				jw_ku64(&cli.jw, "bytes", c->bytes);
				if (prev) {
					jw_ku64(&cli.jw, "packets_per_second", (uint64_t)(pps + 0.5));
					jw_ku64(&cli.jw, "bytes_per_second", (uint64_t)(bps + 0.5));
				}
				jw_obj_end(&cli.jw);
			} else if (prev) {
				printf("%-4u %-12s %14.0f %16.0f\n", net, pr_reason_name(r), pps, bps);
			} else {
				printf("%-4u %-12s %14llu %16llu\n", net, pr_reason_name(r),
				       (unsigned long long)c->packets, (unsigned long long)c->bytes);
			}
		}
	}
	if (cli.json) {
		jw_arr_end(&cli.jw);
		jw_done(&cli.jw);
	} else if (prev) {
		printf("\n");
	}
	fflush(stdout);
}

/* Sleep until the monotonic clock reads t (seconds). */
static void sleep_until(double t)
{
	struct timespec ts = { .tv_sec = (time_t)t, .tv_nsec = (long)((t - (time_t)t) * 1e9) };

	while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL) == EINTR)
		;
}

int cmd_stats(int argc, char **argv)
{
	static const char help[] =
		"Usage: podroute stats [--net ID] [--all] [--interval SECONDS [--count N]]\n"
		"Packets and bytes per network and reason, summed over CPUs, for the\n"
		"networks that exist (network 0 holds what matched no network: misses,\n"
		"malformed, not-for-us ...); counters that never moved are left out.\n"
		"  --net ID         only this network\n"
		"  --all            every network slot and every counter, zeros too\n"
		"  --interval S     after the totals, every S seconds the rates since the\n"
		"                   last reading (packets/s, bytes/s), until interrupted\n"
		"  --count N        stop after N intervals\n"
		"With -j, one JSON array per reading, one per line; from the second on\n"
		"each row also has packets_per_second and bytes_per_second.\n";
	static const struct option opts[] = {
		{ "net", required_argument, NULL, 'n' },      { "all", no_argument, NULL, 'a' },
		{ "interval", required_argument, NULL, 'i' }, { "count", required_argument, NULL, 'c' },
		{ "help", no_argument, NULL, 'h' },           { NULL, 0, NULL, 0 },
	};
	struct stats_opts o = { .only = -1 };
	int ncpu = libbpf_num_possible_cpus(), c, rc;
	double interval = 0, next;
	long count = -1;
	struct reading *r[2] = { NULL, NULL };
	struct pr_counter *pc = NULL;
	struct pr_pins p;
	char *end;

	while ((c = getopt_long(argc, argv, "n:ah", opts, NULL)) != -1) {
		switch (c) {
		case 'n':
			o.only = strtol(optarg, &end, 10);
			if (*end || end == optarg || o.only < 0 || o.only >= PR_MAX_NETS)
				return cli_usage_error("stats", "--net: \"%s\" is not a network id 0..%d",
						       optarg, PR_MAX_NETS - 1);
			break;
		case 'a': o.all = true; break;
		case 'i':
			interval = strtod(optarg, &end);
			if (*end || end == optarg || !(interval >= 0.1 && interval <= 3600))
				return cli_usage_error("stats", "--interval: \"%s\" is not a number of seconds "
						       "from 0.1 to 3600", optarg);
			break;
		case 'c':
			count = strtol(optarg, &end, 10);
			if (*end || end == optarg || count < 1)
				return cli_usage_error("stats", "--count: \"%s\" is not a positive whole number",
						       optarg);
			break;
		case 'h': fputs(help, stdout); return 0;
		default: return cli_usage_error("stats", "bad option");
		}
	}
	if (count > 0 && !interval)
		return cli_usage_error("stats", "--count needs --interval");
	if (ncpu <= 0)
		return cli_error(PR_EXIT_FAIL, "cannot count the possible CPUs: %s", strerror(-ncpu));
	rc = cli_args_done_open_pins("stats", argc, argv, &p);
	if (rc)
		return rc;
	pc = calloc(ncpu, sizeof(*pc));
	r[0] = calloc(1, sizeof(*r[0]));
	r[1] = calloc(1, sizeof(*r[1]));
	if (!pc || !r[0] || !r[1]) {
		rc = cli_error(PR_EXIT_FAIL, "out of memory");
		goto out;
	}
	rc = read_counters(&p, pc, ncpu, r[0]);
	if (rc) {
		rc = cli_error(PR_EXIT_FAIL, "cannot read pr_stats: %s", strerror(-rc));
		goto out;
	}
	print_block(&o, r[0], NULL);
	next = r[0]->t;
	for (long i = 0; interval && (count < 0 || i < count); i++) {
		struct reading *cur = r[(i + 1) % 2], *prev = r[i % 2];

		next += interval;
		sleep_until(next);
		rc = read_counters(&p, pc, ncpu, cur);
		if (rc) {
			rc = cli_error(PR_EXIT_FAIL, "cannot read pr_stats: %s", strerror(-rc));
			goto out;
		}
		print_block(&o, cur, prev);
	}
	rc = PR_EXIT_OK;
out:
	free(r[1]);
	free(r[0]);
	free(pc);
	pr_pins_close(&p);
	return rc;
}
