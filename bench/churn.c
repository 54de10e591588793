// SPDX-License-Identifier: GPL-2.0-only
/*
 * The fast path's decision rate and correctness while the agent rewrites
 * the maps under it. Runs inside the node's namespace next to a running
 * agent: loads the datapath program onto the agent's pinned maps (the
 * same maps the attached program reads) and drives it with
 * BPF_PROG_TEST_RUN, one decision per run, in windows of WINDOW_MS,
 * alternating quiet windows and churn windows. In a churn window a child
 * process changes other routes in the kernel (proto bgp, 10.100.0.0/16 and
 * up, add then delete, paced to RATE changes/s over rtnetlink), which the
 * agent follows into the same maps.
 *
 * The frames go to DST (the pod: every decision must be XDP_REDIRECT) or,
 * with --dsts FILE, to the addresses listed there (one per line, IPv4),
 * taken in turn so that consecutive decisions walk different paths of a
 * large table; each must get the verdict it got in a reference pass before
 * the first window. Anything else is a wrong verdict. Prints per-window
 * decisions/s, medians, the ratio and wrong verdicts, and the change rate
 * achieved. With CHURN_CMD set in the environment, a churn window runs that
 * shell command instead (e.g. full resyncs of a large table) and kills it
 * at the window's end. Usage:
 *   churn PIN_DIR IFNAME GATEWAY DST RATE WINDOWS [--json FILE] [--dsts FILE]
 *   churn --churn-only IFNAME GATEWAY RATE   (the churn alone, until SIGTERM)
 */
#define _GNU_SOURCE /* sched_setaffinity */
#include <arpa/inet.h>
#include <sched.h>
#include <errno.h>
#include <net/if.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <linux/if_ether.h>
#include <linux/ip.h>
#include <linux/rtnetlink.h>
#include <linux/udp.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "ip4_csum.h"
#include "datapath/load.h"
#include "rtnl_route.h"

#define WINDOW_MS 500

static double now_s(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec + t.tv_nsec / 1e9;
}

/* The churn child: paced add/delete until killed; writes its count to wfd. */
static void churner(int rate, uint32_t gw, int ifindex, int wfd)
{
	int fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);
	double t0 = now_s();
	unsigned long done = 0;
	sigset_t m;

	cpu_set_t cpus;

	/* Away from the measurement's CPU, next to the agent (CPU 0). */
	CPU_ZERO(&cpus);
	CPU_SET(0, &cpus);
	sched_setaffinity(0, sizeof(cpus), &cpus);
	sigemptyset(&m);
	sigaddset(&m, SIGTERM);
	sigprocmask(SIG_BLOCK, &m, NULL);
	for (;;) {
		struct timespec z = { 0, 0 };
		int sig;

		/* Pace: change number k is due at t0 + k / rate. */
		while (now_s() < t0 + (double)done / rate) {
			if (sigtimedwait(&m, NULL, &z) == SIGTERM)
				goto out;
		}
		sig = sigtimedwait(&m, NULL, &z);
		if (sig == SIGTERM)
			break;
		{
			uint32_t k = (uint32_t)(done / 2) % 2000;

			rtnl_route24(fd, done & 1 ? RTM_DELROUTE : RTM_NEWROUTE, 100 + k / 256, k % 256, gw, ifindex);
		}
		done++;
	}
out:
	{
		double r = done / (now_s() - t0);

		if (wfd < 0) { /* churn --churn-only: say it */
			printf("%.0f route changes/s\n", r);
			fflush(stdout);
		} else if (write(wfd, &r, sizeof(r)) != sizeof(r)) {
			_exit(1);
		}
	}
	_exit(0);
}

#define MAX_DSTS (1U << 16)

/* Up to MAX_DSTS IPv4 addresses, one per line. Their number, or 0. */
static size_t read_dsts(const char *path, uint32_t *out)
{
	FILE *f = fopen(path, "r");
	char line[64];
	size_t n = 0;

	if (!f) {
		perror(path);
		return 0;
	}
	while (n < MAX_DSTS && fgets(line, sizeof(line), f)) {
		line[strcspn(line, "\n")] = 0;
		if (inet_pton(AF_INET, line, &out[n]) != 1) {
			fprintf(stderr, "%s:%zu: not an IPv4 address: \"%s\"\n", path, n + 1, line);
			fclose(f);
			return 0;
		}
		n++;
	}
	fclose(f);
	if (!n)
		fprintf(stderr, "%s: no addresses\n", path);
	return n;
}

/* One decision of the frame template pkt sent to dst, arriving on ifindex. */
static int decide(int prog, int ifindex, const uint8_t *pkt, size_t len, uint32_t dst,
		  uint32_t *verdict)
{
	struct xdp_md ctx = { .data_end = len, .ingress_ifindex = ifindex };
	uint8_t frame[128];
	struct iphdr *ip = (struct iphdr *)(frame + ETH_HLEN);
	LIBBPF_OPTS(bpf_test_run_opts, o, .data_in = frame, .data_size_in = len, .ctx_in = &ctx,
		    .ctx_size_in = sizeof(ctx), .repeat = 1);

	memcpy(frame, pkt, len);
	ip->daddr = dst;
	ip->ttl = 64;
	ip4_csum_set((uint8_t *)ip);
	if (bpf_prog_test_run_opts(prog, &o)) {
		perror("test run");
		return -1;
	}
	*verdict = o.retval;
	return 0;
}

static int cmp_d(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

int main(int argc, char **argv)
{
	/* The churn alone, until SIGTERM (bench/churn_live.sh runs it beside
	 * live traffic): churn --churn-only IFNAME GATEWAY RATE */
	if (argc == 5 && !strcmp(argv[1], "--churn-only")) {
		int ifindex = if_nametoindex(argv[2]), rate = atoi(argv[4]);
		uint32_t gw;

		if (!ifindex || inet_pton(AF_INET, argv[3], &gw) != 1 || rate < 1) {
			fprintf(stderr, "usage: churn --churn-only IFNAME GATEWAY RATE\n");
			return 2;
		}
		churner(rate, gw, ifindex, -1);
	}
	struct pr_loader_opts lo = {};
	struct pr_datapath dp;
	uint8_t pkt[ETH_HLEN + sizeof(struct iphdr) + sizeof(struct udphdr) + 18] = {};
	struct ethhdr *eth = (void *)pkt;
	struct iphdr *ip = (void *)(eth + 1);
	struct udphdr *udp = (void *)(ip + 1);
	int ifindex, rate, windows, prog, sk;
	uint32_t gw, dst;
	struct ifreq ifr = {};
	double quiet[64], busy[64], rates[64];
	int nq = 0, nb = 0;
	unsigned long long wrong = 0, total = 0, samples = 0, index_off = 0;
	const char *json = NULL, *dsts_file = NULL;
	int ctl_fd;
	uint32_t *dsts, *expect;
	size_t ndst = 1, next = 0;
	bool bad = argc < 7;

	for (int i = 7; i < argc && !bad; i += 2) {
		if (i + 1 < argc && !strcmp(argv[i], "--json"))
			json = argv[i + 1];
		else if (i + 1 < argc && !strcmp(argv[i], "--dsts"))
			dsts_file = argv[i + 1];
		else
			bad = true;
	}
	if (bad || (ifindex = if_nametoindex(argv[2])) == 0 ||
	    inet_pton(AF_INET, argv[3], &gw) != 1 || inet_pton(AF_INET, argv[4], &dst) != 1 ||
	    (rate = atoi(argv[5])) < 1 || (windows = atoi(argv[6])) < 2 || windows > 64) {
		fprintf(stderr, "usage: churn PIN_DIR IFNAME GATEWAY DST RATE WINDOWS(2..64) [--json FILE] "
				"[--dsts FILE]\n");
		return 2;
	}
	dsts = calloc(MAX_DSTS, sizeof(*dsts));
	expect = calloc(MAX_DSTS, sizeof(*expect));
	if (!dsts || !expect)
		return 1;
	dsts[0] = dst;
	expect[0] = XDP_REDIRECT;
	if (dsts_file && (ndst = read_dsts(dsts_file, dsts)) == 0)
		return 1;
	lo.pin_dir = argv[1];
	if (pr_datapath_load(&dp, &lo))
		return 1;
	prog = pr_datapath_prog_fd(&dp, PR_PROG_XDP_UNDERLAY);
	ctl_fd = pr_datapath_map_fd(&dp, PR_MAP_LSX_CTL);
	/* A UDP frame to dst, addressed to the device's own MAC. */
	sk = socket(AF_INET, SOCK_DGRAM, 0);
	snprintf(ifr.ifr_name, IFNAMSIZ, "%s", argv[2]);
	if (ioctl(sk, SIOCGIFHWADDR, &ifr) < 0) {
		perror("SIOCGIFHWADDR");
		return 1;
	}
	close(sk);
	memcpy(eth->h_dest, ifr.ifr_hwaddr.sa_data, ETH_ALEN);
	eth->h_source[0] = 0x02;
	eth->h_proto = htons(ETH_P_IP);
	ip->version = 4;
	ip->ihl = 5;
	ip->tot_len = htons(sizeof(pkt) - ETH_HLEN);
	ip->protocol = IPPROTO_UDP;
	ip->saddr = htonl(0xc0000202); /* 192.0.2.2 */
	ip->daddr = dst;
	udp->source = htons(1234);
	udp->dest = htons(5678);
	udp->len = htons(sizeof(pkt) - ETH_HLEN - sizeof(*ip));
	/* The reference: each destination's verdict before any churn. */
	for (size_t i = 0; dsts_file && i < ndst; i++)
		if (decide(prog, ifindex, pkt, sizeof(pkt), dsts[i], &expect[i]))
			return 1;
	if (dsts_file) {
		size_t redirects = 0;

		for (size_t i = 0; i < ndst; i++)
			redirects += expect[i] == XDP_REDIRECT;
		printf("%zu destinations, %zu of them redirected, the rest verdict %u\n", ndst, redirects,
		       expect[ndst - 1]);
	}
	for (int w = 0; w < windows; w++) {
		bool churn = w & 1;
		int pfd[2] = { -1, -1 };
		pid_t pid = 0;
		unsigned long long n = 0;
		double t0, t, r = 0;

		if (churn) {
			if (pipe(pfd))
				return 1;
			pid = fork();
			if (!pid && getenv("CHURN_CMD")) {
				setpgid(0, 0); /* the window's end kills the whole group */
				execl("/bin/sh", "sh", "-c", getenv("CHURN_CMD"), (char *)NULL);
				_exit(127);
			}
			if (!pid) {
				close(pfd[0]);
				churner(rate, gw, ifindex, pfd[1]);
			}
			close(pfd[1]);
		}
		t0 = now_s();
		do {
			uint32_t verdict;

			if (decide(prog, ifindex, pkt, sizeof(pkt), dsts[next], &verdict))
				return 1;
			wrong += verdict != expect[next];
			next = next + 1 == ndst ? 0 : next + 1;
			/* Whether the lookup index (IPv4) answers, now and then. */
			if (!(n & 1023)) {
				struct pr_lsx_ctl c;
				uint32_t zero = 0;

				if (!bpf_map_lookup_elem(ctl_fd, &zero, &c)) {
					samples++;
					index_off += c.active[0] != 1 && c.active[0] != 2;
				}
			}
			n++;
			t = now_s();
		} while (t - t0 < WINDOW_MS / 1e3);
		total += n;
		if (churn) {
			if (getenv("CHURN_CMD"))
				kill(-pid, SIGKILL);
			else
				kill(pid, SIGTERM);
			if (read(pfd[0], &r, sizeof(r)) != sizeof(r))
				r = 0;
			close(pfd[0]);
			waitpid(pid, NULL, 0);
			rates[nb] = r;
			busy[nb++] = n / (t - t0);
		} else {
			quiet[nq++] = n / (t - t0);
		}
		printf("window %2d %-6s %9.0f decisions/s%s", w, churn ? "churn" : "quiet", n / (t - t0),
		       churn ? "" : "\n");
		if (churn)
			printf("  (%.0f route changes/s)\n", r);
	}
	qsort(quiet, nq, sizeof(double), cmp_d);
	qsort(busy, nb, sizeof(double), cmp_d);
	qsort(rates, nb, sizeof(double), cmp_d);
	printf("quiet median %.0f/s, churn median %.0f/s, ratio %.3f; %.0f route changes/s achieved (median); "
	       "wrong verdicts %llu of %llu; lookup index off in %llu of %llu samples\n", quiet[nq / 2],
	       busy[nb / 2], busy[nb / 2] / quiet[nq / 2], rates[nb / 2], wrong, total, index_off, samples);
	if (json) {
		FILE *f = fopen(json, "w");

		if (!f)
			return 1;
		fprintf(f, "{\"quiet_per_s\": [");
		for (int i = 0; i < nq; i++)
			fprintf(f, "%s%.0f", i ? ", " : "", quiet[i]);
		fprintf(f, "], \"churn_per_s\": [");
		for (int i = 0; i < nb; i++)
			fprintf(f, "%s%.0f", i ? ", " : "", busy[i]);
		fprintf(f, "], \"changes_per_s\": [");
		for (int i = 0; i < nb; i++)
			fprintf(f, "%s%.0f", i ? ", " : "", rates[i]);
		fprintf(f, "], \"ratio\": %.4f, \"wrong_verdicts\": %llu, \"decisions\": %llu, "
			"\"index_off_samples\": %llu, \"index_samples\": %llu}\n",
			busy[nb / 2] / quiet[nq / 2], wrong, total, index_off, samples);
		fclose(f);
	}
	pr_datapath_close(&dp);
	free(dsts);
	free(expect);
	return wrong ? 1 : 0;
}
