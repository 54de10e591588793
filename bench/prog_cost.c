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
 * Usage: prog_cost [-r runs] [-n repeat] [-j]
 */
#define _GNU_SOURCE /* unshare */
#include <arpa/inet.h>
#include <errno.h>
#include <net/if.h>
#include <sched.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "ip4_csum.h"
#include "datapath/load.h"
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
	struct pr_route ew = { .net_id = 1, .action = PR_ACT_NEXTHOP };
	uint32_t pc0, pc1;
	struct pr_net net = { .ifindex = 1, .flags = PR_NET_F_VALID };
	struct pr_route rt = { .net_id = 1, .action = PR_ACT_REDIRECT, .flags = PR_ROUTE_F_LOCAL };
	struct bpf_devmap_val dv = { .ifindex = 1 };
	struct pr_prefix p;
	struct pr_lpm4_key k4;
	struct pr_lpm6_key k6;
	const char *obj = "build/bench/parse_only.bpf.o";
	static const struct { const char *name; int family; const char *dst; bool ew; } cases[] = {
		{ "ipv4 hit", AF_INET, "10.128.1.5" },
		{ "ipv4 miss", AF_INET, "10.129.1.5" },
		{ "ipv6 hit", AF_INET6, "fd00:10:128:1::5" },
		{ "ipv6 miss", AF_INET6, "fd00:99::5" },
		{ "ipv4 east-west", AF_INET, "10.200.1.5", true },
		{ "ipv6 east-west", AF_INET6, "fd00:200::5", true },
	};
	const size_t ncases = sizeof(cases) / sizeof(cases[0]);

	while ((opt = getopt(argc, argv, "r:n:jo:h")) != -1) {
		switch (opt) {
		case 'r': runs = atoi(optarg); break;
		case 'n': repeat = atoi(optarg); break;
		case 'j': json = 1; break;
		case 'o': obj = optarg; break;
		default:
			fprintf(stderr, "usage: %s [-r runs (1-4096)] [-n repeat (1-250)] [-j] [-o parse_only.bpf.o]\n", argv[0]);
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

	/* Loopback stands for both the receiving device and the target of the
	 * ingress cases (a test run redirects nowhere); it "takes XDP frames",
	 * so that the redirect, not a hand-off to TC, is what is measured. */
	memcpy(ifc.rmac[0], lomac, 6);
	bpf_map_update_elem(pr_datapath_map_fd(&dp, PR_MAP_IFACES), &lo_if, &ifc, 0);
	if (bpf_map_update_elem(pr_datapath_map_fd(&dp, PR_MAP_TXPORTS), &lo_if, &dv, 0) ||
	    bpf_map_update_elem(pr_datapath_map_fd(&dp, PR_MAP_XDP_TXPORTS), &lo_if, &dv, 0))
		fprintf(stderr, "txports: %s\n", strerror(errno));
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
		bpf_map_update_elem(pr_datapath_map_fd(&dp, PR_MAP_IFACES), &pc1, &ovn, 0);
		bpf_map_update_elem(pr_datapath_map_fd(&dp, PR_MAP_TXPORTS), &pc0, &v0, 0);
		bpf_map_update_elem(pr_datapath_map_fd(&dp, PR_MAP_XDP_TXPORTS), &pc0, &v0, 0);
		pr_prefix_parse("10.200.0.0/16", &p, NULL);
		pr_prefix_to_key4(&p, 0, &k4);
		bpf_map_update_elem(pr_datapath_map_fd(&dp, PR_MAP_ROUTES4), &k4, &ew, 0);
		pr_prefix_parse("fd00:200::/32", &p, NULL);
		pr_prefix_to_key6(&p, 0, &k6);
		bpf_map_update_elem(pr_datapath_map_fd(&dp, PR_MAP_ROUTES6), &k6, &ew, 0);
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
