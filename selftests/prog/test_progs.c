// SPDX-License-Identifier: GPL-2.0-only
/*
 * Program tests: load the real datapath object into the running kernel and
 * drive every entry point with crafted frames through BPF_PROG_TEST_RUN.
 * Each case checks the verdict, the exact counters that moved (every other
 * counter must stay zero), and the frame that comes out: rewritten MACs,
 * TTL / hop limit, an IPv4 checksum recomputed from scratch, VLAN tags
 * removed, addresses and payload unchanged; or, for pass/drop, the frame
 * byte for byte as it went in.
 *
 * Runs as root inside the network namespace that selftests/prog/run.sh
 * builds (veth devices in0, tgt0..2, ul1, ovn0 and a routing table 100
 * standing for a VRF). Output is TAP; the last line is the summary.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <linux/if_ether.h>
#include <linux/pkt_cls.h>
#include <net/if.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/socket.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "datapath/interfaces.h"
#include "datapath/load.h"
#include "lib/log.h"
#include "lib/names.h"
#include "pktbuild.h"
#include "podroute_abi.h"
#include "lib/prefix.h"
#include "progtest.h"

struct env E;

/* ---------- tiny TAP harness ---------- */

static int n_pass, n_fail, n_skip, n_total;
static char fail_msg[512];

bool check_fail(const char *fmt, ...)
{
	va_list ap;

	if (fail_msg[0])
		return false; /* keep the first failure of a case */
	va_start(ap, fmt);
	vsnprintf(fail_msg, sizeof(fail_msg), fmt, ap);
	va_end(ap);
	return false;
}

void tap_begin(void)
{
	fail_msg[0] = '\0';
}

void tap_end(const char *name, bool ok)
{
	n_total++;
	if (ok && !fail_msg[0]) {
		n_pass++;
		printf("ok %d %s\n", n_total, name);
	} else {
		n_fail++;
		printf("not ok %d %s\n#   %s\n", n_total, name, fail_msg[0] ? fail_msg : "failed");
	}
	fflush(stdout);
}

void tap_skip(const char *name, const char *why)
{
	n_total++;
	n_skip++;
	printf("ok %d %s # SKIP %s\n", n_total, name, why);
}

/* ---------- environment ---------- */

static int read_mac(const char *dev, uint8_t mac[6])
{
	char path[128], buf[32];
	FILE *f;

	snprintf(path, sizeof(path), "/sys/class/net/%s/address", dev);
	f = fopen(path, "r");
	if (!f)
		return -errno;
	if (!fgets(buf, sizeof(buf), f)) {
		fclose(f);
		return -EIO;
	}
	fclose(f);
	buf[17] = '\0';
	return pr_mac_parse(buf, mac);
}

static int dev(const char *name, uint32_t *ifindex, uint8_t mac[6])
{
	*ifindex = if_nametoindex(name);
	if (!*ifindex) {
		fprintf(stderr, "device %s missing: run me through selftests/prog/run.sh\n", name);
		return -ENODEV;
	}
	return read_mac(name, mac);
}

static int env_devices(void)
{
	return dev("in0", &E.if_in, E.mac_in) ?: dev("in1", &E.if_in1, E.mac_in1) ?:
	       dev("tgt0", &E.if_tgt0, E.mac_tgt0) ?:
	       dev("tgt1", &E.if_tgt1, E.mac_tgt1) ?: dev("tgt2", &E.if_tgt2, E.mac_tgt2) ?:
	       dev("ul1", &E.if_ul1, E.mac_ul1) ?: dev("ovn0", &E.if_ovn, E.mac_ovn);
}

int env_map(enum pr_map m)
{
	int fd = pr_datapath_map_fd(&E.dp, m);

	if (fd < 0) {
		fprintf(stderr, "map %s not found\n", pr_maps[m].name);
		exit(1);
	}
	return fd;
}

static void must(int err, const char *what)
{
	if (err) {
		fprintf(stderr, "setup: %s: %s\n", what, strerror(errno));
		exit(1);
	}
}

void put_route(const char *pfx, uint32_t net_id, uint8_t action, uint8_t flags, uint32_t nhg)
{
	put_route_in(0, pfx, net_id, action, flags, nhg);
}

void put_route_in(uint32_t domain, const char *pfx, uint32_t net_id, uint8_t action, uint8_t flags,
		  uint32_t nhg)
{
	struct pr_prefix p;
	struct pr_route v = { .net_id = net_id, .nhg_id = nhg, .action = action, .flags = flags };

	if (pr_prefix_parse(pfx, &p, NULL))
		must(-1, pfx);
	if (p.family == AF_INET) {
		struct pr_lpm4_key k;

		pr_prefix_to_key4(&p, domain, &k);
		must(bpf_map_update_elem(E.fd_routes4, &k, &v, 0), pfx);
	} else {
		struct pr_lpm6_key k;

		pr_prefix_to_key6(&p, domain, &k);
		must(bpf_map_update_elem(E.fd_routes6, &k, &v, 0), pfx);
	}
}

void put_net(uint32_t id, uint32_t ifindex, const uint8_t *dmac, const uint8_t *smac,
	     uint32_t table, uint32_t flags)
{
	struct pr_net n = { .ifindex = ifindex, .vrf_table = table, .flags = flags };

	if (dmac)
		memcpy(n.dmac, dmac, 6);
	if (smac)
		memcpy(n.smac, smac, 6);
	must(bpf_map_update_elem(E.fd_nets, &id, &n, 0), "pr_nets");
}

static void write_iface(uint32_t ifindex, const struct pr_iface *i);

static void put_iface(uint32_t ifindex, uint32_t flags, const uint8_t *m0, const uint8_t *m1,
		      uint32_t vrf_table)
{
	struct pr_iface i = { .flags = flags, .nmacs = m1 ? 2 : 1, .vrf_table = vrf_table };

	memcpy(i.rmac[0], m0, 6);
	if (m1)
		memcpy(i.rmac[1], m1, 6);
	write_iface(ifindex, &i);
}

/* pr_ifaces and the interface's slot, as attach writes them. */
static void write_iface(uint32_t ifindex, const struct pr_iface *i)
{
	struct pr_iface_maps m = { E.fd_ifaces, E.fd_ifslots };
	int err = pr_iface_put(m, ifindex, i);

	errno = -err;
	must(err, "pr_ifaces, pr_ifslots");
}

void set_iface_flags(uint32_t ifindex, uint32_t flags)
{
	struct pr_iface i;

	must(bpf_map_lookup_elem(E.fd_ifaces, &ifindex, &i), "pr_ifaces lookup");
	i.flags = flags;
	write_iface(ifindex, &i);
}

/*
 * Foreign slots: the fixture's interfaces' slots held by other ifindexes
 * (ifindex + PR_IFSLOTS) with another role, no VRF and another router MAC,
 * so that a datapath taking a slot without comparing its ifindex passes
 * what it should redirect; then the datapath must read pr_ifaces. false:
 * put the fixture's own slots back.
 */
void set_foreign_ifslots(bool on)
{
	const uint32_t ifs[] = { E.if_in, E.if_in1, E.if_ovn };

	for (size_t k = 0; k < sizeof(ifs) / sizeof(ifs[0]); k++) {
		uint32_t slot = pr_ifslot_of(ifs[k]);
		struct pr_ifslot e = { .ifindex = ifs[k] };

		must(bpf_map_lookup_elem(E.fd_ifaces, &ifs[k], &e.ifc), "pr_ifaces lookup");
		if (on) {
			e.ifindex = ifs[k] + PR_IFSLOTS;
			e.ifc.flags ^= PR_IF_F_UNDERLAY | PR_IF_F_OVN;
			e.ifc.nmacs = 1;
			e.ifc.vrf_table = 0;
			memcpy(e.ifc.rmac[0], MAC_OTHER, 6);
		}
		must(bpf_map_update_elem(E.fd_ifslots, &slot, &e, 0), "pr_ifslots");
	}
}

/* A device podroute may redirect to; xdp: it takes XDP frames as well. */
static void put_txport(uint32_t ifindex, bool xdp)
{
	struct bpf_devmap_val v = { .ifindex = ifindex };

	must(bpf_map_update_elem(E.fd_txports, &ifindex, &v, 0), "pr_txports");
	if (xdp)
		must(bpf_map_update_elem(E.fd_xdp_txports, &ifindex, &v, 0), "pr_xdp_txports");
}

void set_global_flags(uint32_t flags)
{
	uint32_t zero = 0;
	struct pr_global g = { .abi_version = PR_ABI_VERSION, .flags = flags };

	must(bpf_map_update_elem(E.fd_config, &zero, &g, 0), "pr_config");
}

void set_global_shadow(bool on)
{
	set_global_flags(on ? PR_G_F_SHADOW : 0);
}

void set_heartbeat(enum heartbeat hb)
{
	struct pr_liveness l = { .heartbeat_ns = 1, .stale_after_ms = hb == HB_OFF ? 0 : 5000 };
	struct timespec t;
	uint32_t zero = 0;

	clock_gettime(CLOCK_MONOTONIC, &t);
	if (hb == HB_FRESH)
		l.heartbeat_ns = (uint64_t)t.tv_sec * 1000000000ULL + (uint64_t)t.tv_nsec;
	must(bpf_map_update_elem(E.fd_liveness, &zero, &l, 0), "pr_liveness");
}

const uint8_t MAC_BR[6] = { 0x02, 0x00, 0x00, 0x00, 0x0b, 0x01 };      /* br-ex */
const uint8_t MAC_POD1[6] = { 0x0a, 0x58, 0x0a, 0x80, 0x01, 0x01 };    /* net 1 next hop */
const uint8_t MAC_POD2[6] = { 0x0a, 0x58, 0x0a, 0x80, 0x00, 0x01 };    /* net 2 */
const uint8_t MAC_POD3[6] = { 0x0a, 0x58, 0x0a, 0x80, 0x01, 0x07 };    /* net 3 */
const uint8_t MAC_FIB4[6] = { 0x02, 0x00, 0x00, 0x00, 0x50, 0x01 };    /* table 100 neighbours */
const uint8_t MAC_FIB6[6] = { 0x02, 0x00, 0x00, 0x00, 0x50, 0x06 };
const uint8_t MAC_R1[6] = { 0x02, 0x00, 0x00, 0x00, 0xa0, 0x01 };      /* BGP next hops */
const uint8_t MAC_R2[6] = { 0x02, 0x00, 0x00, 0x00, 0xa0, 0x02 };
const uint8_t MAC_DIRECT[6] = { 0x02, 0x00, 0x00, 0x00, 0xa0, 0x44 };  /* connected host */
const uint8_t MAC_PEER[6] = { 0x02, 0x00, 0x00, 0x00, 0xee, 0x01 };    /* the sender */
const uint8_t MAC_OTHER[6] = { 0x02, 0x00, 0x00, 0x00, 0x77, 0x77 };

/*
 * The fixture every case runs against (see the table in cases.c for what
 * each prefix exercises).
 */
static void env_fixture(void)
{
	const uint32_t antispoof = PR_NET_F_VALID | PR_NET_F_ANTISPOOF;

	E.fd_routes4 = env_map(PR_MAP_ROUTES4);
	E.fd_routes6 = env_map(PR_MAP_ROUTES6);
	E.fd_nets = env_map(PR_MAP_NETS);
	E.fd_ifaces = env_map(PR_MAP_IFACES);
	E.fd_ifslots = env_map(PR_MAP_IFSLOTS);
	E.fd_txports = env_map(PR_MAP_TXPORTS);
	E.fd_xdp_txports = env_map(PR_MAP_XDP_TXPORTS);
	E.fd_config = env_map(PR_MAP_CONFIG);
	E.fd_liveness = env_map(PR_MAP_LIVENESS);
	E.fd_stats = env_map(PR_MAP_STATS);

	put_iface(E.if_in, PR_IF_F_UNDERLAY, E.mac_in, MAC_BR, 0);
	/* in1: an underlay device enslaved to the VRF of table 100. */
	put_iface(E.if_in1, PR_IF_F_UNDERLAY, E.mac_in1, NULL, 100);
	put_iface(E.if_ovn, PR_IF_F_OVN, E.mac_ovn, NULL, 0);
	put_txport(E.if_tgt0, true);
	put_txport(E.if_tgt1, true);
	put_txport(E.if_tgt2, true);
	put_txport(E.if_ul1, true);
	put_txport(E.if_in1, false); /* stands for a VLAN device: no XDP frames */
	set_global_shadow(false);

	put_net(1, E.if_tgt0, MAC_POD1, E.mac_tgt0, 0, antispoof);
	put_net(2, E.if_tgt1, MAC_POD2, E.mac_tgt1, 0, antispoof);
	put_net(3, E.if_tgt2, MAC_POD3, E.mac_tgt2, 0, antispoof);
	put_net(4, 0, NULL, NULL, 100, antispoof);
	put_net(5, 0, NULL, NULL, 0, PR_NET_F_VALID);
	put_net(6, 0, NULL, NULL, 0, PR_NET_F_VALID);
	put_net(7, E.if_tgt0, MAC_POD1, E.mac_tgt0, 0, PR_NET_F_VALID | PR_NET_F_SHADOW);
	put_net(8, E.if_tgt1, MAC_POD2, E.mac_tgt1, 0, PR_NET_F_VALID | PR_NET_F_SKB_XMIT);
	put_net(9, E.if_tgt0, MAC_POD1, E.mac_tgt0, 0, PR_NET_F_VALID);
	put_net(10, E.if_tgt0, MAC_POD1, E.mac_tgt0, 0, 0); /* not VALID */
	put_net(11, 1 /* lo: not in pr_txports */, MAC_POD1, E.mac_tgt0, 0, PR_NET_F_VALID);
	put_net(12, 0, NULL, NULL, 0, PR_NET_F_VALID | PR_NET_F_SHADOW);
	put_net(13, 0, NULL, NULL, 100, PR_NET_F_VALID | PR_NET_F_SKB_XMIT);
	put_net(14, E.if_in1, MAC_POD1, E.mac_in1, 0, PR_NET_F_VALID);

	put_route("10.128.0.0/16", 2, PR_ACT_REDIRECT, PR_ROUTE_F_LOCAL, 0);
	put_route("10.128.1.0/24", 1, PR_ACT_REDIRECT, PR_ROUTE_F_LOCAL, 0);
	put_route("10.128.1.7/32", 3, PR_ACT_REDIRECT, PR_ROUTE_F_LOCAL, 0);
	put_route("fd00:10:128:1::/64", 1, PR_ACT_REDIRECT, PR_ROUTE_F_LOCAL, 0);
	put_route("fd00:10:128::/48", 2, PR_ACT_REDIRECT, PR_ROUTE_F_LOCAL, 0);
	put_route_in(100, "10.50.0.0/16", 4, PR_ACT_FIB, PR_ROUTE_F_LOCAL, 0);
	put_route_in(100, "10.51.0.0/16", 4, PR_ACT_FIB, PR_ROUTE_F_LOCAL, 0);
	put_route_in(100, "10.52.0.0/16", 4, PR_ACT_FIB, PR_ROUTE_F_LOCAL, 0);
	put_route_in(100, "fd00:50::/32", 4, PR_ACT_FIB, PR_ROUTE_F_LOCAL, 0);
	put_route("10.60.0.0/16", 5, PR_ACT_PASS, PR_ROUTE_F_LOCAL, 0);
	put_route("10.61.0.0/16", 6, PR_ACT_DROP, PR_ROUTE_F_LOCAL, 0);
	put_route("10.62.0.0/16", 7, PR_ACT_REDIRECT, PR_ROUTE_F_LOCAL, 0);
	put_route("10.63.0.0/16", 8, PR_ACT_REDIRECT, PR_ROUTE_F_LOCAL, 0);
	put_route("10.64.0.0/16", 9, PR_ACT_REDIRECT, PR_ROUTE_F_LOCAL, 0);
	put_route("10.65.0.0/16", 10, PR_ACT_REDIRECT, PR_ROUTE_F_LOCAL, 0);
	put_route("10.66.0.0/16", 11, PR_ACT_REDIRECT, PR_ROUTE_F_LOCAL, 0);
	put_route("10.67.0.0/16", 12, PR_ACT_DROP, PR_ROUTE_F_LOCAL, 0);
	put_route_in(100, "10.68.0.0/16", 13, PR_ACT_FIB, PR_ROUTE_F_LOCAL, 0);
	put_route("10.69.0.0/16", 14, PR_ACT_REDIRECT, PR_ROUTE_F_LOCAL, 0);
	/* The same prefixes in the default VRF and in table 100's VRF. */
	put_route("10.70.0.0/16", 1, PR_ACT_REDIRECT, PR_ROUTE_F_LOCAL, 0);
	put_route_in(100, "10.70.0.0/16", 4, PR_ACT_FIB, PR_ROUTE_F_LOCAL, 0);
	put_route("fd00:70::/32", 1, PR_ACT_REDIRECT, PR_ROUTE_F_LOCAL, 0);
	put_route_in(100, "fd00:70::/32", 4, PR_ACT_FIB, PR_ROUTE_F_LOCAL, 0);
	/* A map whose route and network disagree (default VRF -> VRF network). */
	put_route("10.71.0.0/16", 4, PR_ACT_FIB, PR_ROUTE_F_LOCAL, 0);

	/* East-west: BGP-learned remote pod prefixes (network 1, the default);
	 * where they go is the kernel's FIB's answer (routes in run.sh). */
	put_route("10.200.0.0/16", 1, PR_ACT_NEXTHOP, 0, 1);
	put_route("10.201.0.0/16", 1, PR_ACT_NEXTHOP, 0, 2);
	put_route("10.202.0.0/16", 1, PR_ACT_NEXTHOP, 0, 3);
	put_route("10.203.0.0/16", 1, PR_ACT_NEXTHOP, 0, 4);
	put_route("fd00:200::/32", 1, PR_ACT_NEXTHOP, 0, 1);
	put_route("fd00:201::/32", 1, PR_ACT_NEXTHOP, 0, 2);
}

/* ---------- counters ---------- */

#define NSTATS (PR_MAX_NETS * PR_R_MAX)

void stats_clear(void)
{
	size_t vsz = sizeof(struct pr_counter) * E.ncpus;
	static void *zeros;

	if (!zeros)
		zeros = calloc(NSTATS, vsz);
	for (uint32_t k = 0; k < NSTATS; k++)
		must(bpf_map_update_elem(E.fd_stats, &k, zeros, 0), "pr_stats clear");
}

/* Sum over CPUs of every counter into out[NSTATS]. */
void stats_read(struct pr_counter *out)
{
	struct pr_counter *percpu = calloc(E.ncpus, sizeof(*percpu));

	for (uint32_t k = 0; k < NSTATS; k++) {
		out[k].packets = out[k].bytes = 0;
		must(bpf_map_lookup_elem(E.fd_stats, &k, percpu), "pr_stats read");
		for (int c = 0; c < E.ncpus; c++) {
			out[k].packets += percpu[c].packets;
			out[k].bytes += percpu[c].bytes;
		}
	}
	free(percpu);
}

/* Exactly the listed (net, reason) counters moved, by one packet of len bytes each. */
bool stats_expect(const struct stat_exp *exp, unsigned n, uint32_t len)
{
	static struct pr_counter now[NSTATS];
	bool want[NSTATS] = { false };

	stats_read(now);
	if (getenv("PR_TEST_DEBUG"))
		for (uint32_t k = 0; k < NSTATS; k++)
			if (now[k].packets)
				fprintf(stderr, "# counter net %u %s: %llu pkts %llu bytes\n", k / PR_R_MAX,
					reason_name(k % PR_R_MAX), (unsigned long long)now[k].packets,
					(unsigned long long)now[k].bytes);
	for (unsigned i = 0; i < n; i++) {
		uint32_t k = pr_stats_index(exp[i].net, exp[i].reason);

		want[k] = true;
		if (now[k].packets != 1 || now[k].bytes != len)
			return check_fail("counter net %u reason %s: %llu packets / %llu bytes, want 1 / %u",
					  exp[i].net, reason_name(exp[i].reason),
					  (unsigned long long)now[k].packets,
					  (unsigned long long)now[k].bytes, len);
	}
	for (uint32_t k = 0; k < NSTATS; k++)
		if (!want[k] && now[k].packets)
			return check_fail("unexpected counter net %u reason %s: %llu packets",
					  k / PR_R_MAX, reason_name(k % PR_R_MAX),
					  (unsigned long long)now[k].packets);
	return true;
}

const char *reason_name(uint32_t r)
{
	return pr_reason_name(r); /* the one list, shared with the CLI */
}

/* ---------- running a program ---------- */

int run_prog(enum pr_prog_id id, uint32_t ifindex, const uint8_t *in, size_t len, uint8_t *out,
	     uint32_t *out_len, uint32_t *retval)
{
	struct xdp_md xctx = { .data_end = len, .ingress_ifindex = ifindex };
	struct __sk_buff sctx = { .ifindex = ifindex };
	bool xdp = id == PR_PROG_XDP_UNDERLAY || id == PR_PROG_XDP_OVN;
	LIBBPF_OPTS(bpf_test_run_opts, o, .data_in = in, .data_size_in = len, .data_out = out,
		    .data_size_out = PKT_MAX + 64, .repeat = 1);
	int err;

	if (xdp) {
		o.ctx_in = &xctx;
		o.ctx_size_in = sizeof(xctx);
	} else {
		o.ctx_in = &sctx;
		o.ctx_size_in = sizeof(sctx);
	}
	err = bpf_prog_test_run_opts(E.prog[id], &o);
	if (err)
		return -errno;
	*out_len = o.data_size_out;
	*retval = o.retval;
	return 0;
}

int main(int argc, char **argv)
{
	struct pr_loader_opts lo = { .routes4_max = 16384, .routes6_max = 16384,
				     .lsx4_max = 8192, .lsx6_max = 8192 };
	const char *only = argc > 1 ? argv[1] : NULL;

	log_route_libbpf();
	if (geteuid() != 0) {
		printf("1..0 # SKIP needs root\n");
		return 4;
	}
	if (env_devices())
		return 1;
	E.ncpus = libbpf_num_possible_cpus();
	if (pr_datapath_load(&E.dp, &lo))
		return 1;
	for (int i = 0; i < PR_PROG__COUNT; i++)
		E.prog[i] = pr_datapath_prog_fd(&E.dp, i);
	env_fixture();

	run_case_table(only, "");
	run_ecmp_tests(only);
	run_truncation_tests(only);
	run_live_tests(only);
	/* The same decisions with every interface read from pr_ifaces. */
	set_foreign_ifslots(true);
	run_case_table(only && strstr(only, "ifslot") ? NULL : only, "foreign-ifslot ");
	set_foreign_ifslots(false);
	/* The same decisions through the lookup index, then index vs trie. */
	if (index_begin(only)) {
		run_case_table(only && strstr(only, "index") ? NULL : only, "index ");
		run_index_sweeps(only);
	}

	printf("1..%d\n", n_total);
	printf("prog: %d passed, %d failed, %d skipped\n", n_pass, n_fail, n_skip);
	pr_datapath_close(&E.dp);
	return n_fail ? 1 : 0;
}
