// SPDX-License-Identifier: GPL-2.0-only
/*
 * `podroute debug netlink`: what the agent's netlink follower sees, one
 * line per event, from the same code the agent runs (kernel/follower.c):
 * routes with their paths expanded from nexthop objects, re-announcements
 * when an object changes, resyncs after an overrun.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <getopt.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <linux/neighbour.h>
#include <linux/nexthop.h>
#include <linux/rtnetlink.h>

#include "cli/cli.h"
#include "kernel/follower.h"
#include "lib/prefix.h"

static const char netlink_help[] =
	"Usage: podroute debug netlink [--rcvbuf BYTES] [--once]\n"
	"Dump the kernel's links, neighbours, nexthop objects and routes (all tables),\n"
	"then follow their changes, one line per event, as the agent receives them:\n"
	"routes with paths expanded from their nexthop objects, routes re-announced or\n"
	"deleted when an object changes, \"resync <why>\" ... \"resync done\" around the\n"
	"re-dump after an overrun or a silent flush, \"stats ...\" on exit.\n"
	"  --rcvbuf BYTES  notification socket buffer (default 32 MiB); small values\n"
	"                  provoke overruns and resyncs\n"
	"  --once          exit after the initial dump\n";

static struct pr_follower *dbg_src;
static volatile sig_atomic_t dbg_stop;

static void dbg_signal(int sig)
{
	(void)sig;
	dbg_stop = 1;
}

static const char *verb(int type)
{
	return type == RTM_NEWROUTE || type == RTM_NEWNEXTHOP || type == RTM_NEWNEIGH ||
	       type == RTM_NEWLINK ? "new" : "del";
}

static const char *proto_name(unsigned p, char *buf, size_t n)
{
	switch (p) {
	case RTPROT_KERNEL: return "kernel";
	case RTPROT_BOOT: return "boot";
	case RTPROT_STATIC: return "static";
	case RTPROT_ZEBRA: return "zebra";
	case PR_RTPROT_BGP: return "bgp";
	default: snprintf(buf, n, "%u", p); return buf;
	}
}

static const char *rtype_name(unsigned t, char *buf, size_t n)
{
	static const char *const names[] = {
		[RTN_UNICAST] = "unicast", [RTN_LOCAL] = "local", [RTN_BROADCAST] = "broadcast",
		[RTN_ANYCAST] = "anycast", [RTN_MULTICAST] = "multicast",
		[RTN_BLACKHOLE] = "blackhole", [RTN_UNREACHABLE] = "unreachable",
		[RTN_PROHIBIT] = "prohibit", [RTN_THROW] = "throw",
	};

	if (t < sizeof(names) / sizeof(names[0]) && names[t])
		return names[t];
	snprintf(buf, n, "%u", t);
	return buf;
}

static void print_path(const struct pr_kpath *p)
{
	char gw[INET6_ADDRSTRLEN];

	if (p->gw_family)
		printf(" via %s", inet_ntop(p->gw_family, p->gw, gw, sizeof(gw)));
	printf(" dev %u weight %u", p->ifindex, p->weight);
	if (p->flags & RTNH_F_DEAD)
		printf(" dead");
	if (p->flags & RTNH_F_LINKDOWN)
		printf(" linkdown");
	if (p->encap_type)
		printf(" encap %u", p->encap_type);
}

static void dbg_route(void *ctx, int type, const struct pr_kroute *r)
{
	char dst[PR_PREFIX_STRLEN], pb[12], tb[12];

	(void)ctx;
	printf("route %s %s table %u proto %s type %s metric %u nhid %u paths %u", verb(type),
	       pr_prefix_format(&r->dst, dst, sizeof(dst)), r->table,
	       proto_name(r->protocol, pb, sizeof(pb)), rtype_name(r->type, tb, sizeof(tb)),
	       r->priority, r->nhid, r->npaths);
	for (unsigned i = 0; i < r->npaths; i++) {
		printf(" nexthop");
		print_path(&r->paths[i]);
	}
	if (pr_follower_cause(dbg_src))
		printf(" (%s)", pr_follower_cause(dbg_src));
	printf("\n");
}

static void dbg_nexthop(void *ctx, int type, const struct pr_knexthop *nh)
{
	char pb[12];

	(void)ctx;
	printf("nexthop %s id %u proto %s", verb(type), nh->id,
	       proto_name(nh->protocol, pb, sizeof(pb)));
	if (nh->blackhole) {
		printf(" blackhole");
	} else if (nh->is_group) {
		printf(" group");
		for (unsigned i = 0; i < nh->ngroup; i++)
			printf("%c%u/%u", i ? ',' : ' ', nh->group[i], nh->group_weight[i]);
	} else {
		print_path(&nh->path);
	}
	printf("\n");
}

static void dbg_neigh(void *ctx, int type, const struct pr_kneigh *n)
{
	static const struct { unsigned bit; const char *name; } nud[] = {
		{ NUD_INCOMPLETE, "incomplete" }, { NUD_REACHABLE, "reachable" },
		{ NUD_STALE, "stale" }, { NUD_DELAY, "delay" }, { NUD_PROBE, "probe" },
		{ NUD_FAILED, "failed" }, { NUD_NOARP, "noarp" }, { NUD_PERMANENT, "permanent" },
	};
	char a[INET6_ADDRSTRLEN], mac[PR_MAC_STRLEN];
	bool any = false;

	(void)ctx;
	printf("neigh %s %s dev %u lladdr %s state", verb(type),
	       inet_ntop(n->family, n->addr, a, sizeof(a)),
	       n->ifindex, n->has_lladdr ? pr_mac_format(n->lladdr, mac, sizeof(mac)) : "none");
	for (unsigned i = 0; i < sizeof(nud) / sizeof(nud[0]); i++) {
		if (n->state & nud[i].bit) {
			printf("%c%s", any ? ',' : ' ', nud[i].name);
			any = true;
		}
	}
	printf("%s\n", any ? "" : " none");
}

static void dbg_link(void *ctx, int type, const struct pr_klink *l)
{
	char mac[PR_MAC_STRLEN];

	(void)ctx;
	printf("link %s %u %s %s %s kind %s master %u mtu %u addr %s", verb(type), l->ifindex,
	       l->name, l->up ? "up" : "down", l->carrier ? "carrier" : "no-carrier",
	       l->kind[0] ? l->kind : "-", l->master, l->mtu, pr_mac_format(l->addr, mac, sizeof(mac)));
	if (!strcmp(l->kind, "vrf"))
		printf(" table %u", l->vrf_table);
	printf("\n");
}

static void dbg_resync(void *ctx)
{
	const char *why = pr_follower_resync_why(dbg_src);

	(void)ctx;
	printf("resync %s\n", why ? why : "requested");
}

static void dbg_stats(const struct pr_follower *s)
{
	struct pr_follower_stats st;

	pr_follower_get_stats(s, &st);
	printf("stats messages %llu malformed %llu ignored %llu overruns %llu resyncs %llu "
	       "link_resyncs %llu nh_route_updates %llu nh_route_deletes %llu unresolved %llu "
	       "dump_retries %llu rcvbuf %u nexthops %zu nh_routes %zu\n",
	       (unsigned long long)st.messages, (unsigned long long)st.malformed,
	       (unsigned long long)st.ignored, (unsigned long long)st.overruns,
	       (unsigned long long)st.resyncs, (unsigned long long)st.link_resyncs,
	       (unsigned long long)st.nh_route_updates, (unsigned long long)st.nh_route_deletes,
	       (unsigned long long)st.unresolved, (unsigned long long)st.dump_retries, st.rcvbuf,
	       st.nexthops, st.nh_routes);
}

static int cmd_debug_netlink(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "rcvbuf", required_argument, NULL, 'r' }, { "once", no_argument, NULL, '1' },
		{ "help", no_argument, NULL, 'h' }, { NULL, 0, NULL, 0 },
	};
	const struct pr_nl_handlers h = { dbg_route, dbg_nexthop, dbg_neigh, dbg_link, dbg_resync };
	struct sigaction sa = { .sa_handler = dbg_signal };
	bool once = false;
	long rcvbuf = 0;
	int c, ret = 0;
	char *end;

	optind = 1;
	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (c) {
		case 'r':
			rcvbuf = strtol(optarg, &end, 0);
			if (*end || rcvbuf <= 0 || rcvbuf > (1L << 30)) {
				fprintf(stderr, "debug netlink: bad --rcvbuf \"%s\"\n", optarg);
				return 2;
			}
			break;
		case '1': once = true; break;
		case 'h': fputs(netlink_help, stdout); return 0;
		default: fputs(netlink_help, stderr); return 2;
		}
	}
	if (optind < argc) {
		fprintf(stderr, "debug netlink: unexpected argument \"%s\"\n", argv[optind]);
		return 2;
	}
	setvbuf(stdout, NULL, _IOLBF, 0);
	/* No SA_RESTART: poll returns EINTR and the loop ends. */
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	dbg_src = pr_follower_open(&h, NULL);
	if (!dbg_src)
		return 1;
	if (rcvbuf && pr_follower_set_rcvbuf(dbg_src, rcvbuf) < 0) {
		fprintf(stderr, "debug netlink: cannot set the receive buffer: %s\n", strerror(errno));
		ret = 1;
		goto out;
	}
	if (pr_follower_dump(dbg_src)) {
		ret = 1;
		goto out;
	}
	printf("ready\n");
	while (!once && !dbg_stop) {
		struct pollfd pfd = { .fd = pr_follower_fd(dbg_src), .events = POLLIN };

		if (poll(&pfd, 1, -1) < 0) {
			if (errno == EINTR)
				continue;
			perror("debug netlink: poll");
			ret = 1;
			break;
		}
		struct pr_follower_stats before, after;

		pr_follower_get_stats(dbg_src, &before);
		if (pr_follower_process(dbg_src) < 0) {
			fprintf(stderr, "debug netlink: processing error (a resync is pending)\n");
			continue;
		}
		pr_follower_get_stats(dbg_src, &after);
		if (after.resyncs != before.resyncs)
			printf("resync done\n"); /* the re-dump is complete */
	}
	dbg_stats(dbg_src);
out:
	pr_follower_close(dbg_src);
	dbg_src = NULL;
	return ret;
}

int cmd_debug(int argc, char **argv)
{
	static const struct cli_cmd cmds[] = {
		{ "netlink", cmd_debug_netlink,
		  "print each route, nexthop, neighbour and link event the agent's netlink follower sees" },
	};

	return CLI_DISPATCH("debug", cmds, NULL, argc, argv);
}
