// SPDX-License-Identifier: GPL-2.0-only
/*
 * Hand edits of the pinned maps, for debugging and demos: `net`, `prefix`,
 * `shadow`. With an agent running, its next reconcile puts the maps back
 * to what the config and the kernel's routes say.
 */
#include <errno.h>
#include <net/if.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>
#include <bpf/bpf.h>

#include "cli/cli.h"
#include "kernel/devcaps.h"
#include "reconcile/lookup_index.h"
#include "lib/names.h"
#include "datapath/pins.h"
#include "podroute_abi.h"
#include "lib/prefix.h"

static int parse_u32(const char *s, uint32_t max, uint32_t *out)
{
	char *end;
	unsigned long v;

	errno = 0;
	v = strtoul(s, &end, 10);
	if (errno || *end || !*s || v > max)
		return -EINVAL;
	*out = v;
	return 0;
}

static const char net_help[] =
	"Usage: podroute net set ID port IF mac MAC [FLAGS]\n"
	"       podroute net set ID fib TABLE [FLAGS]\n"
	"       podroute net set ID pass|drop [FLAGS]\n"
	"       podroute net del ID\n"
	"Write network ID (1..255) by hand. FLAGS: shadow, antispoof, skb-xmit.\n"
	"A port target is added to the redirect allow-list (pr_txports), and to\n"
	"pr_xdp_txports if it takes XDP frames (else XDP hands it to TC).\n";

static int parse_net_id(const char *arg, uint32_t *id)
{
	if (parse_u32(arg, PR_MAX_NETS - 1, id) || !*id)
		return cli_usage_error("net", "\"%s\" is not a network id 1..%d", arg, PR_MAX_NETS - 1);
	return 0;
}

/* Write network id (and a port target's allow-list entries) to the pins. */
static int net_write(uint32_t id, const struct pr_net *n)
{
	struct pr_pins p;
	int rc = cli_open_pins(&p);

	if (rc)
		return rc;
	if (n->ifindex) {
		struct bpf_devmap_val v = { .ifindex = n->ifindex };

		if (bpf_map_update_elem(p.fd[PR_MAP_TXPORTS], &n->ifindex, &v, 0))
			rc = cli_error(PR_EXIT_FAIL, "pr_txports: %s", strerror(errno));
		else if (pr_dev_xdp_xmit(n->ifindex) &&
			 bpf_map_update_elem(p.fd[PR_MAP_XDP_TXPORTS], &n->ifindex, &v, 0))
			rc = cli_error(PR_EXIT_FAIL, "pr_xdp_txports: %s", strerror(errno));
	}
	/* Anti-spoofing on: the datapath must stop skipping the source
	 * lookup before the network says so (PR_G_F_NO_ANTISPOOF). */
	if (!rc && (n->flags & PR_NET_F_ANTISPOOF)) {
		uint32_t zero = 0;
		struct pr_global g = {};

		if (bpf_map_lookup_elem(p.fd[PR_MAP_CONFIG], &zero, &g))
			rc = cli_error(PR_EXIT_FAIL, "pr_config: %s", strerror(errno));
		else if (g.flags & PR_G_F_NO_ANTISPOOF) {
			g.flags &= ~PR_G_F_NO_ANTISPOOF;
			if (bpf_map_update_elem(p.fd[PR_MAP_CONFIG], &zero, &g, 0))
				rc = cli_error(PR_EXIT_FAIL, "pr_config: %s", strerror(errno));
		}
	}
	if (!rc && bpf_map_update_elem(p.fd[PR_MAP_NETS], &id, n, 0))
		rc = cli_error(PR_EXIT_FAIL, "pr_nets[%u]: %s", id, strerror(errno));
	pr_pins_close(&p);
	return rc;
}

/* "port IF mac MAC": the target's ifindex, its MAC as source, MAC as destination. */
static int parse_port_target(const char *ifname, const char *mac, struct pr_net *n)
{
	struct ifreq ifr = {};
	int s;

	n->ifindex = if_nametoindex(ifname);
	if (!n->ifindex)
		return cli_error(PR_EXIT_FAIL, "%s: no such interface", ifname);
	if (pr_mac_parse(mac, n->dmac))
		return cli_usage_error("net", "\"%s\" is not a MAC address", mac);
	s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	snprintf(ifr.ifr_name, IF_NAMESIZE, "%s", ifname);
	if (s < 0 || ioctl(s, SIOCGIFHWADDR, &ifr)) {
		if (s >= 0)
			close(s);
		return cli_error(PR_EXIT_FAIL, "%s: cannot read its MAC", ifname);
	}
	close(s);
	memcpy(n->smac, ifr.ifr_hwaddr.sa_data, 6);
	return 0;
}

static int net_set(int argc, char **argv)
{
	static const struct { const char *name; uint32_t bit; } flags[] = {
		{ "shadow", PR_NET_F_SHADOW },
		{ "antispoof", PR_NET_F_ANTISPOOF },
		{ "skb-xmit", PR_NET_F_SKB_XMIT },
	};
	struct pr_net n = { .flags = PR_NET_F_VALID };
	uint32_t id;
	int i = 2, rc;
	if (cli_wants_help(argc, argv)) {
		fputs(net_help, stdout);
		return 0;
	}

	if (argc < 2)
		return cli_usage_error("net", "expected \"set ID TARGET [FLAGS]\"");
	rc = parse_net_id(argv[1], &id);
	if (rc)
		return rc;
	if (argc < 3)
		return cli_usage_error("net", "missing target: port, fib, pass or drop");
	if (!strcmp(argv[i], "port")) {
		if (argc < i + 4 || strcmp(argv[i + 2], "mac"))
			return cli_usage_error("net", "expected \"port IF mac MAC\"");
		rc = parse_port_target(argv[i + 1], argv[i + 3], &n);
		if (rc)
			return rc;
		i += 4;
	} else if (!strcmp(argv[i], "fib")) {
		if (argc < i + 2 || parse_u32(argv[i + 1], UINT32_MAX, &n.vrf_table) || !n.vrf_table)
			return cli_usage_error("net", "expected \"fib TABLE\" with a table id > 0");
		i += 2;
	} else if (!strcmp(argv[i], "pass") || !strcmp(argv[i], "drop")) {
		i++;
	} else {
		return cli_usage_error("net", "unknown target \"%s\"", argv[i]);
	}
	for (; i < argc; i++) {
		size_t f = 0;

		while (f < sizeof(flags) / sizeof(flags[0]) && strcmp(argv[i], flags[f].name))
			f++;
		if (f == sizeof(flags) / sizeof(flags[0]))
			return cli_usage_error("net", "unknown flag \"%s\"", argv[i]);
		n.flags |= flags[f].bit;
	}
	return net_write(id, &n);
}

static int net_del(int argc, char **argv)
{
	const struct pr_net none = {};
	uint32_t id;
	int rc;
	if (cli_wants_help(argc, argv)) {
		fputs(net_help, stdout);
		return 0;
	}

	if (argc != 2)
		return cli_usage_error("net", "expected \"del ID\"");
	rc = parse_net_id(argv[1], &id);
	return rc ? rc : net_write(id, &none);
}

int cmd_net(int argc, char **argv)
{
	static const struct cli_cmd cmds[] = {
		{ "set", net_set, "write a network entry" },
		{ "del", net_del, "clear a network entry" },
	};

	return CLI_DISPATCH("net", cmds, net_help, argc, argv);
}

static const char prefix_help[] =
	"Usage: podroute prefix add PREFIX net ID [action redirect|fib|pass|drop] [vrf TABLE]\n"
	"       podroute prefix del PREFIX [vrf TABLE]\n"
	"Add a locally advertised prefix for network ID by hand (default action:\n"
	"redirect), or delete a prefix. vrf TABLE puts it in the routing domain of\n"
	"that VRF table (only interfaces enslaved to that VRF see it; default 0,\n"
	"the default VRF).\n";

static int prefix_edit(int argc, char **argv, bool add)
{
	struct pr_route r = { .action = PR_ACT_REDIRECT, .flags = PR_ROUTE_F_LOCAL };
	struct pr_prefix pfx;
	struct pr_pins p;
	uint32_t domain = 0;
	const char *why;
	int rc, fd;
	if (cli_wants_help(argc, argv)) {
		fputs(prefix_help, stdout);
		return 0;
	}

	if (argc < 2)
		return cli_usage_error("prefix", "expected \"add PREFIX net ID\" or \"del PREFIX\"");
	if (pr_prefix_parse(argv[1], &pfx, &why))
		return cli_usage_error("prefix", "bad prefix \"%s\": %s", argv[1], why);
	/* Keyword/value pairs after the prefix, each at most once. */
	for (int i = 2; i < argc; i += 2) {
		const char *kw = argv[i], *val = i + 1 < argc ? argv[i + 1] : NULL;

		if (!val)
			return cli_usage_error("prefix", "\"%s\" needs a value", kw);
		if (add && !strcmp(kw, "net") && !r.net_id) {
			if (parse_u32(val, PR_MAX_NETS - 1, &r.net_id) || !r.net_id)
				return cli_usage_error("prefix", "\"%s\" is not a network id 1..%d", val,
						       PR_MAX_NETS - 1);
		} else if (add && !strcmp(kw, "action")) {
			int a = pr_action_parse(val);

			if (a < 0 || a == PR_ACT_NEXTHOP)
				return cli_usage_error("prefix", "action must be redirect, fib, pass or drop");
			r.action = a;
		} else if (!strcmp(kw, "vrf") && !domain) {
			if (parse_u32(val, UINT32_MAX, &domain) || !domain)
				return cli_usage_error("prefix", "\"%s\" is not a VRF table 1..%u", val, UINT32_MAX);
		} else {
			return cli_usage_error("prefix", "unexpected argument \"%s\"", kw);
		}
	}
	if (add && !r.net_id)
		return cli_usage_error("prefix", "expected \"add PREFIX net ID\"");
	rc = cli_open_pins(&p);
	if (rc)
		return rc;
	/* The lookup index must not answer for the trie as it was. */
	rc = pr_lookup_index_invalidate_fd(p.fd[PR_MAP_LSX_CTL], pfx.family == AF_INET6);
	if (rc) {
		pr_pins_close(&p);
		return cli_error(PR_EXIT_FAIL, "cannot turn the lookup index off: %s", strerror(-rc));
	}
	if (pfx.family == AF_INET) {
		struct pr_lpm4_key k;

		pr_prefix_to_key4(&pfx, domain, &k);
		fd = p.fd[PR_MAP_ROUTES4];
		rc = add ? bpf_map_update_elem(fd, &k, &r, 0) : bpf_map_delete_elem(fd, &k);
	} else {
		struct pr_lpm6_key k;

		pr_prefix_to_key6(&pfx, domain, &k);
		fd = p.fd[PR_MAP_ROUTES6];
		rc = add ? bpf_map_update_elem(fd, &k, &r, 0) : bpf_map_delete_elem(fd, &k);
	}
	if (rc)
		rc = cli_error(PR_EXIT_FAIL, "%s %s: %s", add ? "adding" : "deleting", argv[1], strerror(errno));
	pr_pins_close(&p);
	return rc;
}

static int prefix_add(int argc, char **argv)
{
	return prefix_edit(argc, argv, true);
}

static int prefix_del(int argc, char **argv)
{
	return prefix_edit(argc, argv, false);
}

int cmd_prefix(int argc, char **argv)
{
	static const struct cli_cmd cmds[] = {
		{ "add", prefix_add, "add a locally advertised prefix" },
		{ "del", prefix_del, "delete a prefix" },
	};

	return CLI_DISPATCH("prefix", cmds, prefix_help, argc, argv);
}

int cmd_shadow(int argc, char **argv)
{
	static const char help[] =
		"Usage: podroute shadow on|off\n"
		"Global shadow mode: every network decides and counts as if enforcing, but\n"
		"every packet is passed to the slow path (compare with `podroute stats`).\n";
	uint32_t zero = 0;
	struct pr_global g = {};
	struct pr_pins p;
	int rc;

	if (cli_wants_help(argc, argv)) {
		fputs(help, stdout);
		return 0;
	}
	if (argc != 2 || (strcmp(argv[1], "on") && strcmp(argv[1], "off")))
		return cli_usage_error("shadow", "expected \"on\" or \"off\"");
	rc = cli_open_pins(&p);
	if (rc)
		return rc;
	bpf_map_lookup_elem(p.fd[PR_MAP_CONFIG], &zero, &g);
	g.flags = !strcmp(argv[1], "on") ? g.flags | PR_G_F_SHADOW : g.flags & ~PR_G_F_SHADOW;
	if (bpf_map_update_elem(p.fd[PR_MAP_CONFIG], &zero, &g, 0))
		rc = cli_error(PR_EXIT_FAIL, "pr_config: %s", strerror(errno));
	pr_pins_close(&p);
	return rc;
}
