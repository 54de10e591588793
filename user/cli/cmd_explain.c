// SPDX-License-Identifier: GPL-2.0-only
/*
 * `podroute explain ADDR`: its options and output; the model (the
 * datapath's decision read from the maps, the kernel's route, where they
 * differ) is datapath/explain.c.
 */
#include <arpa/inet.h>
#include <getopt.h>
#include <netdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <net/if.h>

#include "cli/cli.h"
#include "datapath/explain.h"
#include "datapath/pins.h"
#include "lib/names.h"
#include "lib/prefix.h"

static const char explain_help[] =
	"Usage: podroute explain ADDR [--from IF] [--src ADDR] [--proto P] [--sport N] [--dport N]\n"
	"What the datapath would do with a packet to ADDR arriving on IF, beside the\n"
	"kernel's route for the same flow (as `ip route get ADDR from SRC iif IF\n"
	"ipproto P sport N dport N`, asked over netlink), and a DISAGREE mark with\n"
	"each difference: another output device or next-hop MAC, or a fast path\n"
	"for what the kernel delivers locally, drops or cannot route.\n"
	"Shows the matching prefix and its VRF table, which lookup answered (the\n"
	"lookup index or the LPM trie: the one the datapath reads now), the\n"
	"network, the action, the next hop with its gateway and MAC, and the verdict.\n"
	"  --from IF     receiving interface, one podroute is attached to (default:\n"
	"                the first underlay interface)\n"
	"  --src ADDR    source address (default 203.0.113.1 or 2001:db8::1; give the\n"
	"                real client's: anti-spoofing, rp_filter and ECMP use it)\n"
	"  --proto P     tcp, udp, icmp, icmpv6 or a number; --sport/--dport N ports\n"
	"                (ECMP hashing may use them)\n"
	"How: a walk of the pinned maps that follows the datapath's decision order,\n"
	"not a run of the program: a test run would count a packet in the per-CPU\n"
	"counters (visible in the metrics as real traffic) and cannot report an XDP\n"
	"redirect's target. Assumed: the frame is sent to the interface's router MAC,\n"
	"with TTL > 1, no IP options, within the route's MTU. No counter changes.\n"
	"Exit: 0 podroute and the kernel agree, 1 they disagree (or a runtime\n"
	"error), 2 usage error, 3 not attached.\n";

static int parse_addr(const char *s, int *family, uint8_t *out)
{
	memset(out, 0, 16);
	if (inet_pton(AF_INET, s, out) == 1)
		return *family = AF_INET, 0;
	if (inet_pton(AF_INET6, s, out) == 1)
		return *family = AF_INET6, 0;
	return -1;
}

/* ---------- output ---------- */

static void addr_str(int family, const uint8_t *a, char *buf)
{
	inet_ntop(family, a, buf, INET6_ADDRSTRLEN);
}

static void print_json(const struct pr_explain *e, const char *from)
{
	char s[INET6_ADDRSTRLEN], d[INET6_ADDRSTRLEN], pfx[PR_PREFIX_STRLEN], dev[IF_NAMESIZE + 16], mac[PR_MAC_STRLEN];
	struct jw *w = &cli.jw;

	addr_str(e->family, e->dst, d);
	addr_str(e->family, e->src, s);
	jw_init(w, stdout, cli.pretty);
	jw_obj_begin(w);
	jw_key(w, "flow");
	jw_obj_begin(w);
	jw_kstr(w, "dst", d);
	jw_kstr(w, "src", s);
	jw_kstr(w, "from", from);
	if (e->proto)
		jw_ku64(w, "proto", e->proto);
	if (e->sport)
		jw_ku64(w, "sport", e->sport);
	if (e->dport)
		jw_ku64(w, "dport", e->dport);
	jw_obj_end(w);
	jw_key(w, "podroute");
	jw_obj_begin(w);
	if (e->have_ifc) {
		jw_kstr(w, "side", e->side);
		jw_kbool(w, "xdp", e->ifc.flags & PR_IF_F_XDP);
		jw_ku64(w, "vrf_table", e->ifc.vrf_table);
		jw_kstr(w, "lookup", e->lookup);
		if (e->lookup_note && !strcmp(e->lookup, "trie"))
			jw_kstr(w, "lookup_why_trie", e->lookup_note);
	}
	if (e->matched) {
		jw_kstr(w, "prefix", pr_prefix_format(&e->prefix, pfx, sizeof(pfx)));
		jw_ku64(w, "network", e->rt.net_id);
		jw_kstr(w, "action", pr_action_name(e->rt.action));
		jw_kbool(w, "local", e->rt.flags & PR_ROUTE_F_LOCAL);
		if (e->rt.action == PR_ACT_NEXTHOP)
			jw_ku64(w, "nexthop_group", e->rt.nhg_id);
	} else {
		jw_key(w, "prefix");
		jw_null(w);
	}
	jw_kstr(w, "verdict", pr_explain_verdict(e));
	jw_kstr(w, "reason", pr_reason_name(e->reason));
	jw_kbool(w, "shadow", e->shadow);
	if (e->tx.set) {
		jw_kstr(w, "target", pr_explain_ifname(e->tx.ifindex, dev));
		jw_kstr(w, "dmac", pr_mac_format(e->tx.dmac, mac, sizeof(mac)));
		if (e->rt.action == PR_ACT_REDIRECT)
			jw_kstr(w, "smac", pr_mac_format(e->tx.smac, mac, sizeof(mac)));
		if (e->tx.has_gw) {
			addr_str(e->tx.gw_family, e->tx.gw, s);
			jw_kstr(w, "gateway", s);
		}
		if (e->fast)
			jw_kstr(w, "hook", e->defer_tc ? "xdp, handed to tc" : e->ifc.flags & PR_IF_F_XDP ? "xdp" : "tc");
	}
	if (e->note[0])
		jw_kstr(w, "note", e->note);
	jw_obj_end(w);
	jw_key(w, "kernel");
	jw_obj_begin(w);
	if (e->k_err) {
		jw_kstr(w, "error", strerror(-e->k_err));
	} else if (e->k.error) {
		jw_kstr(w, "result", "error");
		jw_kstr(w, "error", strerror(-e->k.error));
	} else {
		jw_kstr(w, "result", pr_explain_rtn_name(e->k.type));
		jw_ku64(w, "table", e->k.table);
		jw_kstr(w, "device", pr_explain_ifname(e->k.oif, dev));
		if (e->k.has_gw) {
			addr_str(e->k.gw_family, e->k.gw, s);
			jw_kstr(w, "gateway", s);
		}
		if (e->k.has_neigh)
			jw_kstr(w, "mac", pr_mac_format(e->k.lladdr, mac, sizeof(mac)));
	}
	jw_obj_end(w);
	jw_kbool(w, "agree", !e->ndiffs);
	jw_key(w, "disagreements");
	jw_arr_begin(w);
	for (unsigned i = 0; i < e->ndiffs; i++)
		jw_str(w, e->diffs[i]);
	jw_arr_end(w);
	jw_obj_end(w);
	jw_done(w);
}

static void print_text(const struct pr_explain *e, const char *from)
{
	char s[INET6_ADDRSTRLEN], d[INET6_ADDRSTRLEN], pfx[PR_PREFIX_STRLEN], dev[IF_NAMESIZE + 16];
	char m1[PR_MAC_STRLEN], m2[PR_MAC_STRLEN];

	addr_str(e->family, e->dst, d);
	addr_str(e->family, e->src, s);
	printf("flow:     %s -> %s arriving on %s\n", s, d, from);
	if (!e->have_ifc) {
		printf("podroute: %s is not one of podroute's interfaces: pass (no-iface)\n", from);
	} else {
		bool why = e->lookup_note && !strcmp(e->lookup, "trie");

		printf("podroute: %s side%s, VRF table %u; lookup: %s%s%s%s\n", e->side,
		       e->ifc.flags & PR_IF_F_XDP ? ", XDP" : ", TC", e->ifc.vrf_table, e->lookup,
		       why ? " (" : "", why ? e->lookup_note : "", why ? ")" : "");
		if (e->matched)
			printf("          prefix %s, network %u, action %s%s\n", pr_prefix_format(&e->prefix, pfx, sizeof(pfx)),
			       e->rt.net_id, pr_action_name(e->rt.action), e->rt.flags & PR_ROUTE_F_LOCAL ? " (local)" : "");
		else
			printf("          no prefix matches\n");
		if (e->tx.set) {
			printf("          next hop: %s", pr_explain_ifname(e->tx.ifindex, dev));
			if (e->tx.has_gw) {
				addr_str(e->tx.gw_family, e->tx.gw, s);
				printf(" via %s", s);
			}
			printf(", MAC %s", pr_mac_format(e->tx.dmac, m1, sizeof(m1)));
			if (e->rt.action == PR_ACT_REDIRECT)
				printf(" (from %s)", pr_mac_format(e->tx.smac, m2, sizeof(m2)));
			printf("\n");
		}
		if (e->note[0])
			printf("          %s\n", e->note);
	}
	printf("          verdict: %s (%s)%s%s\n", pr_explain_verdict(e), pr_reason_name(e->reason),
	       e->fast ? (e->defer_tc ? ", XDP hands it to TC" : e->ifc.flags & PR_IF_F_XDP ? ", at XDP" : ", at TC") : "",
	       e->shadow ? ", shadow mode: would act, passes instead" : "");
	if (e->k_err)
		printf("kernel:   cannot ask: %s\n", strerror(-e->k_err));
	else if (e->k.error)
		printf("kernel:   no route: %s\n", strerror(-e->k.error));
	else {
		printf("kernel:   %s via %s", pr_explain_rtn_name(e->k.type), pr_explain_ifname(e->k.oif, dev));
		if (e->k.has_gw) {
			addr_str(e->k.gw_family, e->k.gw, s);
			printf(" gateway %s", s);
		}
		if (e->k.has_neigh)
			printf(", MAC %s", pr_mac_format(e->k.lladdr, m1, sizeof(m1)));
		printf(" (table %u)\n", e->k.table);
	}
	if (!e->ndiffs)
		printf("AGREE\n");
	for (unsigned i = 0; i < e->ndiffs; i++)
		printf("DISAGREE: %s\n", e->diffs[i]);
}

static int parse_port(const char *s, uint16_t *out)
{
	char *end;
	long v = strtol(s, &end, 10);

	if (!*s || *end || v < 1 || v > 65535)
		return -1;
	*out = v;
	return 0;
}

int cmd_explain(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "from", required_argument, NULL, 'f' }, { "src", required_argument, NULL, 's' },
		{ "proto", required_argument, NULL, 'P' }, { "sport", required_argument, NULL, 'S' },
		{ "dport", required_argument, NULL, 'D' }, { "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *from = NULL, *src = NULL, *proto = NULL;
	struct pr_explain *e = calloc(1, sizeof(*e));
	char fromname[IF_NAMESIZE + 16];
	struct pr_pins p;
	int c, rc, sfam;

	if (!e)
		return cli_error(PR_EXIT_FAIL, "out of memory");
	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (c) {
		case 'f': from = optarg; break;
		case 's': src = optarg; break;
		case 'P': proto = optarg; break;
		case 'S':
			if (parse_port(optarg, &e->sport))
				return free(e), cli_usage_error("explain", "--sport: \"%s\" is not a port (1..65535)", optarg);
			break;
		case 'D':
			if (parse_port(optarg, &e->dport))
				return free(e), cli_usage_error("explain", "--dport: \"%s\" is not a port (1..65535)", optarg);
			break;
		case 'h': fputs(explain_help, stdout); free(e); return 0;
		default: free(e); return cli_usage_error("explain", "bad option");
		}
	}
	if (optind >= argc)
		return free(e), cli_usage_error("explain", "expected a destination address");
	if (optind + 1 < argc)
		return free(e), cli_usage_error("explain", "unexpected argument \"%s\"", argv[optind + 1]);
	if (parse_addr(argv[optind], &e->family, e->dst))
		return free(e), cli_usage_error("explain", "\"%s\" is not an IPv4 or IPv6 address", argv[optind]);
	if (src) {
		if (parse_addr(src, &sfam, e->src) || sfam != e->family)
			return free(e), cli_usage_error("explain", "--src: \"%s\" is not an address of the destination's family", src);
	} else {
		parse_addr(e->family == AF_INET ? "203.0.113.1" : "2001:db8::1", &sfam, e->src);
	}
	if (proto) {
		struct protoent *pe = getprotobyname(proto);
		char *end;
		long v = strtol(proto, &end, 10);

		if (pe)
			e->proto = pe->p_proto;
		else if (*proto && !*end && v > 0 && v < 256)
			e->proto = v;
		else
			return free(e), cli_usage_error("explain", "--proto: \"%s\" is not a protocol name or number", proto);
	}
	if ((e->sport || e->dport) && e->proto != IPPROTO_TCP && e->proto != IPPROTO_UDP && e->proto != IPPROTO_SCTP)
		return free(e), cli_usage_error("explain", "--sport/--dport need --proto tcp, udp or sctp");
	if (from) {
		e->iif = if_nametoindex(from);
		if (!e->iif)
			return free(e), cli_usage_error("explain", "--from: no interface \"%s\"", from);
	}
	rc = cli_open_pins(&p);
	if (rc)
		return free(e), rc;
	if (!e->iif) {
		e->iif = pr_explain_default_iif(p.fd[PR_MAP_IFACES]);
		if (!e->iif) {
			pr_pins_close(&p);
			free(e);
			return cli_usage_error("explain", "no underlay interface is attached: give --from IF");
		}
		from = pr_explain_ifname(e->iif, fromname);
	}
	pr_explain_run(p.fd, e);
	if (cli.json)
		print_json(e, from);
	else
		print_text(e, from);
	rc = e->ndiffs ? PR_EXIT_FAIL : PR_EXIT_OK;
	pr_pins_close(&p);
	free(e);
	return rc;
}
