// SPDX-License-Identifier: GPL-2.0-only
/*
 * podroute monitor: sampled per-packet decision events, as the datapath
 * emits them (bpf/pr_monitor.h) while a monitor holds the lease in
 * pr_monitor: it renews the lease twice a second and clears it on exit, so
 * a monitor that is killed stops the events within PR_MON_LEASE_NS, and
 * with no monitor running the datapath builds none. The network filter and
 * the sampling are applied in the datapath; reason and address filters
 * here.
 */
#include <errno.h>
#include <getopt.h>
#include <net/if.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <arpa/inet.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "cli/cli.h"
#include "datapath/pins.h"
#include "lib/names.h"
#include "lib/prefix.h"
#include "podroute_abi.h"

#define PR_MON_LEASE_NS 2000000000ULL
#define PR_MON_RENEW_MS 500

static const char monitor_help[] =
	"Usage: podroute monitor [--net ID] [--reason NAME] [--addr PREFIX] [--sample N]\n"
	"                        [--rate N] [--count N]\n"
	"Sampled per-packet decisions of the datapath, one line per packet: time,\n"
	"receiving interface, network, reason, verdict (pass: the kernel's path,\n"
	"drop, redirect, defer-tc: rewritten by XDP, redirected by TC), protocol,\n"
	"addresses and ports, TTL as received, length, and the redirect target.\n"
	"Nothing is sampled while no monitor runs: the datapath's cost is then one\n"
	"load and a branch per packet; a monitor holds a lease the datapath checks,\n"
	"renewed twice a second, so one that is killed stops the events within 2 s.\n"
	"  --net ID        only network ID (in the datapath; 0: what matched none)\n"
	"  --reason NAME   only this reason (redirect, miss, spoof, ...: `podroute stats`)\n"
	"  --addr PREFIX   only packets whose source or destination is in PREFIX\n"
	"  --sample N      one packet in N (default 1: every packet)\n"
	"  --rate N        at most N events per CPU per second (default 1000, 0: no\n"
	"                  limit); events the ring had no room for are counted as lost\n"
	"  --count N       stop after N events\n"
	"With -j, one JSON object per line. Several monitors may run at once; they\n"
	"share the datapath's settings, the last one started sets them.\n";

static volatile sig_atomic_t stop;

static void on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

struct mon {
	int reason;     /* -1: any */
	bool have_addr;
	struct pr_prefix addr;
	long count, seen;
	unsigned long long lost;
	struct timespec mono0, real0;
};

static const char *verdict_name(unsigned v)
{
	static const char *const names[] = { "pass", "drop", "redirect", "defer-tc" };

	return v < sizeof(names) / sizeof(names[0]) ? names[v] : "unknown";
}

static bool addr_matches(const struct mon *m, const struct pr_event *e)
{
	struct pr_prefix a;
	int fam = e->family == 4 ? AF_INET : AF_INET6;
	unsigned bits = e->family == 4 ? 32 : 128;

	if (!m->have_addr)
		return true;
	if (e->family != 4 && e->family != 6)
		return false;
	return (!pr_prefix_from_addr(&a, fam, e->saddr, bits) && pr_prefix_contains(&m->addr, &a)) ||
	       (!pr_prefix_from_addr(&a, fam, e->daddr, bits) && pr_prefix_contains(&m->addr, &a));
}

/* The event's time on the wall clock: its monotonic stamp, shifted. */
static void event_time(const struct mon *m, const struct pr_event *e, char *buf, size_t size)
{
	long long mono0 = m->mono0.tv_sec * 1000000000LL + m->mono0.tv_nsec;
	long long real = m->real0.tv_sec * 1000000000LL + m->real0.tv_nsec + ((long long)e->ts_ns - mono0);
	time_t s = real / 1000000000LL;
	struct tm tm;
	char hms[32];

	gmtime_r(&s, &tm);
	strftime(hms, sizeof(hms), "%Y-%m-%dT%H:%M:%S", &tm);
	snprintf(buf, size, "%s.%06lldZ", hms, (real % 1000000000LL) / 1000);
}

static void on_event(void *ctx, int cpu, void *data, __u32 size)
{
	struct mon *m = ctx;
	struct pr_event e;
	char when[48], src[INET6_ADDRSTRLEN] = "-", dst[INET6_ADDRSTRLEN] = "-";
	char inif[IF_NAMESIZE] = "?", txif[IF_NAMESIZE] = "";
	int fam;

	(void)cpu;
	if (size < sizeof(e) || (m->count > 0 && m->seen >= m->count))
		return;
	memcpy(&e, data, sizeof(e));
	if ((m->reason >= 0 && e.reason != m->reason) || !addr_matches(m, &e))
		return;
	m->seen++;
	fam = e.family == 4 ? AF_INET : AF_INET6;
	if (e.family == 4 || e.family == 6) {
		inet_ntop(fam, e.saddr, src, sizeof(src));
		inet_ntop(fam, e.daddr, dst, sizeof(dst));
	}
	if (!if_indextoname(e.ifindex, inif))
		snprintf(inif, sizeof(inif), "if%u", e.ifindex);
	if (e.tx_ifindex && !if_indextoname(e.tx_ifindex, txif))
		snprintf(txif, sizeof(txif), "if%u", e.tx_ifindex);
	event_time(m, &e, when, sizeof(when));
	if (cli.json) {
		struct jw *w = &cli.jw;

		jw_init(w, stdout, cli.pretty); /* one document per line */
		jw_obj_begin(w);
		jw_kstr(w, "time", when);
		jw_ku64(w, "ts_ns", e.ts_ns);
		jw_kstr(w, "interface", inif);
		jw_ku64(w, "ifindex", e.ifindex);
		jw_ku64(w, "network", e.net_id);
		jw_kstr(w, "reason", pr_reason_name(e.reason));
		jw_kstr(w, "verdict", verdict_name(e.verdict));
		jw_ku64(w, "family", e.family);
		jw_ku64(w, "proto", e.proto);
		jw_kstr(w, "src", src);
		jw_kstr(w, "dst", dst);
		jw_ku64(w, "sport", ntohs(e.sport));
		jw_ku64(w, "dport", ntohs(e.dport));
		jw_ku64(w, "ttl", e.ttl);
		jw_ku64(w, "len", e.pkt_len);
		if (e.tx_ifindex)
			jw_kstr(w, "target", txif);
		jw_obj_end(w);
		jw_done(w);
		return;
	}
	printf("%s %-12s net %-3u %-12s %-8s proto %-3u %s:%u > %s:%u ttl %u len %u%s%s\n", when, inif,
	       e.net_id, pr_reason_name(e.reason), verdict_name(e.verdict), e.proto, src, ntohs(e.sport), dst,
	       ntohs(e.dport), e.ttl, e.pkt_len, e.tx_ifindex ? " -> " : "", txif);
	fflush(stdout);
}

static void on_lost(void *ctx, int cpu, __u64 n)
{
	(void)cpu;
	((struct mon *)ctx)->lost += n;
}

static int lease(int fd, const struct pr_monitor *want, bool on)
{
	struct pr_monitor v = *want;
	struct timespec now;
	__u32 zero = 0;

	clock_gettime(CLOCK_MONOTONIC, &now);
	v.until_ns = on ? (__u64)now.tv_sec * 1000000000ULL + now.tv_nsec + PR_MON_LEASE_NS : 0;
	return bpf_map_update_elem(fd, &zero, &v, BPF_ANY) ? -errno : 0;
}

static int budget_reset(int fd)
{
	int ncpu = libbpf_num_possible_cpus(), err = 0;
	struct pr_mon_budget *b;
	__u32 zero = 0;

	if (ncpu <= 0)
		return ncpu ? ncpu : -EINVAL;
	b = calloc(ncpu, sizeof(*b));
	if (!b)
		return -ENOMEM;
	if (bpf_map_update_elem(fd, &zero, b, BPF_ANY))
		err = -errno;
	free(b);
	return err;
}

static long whole(const char *cmd, const char *opt, const char *s, long min, long max)
{
	char *end;
	long v = strtol(s, &end, 10);

	if (*end || end == s || v < min || v > max) {
		cli_usage_error(cmd, "%s: \"%s\" is not a whole number from %ld to %ld", opt, s, min, max);
		return -1;
	}
	return v;
}

int cmd_monitor(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "net", required_argument, NULL, 'n' },    { "reason", required_argument, NULL, 'r' },
		{ "addr", required_argument, NULL, 'a' },   { "sample", required_argument, NULL, 's' },
		{ "rate", required_argument, NULL, 'R' },   { "count", required_argument, NULL, 'c' },
		{ "help", no_argument, NULL, 'h' },         { NULL, 0, NULL, 0 },
	};
	struct pr_monitor want = { .sample = 1, .per_cpu_limit = 1000 };
	struct mon m = { .reason = -1, .count = -1 };
	struct perf_buffer *pb = NULL;
	struct sigaction sa = { .sa_handler = on_signal };
	struct timespec last, now;
	struct pr_pins p;
	const char *why;
	long v;
	int c, rc, err;

	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (c) {
		case 'n':
			if ((v = whole("monitor", "--net", optarg, 0, PR_MAX_NETS - 1)) < 0)
				return PR_EXIT_USAGE;
			want.net_plus1 = v + 1;
			break;
		case 'r':
			for (m.reason = 0; m.reason < PR_R_MAX; m.reason++)
				if (!strcmp(pr_reason_name(m.reason), optarg))
					break;
			if (m.reason == PR_R_MAX)
				return cli_usage_error("monitor", "--reason: no reason \"%s\" (see podroute stats --all)",
						       optarg);
			break;
		case 'a':
			if (pr_prefix_parse(optarg, &m.addr, &why))
				return cli_usage_error("monitor", "--addr: \"%s\": %s", optarg, why);
			m.have_addr = true;
			break;
		case 's':
			if ((v = whole("monitor", "--sample", optarg, 1, 1000000)) < 0)
				return PR_EXIT_USAGE;
			want.sample = v;
			break;
		case 'R':
			if ((v = whole("monitor", "--rate", optarg, 0, 10000000)) < 0)
				return PR_EXIT_USAGE;
			want.per_cpu_limit = v;
			break;
		case 'c':
			if ((m.count = whole("monitor", "--count", optarg, 1, 1000000000)) < 0)
				return PR_EXIT_USAGE;
			break;
		case 'h': fputs(monitor_help, stdout); return 0;
		default: return cli_usage_error("monitor", "bad option");
		}
	}
	rc = cli_args_done_open_pins("monitor", argc, argv, &p);
	if (rc)
		return rc;
	pb = perf_buffer__new(p.fd[PR_MAP_EVENTS], 64, on_event, on_lost, &m, NULL);
	if (!pb) {
		err = errno;
		pr_pins_close(&p);
		return cli_error(PR_EXIT_FAIL, "cannot open the event rings (pr_events): %s", strerror(err));
	}
	/* A fresh budget: events another monitor had this second must not
	 * count against this one's --rate. */
	if ((err = budget_reset(p.fd[PR_MAP_MON_BUDGET]))) {
		perf_buffer__free(pb);
		pr_pins_close(&p);
		return cli_error(PR_EXIT_FAIL, "cannot reset the event budget (pr_mon_budget): %s", strerror(-err));
	}
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	clock_gettime(CLOCK_MONOTONIC, &m.mono0);
	clock_gettime(CLOCK_REALTIME, &m.real0);
	last = m.mono0;
	rc = 0;
	if ((err = lease(p.fd[PR_MAP_MONITOR], &want, true))) {
		rc = cli_error(PR_EXIT_FAIL, "cannot start sampling (pr_monitor): %s", strerror(-err));
		goto out;
	}
	if (!cli.json)
		fprintf(stderr, "monitor: sampling 1 in %u%s, at most %u events per CPU per second; Ctrl-C stops\n",
			want.sample, want.net_plus1 ? " of one network" : "", want.per_cpu_limit);
	while (!stop && (m.count < 0 || m.seen < m.count)) {
		err = perf_buffer__poll(pb, 100);
		if (err < 0 && err != -EINTR) {
			rc = cli_error(PR_EXIT_FAIL, "reading the event rings: %s", strerror(-err));
			break;
		}
		clock_gettime(CLOCK_MONOTONIC, &now);
		if ((now.tv_sec - last.tv_sec) * 1000 + (now.tv_nsec - last.tv_nsec) / 1000000 >= PR_MON_RENEW_MS) {
			last = now;
			if ((err = lease(p.fd[PR_MAP_MONITOR], &want, true))) {
				rc = cli_error(PR_EXIT_FAIL, "cannot renew sampling (pr_monitor): %s", strerror(-err));
				break;
			}
		}
	}
out:
	lease(p.fd[PR_MAP_MONITOR], &want, false);
	if (m.lost && !cli.json)
		fprintf(stderr, "monitor: %llu events lost (the rings were full)\n", m.lost);
	perf_buffer__free(pb);
	pr_pins_close(&p);
	return rc;
}
