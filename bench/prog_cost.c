// SPDX-License-Identifier: GPL-2.0-only
/*
 * Per-packet cost of podroute's XDP decision, measured in the kernel with
 * BPF_PROG_TEST_RUN's repeat loop (the kernel reports the mean duration
 * per run), side by side with a parse-only program in the same process:
 * a hit (redirect to a network's port), a miss, and an east-west hit
 * (a BGP-learned prefix, forwarded as the kernel's FIB answers: the cost of
 * bpf_fib_lookup), IPv4 and IPv6, each the median of R runs of N repeats,
 * with min/max as the spread. It runs in a network namespace of its own,
 * with a veth pair and the kernel routes the east-west cases ask for.
 *
 * The same frame is repeated, so the LPM path stays in cache: this is the
 * decision's floor, not its cost under a realistic spread of destinations.
 * The kernel does not restore the frame between repeats and a hit
 * decrements the TTL: frames start at TTL 255 and a run repeats at most
 * 250 times, so every repeat of a hit really redirects (the counters
 * printed at the end prove it); precision comes from many runs instead.
 *
 * -s FILE: the per-step breakdown instead (podroute issue 15). The same
 * program compiled with -DPR_COST_STOP=n (build/bench/podroute_stop<n>.bpf.o,
 * bpf/pr_datapath.h) returns right after step n of pr_process(); each is
 * loaded on the maps of the real datapath loaded here, and every variant
 * (parse-only, stop 0..12, the whole program, and any -x LABEL=OBJ: the
 * whole xdp_underlay of another build, for before/after comparisons) is
 * test-run once per round (after one run that warms it up, not counted),
 * rounds interleaved with the order rotated, for
 * the underlay cases (IPv4/IPv6, hit/miss). A step's cost is the
 * difference between consecutive stops' medians. The kernel reports whole
 * ns per run, so a round's sample is the mean of PC_PER_ROUND runs (after
 * one uncounted warm-up): the resolution the differences need.
 * JSON (with the machine and a "report" object) goes to FILE; render it
 * with bench/report.sh. Early returns let the compiler drop the code after
 * them, so a step's difference is the cost of the code that step adds in
 * that build, not an exact partition: the sum of the steps is the whole.
 *
 * -a: the network has anti-spoofing on (pr_config as the agent then
 * writes it): every packet's source is looked up too.
 *
 * Usage: prog_cost [-r runs] [-n repeat] [-j] [-a] [-o parse_only.bpf.o]
 *        prog_cost -s FILE [-r runs] [-n repeat] [-a] [-d dir] [-x LABEL=OBJ]...
 */
#define _GNU_SOURCE /* unshare */
#include <arpa/inet.h>
#include <errno.h>
#include <net/if.h>
#include <sched.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/utsname.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "shell_line.h"
#include "ip4_csum.h"
#include "datapath/interfaces.h"
#include "datapath/load.h"
#include "datapath/maps.h"
#include "kernel/features.h"
#include "lib/log.h"
#include "podroute_abi.h"
#include "lib/prefix.h"

static int cmp_u32(const void *a, const void *b)
{
	return (*(const uint32_t *)a > *(const uint32_t *)b) - (*(const uint32_t *)a < *(const uint32_t *)b);
}

static size_t frame(int family, const char *dst, const uint8_t *dmac, uint8_t *buf)
{
	size_t l3 = 14, len;

	memset(buf, 0, 128);
	memcpy(buf, dmac, 6);
	buf[6] = 0x02;
	if (family == AF_INET) {
		buf[12] = 0x08;
		buf[l3] = 0x45;
		buf[l3 + 3] = 20 + 8 + 18; /* tot_len: 64-byte frame */
		buf[l3 + 8] = 255;
		buf[l3 + 9] = 17;
		inet_pton(AF_INET, "198.51.100.10", buf + l3 + 12);
		inet_pton(AF_INET, dst, buf + l3 + 16);
		ip4_csum_set(buf + l3);
		len = 64;
	} else {
		buf[12] = 0x86;
		buf[13] = 0xdd;
		buf[l3] = 0x60;
		buf[l3 + 5] = 8 + 18;
		buf[l3 + 6] = 17;
		buf[l3 + 7] = 255;
		inet_pton(AF_INET6, "2001:db8::10", buf + l3 + 8);
		inet_pton(AF_INET6, dst, buf + l3 + 24);
		len = 14 + 40 + 8 + 18;
	}
	return len;
}

/* Median (and min/max) ns per packet over runs. */
static void measure(int prog_fd, uint32_t ifindex, const uint8_t *pkt, size_t len, int runs,
		    int repeat, uint32_t *med, uint32_t *lo, uint32_t *hi, uint32_t *retval)
{
	static uint32_t d[4096];
	struct xdp_md ctx = { .data_end = len, .ingress_ifindex = ifindex };

	for (int i = 0; i < runs; i++) {
		LIBBPF_OPTS(bpf_test_run_opts, o, .data_in = pkt, .data_size_in = len,
			    .ctx_in = &ctx, .ctx_size_in = sizeof(ctx), .repeat = repeat);

		if (bpf_prog_test_run_opts(prog_fd, &o)) {
			fprintf(stderr, "test run: %s\n", strerror(errno));
			exit(1);
		}
		d[i] = o.duration;
		*retval = o.retval;
	}
	qsort(d, runs, sizeof(d[0]), cmp_u32);
	*med = d[runs / 2];
	*lo = d[0];
	*hi = d[runs - 1];
}

/* ---- -s: the per-step breakdown ---- */

#define PC_STOPS 13 /* PR_COST_STOP 0..12: Makefile COST_STOPS */
#define PC_MAX_EXTRA 8
#define PC_MAX_VARIANTS (2 + PC_STOPS + PC_MAX_EXTRA)
#define PC_MAX_RUNS 4096
#define PC_PER_ROUND 4 /* test runs averaged into one round's sample */

/* What each stop adds to the one before it (bpf/pr_datapath.h's marks). */
static const char *const pc_step_what[PC_STOPS + 1] = {
	"program entry, context read (test-run floor)",
	"interface entry (pr_ifslots ARRAY; pr_ifaces HASH if not there)",
	"L2 parse, pr_for_us (router MAC compare)",
	"L3 parse",
	"destination lookup (pr_lookup: index control, LPM trie)",
	"side check, pr_nets, VRF check",
	"anti-spoofing: pr_config flag; if on, source pr_lookup, pr_nets",
	"action: redirect target, TTL check",
	"hairpin, pr_shadow (pr_config ARRAY)",
	"XDP target? bpf_redirect_map (pr_xdp_txports, DEVMAP_HASH)",
	"pr_txports lookup (DEVMAP_HASH) and the hand-off to TC: only where the redirect was refused",
	"TTL decrement, checksum, MAC rewrite",
	"pr_count (per-CPU ARRAY)",
	"redirect verdict",
};

struct pc_variant {
	char label[64];
	int fd;
	int stop;                  /* 0..12, PC_STOPS: whole program, -1: other */
	struct bpf_object *obj;    /* loaded here, or NULL */
};

struct pc_stat {
	double med, lo, hi;
	uint32_t verdict;
};

/* xdp_underlay of obj_path, loaded on the datapath's own maps (no pins):
 * its fd, or -1. */
static int pc_load_variant(const struct pr_datapath *dp, const char *obj_path, struct bpf_object **objp)
{
	struct bpf_object *obj = bpf_object__open_file(obj_path, NULL);
	struct bpf_program *prog, *want = NULL;
	struct bpf_map *m;

	if (!obj) {
		fprintf(stderr, "prog_cost: %s: cannot open (make bench builds it)\n", obj_path);
		return -1;
	}
	bpf_object__for_each_program(prog, obj) {
		if (!strcmp(bpf_program__name(prog), "xdp_underlay"))
			want = prog;
		else
			bpf_program__set_autoload(prog, false);
	}
	bpf_object__for_each_map(m, obj) {
		int id = pr_map_by_name(bpf_map__name(m));

		bpf_map__set_pin_path(m, NULL);
		if (id < 0)
			continue;
		if (bpf_map__reuse_fd(m, pr_datapath_map_fd(dp, id))) {
			fprintf(stderr, "prog_cost: %s: map %s: %s\n", obj_path, bpf_map__name(m),
				strerror(errno));
			bpf_object__close(obj);
			return -1;
		}
	}
	if (!want || pr_kernel_caps_apply(obj) || bpf_object__load(obj)) {
		fprintf(stderr, "prog_cost: %s: cannot load xdp_underlay\n", obj_path);
		bpf_object__close(obj);
		return -1;
	}
	*objp = obj;
	return bpf_program__fd(want);
}

static int cmp_double(const void *a, const void *b)
{
	return (*(const double *)a > *(const double *)b) - (*(const double *)a < *(const double *)b);
}

/* Median, min and max of n samples (sorted in place). */
static void pc_stats(double *d, int n, struct pc_stat *st)
{
	qsort(d, n, sizeof(d[0]), cmp_double);
	st->med = n % 2 ? d[n / 2] : (d[n / 2 - 1] + d[n / 2]) / 2;
	st->lo = d[0];
	st->hi = d[n - 1];
}

/* Every variant once per round for one frame, the order rotated per round. */
static void pc_measure_case(struct pc_variant *v, int nv, uint32_t ifindex, const uint8_t *pkt,
			    size_t len, int runs, int repeat, struct pc_stat *st)
{
	static double d[PC_MAX_VARIANTS][PC_MAX_RUNS];
	struct xdp_md ctx = { .data_end = len, .ingress_ifindex = ifindex };

	for (int r = 0; r < runs; r++) {
		for (int k = 0; k < nv; k++) {
			int i = (k + r) % nv;
			LIBBPF_OPTS(bpf_test_run_opts, o, .data_in = pkt, .data_size_in = len,
				    .ctx_in = &ctx, .ctx_size_in = sizeof(ctx), .repeat = repeat);

			/* The first run warms the caches and predictors the
			 * previous variant took over and is not counted; the
			 * sample is the mean of the next PC_PER_ROUND. */
			d[i][r] = 0;
			for (int w = 0; w <= PC_PER_ROUND; w++) {
				if (bpf_prog_test_run_opts(v[i].fd, &o)) {
					fprintf(stderr, "test run %s: %s\n", v[i].label, strerror(errno));
					exit(1);
				}
				if (w)
					d[i][r] += (double)o.duration / PC_PER_ROUND;
			}
			st[i].verdict = o.retval;
		}
	}
	for (int i = 0; i < nv; i++)
		pc_stats(d[i], runs, &st[i]);
}

static const char *pc_verdict_name(uint32_t v)
{
	static const char *const n[] = { "ABORTED", "DROP", "PASS", "TX", "REDIRECT" };

	return v < 5 ? n[v] : "?";
}

struct pc_case {
	const char *name;
	int family;
	const char *dst;
	bool hit;
};

static int pc_steps(const struct pr_datapath *dp, int floor_fd, const char *dir, char **extra,
		    int nextra, const struct pc_case *cases, int ncases, uint32_t in_if,
		    const uint8_t *dmac, int runs, int repeat, bool antispoof, const char *out)
{
	static struct pc_stat st[4][PC_MAX_VARIANTS];
	struct pc_variant v[PC_MAX_VARIANTS] = { { "parse-only", floor_fd, -1, NULL } };
	char commit[128], cpu[256], date[64], path[512];
	int nv = 1, cpu_now = sched_getcpu();
	uint8_t pkt[128];
	struct utsname u;
	FILE *f;

	for (int n = 0; n < PC_STOPS; n++) {
		snprintf(path, sizeof(path), "%s/podroute_stop%d.bpf.o", dir, n);
		snprintf(v[nv].label, sizeof(v[nv].label), "stop %d", n);
		v[nv].stop = n;
		if ((v[nv].fd = pc_load_variant(dp, path, &v[nv].obj)) < 0)
			return 1;
		nv++;
	}
	snprintf(v[nv].label, sizeof(v[nv].label), "podroute");
	v[nv].stop = PC_STOPS;
	v[nv++].fd = pr_datapath_prog_fd(dp, PR_PROG_XDP_UNDERLAY);
	for (int x = 0; x < nextra; x++) {
		char *eq = strchr(extra[x], '=');

		if (!eq || eq == extra[x] || !eq[1] || (size_t)(eq - extra[x]) >= sizeof(v[nv].label)) {
			fprintf(stderr, "prog_cost: -x %s: want LABEL=OBJECT (label up to 63 chars)\n", extra[x]);
			return 2;
		}
		snprintf(v[nv].label, sizeof(v[nv].label), "%.*s", (int)(eq - extra[x]), extra[x]);
		v[nv].stop = -1;
		if ((v[nv].fd = pc_load_variant(dp, eq + 1, &v[nv].obj)) < 0)
			return 1;
		nv++;
	}
	for (int c = 0; c < ncases; c++) {
		size_t len = frame(cases[c].family, cases[c].dst, dmac, pkt);

		pc_measure_case(v, nv, in_if, pkt, len, runs, repeat, st[c]);
	}

	shell_line("git describe --always --dirty 2>/dev/null", commit, sizeof(commit));
	shell_line("sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -1", cpu, sizeof(cpu));
	shell_line("date -u +%Y-%m-%dT%H:%M:%SZ", date, sizeof(date));
	uname(&u);
	if (!(f = fopen(out, "w"))) {
		fprintf(stderr, "prog_cost: %s: %s\n", out, strerror(errno));
		return 1;
	}
	fprintf(f, "{\n\"bench\": \"prog_cost_steps\",\n\"commit\": \"%s\",\n\"date\": \"%s\",\n"
		   "\"kernel\": \"%s\",\n\"cpu\": \"%s\",\n\"ncpu\": %ld,\n\"pinned_cpu\": %d,\n"
		   "\"runs\": %d,\n\"repeat\": %d,\n\"antispoof\": %s,\n",
		commit, date, u.release, cpu, sysconf(_SC_NPROCESSORS_ONLN), cpu_now, runs, repeat,
		antispoof ? "true" : "false");
	fprintf(f, "\"method\": \"BPF_PROG_TEST_RUN, one frame repeated (cache-warm, the LPM trie answers: no "
		   "lookup index built); every variant once per round, order rotated, rounds interleaved; "
		   "ns per packet: median over the rounds of the mean of %d test runs each\",\n", PC_PER_ROUND);
	fprintf(f, "\"steps\": [\n");
	for (int c = 0; c < ncases; c++) {
		double prev = 0;

		for (int i = 1; i < nv; i++) {
			int s = v[i].stop;
			bool last = c + 1 == ncases && (i + 1 == nv || v[i + 1].stop < 0);

			if (s < 0)
				continue;
			/* A miss leaves at the lookup: later stops are the whole program. */
			if (!cases[c].hit && s > 4 && s < PC_STOPS)
				continue;
			fprintf(f, "  {\"case\": \"%s\", \"stop\": \"%s\", \"step\": \"%s\", "
				   "\"median_ns\": %.2f, \"min_ns\": %.2f, \"max_ns\": %.2f, "
				   "\"step_ns\": %.2f, \"over_parse_ns\": %.2f, \"verdict\": \"%s\"}%s\n",
				cases[c].name, s == PC_STOPS ? "all" : v[i].label + 5,
				s == PC_STOPS && !cases[c].hit ? "miss: pr_count, pass" : pc_step_what[s],
				st[c][i].med, st[c][i].lo, st[c][i].hi, st[c][i].med - prev,
				st[c][i].med - st[c][0].med, pc_verdict_name(st[c][i].verdict), last ? "" : ",");
			prev = st[c][i].med;
		}
	}
	fprintf(f, "],\n\"summary\": [\n");
	for (int c = 0; c < ncases; c++)
		for (int i = 0; i < nv; i++) {
			if (v[i].stop >= 0 && v[i].stop < PC_STOPS)
				continue;
			fprintf(f, "  {\"case\": \"%s\", \"program\": \"%s\", "
				   "\"median_ns\": %.2f, \"min_ns\": %.2f, \"max_ns\": %.2f, "
				   "\"over_parse_ns\": %.2f, \"vs_podroute\": %.3f, \"target_over_parse_ns\": %d, "
				   "\"verdict\": \"%s\"}%s\n",
				cases[c].name, v[i].label, st[c][i].med, st[c][i].lo,
				st[c][i].hi, v[i].stop == -1 && i == 0 ? 0 : st[c][i].med - st[c][0].med,
				st[c][i].med / st[c][1 + PC_STOPS].med, cases[c].hit ? 12 : 6,
				pc_verdict_name(st[c][i].verdict),
				c + 1 == ncases && i + 1 == nv ? "" : ",");
		}
	fprintf(f, "],\n\"report\": {\n"
		   "  \"title\": \"Where the nanoseconds go: podroute's XDP decision per step (podroute issue 15)\",\n"
		   "  \"notes\": [\n"
		   "    \"Stop n: xdp_underlay compiled with -DPR_COST_STOP=n, returning right after step n of pr_process() (bpf/pr_datapath.h); loaded on the real datapath's maps. Each round's sample: the mean of %d test runs of %d repeats (after one uncounted warm-up run); medians over the rounds. step_ns: median of stop n minus median of stop n-1 (for stop 0: the whole program-entry floor). over parse-only: median minus the parse-only program's (bench/parse_only.bpf.c) in the same rounds.\",\n"
		   "    \"antispoof: whether the network has anti-spoofing on (-a); pr_config is written as the agent writes it, so with it off the source lookup is skipped.\",\n"
		   "    \"A miss leaves at the destination lookup, so its stops after 4 are the whole program; its last row is what a miss adds after the lookup.\",\n"
		   "    \"An early return lets the compiler drop what follows, so a step is the cost of the code it adds in that build; the steps add up to the whole. One frame repeated: cache-warm, the floor of each step.\",\n"
		   "    \"Targets (issue 15): over parse-only <= 12 ns for a hit, <= 6 ns for a miss. Other programs in the summary (-x) are whole xdp_underlay builds measured in the same rounds; vs_podroute is their median over this build's.\"\n"
		   "  ],\n  \"tables\": [\n"
		   "    {\"title\": \"summary: ns per packet, median [min–max] over the rounds\", \"source\": \"summary\", \"columns\": ["
		   "[\"case\", \".case\"], [\"program\", \".program\"], [\"ns: median [min–max]\", \"spread(.median_ns; .min_ns; .max_ns)\"], [\"over parse-only\", \".over_parse_ns | r2\"], "
		   "[\"target\", \"\\\"<= \\\\(.target_over_parse_ns)\\\"\"], [\"vs podroute\", \".vs_podroute | r2\"], [\"verdict\", \".verdict\"]]}", PC_PER_ROUND, repeat);
	for (int c = 0; c < ncases; c++)
		fprintf(f, ",\n    {\"title\": \"%s: cost per step\", \"source\": \"steps\", "
			   "\"filter\": \".case == \\\"%s\\\"\", \"columns\": ["
			   "[\"stop\", \".stop\"], [\"step\", \".step\"], [\"step ns\", \".step_ns | r2\"], "
			   "[\"cumulative ns: median [min–max]\", \"spread(.median_ns; .min_ns; .max_ns)\"], "
			   "[\"over parse-only\", \".over_parse_ns | r2\"], [\"verdict\", \".verdict\"]]}",
			cases[c].name, cases[c].name);
	fprintf(f, "\n  ]\n}\n}\n");
	fclose(f);
	/* Also to the terminal, for a glance. */
	printf("%-10s %-12s %9s %9s %9s  (ns/packet, median of %d rounds x %d)\n", "case", "program",
	       "ns", "over-parse", "step", runs, repeat);
	for (int c = 0; c < ncases; c++)
		for (int i = 0; i < nv; i++)
			printf("%-10s %-12s %9.2f %9.2f %9.2f  %s\n", cases[c].name, v[i].label, st[c][i].med,
			       st[c][i].med - st[c][0].med,
			       i > 1 && v[i].stop > 0 ? st[c][i].med - st[c][i - 1].med : 0,
			       pc_verdict_name(st[c][i].verdict));
	for (int i = 0; i < nv; i++)
		if (v[i].obj)
			bpf_object__close(v[i].obj);
	return 0;
}

/* A namespace of our own: pc0 (the underlay, next hop 192.0.2.2 /
 * fd00:192::2) and pc1 (the OVN side), and the kernel's routes to the
 * east-west prefixes. The next hop's MAC is set to pc1's below: a test run
 * does not restore the frame between repeats, so every repeat after the
 * first sees the rewritten frame, which must still be addressed to pc1.
 * 0 or -1. */
static int own_netns(void)
{
	static const char *const cmds[] = {
		"ip link set lo up",
		"ip link add pc0 type veth peer name pc1",
		"ip link set pc0 up",
		"ip link set pc1 up",
		"ethtool -K pc1 gro on >/dev/null", /* so pc0 takes XDP frames */
		"ip addr add 192.0.2.1/24 dev pc0",
		"ip -6 addr add fd00:192::1/64 dev pc0 nodad",
		"ip route add 10.200.0.0/16 via 192.0.2.2 proto bgp",
		"ip -6 route add fd00:200::/32 via fd00:192::2 proto bgp",
		"sysctl -qw net.ipv4.ip_forward=1 net.ipv6.conf.all.forwarding=1",
	};

	if (unshare(CLONE_NEWNET)) {
		perror("unshare(CLONE_NEWNET)");
		return -1;
	}
	for (size_t i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++)
		if (system(cmds[i])) {
			fprintf(stderr, "prog_cost: %s: failed\n", cmds[i]);
			return -1;
		}
	return 0;
}

int main(int argc, char **argv)
{
	struct pr_loader_opts lo = { .routes4_max = 1024, .routes6_max = 1024 };
	struct pr_datapath dp;
	struct bpf_object *floor_obj;
	int runs = 301, repeat = 250, json = 0, opt, floor_fd, fd;
	uint8_t lomac[6] = { 0 }, ewmac[6], pkt[128];
	uint32_t lo_if = 1, key0 = 0;
	struct pr_iface ifc = { .flags = PR_IF_F_UNDERLAY, .nmacs = 1 };
	struct pr_iface ovn = { .flags = PR_IF_F_OVN, .nmacs = 1 };
	struct pr_iface_maps im;
	struct pr_route ew = { .net_id = 1, .action = PR_ACT_NEXTHOP };
	uint32_t pc0, pc1;
	struct pr_net net = { .flags = PR_NET_F_VALID };
	struct pr_route rt = { .net_id = 1, .action = PR_ACT_REDIRECT, .flags = PR_ROUTE_F_LOCAL };
	struct pr_prefix p;
	struct pr_lpm4_key k4;
	struct pr_lpm6_key k6;
	const char *obj = "build/bench/parse_only.bpf.o", *steps_out = NULL, *stop_dir = "build/bench";
	char *extra[PC_MAX_EXTRA];
	int nextra = 0, antispoof = 0;
	static const struct { const char *name; int family; const char *dst; bool ew; } cases[] = {
		{ "ipv4 hit", AF_INET, "10.128.1.5" },
		{ "ipv4 miss", AF_INET, "10.129.1.5" },
		{ "ipv6 hit", AF_INET6, "fd00:10:128:1::5" },
		{ "ipv6 miss", AF_INET6, "fd00:99::5" },
		{ "ipv4 east-west", AF_INET, "10.200.1.5", true },
		{ "ipv6 east-west", AF_INET6, "fd00:200::5", true },
	};
	const size_t ncases = sizeof(cases) / sizeof(cases[0]);

	while ((opt = getopt(argc, argv, "r:n:jo:s:d:x:ah")) != -1) {
		switch (opt) {
		case 'r': runs = atoi(optarg); break;
		case 'n': repeat = atoi(optarg); break;
		case 'j': json = 1; break;
		case 'o': obj = optarg; break;
		case 's': steps_out = optarg; break;
		case 'd': stop_dir = optarg; break;
		case 'a': antispoof = 1; break;
		case 'x':
			if (nextra == PC_MAX_EXTRA) {
				fprintf(stderr, "at most %d -x\n", PC_MAX_EXTRA);
				return 2;
			}
			extra[nextra++] = optarg;
			break;
		default:
			fprintf(stderr, "usage: %s [-r runs (1-4096)] [-n repeat (1-250)] [-j] [-a] [-o parse_only.bpf.o]\n"
				"       %s -s steps.json [-r runs] [-n repeat] [-a] [-d dir of podroute_stop<n>.bpf.o] "
				"[-x LABEL=podroute.bpf.o]...\n", argv[0], argv[0]);
			return opt == 'h' ? 0 : 2;
		}
	}
	if (runs < 1 || runs > 4096 || repeat < 1 || repeat > 250) {
		fprintf(stderr, "runs must be 1..4096 and repeat 1..250 (TTL budget of one frame)\n");
		return 2;
	}
	if (own_netns())
		return 1;
	pc0 = if_nametoindex("pc0");
	pc1 = if_nametoindex("pc1");
	log_route_libbpf();
	if (pr_datapath_load(&dp, &lo))
		return 1;
	floor_obj = bpf_object__open_file(obj, NULL);
	if (!floor_obj || bpf_object__load(floor_obj)) {
		fprintf(stderr, "cannot load %s\n", obj);
		return 1;
	}
	floor_fd = bpf_program__fd(bpf_object__find_program_by_name(floor_obj, "xdp_parse_only"));

	/* Loopback is the receiving device of the ingress cases; their
	 * network's port is pc0 (below), which "takes XDP frames", so that the
	 * redirect, not a hand-off to TC, is what is measured (a test run
	 * redirects nowhere). */
	memcpy(ifc.rmac[0], lomac, 6);
	im = (struct pr_iface_maps){ pr_datapath_map_fd(&dp, PR_MAP_IFACES),
				     pr_datapath_map_fd(&dp, PR_MAP_IFSLOTS) };
	pr_iface_put(im, lo_if, &ifc);
	/* East-west: received on pc1 (its MAC is the router MAC), forwarded
	 * out pc0 as the kernel's FIB says. */
	{
		struct bpf_devmap_val v0 = { .ifindex = pc0 };
		uint8_t pc1mac[6];
		struct ifreq ifr = { .ifr_name = "pc1" };
		int sk = socket(AF_INET, SOCK_DGRAM, 0);

		if (sk < 0 || ioctl(sk, SIOCGIFHWADDR, &ifr)) {
			perror("pc1: SIOCGIFHWADDR");
			return 1;
		}
		close(sk);
		memcpy(pc1mac, ifr.ifr_hwaddr.sa_data, 6);
		for (int fam = 4; fam <= 6; fam += 2) {
			char cmd[160];

			snprintf(cmd, sizeof(cmd), "ip -%d neigh replace %s lladdr "
				 "%02x:%02x:%02x:%02x:%02x:%02x dev pc0 nud permanent", fam,
				 fam == 4 ? "192.0.2.2" : "fd00:192::2", pc1mac[0], pc1mac[1],
				 pc1mac[2], pc1mac[3], pc1mac[4], pc1mac[5]);
			if (system(cmd)) {
				fprintf(stderr, "prog_cost: %s: failed\n", cmd);
				return 1;
			}
		}
		memcpy(ovn.rmac[0], pc1mac, 6);
		memcpy(ewmac, pc1mac, 6);
		pr_iface_put(im, pc1, &ovn);
		if (bpf_map_update_elem(pr_datapath_map_fd(&dp, PR_MAP_TXPORTS), &pc0, &v0, 0) ||
		    bpf_map_update_elem(pr_datapath_map_fd(&dp, PR_MAP_XDP_TXPORTS), &pc0, &v0, 0)) {
			fprintf(stderr, "txports: %s\n", strerror(errno));
			return 1;
		}
		pr_prefix_parse("10.200.0.0/16", &p, NULL);
		pr_prefix_to_key4(&p, 0, &k4);
		bpf_map_update_elem(pr_datapath_map_fd(&dp, PR_MAP_ROUTES4), &k4, &ew, 0);
		pr_prefix_parse("fd00:200::/32", &p, NULL);
		pr_prefix_to_key6(&p, 0, &k6);
		bpf_map_update_elem(pr_datapath_map_fd(&dp, PR_MAP_ROUTES6), &k6, &ew, 0);
	}
	/* The network's port is pc0: not the receiving device (lo), or the
	 * hit would be a hairpin, which the datapath leaves to the kernel. */
	net.ifindex = pc0;
	/* pr_config as the agent writes it: no network has anti-spoofing on,
	 * so the datapath skips the source lookup; -a: the network has it
	 * on, and every packet's source is looked up. */
	{
		struct pr_global g = { .abi_version = PR_ABI_VERSION, .flags = PR_G_F_NO_ANTISPOOF };

		if (antispoof) {
			net.flags |= PR_NET_F_ANTISPOOF;
			g.flags = 0;
		}
		key0 = 0;
		bpf_map_update_elem(pr_datapath_map_fd(&dp, PR_MAP_CONFIG), &key0, &g, 0);
	}
	key0 = 1;
	bpf_map_update_elem(pr_datapath_map_fd(&dp, PR_MAP_NETS), &key0, &net, 0);
	pr_prefix_parse("10.128.1.0/24", &p, NULL);
	pr_prefix_to_key4(&p, 0, &k4);
	bpf_map_update_elem(pr_datapath_map_fd(&dp, PR_MAP_ROUTES4), &k4, &rt, 0);
	pr_prefix_parse("fd00:10:128:1::/64", &p, NULL);
	pr_prefix_to_key6(&p, 0, &k6);
	bpf_map_update_elem(pr_datapath_map_fd(&dp, PR_MAP_ROUTES6), &k6, &rt, 0);
	lomac[0] = 0; /* the frames are addressed to lo's all-zero MAC */

	if (steps_out) {
		static const struct pc_case sc[] = {
			{ "ipv4 hit", AF_INET, "10.128.1.5", true },
			{ "ipv4 miss", AF_INET, "10.129.1.5", false },
			{ "ipv6 hit", AF_INET6, "fd00:10:128:1::5", true },
			{ "ipv6 miss", AF_INET6, "fd00:99::5", false },
		};
		int rc = pc_steps(&dp, floor_fd, stop_dir, extra, nextra, sc, 4, lo_if, lomac, runs,
				  repeat, antispoof, steps_out);

		bpf_object__close(floor_obj);
		pr_datapath_close(&dp);
		return rc;
	}

	if (json)
		printf("{\"runs\": %d, \"repeat\": %d, \"results\": [\n", runs, repeat);
	else
		printf("%-14s %12s %12s %14s %8s  (ns/packet: median [min..max] of %d runs x %d)\n",
		       "case", "podroute", "parse-only", "decision cost", "ratio", runs, repeat);
	for (size_t i = 0; i < ncases; i++) {
		uint32_t m, l, h, fm, fl, fh, rv, frv, in_if = cases[i].ew ? pc1 : lo_if;
		size_t len = frame(cases[i].family, cases[i].dst, cases[i].ew ? ewmac : lomac, pkt);

		fd = pr_datapath_prog_fd(&dp, cases[i].ew ? PR_PROG_XDP_OVN : PR_PROG_XDP_UNDERLAY);
		/* Interleaved: floor, candidate, so drift hits both alike. */
		measure(floor_fd, in_if, pkt, len, runs, repeat, &fm, &fl, &fh, &frv);
		measure(fd, in_if, pkt, len, runs, repeat, &m, &l, &h, &rv);
		if (json)
			printf("  {\"case\": \"%s\", \"podroute_ns\": %u, \"podroute_min\": %u, "
			       "\"podroute_max\": %u, \"parse_only_ns\": %u, \"parse_only_min\": %u, "
			       "\"parse_only_max\": %u, \"verdict\": %u}%s\n",
			       cases[i].name, m, l, h, fm, fl, fh, rv, i + 1 < ncases ? "," : "");
		else
			printf("%-14s %5u [%u..%u] %5u [%u..%u] %8d %8.2f  verdict %u\n", cases[i].name,
			       m, l, h, fm, fl, fh, (int)m - (int)fm, fm ? (double)m / fm : 0, rv);
	}
	if (json)
		printf("]}\n");
	/* Which reasons the runs were counted under: proves hit and miss took
	 * the paths their names claim. */
	if (!json) {
		int sfd = pr_datapath_map_fd(&dp, PR_MAP_STATS), ncpu = libbpf_num_possible_cpus();
		struct pr_counter pc[ncpu];

		for (uint32_t k = 0; k < PR_MAX_NETS * PR_R_MAX; k++) {
			unsigned long long n = 0;

			if (bpf_map_lookup_elem(sfd, &k, pc))
				continue;
			for (int c = 0; c < ncpu; c++)
				n += pc[c].packets;
			if (n)
				printf("counted: net %u reason %u: %llu packets\n", k / PR_R_MAX, k % PR_R_MAX, n);
		}
	}
	bpf_object__close(floor_obj);
	pr_datapath_close(&dp);
	return 0;
}
