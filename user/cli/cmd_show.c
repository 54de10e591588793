// SPDX-License-Identifier: GPL-2.0-only
/*
 * The operator's read commands: status, routes, networks, nexthops (stats
 * has its own file, cmd_stats.c).
 * They read the pinned maps only (nothing is loaded or changed), decode
 * every field, and print text or, with -j, JSON.
 */
#include <errno.h>
#include <getopt.h>
#include <net/if.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "datapath/hook_state.h"
#include "cli/cli.h"
#include "lib/names.h"
#include "datapath/pins.h"
#include "podroute_abi.h"
#include "lib/prefix.h"

static const char *ifname_of(uint32_t ifindex, char *buf)
{
	if (!ifindex || !if_indextoname(ifindex, buf))
		snprintf(buf, IF_NAMESIZE, "#%u", ifindex);
	return buf;
}

/* A command whose only options are -h / --help. */
static int simple_args(int argc, char **argv, const char *help)
{
	if (cli_wants_help(argc, argv)) {
		fputs(help, stdout);
		return -1;
	}
	if (argc > 1) {
		cli_usage_error(argv[0], "unexpected argument \"%s\"", argv[1]);
		return PR_EXIT_USAGE;
	}
	return 0;
}

/* simple_args, then the pins open (an error said). */
static int simple_open(int argc, char **argv, const char *help, struct pr_pins *p)
{
	int rc = simple_args(argc, argv, help);

	return rc ? rc : cli_open_pins(p);
}

/* Keys of a map (of up to 64 bytes). */
static unsigned count_keys(int fd)
{
	uint8_t key[64], next[64];
	unsigned n = 0;
	void *prev = NULL;

	while (!bpf_map_get_next_key(fd, prev, next)) {
		memcpy(key, next, sizeof(key));
		prev = key;
		n++;
	}
	return n;
}

static uint32_t map_capacity(int fd)
{
	struct bpf_map_info info = {};
	uint32_t len = sizeof(info);

	return bpf_obj_get_info_by_fd(fd, &info, &len) ? 0 : info.max_entries;
}

static bool lsx_on(const struct pr_lsx_ctl *c, int family)
{
	return c->active[family] == 1 || c->active[family] == 2;
}

/* One interface's line(s) of status, or its JSON object. */
static void print_iface(const struct pr_if_hooks *h, const char *ifname, enum pr_if_verdict v,
			const char *why)
{
	const char *role = h->if_flags & PR_IF_F_OVN ? "ovn" : "underlay";
	bool need_xdp, need_tc;

	pr_hooks_required(h->if_flags, &need_xdp, &need_tc);
	if (cli.json) {
		jw_obj_begin(&cli.jw);
		jw_kstr(&cli.jw, "ifname", ifname);
		jw_ku64(&cli.jw, "ifindex", h->ifindex);
		jw_kstr(&cli.jw, "role", role);
		jw_kstr(&cli.jw, "verdict", pr_if_verdict_name(v));
		jw_kstr(&cli.jw, "why", why);
		jw_kbool(&cli.jw, "xdp_expected", need_xdp);
		jw_ku64(&cli.jw, "xdp_prog_id", h->xdp.id);
		jw_kstr(&cli.jw, "xdp_prog", h->xdp.name);
		jw_kstr(&cli.jw, "xdp_owner", pr_hook_owner_text(&h->xdp));
		jw_kstr(&cli.jw, "xdp_mode", h->xdp.xdp_mode ? h->xdp.xdp_mode : "none");
		jw_kbool(&cli.jw, "tc_expected", need_tc);
		jw_ku64(&cli.jw, "tc_prog_id", h->tc.id);
		jw_kstr(&cli.jw, "tc_prog", h->tc.name);
		jw_kstr(&cli.jw, "tc_owner", pr_hook_owner_text(&h->tc));
		jw_obj_end(&cli.jw);
		return;
	}
	printf("  %-12s %-8s %-9s xdp: ", ifname, role, v == PR_IFV_OK ? "ok" : pr_if_verdict_name(v));
	if (h->xdp.id)
		printf("%s (%s, %s)", h->xdp.name[0] ? h->xdp.name : "?", pr_hook_owner_text(&h->xdp),
		       h->xdp.xdp_mode);
	else
		printf("none%s", need_xdp ? " (expected)" : "");
	printf("  tc ingress: ");
	if (h->tc.id)
		printf("%s (%s)", h->tc.name[0] ? h->tc.name : "?", pr_hook_owner_text(&h->tc));
	else
		printf("none%s", need_tc ? " (expected)" : " (not needed: XDP takes every packet)");
	printf("\n");
	if (v != PR_IFV_OK)
		printf("  %-12s -> %s\n", "", why);
}

int cmd_status(int argc, char **argv)
{
	static const char help[] =
		"Usage: podroute status\n"
		"What the kernel has attached on each interface podroute attached (ours by\n"
		"program id, someone else's, or missing) with a verdict per interface and\n"
		"overall, the global mode, the agent's heartbeat and how full the prefix\n"
		"maps are. Exit status: 0 ok, 1 a problem found (an interface missing a\n"
		"hook or holding someone else's program, the agent gone, an ABI mismatch,\n"
		"nothing attached), 2 usage, 3 nothing pinned.\n";
	struct pr_pins p;
	struct pr_global g = {};
	struct pr_liveness live = {};
	struct timespec now;
	double beat_age;
	bool gone;
	struct pr_lsx_ctl ctl = {};
	uint32_t zero = 0, key, *prev = NULL, lsx_cap[2], lsx_changed[2] = { 0, 0 };
	char problems[4][128];
	unsigned nifs = 0, nbad = 0, nprob = 0;
	unsigned r4, r6;
	char name[IF_NAMESIZE];
	int rc = simple_open(argc, argv, help, &p);

	if (rc)
		return rc < 0 ? 0 : rc;
	bpf_map_lookup_elem(p.fd[PR_MAP_CONFIG], &zero, &g);
	/* The datapath's own verdict on the agent (pr_agent_gone). */
	bpf_map_lookup_elem(p.fd[PR_MAP_LIVENESS], &zero, &live);
	clock_gettime(CLOCK_MONOTONIC, &now);
	beat_age = live.heartbeat_ns ? ((double)now.tv_sec * 1e9 + now.tv_nsec - (double)live.heartbeat_ns) / 1e9 : -1;
	gone = live.stale_after_ms && (beat_age < 0 || beat_age * 1e3 > live.stale_after_ms);
	r4 = count_keys(p.fd[PR_MAP_ROUTES4]);
	r6 = count_keys(p.fd[PR_MAP_ROUTES6]);
	bpf_map_lookup_elem(p.fd[PR_MAP_LSX_CTL], &zero, &ctl);
	/* Two tables of lines, two lines per prefix (datapath/load.c); 1 line: disabled. */
	for (int f = 0; f < 2; f++) {
		static const enum pr_map chg[2][2] = { { PR_MAP_LSX_CHG4_0, PR_MAP_LSX_CHG4_1 },
							   { PR_MAP_LSX_CHG6_0, PR_MAP_LSX_CHG6_1 } };

		lsx_cap[f] = PR_LSX_MAP_PREFIXES(map_capacity(p.fd[f ? PR_MAP_LSX6 : PR_MAP_LSX4]));
		/* Prefixes changed since the current table was built: the
		 * destinations they cover are looked up in the trie. */
		if (lsx_on(&ctl, f))
			lsx_changed[f] = count_keys(p.fd[chg[f][ctl.active[f] - 1]]);
	}
	if (cli.json) {
		jw_init(&cli.jw, stdout, cli.pretty);
		jw_obj_begin(&cli.jw);
		jw_kstr(&cli.jw, "pin_dir", cli.pin_dir);
		jw_ku64(&cli.jw, "abi_version", g.abi_version);
		jw_kbool(&cli.jw, "shadow", g.flags & PR_G_F_SHADOW);
		jw_key(&cli.jw, "agent");
		jw_obj_begin(&cli.jw);
		jw_key(&cli.jw, "heartbeat_age_ms");
		if (beat_age < 0)
			jw_null(&cli.jw);
		else
			jw_u64(&cli.jw, (uint64_t)(beat_age * 1e3));
		jw_ku64(&cli.jw, "stale_after_seconds", live.stale_after_ms / 1000);
		jw_kbool(&cli.jw, "gone", gone);
		jw_obj_end(&cli.jw);
		jw_key(&cli.jw, "routes4");
		jw_obj_begin(&cli.jw);
		jw_ku64(&cli.jw, "entries", r4);
		jw_ku64(&cli.jw, "capacity", map_capacity(p.fd[PR_MAP_ROUTES4]));
		jw_obj_end(&cli.jw);
		jw_key(&cli.jw, "routes6");
		jw_obj_begin(&cli.jw);
		jw_ku64(&cli.jw, "entries", r6);
		jw_ku64(&cli.jw, "capacity", map_capacity(p.fd[PR_MAP_ROUTES6]));
		jw_obj_end(&cli.jw);
		jw_key(&cli.jw, "lookup_index");
		jw_obj_begin(&cli.jw);
		for (int f = 0; f < 2; f++) {
			jw_key(&cli.jw, f ? "ipv6" : "ipv4");
			jw_obj_begin(&cli.jw);
			jw_kbool(&cli.jw, "active", lsx_on(&ctl, f));
			jw_ku64(&cli.jw, "domains", lsx_on(&ctl, f) ? ctl.tab[f][ctl.active[f] - 1].ndom : 0);
			jw_ku64(&cli.jw, "elements", lsx_on(&ctl, f) ? ctl.tab[f][ctl.active[f] - 1].nelems : 0);
			jw_ku64(&cli.jw, "changed", lsx_changed[f]);
			jw_ku64(&cli.jw, "capacity", lsx_cap[f]);
			jw_obj_end(&cli.jw);
		}
		jw_obj_end(&cli.jw);
		jw_key(&cli.jw, "interfaces");
		jw_arr_begin(&cli.jw);
	} else {
		printf("pinned maps:  %s (map ABI %u)\n", cli.pin_dir, g.abi_version);
		printf("global mode:  %s\n", g.flags & PR_G_F_SHADOW ? "shadow (deciding, passing everything)" : "enforcing");
		if (!live.heartbeat_ns)
			printf("agent:        no heartbeat (no agent has run on these pins)\n");
		else if (gone)
			printf("agent:        GONE: last heartbeat %.1f s ago (bound %u s): learned routes are "
			       "left to the kernel\n", beat_age, live.stale_after_ms / 1000);
		else
			printf("agent:        heartbeat %.1f s ago%s%.0u%s\n", beat_age,
			       live.stale_after_ms ? " (guard after " : " (no guard)", live.stale_after_ms / 1000,
			       live.stale_after_ms ? " s)" : "");
		printf("prefixes:     %u IPv4 of %u, %u IPv6 of %u\n", r4,
		       map_capacity(p.fd[PR_MAP_ROUTES4]), r6, map_capacity(p.fd[PR_MAP_ROUTES6]));
		printf("lookup index:");
		for (int f = 0; f < 2; f++) {
			printf(" IPv%d ", f ? 6 : 4);
			if (!lsx_cap[f])
				printf("disabled");
			else if (lsx_on(&ctl, f))
				printf("on (%u VRF tables, %u prefixes changed since the build, room for about %u prefixes)",
				       ctl.tab[f][ctl.active[f] - 1].ndom, lsx_changed[f], lsx_cap[f]);
			else
				printf("off (the trie serves)");
			printf(f ? "\n" : ",");
		}
		printf("interfaces:\n");
	}
	while (!bpf_map_get_next_key(p.fd[PR_MAP_IFACES], prev, &key)) {
		struct pr_if_hooks h;
		enum pr_if_verdict v;
		char why[256];

		prev = &key;
		nifs++;
		pr_if_hooks_read(p.fd[PR_MAP_IFACES], key, &h);
		v = pr_if_hooks_verdict(&h, why, sizeof(why));
		if (v != PR_IFV_OK)
			nbad++;
		print_iface(&h, ifname_of(key, name), v, why);
	}
	/* The overall verdict: the interfaces, and what makes the datapath
	 * act other than configured whatever its hooks hold. */
	if (!nifs)
		snprintf(problems[nprob++], sizeof(problems[0]), "no interface attached (pr_ifaces is empty)");
	if (nbad)
		snprintf(problems[nprob++], sizeof(problems[0]), "%u of %u interfaces not as attached", nbad, nifs);
	if (gone)
		snprintf(problems[nprob++], sizeof(problems[0]), "the agent is gone");
	if (g.abi_version != PR_ABI_VERSION)
		snprintf(problems[nprob++], sizeof(problems[0]), "pinned maps have ABI %u, this podroute %u",
			 g.abi_version, PR_ABI_VERSION);
	if (cli.json) {
		jw_arr_end(&cli.jw);
		jw_kstr(&cli.jw, "verdict", nprob ? "problem" : "ok");
		jw_key(&cli.jw, "problems");
		jw_arr_begin(&cli.jw);
		for (unsigned i = 0; i < nprob; i++)
			jw_str(&cli.jw, problems[i]);
		jw_arr_end(&cli.jw);
		jw_obj_end(&cli.jw);
		jw_done(&cli.jw);
	} else {
		printf("verdict:      %s", nprob ? "PROBLEM: " : "ok");
		for (unsigned i = 0; i < nprob; i++)
			printf("%s%s", i ? "; " : "", problems[i]);
		printf("\n");
	}
	pr_pins_close(&p);
	return nprob ? PR_EXIT_FAIL : PR_EXIT_OK;
}

static void print_nexthop(const struct pr_pins *p, uint32_t nh_id)
{
	struct pr_nexthop nh = {};
	char name[IF_NAMESIZE], mac[PR_MAC_STRLEN];

	bpf_map_lookup_elem(p->fd[PR_MAP_NEXTHOPS], &nh_id, &nh);
	if (cli.json) {
		jw_obj_begin(&cli.jw);
		jw_ku64(&cli.jw, "id", nh_id);
		jw_kstr(&cli.jw, "dev", ifname_of(nh.ifindex, name));
		jw_kstr(&cli.jw, "mac", pr_mac_format(nh.dmac, mac, sizeof(mac)));
		jw_kbool(&cli.jw, "resolved", nh.flags & PR_NH_F_VALID);
		jw_obj_end(&cli.jw);
	} else {
		printf(" nh%u:%s/%s%s", nh_id, ifname_of(nh.ifindex, name),
		       pr_mac_format(nh.dmac, mac, sizeof(mac)),
		       nh.flags & PR_NH_F_VALID ? "" : "(unresolved)");
	}
}

static void print_route(const struct pr_pins *p, const struct pr_prefix *pfx, uint32_t domain,
			const struct pr_route *r)
{
	char buf[PR_PREFIX_STRLEN];
	struct pr_nhgrp g = {};

	pr_prefix_format(pfx, buf, sizeof(buf));
	if (r->action == PR_ACT_NEXTHOP)
		bpf_map_lookup_elem(p->fd[PR_MAP_NHGRPS], &r->nhg_id, &g);
	if (g.count > PR_MAX_NH)
		g.count = 0;
	if (cli.json) {
		jw_obj_begin(&cli.jw);
		jw_kstr(&cli.jw, "prefix", buf);
		jw_ku64(&cli.jw, "vrf_table", domain);
		jw_ku64(&cli.jw, "net", r->net_id);
		jw_kstr(&cli.jw, "action", pr_action_name(r->action));
		jw_kbool(&cli.jw, "local", r->flags & PR_ROUTE_F_LOCAL);
		if (r->action == PR_ACT_NEXTHOP) {
			jw_ku64(&cli.jw, "nhg", r->nhg_id);
			jw_key(&cli.jw, "nexthops");
			jw_arr_begin(&cli.jw);
			for (unsigned i = 0; i < g.count; i++)
				print_nexthop(p, g.nh[i]);
			jw_arr_end(&cli.jw);
		}
		jw_obj_end(&cli.jw);
		return;
	}
	printf("%-40s net %-3u %-8s %s", buf, r->net_id, pr_action_name(r->action),
	       r->flags & PR_ROUTE_F_LOCAL ? "local" : "learned");
	if (domain)
		printf(" vrf-table %u", domain);
	if (r->action == PR_ACT_NEXTHOP) {
		printf(" nhg %u:", r->nhg_id);
		for (unsigned i = 0; i < g.count; i++)
			print_nexthop(p, g.nh[i]);
	}
	printf("\n");
}

int cmd_routes(int argc, char **argv)
{
	static const char help[] =
		"Usage: podroute routes [-4|-6]\n"
		"Every prefix in the datapath's LPM maps: advertised (local) prefixes with\n"
		"their network and action, BGP-learned ones with their next-hop group.\n";
	static const struct option opts[] = { { "help", no_argument, NULL, 'h' }, { NULL, 0, NULL, 0 } };
	bool v4 = true, v6 = true;
	struct pr_pins p;
	struct pr_route r;
	struct pr_prefix pfx;
	uint32_t domain;
	int c, rc;

	while ((c = getopt_long(argc, argv, "46h", opts, NULL)) != -1) {
		switch (c) {
		case '4': v6 = false; break;
		case '6': v4 = false; break;
		case 'h': fputs(help, stdout); return 0;
		default: return cli_usage_error("routes", "bad option");
		}
	}
	rc = cli_args_done_open_pins("routes", argc, argv, &p);
	if (rc)
		return rc;
	cli_list_begin();
	if (v4) {
		struct pr_lpm4_key k, *prev = NULL;

		while (!bpf_map_get_next_key(p.fd[PR_MAP_ROUTES4], prev, &k)) {
			prev = &k;
			if (!bpf_map_lookup_elem(p.fd[PR_MAP_ROUTES4], &k, &r) && !pr_prefix_from_key4(&pfx, &domain, &k))
				print_route(&p, &pfx, domain, &r);
		}
	}
	if (v6) {
		struct pr_lpm6_key k, *prev = NULL;

		while (!bpf_map_get_next_key(p.fd[PR_MAP_ROUTES6], prev, &k)) {
			prev = &k;
			if (!bpf_map_lookup_elem(p.fd[PR_MAP_ROUTES6], &k, &r) && !pr_prefix_from_key6(&pfx, &domain, &k))
				print_route(&p, &pfx, domain, &r);
		}
	}
	return cli_list_done(&p);
}

int cmd_networks(int argc, char **argv)
{
	static const char help[] =
		"Usage: podroute networks\n"
		"The network entries: target port and MACs, or VRF table, and flags\n"
		"(shadow, antispoof, skb-xmit: target takes no XDP frames, TC redirects).\n";
	struct pr_pins p;
	char name[IF_NAMESIZE], d[PR_MAC_STRLEN], s[PR_MAC_STRLEN];
	int rc = simple_open(argc, argv, help, &p);

	if (rc)
		return rc < 0 ? 0 : rc;
	cli_list_begin();
	for (uint32_t id = 0; id < PR_MAX_NETS; id++) {
		struct pr_net n;

		if (bpf_map_lookup_elem(p.fd[PR_MAP_NETS], &id, &n) || !(n.flags & PR_NET_F_VALID))
			continue;
		if (cli.json) {
			jw_obj_begin(&cli.jw);
			jw_ku64(&cli.jw, "id", id);
			jw_kstr(&cli.jw, "port", n.ifindex ? ifname_of(n.ifindex, name) : "");
			jw_kstr(&cli.jw, "dmac", pr_mac_format(n.dmac, d, sizeof(d)));
			jw_kstr(&cli.jw, "smac", pr_mac_format(n.smac, s, sizeof(s)));
			jw_ku64(&cli.jw, "vrf_table", n.vrf_table);
			jw_kbool(&cli.jw, "shadow", n.flags & PR_NET_F_SHADOW);
			jw_kbool(&cli.jw, "antispoof", n.flags & PR_NET_F_ANTISPOOF);
			jw_kbool(&cli.jw, "skb_xmit", n.flags & PR_NET_F_SKB_XMIT);
			jw_obj_end(&cli.jw);
		} else {
			printf("net %-3u port %-14s dmac %s smac %s table %-6u%s%s%s\n", id,
			       n.ifindex ? ifname_of(n.ifindex, name) : "-", pr_mac_format(n.dmac, d, sizeof(d)),
			       pr_mac_format(n.smac, s, sizeof(s)), n.vrf_table,
			       n.flags & PR_NET_F_SHADOW ? " shadow" : "",
			       n.flags & PR_NET_F_ANTISPOOF ? " antispoof" : "",
			       n.flags & PR_NET_F_SKB_XMIT ? " skb-xmit" : "");
		}
	}
	return cli_list_done(&p);
}

int cmd_nexthops(int argc, char **argv)
{
	static const char help[] =
		"Usage: podroute nexthops\n"
		"East-west next-hop groups (ECMP) and the next hops they hold.\n";
	struct pr_pins p;
	int rc = simple_open(argc, argv, help, &p);

	if (rc)
		return rc < 0 ? 0 : rc;
	cli_list_begin();
	for (uint32_t id = 1; id < PR_MAX_NHGRPS; id++) {
		struct pr_nhgrp g;

		if (bpf_map_lookup_elem(p.fd[PR_MAP_NHGRPS], &id, &g) || !g.count || g.count > PR_MAX_NH)
			continue;
		if (cli.json) {
			jw_obj_begin(&cli.jw);
			jw_ku64(&cli.jw, "group", id);
			jw_key(&cli.jw, "nexthops");
			jw_arr_begin(&cli.jw);
		} else {
			printf("group %u:", id);
		}
		for (unsigned i = 0; i < g.count; i++)
			print_nexthop(&p, g.nh[i]);
		if (cli.json) {
			jw_arr_end(&cli.jw);
			jw_obj_end(&cli.jw);
		} else {
			printf("\n");
		}
	}
	return cli_list_done(&p);
}
