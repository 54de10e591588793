// SPDX-License-Identifier: GPL-2.0-only
/*
 * What the datapath would do with one packet (see datapath/explain.h).
 *
 * Why a walk of the pinned maps and not BPF_PROG_TEST_RUN of the pinned
 * program: a test run counts its packet in pr_stats (per-CPU counters the
 * metrics export as real traffic, which cannot be taken back without
 * racing the datapath on that CPU), and an XDP test run reports
 * XDP_REDIRECT without its target. So this file follows pr_process()
 * (bpf/pr_datapath.h) step for step on the maps' contents: receiving
 * interface, martians, longest match in its VRF's domain (through the
 * lookup index when the datapath would use it, else the trie; both are
 * read and compared), side, network, VRF isolation, anti-spoofing,
 * action, the stale-agent guard, hairpin and allowed targets, shadow mode,
 * XDP or TC. What the program asks bpf_fib_lookup (east-west, VRF
 * targets) is asked of the kernel with RTM_GETROUTE, which walks the same
 * FIB. Not modelled: the frame's MACs (assumed addressed to the
 * interface's router MAC), TTL (assumed > 1), IP options, checksums, the
 * route MTU. Keep in step with bpf/pr_datapath.h.
 */
#include "datapath/explain.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <net/if.h>
#include <sys/mman.h>
#include <linux/neighbour.h>
#include <linux/rtnetlink.h>
#include <bpf/bpf.h>

#include "kernel/features.h"
#include "lib/names.h"
#include "reconcile/lookup_index.h"

const char *pr_explain_ifname(uint32_t ifindex, char *buf)
{
	if (!ifindex) {
		snprintf(buf, IF_NAMESIZE + 16, "none");
		return buf;
	}
	if (!if_indextoname(ifindex, buf))
		snprintf(buf, IF_NAMESIZE + 16, "ifindex %u", ifindex);
	return buf;
}

static bool martian(int family, const uint8_t *a)
{
	if (family == AF_INET)
		return a[0] == 0 || a[0] == 127 || (a[0] >> 4) == 0xe || (a[0] == 169 && a[1] == 254) ||
		       (a[0] == 255 && a[1] == 255 && a[2] == 255 && a[3] == 255);
	if (a[0] == 0xff || (a[0] == 0xfe && (a[1] & 0xc0) == 0x80))
		return true;
	for (int i = 0; i < 15; i++)
		if (a[i])
			return false;
	return a[15] <= 1;
}

/* ---------- the longest match, as the datapath finds it ---------- */

/* The LPM key of addr/len in domain: the prefix helpers' own key. */
static void make_key(int family, uint32_t domain, const uint8_t *addr, unsigned len, void *key)
{
	struct pr_prefix p;

	/* family and len come from the event: AF_INET/32 or AF_INET6/128 at most. */
	pr_prefix_from_addr(&p, family, addr, len);
	if (family == AF_INET)
		pr_prefix_to_key4(&p, domain, key);
	else
		pr_prefix_to_key6(&p, domain, key);
}

/*
 * Whether key is a prefix of the LPM trie exactly (a lookup returns the
 * longest match, never says which prefix matched). The kernel's
 * get_next_key for a trie returns the first key in its order when the key
 * given is not in the trie, else its successor (or ENOENT after the last),
 * and the first key is nobody's successor.
 */
static bool trie_has(int fd, const void *key, size_t ks)
{
	uint8_t first[32], next[32];

	if (bpf_map_get_next_key(fd, NULL, first))
		return false; /* empty */
	if (bpf_map_get_next_key(fd, key, next))
		return errno == ENOENT; /* key is the last one */
	return !memcmp(key, first, ks) || memcmp(next, first, ks);
}

/* The trie's longest match of dst in domain: 1 with e->prefix, e->rt; 0: none. */
static int trie_match(const int *map_fd, struct pr_explain *e, uint32_t domain)
{
	bool v6 = e->family == AF_INET6;
	int fd = map_fd[v6 ? PR_MAP_ROUTES6 : PR_MAP_ROUTES4];
	unsigned full = v6 ? 128 : 32;
	size_t ks = v6 ? sizeof(struct pr_lpm6_key) : sizeof(struct pr_lpm4_key);
	uint8_t key[sizeof(struct pr_lpm6_key)];

	make_key(e->family, domain, e->dst, full, key);
	if (bpf_map_lookup_elem(fd, key, &e->rt))
		return 0;
	for (int len = full; len >= 0; len--) {
		make_key(e->family, domain, e->dst, len, key);
		if (trie_has(fd, key, ks)) {
			pr_prefix_from_addr(&e->prefix, e->family, e->dst, len);
			return 1;
		}
	}
	pr_prefix_from_addr(&e->prefix, e->family, e->dst, full); /* not found: say the address */
	return 1;
}

/* The lookup index's answer, when the datapath would take it (bpf/pr_lsx.h):
 * 1 (answered; *found, *r), 0 (the trie answers; e->lookup_note says why). */
static int index_match(const int *fd, struct pr_explain *e, uint32_t domain, bool *found,
		       struct pr_route *r)
{
	bool v6 = e->family == AF_INET6;
	unsigned fam = v6, tbl;
	uint32_t zero = 0, act;
	struct pr_lsx_ctl *ctl = calloc(1, sizeof(*ctl));
	struct bpf_map_info info = {};
	uint32_t ilen = sizeof(info);
	uint8_t key[sizeof(struct pr_lpm6_key)], v[4];
	int lines_fd = fd[v6 ? PR_MAP_LSX6 : PR_MAP_LSX4], rc = 0;
	void *m;

	if (!ctl || bpf_map_lookup_elem(fd[PR_MAP_LSX_CTL], &zero, ctl)) {
		e->lookup_note = "the index's control map cannot be read";
		goto out;
	}
	act = ctl->active[fam];
	if (act != 1 && act != 2) {
		e->lookup_note = "the index is off (not built, or a hand edit turned it off until the next build)";
		goto out;
	}
	tbl = act - 1;
	if (domain > PR_LSX_MAX_DOMAIN) {
		e->lookup_note = "this VRF table is above the index's range";
		goto out;
	}
	if (!(ctl->tab[fam][tbl].flags & PR_LSX_T_BUILT)) {
		e->lookup_note = "the index's table is not built";
		goto out;
	}
	make_key(e->family, domain, e->dst, v6 ? 128 : 32, key);
	if (ctl->changed[fam][tbl] &&
	    !bpf_map_lookup_elem(fd[(v6 ? PR_MAP_LSX_CHG6_0 : PR_MAP_LSX_CHG4_0) + tbl], key, v)) {
		e->lookup_note = "a prefix covering it changed since the index was built";
		goto out;
	}
	if (bpf_obj_get_info_by_fd(lines_fd, &info, &ilen) || !info.max_entries) {
		e->lookup_note = "the index's table cannot be read";
		goto out;
	}
	m = mmap(NULL, (size_t)info.max_entries * sizeof(union pr_lsx_elem), PROT_READ, MAP_SHARED, lines_fd, 0);
	if (m == MAP_FAILED) {
		e->lookup_note = "the index's table cannot be mapped";
		goto out;
	}
	{
		const struct pr_route *hit = NULL;

		if (!pr_lookup_index_search(m, info.max_entries, &ctl->tab[fam][tbl], v6, domain, e->dst, &hit)) {
			munmap(m, (size_t)info.max_entries * sizeof(union pr_lsx_elem));
			e->lookup_note = "this VRF table is not in the index (more than 16 tables with prefixes)";
			goto out;
		}
		*found = hit != NULL;
		if (hit)
			*r = *hit;
	}
	munmap(m, (size_t)info.max_entries * sizeof(union pr_lsx_elem));
	rc = 1;
out:
	free(ctl);
	return rc;
}

/* ---------- the decision, in pr_process()'s order ---------- */

static void kernel_tx(const struct pr_route_answer *k, struct pr_explain_tx *t)
{
	t->set = true;
	t->ifindex = k->oif;
	memcpy(t->dmac, k->lladdr, 6);
	t->has_gw = k->has_gw;
	t->gw_family = k->gw_family;
	memcpy(t->gw, k->gw, 16);
}

static bool neigh_usable(const struct pr_route_answer *k)
{
	return k->has_neigh && (k->nud_state & (NUD_REACHABLE | NUD_STALE | NUD_DELAY | NUD_PROBE |
					       NUD_PERMANENT | NUD_NOARP));
}

static void decide(const int *fd, struct pr_explain *e)
{
	uint32_t zero = 0, domain;
	struct pr_global g = {};
	struct pr_liveness l = {};
	uint8_t one[sizeof(struct bpf_devmap_val)];
	bool found_idx = false, idx;
	struct pr_route idx_rt = {};
	struct pr_net drop_net = {};

	e->reason = PR_R_MISS;
	if (bpf_map_lookup_elem(fd[PR_MAP_IFACES], &e->iif, &e->ifc)) {
		e->reason = PR_R_NO_IFACE;
		return;
	}
	e->have_ifc = true;
	e->side = e->ifc.flags & PR_IF_F_OVN ? "ovn" : "underlay";
	if (martian(e->family, e->dst) || martian(e->family, e->src)) {
		e->reason = PR_R_MARTIAN;
		return;
	}
	domain = e->ifc.vrf_table;
	e->matched = trie_match(fd, e, domain);
	idx = index_match(fd, e, domain, &found_idx, &idx_rt);
	e->lookup = idx ? "index" : "trie";
	if (idx && (found_idx != e->matched || (found_idx && memcmp(&idx_rt, &e->rt, sizeof(idx_rt)))))
		e->index_differs = true; /* the datapath reads the index: its answer counts */
	if (idx) {
		e->matched = found_idx;
		e->rt = idx_rt;
	}
	if (!e->matched)
		return;
	if (!strcmp(e->side, "underlay") ? !(e->rt.flags & PR_ROUTE_F_LOCAL) : e->rt.action != PR_ACT_NEXTHOP) {
		snprintf(e->note, sizeof(e->note), "the prefix is %s: the %s side leaves it to the kernel",
			 e->rt.flags & PR_ROUTE_F_LOCAL ? "advertised by this node" : "not advertised by this node",
			 e->side);
		return;
	}
	if (e->rt.net_id >= PR_MAX_NETS || bpf_map_lookup_elem(fd[PR_MAP_NETS], &e->rt.net_id, &e->net) ||
	    !(e->net.flags & PR_NET_F_VALID)) {
		e->reason = PR_R_NO_TARGET;
		return;
	}
	e->have_net = true;
	if (!strcmp(e->side, "underlay") && e->net.vrf_table != e->ifc.vrf_table) {
		snprintf(e->note, sizeof(e->note), "VRF isolation: network %u is in VRF table %u, %s in %u",
			 e->rt.net_id, e->net.vrf_table, "the interface", e->ifc.vrf_table);
		return;
	}
	bpf_map_lookup_elem(fd[PR_MAP_CONFIG], &zero, &g);
	if (!strcmp(e->side, "underlay") && !(g.flags & PR_G_F_NO_ANTISPOOF)) {
		struct pr_explain s = *e;
		struct pr_net sn;

		memcpy(s.dst, e->src, 16);
		if (trie_match(fd, &s, domain) && (s.rt.flags & PR_ROUTE_F_LOCAL) && s.rt.net_id < PR_MAX_NETS &&
		    !bpf_map_lookup_elem(fd[PR_MAP_NETS], &s.rt.net_id, &sn) && (sn.flags & PR_NET_F_VALID) &&
		    (sn.flags & PR_NET_F_ANTISPOOF)) {
			e->reason = PR_R_SPOOF;
			e->drop = true;
			drop_net = sn; /* the datapath asks shadow mode of the source's network */
			goto drop;
		}
	}
	switch (e->rt.action) {
	case PR_ACT_PASS:
		e->reason = PR_R_PASS_ACT;
		return;
	case PR_ACT_DROP:
		e->reason = PR_R_DROP_ACT;
		e->drop = true;
		drop_net = e->net;
		goto drop;
	case PR_ACT_REDIRECT:
		e->tx.set = true;
		e->tx.ifindex = e->net.ifindex;
		memcpy(e->tx.dmac, e->net.dmac, 6);
		memcpy(e->tx.smac, e->net.smac, 6);
		break;
	case PR_ACT_FIB: {
		struct pr_flow f = { .family = e->family, .has_src = true, .oif = pr_vrf_ifindex(e->net.vrf_table),
				     .proto = e->proto, .sport = e->sport, .dport = e->dport };
		struct pr_route_answer k;

		memcpy(f.dst, e->dst, 16);
		memcpy(f.src, e->src, 16);
		if (!f.oif || pr_route_get(&f, &k) || k.error || k.type != RTN_UNICAST) {
			e->reason = f.oif ? PR_R_NOT_FWD : PR_R_FIB_FAIL;
			snprintf(e->note, sizeof(e->note), "the lookup in VRF table %u does not forward it",
				 e->net.vrf_table);
			return;
		}
		if (!neigh_usable(&k)) {
			e->reason = PR_R_NO_NEIGH;
			return;
		}
		kernel_tx(&k, &e->tx);
		break;
	}
	case PR_ACT_NEXTHOP:
		if (!bpf_map_lookup_elem(fd[PR_MAP_LIVENESS], &zero, &l) && l.stale_after_ms) {
			struct timespec ts;

			clock_gettime(CLOCK_MONOTONIC, &ts);
			if ((uint64_t)ts.tv_sec * 1000000000ULL + ts.tv_nsec - l.heartbeat_ns >
			    (uint64_t)l.stale_after_ms * 1000000ULL) {
				e->reason = PR_R_AGENT_GONE;
				return;
			}
		}
		/* bpf_fib_lookup as the kernel's input lookup: the same question. */
		if (e->k_err || e->k.error || e->k.type != RTN_UNICAST) {
			e->reason = e->k_err ? PR_R_FIB_FAIL : PR_R_NOT_FWD;
			return;
		}
		if (!neigh_usable(&e->k)) {
			e->reason = PR_R_NO_NEIGH;
			return;
		}
		kernel_tx(&e->k, &e->tx);
		break;
	default:
		e->reason = PR_R_NO_TARGET;
		return;
	}
	if (e->tx.ifindex == e->iif || bpf_map_lookup_elem(fd[PR_MAP_TXPORTS], &e->tx.ifindex, one)) {
		snprintf(e->note, sizeof(e->note), "%s", e->tx.ifindex == e->iif ? "a hairpin: out the way it came"
					 : "the target is not in pr_txports");
		e->reason = PR_R_NO_TARGET;
		return;
	}
	e->defer_tc = (e->ifc.flags & PR_IF_F_XDP) &&
		      ((e->net.flags & PR_NET_F_SKB_XMIT) || bpf_map_lookup_elem(fd[PR_MAP_XDP_TXPORTS], &e->tx.ifindex, one));
	/* Before shadow mode, as the datapath decides it. */
	if (e->defer_tc && !pr_kernel_has_xdp_meta()) {
		snprintf(e->note, sizeof(e->note), "%s",
			 "the target takes no XDP frames, and this kernel refuses XDP the metadata of the hand-off to TC");
		e->defer_tc = false;
		e->reason = PR_R_NO_HANDOFF;
		return;
	}
	bpf_map_lookup_elem(fd[PR_MAP_CONFIG], &zero, &g);
	if ((e->net.flags & PR_NET_F_SHADOW) || (g.flags & PR_G_F_SHADOW)) {
		e->shadow = true;
		e->reason = PR_R_SHADOW;
		return;
	}
	e->fast = true;
	e->reason = PR_R_REDIRECT;
	return;
drop:
	bpf_map_lookup_elem(fd[PR_MAP_CONFIG], &zero, &g);
	if ((drop_net.flags & PR_NET_F_SHADOW) || (g.flags & PR_G_F_SHADOW)) {
		e->shadow = true;
		e->drop = false;
	}
}

/* ---------- the comparison ---------- */

static void differ(struct pr_explain *e, const char *fmt, const char *a, const char *b)
{
	if (e->ndiffs < PR_EXPLAIN_MAX_DIFFS)
		snprintf(e->diffs[e->ndiffs++], sizeof(e->diffs[0]), fmt, a, b);
}

const char *pr_explain_rtn_name(uint8_t t)
{
	switch (t) {
	case RTN_UNICAST: return "unicast";
	case RTN_LOCAL: return "local";
	case RTN_BROADCAST: return "broadcast";
	case RTN_MULTICAST: return "multicast";
	case RTN_BLACKHOLE: return "blackhole";
	case RTN_UNREACHABLE: return "unreachable";
	case RTN_PROHIBIT: return "prohibit";
	case RTN_THROW: return "throw";
	default: return "other";
	}
}

static void compare(struct pr_explain *e)
{
	char a[IF_NAMESIZE + 16], b[IF_NAMESIZE + 16], ma[PR_MAC_STRLEN], mb[PR_MAC_STRLEN];
	bool k_fwd = !e->k_err && !e->k.error && e->k.type == RTN_UNICAST;

	if (e->index_differs)
		differ(e, "%s%s", "the lookup index and the LPM trie answer differently (the datapath reads the index)", "");
	if (e->drop && k_fwd)
		differ(e, "podroute drops it (%s); the kernel would forward it via %s", pr_reason_name(e->reason),
		       pr_explain_ifname(e->k.oif, b));
	if (!e->tx.set || (!e->fast && !e->shadow))
		return; /* the slow path: the kernel decides, by definition the same */
	if (!k_fwd) {
		differ(e, "podroute would fast-path it to %s; the kernel %s", pr_explain_ifname(e->tx.ifindex, a),
		       e->k_err ? "could not be asked"
		       : e->k.error ? "refuses it (no route, or a martian)"
		       : e->k.type == RTN_LOCAL ? "delivers it locally"
					      : "drops it (blackhole, unreachable or prohibit)");
		return;
	}
	if (e->k.oif != e->tx.ifindex)
		differ(e, "output device: podroute %s, the kernel %s", pr_explain_ifname(e->tx.ifindex, a), pr_explain_ifname(e->k.oif, b));
	else if (e->k.has_gw && neigh_usable(&e->k) && memcmp(e->k.lladdr, e->tx.dmac, 6))
		differ(e, "next-hop MAC: podroute %s, the kernel's neighbour of its gateway %s",
		       pr_mac_format(e->tx.dmac, ma, sizeof(ma)), pr_mac_format(e->k.lladdr, mb, sizeof(mb)));
}

const char *pr_explain_verdict(const struct pr_explain *e)
{
	return e->fast ? "redirect" : e->drop ? "drop" : "pass";
}

uint32_t pr_explain_default_iif(int fd)
{
	uint32_t key, next, best = 0, *prev = NULL;
	struct pr_iface v;

	while (!bpf_map_get_next_key(fd, prev, &next)) {
		key = next;
		prev = &key;
		if (!bpf_map_lookup_elem(fd, &key, &v) && (v.flags & PR_IF_F_UNDERLAY) && (!best || key < best))
			best = key;
	}
	return best;
}

void pr_explain_run(const int *fd, struct pr_explain *e)
{
	struct pr_flow f = { .family = e->family, .has_src = true, .iif = e->iif, .proto = e->proto,
			     .sport = e->sport, .dport = e->dport };

	memcpy(f.dst, e->dst, 16);
	memcpy(f.src, e->src, 16);
	e->k_err = pr_route_get(&f, &e->k);
	decide(fd, e);
	compare(e);
}
