// SPDX-License-Identifier: GPL-2.0-only
/*
 * The reconciler (see reconcile/reconcile.h). The rules, which are the spec:
 *
 * pr_config[0]  = { PR_ABI_VERSION, shadow if cfg->shadow }
 * pr_nets[id]   for each network: VALID, SHADOW, ANTISPOOF as configured;
 *               port target: ifindex, smac = the port's MAC, dmac = the
 *               configured MAC or the neighbour's; VRF target: the table.
 * local prefix  -> { net, action, LOCAL }: REDIRECT when the port exists, is
 *               up and the next-hop MAC is known; FIB when the VRF table is
 *               known; PASS/DROP as configured; PASS (the slow path) when the
 *               target cannot be resolved; the reason is kept per network.
 * learned route -> { net, NEXTHOP, group } when it passes the policy:
 *               protocol and table accepted (a network's VRF table counts),
 *               unicast, inside an accepted prefix (if any), not equal to or
 *               inside a local prefix (ours win), at least one path with a
 *               gateway on an underlay interface, within max_learned_routes
 *               (the first N in (family, prefix) order). net = the network
 *               whose VRF table it is; table main -> the first network
 *               without a VRF; else 0.
 * route keys    (domain, prefix): the domain is the network's VRF table (0
 *               without a VRF); a learned route's is its table when that is
 *               a network's VRF table, else 0. Interfaces look up in the
 *               domain of their VRF, so VRFs may reuse the same prefixes.
 * next hop      one per (underlay ifindex, gateway): { ifindex, smac, dmac,
 *               VALID only if the neighbour is usable and the link up }.
 * group         one per distinct slot list; weights expand into repeated
 *               slots while they fit in PR_MAX_NH, else one slot each.
 * pr_txports    underlay devices, network ports, devices in network VRFs.
 * pr_xdp_txports those of them that take XDP frames (pr_klink.xdp_xmit); XDP
 *               hands any other target to TC on the receiving device.
 * pr_ifaces     each configured interface: its role, XDP if podroute's XDP
 *               runs there, its MAC (an underlay NIC also br-ex's), and the
 *               table of the VRF it is enslaved to, which scopes ingress.
 * pr_nets       vrf_table is the network's VRF table for every target, so
 *               that ingress from another VRF is never fast-pathed.
 *
 * Ids of next hops and groups are stable: a next hop keeps its id while its
 * (ifindex, gateway) is wanted, so a neighbour MAC change rewrites one
 * pr_nexthops entry and nothing else; a group keeps its id while its slots
 * are unchanged. A freed id is not reused in the round that freed it. On
 * start, ids are adopted from the maps by matching values, so a restart
 * with nothing changed writes nothing.
 *
 * Apply order, so that no lookup ever lands on a missing entry:
 * upserts of txports, XDP txports, nexthops, groups, nets, config; upserts
 * of routes; deletes of routes; deletes of nets, groups, nexthops, XDP
 * txports, txports.
 */
#include "reconcile/reconcile.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <linux/bpf.h>
#include <linux/neighbour.h>
#include <linux/rtnetlink.h>

#include "lib/hashtab.h"
#include "lib/log.h"
#include "podroute_abi.h"

#define MAX_KEY 24
#define MAX_VAL 36

/* A map entry as the mirror and the desired state hold it. */
struct rec {
	uint8_t key[MAX_KEY];
	uint8_t val[MAX_VAL];
};

/* Next-hop identity: what makes it the same next hop across rounds. */
struct nh_ident {
	uint32_t ifindex;
	uint8_t family;
	uint8_t gw[16];
};

struct id_rec {
	uint8_t key[sizeof(struct pr_nhgrp)]; /* nh_ident, or the group's slots */
	uint32_t id;
};

struct pr_reconciler {
	struct pr_mapio io;
	struct pr_htab mirror[PR_MAP__RECONCILED];
	struct pr_htab nh_ids, grp_ids;   /* identity -> id, carried across rounds */
	uint8_t *nh_used, *grp_used;      /* ids held by the mirror or this round */
	bool adopting;                    /* no round has completed since start */
	char net_status[PR_MAX_NETS][96];
	/* What pr_reconcile_route needs from the last complete full round. */
	bool synced;                      /* that round succeeded, nothing failed since */
	uint32_t ul_ifindex[PR_CFG_MAX_IFS];
	unsigned nul;
	unsigned learned, over_limit;     /* learned routes in the maps / left out */
};

_Static_assert(sizeof(struct pr_lpm6_key) <= MAX_KEY, "MAX_KEY");
_Static_assert(sizeof(struct pr_nhgrp) <= MAX_VAL, "MAX_VAL");
_Static_assert(sizeof(struct pr_iface) <= MAX_VAL, "MAX_VAL");


static void rec_set(struct pr_htab *t, enum pr_map m, const void *key, const void *val)
{
	struct rec r = {};

	memcpy(r.key, key, pr_maps[m].key_size);
	memcpy(r.val, val, pr_maps[m].value_size);
	pr_htab_set(t, &r);
}

struct walk_arg {
	struct pr_reconciler *s;
	enum pr_map m;
};

static void mirror_add(void *arg, const void *key, const void *val)
{
	struct walk_arg *w = arg;
	uint32_t id;

	rec_set(&w->s->mirror[w->m], w->m, key, val);
	memcpy(&id, key, 4);
	if (w->m == PR_MAP_NEXTHOPS && id < PR_MAX_NEXTHOPS)
		w->s->nh_used[id] = 1;
	if (w->m == PR_MAP_NHGRPS && id < PR_MAX_NHGRPS)
		w->s->grp_used[id] = 1;
}

static int mirror_load(struct pr_reconciler *s)
{
	memset(s->nh_used, 0, PR_MAX_NEXTHOPS);
	memset(s->grp_used, 0, PR_MAX_NHGRPS);
	s->nh_used[0] = s->grp_used[0] = 1; /* 0 means "none" */
	for (int m = 0; m < PR_MAP__RECONCILED; m++) {
		struct walk_arg w = { s, m };
		int err;

		pr_htab_clear(&s->mirror[m]);
		err = s->io.walk(s->io.ctx, m, mirror_add, &w);
		if (err) {
			log_err("reconcile: cannot read %s: %s", pr_maps[m].name, strerror(-err));
			return err;
		}
	}
	return 0;
}

struct pr_reconciler *pr_reconcile_new(const struct pr_mapio *io)
{
	struct pr_reconciler *s = calloc(1, sizeof(*s));

	if (!s)
		return NULL;
	s->io = *io;
	for (int m = 0; m < PR_MAP__RECONCILED; m++)
		pr_htab_init(&s->mirror[m], sizeof(struct rec), MAX_KEY);
	pr_htab_init(&s->nh_ids, sizeof(struct id_rec), sizeof(((struct id_rec *)0)->key));
	pr_htab_init(&s->grp_ids, sizeof(struct id_rec), sizeof(((struct id_rec *)0)->key));
	s->adopting = true;
	s->nh_used = calloc(PR_MAX_NEXTHOPS, 1);
	s->grp_used = calloc(PR_MAX_NHGRPS, 1);
	if (!s->nh_used || !s->grp_used || mirror_load(s)) {
		pr_reconcile_free(s);
		return NULL;
	}
	return s;
}

void pr_reconcile_free(struct pr_reconciler *s)
{
	if (!s)
		return;
	for (int m = 0; m < PR_MAP__RECONCILED; m++)
		pr_htab_free(&s->mirror[m]);
	pr_htab_free(&s->nh_ids);
	pr_htab_free(&s->grp_ids);
	free(s->nh_used);
	free(s->grp_used);
	free(s);
}

size_t pr_reconcile_count(const struct pr_reconciler *s, enum pr_map m)
{
	return s->mirror[m].count;
}

void pr_reconcile_walk(const struct pr_reconciler *s, enum pr_map m,
		       void (*fn)(void *arg, const void *key, const void *val), void *arg)
{
	struct pr_htab_iter it = {};
	const struct rec *r;

	while ((r = pr_htab_next(&s->mirror[m], &it)))
		fn(arg, r->key, r->val);
}

unsigned pr_reconcile_learned(const struct pr_reconciler *s)
{
	return s->learned;
}

const char *pr_reconcile_net_status(const struct pr_reconciler *s, uint32_t net_id)
{
	return net_id < PR_MAX_NETS ? s->net_status[net_id] : "";
}

/* ---------- building the desired state ---------- */

struct build {
	struct pr_reconciler *s;
	const struct pr_reconcile_input *in;
	struct pr_htab want[PR_MAP__RECONCILED];
	struct pr_htab neighs; /* (ifindex, family, addr) -> neigh */
	struct pr_htab new_nh_ids, new_grp_ids;
	uint8_t *nh_taken, *grp_taken; /* ids wanted this round */
	struct pr_reconcile_stats *st;
	uint32_t ul_ifindex[PR_CFG_MAX_IFS]; /* the underlay devices that exist */
	unsigned nul;
};

struct neigh_rec {
	uint32_t ifindex;
	uint8_t family;
	uint8_t addr[16];
	struct pr_kneigh n;
};

static const struct pr_klink *link_by_index(const struct pr_reconcile_input *in, uint32_t ifindex)
{
	for (size_t i = 0; i < in->nlinks; i++)
		if (in->links[i].ifindex == ifindex)
			return &in->links[i];
	return NULL;
}

static const struct pr_klink *link_by_name(const struct pr_reconcile_input *in, const char *name)
{
	for (size_t i = 0; i < in->nlinks; i++)
		if (!strcmp(in->links[i].name, name))
			return &in->links[i];
	return NULL;
}

static bool neigh_usable(uint16_t state)
{
	return state & (NUD_REACHABLE | NUD_STALE | NUD_DELAY | NUD_PROBE | NUD_PERMANENT | NUD_NOARP);
}

static const struct pr_kneigh *neigh_find(const struct build *b, uint32_t ifindex, int family,
					  const uint8_t *addr)
{
	struct neigh_rec k = { .ifindex = ifindex, .family = family };
	const struct neigh_rec *r;

	memcpy(k.addr, addr, family == AF_INET ? 4 : 16);
	r = pr_htab_get(&b->neighs, &k);
	return r && r->n.has_lladdr && neigh_usable(r->n.state) ? &r->n : NULL;
}

static void want_txport(struct build *b, uint32_t ifindex)
{
	const struct pr_klink *l = link_by_index(b->in, ifindex);
	struct bpf_devmap_val v = { .ifindex = ifindex };

	rec_set(&b->want[PR_MAP_TXPORTS], PR_MAP_TXPORTS, &ifindex, &v);
	if (l && l->xdp_xmit)
		rec_set(&b->want[PR_MAP_XDP_TXPORTS], PR_MAP_XDP_TXPORTS, &ifindex, &v);
}

static bool is_underlay(const struct build *b, uint32_t ifindex)
{
	const struct pr_klink *l = link_by_index(b->in, ifindex);

	if (!l)
		return false;
	for (unsigned i = 0; i < b->in->cfg->nunderlay; i++)
		if (!strcmp(b->in->cfg->underlay[i], l->name))
			return true;
	return false;
}

static void status(struct build *b, uint32_t id, const char *fmt, const char *arg)
{
	char msg[96];

	snprintf(msg, sizeof(msg), fmt, arg);
	if (strcmp(msg, b->s->net_status[id])) {
		if (msg[0])
			log_warn("network %u: %s: slow path until resolved", id, msg);
		else if (b->s->net_status[id][0])
			log_info("network %u: on the fast path", id);
		snprintf(b->s->net_status[id], sizeof(b->s->net_status[id]), "%s", msg);
	}
}

/* The network entry and the action its local prefixes get. */
static uint8_t build_net(struct build *b, const struct pr_cfg_network *n, struct pr_net *v)
{
	const struct pr_reconcile_input *in = b->in;
	const struct pr_klink *port, *vrf = NULL;

	memset(v, 0, sizeof(*v));
	v->flags = PR_NET_F_VALID | (n->shadow ? PR_NET_F_SHADOW : 0) |
		   (n->antispoof ? PR_NET_F_ANTISPOOF : 0);
	if (n->has_vrf && n->vrf_name[0])
		vrf = link_by_name(in, n->vrf_name);
	if (n->has_vrf)
		v->vrf_table = n->vrf_table ? n->vrf_table : vrf ? vrf->vrf_table : 0;
	switch (n->target) {
	case PR_TGT_PASS:
		status(b, n->id, "%s", "");
		return PR_ACT_PASS;
	case PR_TGT_DROP:
		status(b, n->id, "%s", "");
		return PR_ACT_DROP;
	case PR_TGT_VRF:
		if (!v->vrf_table) {
			status(b, n->id, "VRF %s not found", n->vrf_name);
			return PR_ACT_PASS;
		}
		/* The FIB may answer with any device of the VRF. */
		for (size_t i = 0; vrf && i < in->nlinks; i++) {
			if (in->links[i].master != vrf->ifindex)
				continue;
			want_txport(b, in->links[i].ifindex);
		}
		status(b, n->id, "%s", "");
		return PR_ACT_FIB;
	case PR_TGT_PORT:
		break;
	}
	port = link_by_name(in, n->port);
	if (!port || !port->up) {
		status(b, n->id, port ? "port %s is down" : "port %s not found", n->port);
		return PR_ACT_PASS;
	}
	v->ifindex = port->ifindex;
	memcpy(v->smac, port->addr, 6);
	if (n->has_mac) {
		memcpy(v->dmac, n->mac, 6);
	} else {
		const struct pr_kneigh *nb = neigh_find(b, port->ifindex, n->neighbour.family,
							n->neighbour.addr);

		if (!nb) {
			char a[PR_PREFIX_STRLEN];

			status(b, n->id, "neighbour %s unresolved", pr_prefix_format(&n->neighbour, a, sizeof(a)));
			return PR_ACT_PASS;
		}
		memcpy(v->dmac, nb->lladdr, 6);
	}
	want_txport(b, port->ifindex);
	status(b, n->id, "%s", "");
	return PR_ACT_REDIRECT;
}

static void want_route(struct build *b, const struct pr_prefix *p, uint32_t domain,
		       const struct pr_route *r)
{
	if (p->family == AF_INET) {
		struct pr_lpm4_key k;

		pr_prefix_to_key4(p, domain, &k);
		rec_set(&b->want[PR_MAP_ROUTES4], PR_MAP_ROUTES4, &k, r);
	} else {
		struct pr_lpm6_key k;

		pr_prefix_to_key6(p, domain, &k);
		rec_set(&b->want[PR_MAP_ROUTES6], PR_MAP_ROUTES6, &k, r);
	}
}

/* Lowest id free in the mirror and not taken this round. */
static uint32_t alloc_id(const uint8_t *used, const uint8_t *taken, uint32_t max)
{
	for (uint32_t id = 1; id < max; id++)
		if (!used[id] && !taken[id])
			return id;
	return 0;
}

/* Stable id for an identity: last round's, else a fresh one. */
static uint32_t stable_id(struct pr_htab *old, struct pr_htab *now, uint8_t *used, uint8_t *taken,
			  uint32_t max, const void *ident, size_t ident_len)
{
	struct id_rec r = {};
	const struct id_rec *prev;

	memcpy(r.key, ident, ident_len);
	prev = pr_htab_get(now, r.key);
	if (prev)
		return prev->id;
	prev = pr_htab_get(old, r.key);
	r.id = prev && !taken[prev->id] ? prev->id : alloc_id(used, taken, max);
	if (!r.id)
		return 0;
	taken[r.id] = 1;
	pr_htab_set(now, &r);
	return r.id;
}

/*
 * Adoption after a restart: an id in the maps whose value is this one.
 * Only in the first round: afterwards identities are known, and matching
 * by value would hand a new next hop the id of another one that merely
 * looks the same (say, both unresolved on one device).
 */
static uint32_t adopt_id(struct build *b, enum pr_map m, const void *val, uint8_t *taken)
{
	struct pr_htab_iter it = {};
	const struct rec *r;

	if (!b->s->adopting)
		return 0;
	while ((r = pr_htab_next(&b->s->mirror[m], &it))) {
		uint32_t id;

		memcpy(&id, r->key, 4);
		if (id && !taken[id] && !memcmp(r->val, val, pr_maps[m].value_size))
			return id;
	}
	return 0;
}

static uint32_t nexthop_id(struct build *b, const struct pr_kpath *p)
{
	const struct pr_klink *l = link_by_index(b->in, p->ifindex);
	const struct pr_kneigh *nb = neigh_find(b, p->ifindex, p->gw_family, p->gw);
	struct pr_nexthop v = { .ifindex = p->ifindex };
	struct nh_ident ident = { .ifindex = p->ifindex, .family = p->gw_family };
	struct id_rec key = {};
	uint32_t id;

	memcpy(ident.gw, p->gw, 16);
	if (l)
		memcpy(v.smac, l->addr, 6);
	if (nb && l && l->up) {
		memcpy(v.dmac, nb->lladdr, 6);
		v.flags = PR_NH_F_VALID;
	}
	memcpy(key.key, &ident, sizeof(ident));
	if (!pr_htab_get(&b->new_nh_ids, key.key) && !pr_htab_get(&b->s->nh_ids, key.key)) {
		id = adopt_id(b, PR_MAP_NEXTHOPS, &v, b->nh_taken);
		if (id) {
			key.id = id;
			b->nh_taken[id] = 1;
			pr_htab_set(&b->new_nh_ids, &key);
		}
	}
	id = stable_id(&b->s->nh_ids, &b->new_nh_ids, b->s->nh_used, b->nh_taken, PR_MAX_NEXTHOPS,
		       &ident, sizeof(ident));
	if (id)
		rec_set(&b->want[PR_MAP_NEXTHOPS], PR_MAP_NEXTHOPS, &id, &v);
	return id;
}

/* A group's slots: weights expand into repeated slots while they fit. */
static void group_slots(struct pr_nhgrp *g, const uint32_t *nh, const uint8_t *weight, unsigned n)
{
	unsigned total = 0;

	memset(g, 0, sizeof(*g));
	for (unsigned i = 0; i < n; i++)
		total += weight[i] ? weight[i] : 1;
	for (unsigned i = 0; i < n; i++) {
		unsigned reps = total <= PR_MAX_NH ? (weight[i] ? weight[i] : 1) : 1;

		for (unsigned r = 0; r < reps && g->count < PR_MAX_NH; r++)
			g->nh[g->count++] = nh[i];
	}
}

static uint32_t group_id(struct build *b, const uint32_t *nh, const uint8_t *weight, unsigned n)
{
	struct pr_nhgrp g;
	uint32_t id;

	group_slots(&g, nh, weight, n);
	if (!pr_htab_get(&b->new_grp_ids, &g) && !pr_htab_get(&b->s->grp_ids, &g)) {
		id = adopt_id(b, PR_MAP_NHGRPS, &g, b->grp_taken);
		if (id) {
			struct id_rec r = { .id = id };

			memcpy(r.key, &g, sizeof(g));
			b->grp_taken[id] = 1;
			pr_htab_set(&b->new_grp_ids, &r);
		}
	}
	id = stable_id(&b->s->grp_ids, &b->new_grp_ids, b->s->grp_used, b->grp_taken, PR_MAX_NHGRPS,
		       &g, sizeof(g));
	if (id)
		rec_set(&b->want[PR_MAP_NHGRPS], PR_MAP_NHGRPS, &id, &g);
	return id;
}

static bool table_accepted(const struct pr_config *c, uint32_t table)
{
	for (unsigned i = 0; i < c->naccept_tables; i++)
		if (c->accept_tables[i] == table)
			return true;
	for (unsigned i = 0; i < c->nnetworks; i++)
		if (c->networks[i].has_vrf && c->networks[i].vrf_table == table)
			return true;
	return false;
}

/* The routing domain of a network: its VRF table, 0 for the default VRF. */
static uint32_t net_domain(const struct pr_cfg_network *n)
{
	return n->has_vrf ? n->vrf_table : 0;
}

/* A learned route lives in the domain of the network whose VRF table holds
 * it; routes of main (and of other accepted tables) in the default one. */
static uint32_t route_domain(const struct pr_config *c, uint32_t table)
{
	for (unsigned i = 0; i < c->nnetworks; i++)
		if (c->networks[i].has_vrf && c->networks[i].vrf_table == table)
			return table;
	return 0;
}

/* 0 if the route may reach the maps, else why not (for debug logs). */
static const char *route_refused(const struct pr_config *c, const struct pr_kroute *r)
{
	bool proto = false, inside = !c->naccept_prefixes;

	for (unsigned i = 0; i < c->naccept_protocols; i++)
		proto |= c->accept_protocols[i] == r->protocol;
	if (!proto)
		return "protocol not accepted";
	if (r->type != RTN_UNICAST)
		return "not unicast";
	if (!table_accepted(c, r->table))
		return "table not accepted";
	for (unsigned i = 0; i < c->naccept_prefixes; i++)
		inside |= pr_prefix_contains(&c->accept_prefixes[i], &r->dst);
	if (!inside)
		return "outside the accepted prefixes";
	if (!r->dst.len && !c->accept_covering)
		return "a default route (accept.covering: true to take it)";
	for (unsigned i = 0; i < c->nnetworks; i++) {
		if (net_domain(&c->networks[i]) != route_domain(c, r->table))
			continue;
		for (unsigned j = 0; j < c->networks[i].nprefixes; j++) {
			const struct pr_prefix *local = &c->networks[i].prefixes[j];

			if (pr_prefix_contains(local, &r->dst))
				return "inside a locally advertised prefix";
			if (!c->accept_covering && pr_prefix_contains(&r->dst, local))
				return "covers a locally advertised prefix (accept.covering: true to take it)";
		}
	}
	return NULL;
}

static uint32_t route_net(const struct pr_config *c, uint32_t table)
{
	for (unsigned i = 0; i < c->nnetworks; i++)
		if (c->networks[i].has_vrf && c->networks[i].vrf_table == table)
			return c->networks[i].id;
	if (table == RT_TABLE_MAIN)
		for (unsigned i = 0; i < c->nnetworks; i++)
			if (!c->networks[i].has_vrf)
				return c->networks[i].id;
	return 0;
}

static int cmp_dst(const void *a, const void *b)
{
	const struct pr_kroute *x = *(const struct pr_kroute *const *)a;
	const struct pr_kroute *y = *(const struct pr_kroute *const *)b;
	int c;

	if (x->dst.family != y->dst.family)
		return x->dst.family - y->dst.family;
	c = memcmp(x->dst.addr, y->dst.addr, 16);
	return c ? c : x->dst.len - y->dst.len;
}

static int build_learned(struct build *b)
{
	const struct pr_config *c = b->in->cfg;
	const struct pr_kroute **ok = malloc((b->in->nroutes + 1) * sizeof(*ok));
	size_t n = 0;

	if (!ok)
		return -ENOMEM;
	for (size_t i = 0; i < b->in->nroutes; i++) {
		const struct pr_kroute *r = &b->in->routes[i];
		bool any = false;

		if (route_refused(c, r)) {
			/* Only count what looked like ours: other protocols are not. */
			if (r->protocol == PR_RTPROT_BGP)
				b->st->learned_refused++;
			continue;
		}
		for (unsigned p = 0; p < r->npaths; p++)
			any |= r->paths[p].gw_family && is_underlay(b, r->paths[p].ifindex);
		if (!any) {
			b->st->learned_refused++;
			continue;
		}
		ok[n++] = r;
	}
	qsort(ok, n, sizeof(*ok), cmp_dst);
	if (n > c->max_learned_routes) {
		b->st->learned_over_limit = n - c->max_learned_routes;
		n = c->max_learned_routes;
	}
	for (size_t i = 0; i < n; i++) {
		const struct pr_kroute *r = ok[i];
		uint32_t nh[PR_MAX_NH];
		uint8_t w[PR_MAX_NH];
		unsigned k = 0;
		struct pr_route v = { .net_id = route_net(c, r->table), .action = PR_ACT_NEXTHOP };

		for (unsigned p = 0; p < r->npaths && k < PR_MAX_NH; p++) {
			if (!r->paths[p].gw_family || !is_underlay(b, r->paths[p].ifindex))
				continue;
			nh[k] = nexthop_id(b, &r->paths[p]);
			w[k] = r->paths[p].weight;
			if (nh[k])
				k++;
		}
		v.nhg_id = k ? group_id(b, nh, w, k) : 0;
		if (!v.nhg_id) {
			b->st->learned_refused++;
			continue;
		}
		want_route(b, &r->dst, route_domain(c, r->table), &v);
		b->st->learned_accepted++;
	}
	free(ok);
	return 0;
}

static bool xdp_runs_on(const struct pr_reconcile_input *in, uint32_t ifindex)
{
	for (size_t i = 0; i < in->nxdp; i++)
		if (in->xdp_ifindexes[i] == ifindex)
			return true;
	return false;
}

static void want_iface(struct build *b, const char *name, uint32_t role, const struct pr_klink *brex)
{
	const struct pr_klink *l = link_by_name(b->in, name), *master;
	struct pr_iface v = { .flags = role, .nmacs = 1 };

	if (!l)
		return;
	if (xdp_runs_on(b->in, l->ifindex))
		v.flags |= PR_IF_F_XDP;
	memcpy(v.rmac[0], l->addr, 6);
	/* A NIC that is a port of br-ex receives frames for the bridge's MAC. */
	if (role == PR_IF_F_UNDERLAY && brex && brex != l) {
		memcpy(v.rmac[1], brex->addr, 6);
		v.nmacs = 2;
	}
	master = l->master ? link_by_index(b->in, l->master) : NULL;
	if (master && !strcmp(master->kind, "vrf"))
		v.vrf_table = master->vrf_table;
	rec_set(&b->want[PR_MAP_IFACES], PR_MAP_IFACES, &l->ifindex, &v);
}

static int build(struct build *b)
{
	const struct pr_config *c = b->in->cfg;
	struct pr_global g = { .abi_version = PR_ABI_VERSION, .flags = c->shadow ? PR_G_F_SHADOW : 0 };
	uint32_t zero = 0;

	for (size_t i = 0; i < b->in->nneighs; i++) {
		struct neigh_rec r = { .ifindex = b->in->neighs[i].ifindex, .family = b->in->neighs[i].family,
				       .n = b->in->neighs[i] };

		memcpy(r.addr, b->in->neighs[i].addr, 16);
		if (r.family == AF_INET)
			memset(r.addr + 4, 0, 12);
		pr_htab_set(&b->neighs, &r);
	}
	rec_set(&b->want[PR_MAP_CONFIG], PR_MAP_CONFIG, &zero, &g);
	{
		const struct pr_klink *brex = c->brex[0] ? link_by_name(b->in, c->brex) : NULL;

		for (unsigned i = 0; i < c->nunderlay; i++)
			want_iface(b, c->underlay[i], PR_IF_F_UNDERLAY, brex);
		if (brex)
			want_iface(b, c->brex, PR_IF_F_UNDERLAY, NULL);
		for (unsigned i = 0; i < c->novn; i++)
			want_iface(b, c->ovn[i], PR_IF_F_OVN, NULL);
	}
	for (unsigned i = 0; i < c->nunderlay; i++) {
		const struct pr_klink *l = link_by_name(b->in, c->underlay[i]);

		if (l) {
			want_txport(b, l->ifindex);
			b->ul_ifindex[b->nul++] = l->ifindex;
		}
	}
	for (unsigned i = 0; i < c->nnetworks; i++) {
		const struct pr_cfg_network *n = &c->networks[i];
		struct pr_net v;
		struct pr_route r = { .net_id = n->id, .flags = PR_ROUTE_F_LOCAL };

		r.action = build_net(b, n, &v);
		if (b->s->net_status[n->id][0])
			b->st->nets_unresolved++;
		else
			b->st->nets_resolved++;
		rec_set(&b->want[PR_MAP_NETS], PR_MAP_NETS, &n->id, &v);
		for (unsigned j = 0; j < n->nprefixes; j++)
			want_route(b, &n->prefixes[j], net_domain(n), &r);
	}
	return build_learned(b);
}

/* ---------- diff and apply ---------- */

static int upsert_changed(struct build *b, enum pr_map m)
{
	struct pr_reconciler *s = b->s;
	struct pr_htab_iter it = {};
	const struct rec *w;

	while ((w = pr_htab_next(&b->want[m], &it))) {
		const struct rec *cur = pr_htab_get(&s->mirror[m], w->key);
		int err;

		if (cur && !memcmp(cur->val, w->val, pr_maps[m].value_size))
			continue;
		err = s->io.update(s->io.ctx, m, w->key, w->val);
		if (err) {
			log_err("reconcile: writing %s: %s", pr_maps[m].name, strerror(-err));
			return err;
		}
		pr_htab_set(&s->mirror[m], w);
		b->st->upserts[m]++;
	}
	return 0;
}

static int delete_unwanted(struct build *b, enum pr_map m)
{
	struct pr_reconciler *s = b->s;
	struct rec *gone;
	size_t n = 0, cap = s->mirror[m].count;
	struct pr_htab_iter it = {};
	const struct rec *cur;
	int err = 0;

	if (!cap)
		return 0;
	gone = malloc(cap * sizeof(*gone));
	if (!gone)
		return -ENOMEM;
	while ((cur = pr_htab_next(&s->mirror[m], &it)))
		if (!pr_htab_get(&b->want[m], cur->key))
			gone[n++] = *cur;
	for (size_t i = 0; i < n && !err; i++) {
		err = s->io.remove(s->io.ctx, m, gone[i].key);
		if (err == -ENOENT)
			err = 0;
		if (err) {
			log_err("reconcile: deleting from %s: %s", pr_maps[m].name, strerror(-err));
			break;
		}
		pr_htab_del(&s->mirror[m], gone[i].key);
		b->st->deletes[m]++;
	}
	free(gone);
	return err;
}

int pr_reconcile_run(struct pr_reconciler *s, const struct pr_reconcile_input *in, struct pr_reconcile_stats *st)
{
	static const enum pr_map first[] = { PR_MAP_TXPORTS, PR_MAP_XDP_TXPORTS, PR_MAP_NEXTHOPS,
						  PR_MAP_NHGRPS, PR_MAP_NETS, PR_MAP_CONFIG, PR_MAP_IFACES };
	static const enum pr_map last[] = { PR_MAP_IFACES, PR_MAP_NETS, PR_MAP_NHGRPS,
						 PR_MAP_NEXTHOPS, PR_MAP_XDP_TXPORTS, PR_MAP_TXPORTS };
	struct build b = { .s = s, .in = in, .st = st };
	int err;

	memset(st, 0, sizeof(*st));
	for (int m = 0; m < PR_MAP__RECONCILED; m++)
		pr_htab_init(&b.want[m], sizeof(struct rec), MAX_KEY);
	pr_htab_init(&b.neighs, sizeof(struct neigh_rec), offsetof(struct neigh_rec, n));
	pr_htab_init(&b.new_nh_ids, sizeof(struct id_rec), sizeof(((struct id_rec *)0)->key));
	pr_htab_init(&b.new_grp_ids, sizeof(struct id_rec), sizeof(((struct id_rec *)0)->key));
	b.nh_taken = calloc(PR_MAX_NEXTHOPS, 1);
	b.grp_taken = calloc(PR_MAX_NHGRPS, 1);
	err = b.nh_taken && b.grp_taken ? build(&b) : -ENOMEM;

	for (size_t i = 0; !err && i < sizeof(first) / sizeof(first[0]); i++)
		err = upsert_changed(&b, first[i]);
	if (!err)
		err = upsert_changed(&b, PR_MAP_ROUTES4) ?: upsert_changed(&b, PR_MAP_ROUTES6);
	if (!err)
		err = delete_unwanted(&b, PR_MAP_ROUTES4) ?: delete_unwanted(&b, PR_MAP_ROUTES6);
	for (size_t i = 0; !err && i < sizeof(last) / sizeof(last[0]); i++)
		err = delete_unwanted(&b, last[i]);

	if (!err) {
		/* This round's ids become the reference for the next one. */
		pr_htab_free(&s->nh_ids);
		pr_htab_free(&s->grp_ids);
		s->nh_ids = b.new_nh_ids;
		s->grp_ids = b.new_grp_ids;
		memcpy(s->nh_used, b.nh_taken, PR_MAX_NEXTHOPS);
		memcpy(s->grp_used, b.grp_taken, PR_MAX_NHGRPS);
		s->nh_used[0] = s->grp_used[0] = 1;
		s->adopting = false;
		memcpy(s->ul_ifindex, b.ul_ifindex, sizeof(s->ul_ifindex));
		s->nul = b.nul;
		s->learned = st->learned_accepted;
		s->over_limit = st->learned_over_limit;
		s->synced = true;
	} else {
		s->synced = false;
		pr_htab_free(&b.new_nh_ids);
		pr_htab_free(&b.new_grp_ids);
		mirror_load(s); /* start the retry from what the maps really hold */
	}
	for (int m = 0; m < PR_MAP__RECONCILED; m++)
		pr_htab_free(&b.want[m]);
	pr_htab_free(&b.neighs);
	free(b.nh_taken);
	free(b.grp_taken);
	return err;
}

/* ---------- one learned route, between full rounds ---------- */

/* Two accepted tables would share the default domain (main and another
 * non-VRF table): one key could then stand for two kernel routes. */
static bool tables_share_domain(const struct pr_config *c)
{
	unsigned in_default = 0;

	for (unsigned i = 0; i < c->naccept_tables; i++)
		if (!route_domain(c, c->accept_tables[i]))
			in_default++;
	return in_default > 1;
}

static bool ul_known(const struct pr_reconciler *s, uint32_t ifindex)
{
	for (unsigned i = 0; i < s->nul; i++)
		if (s->ul_ifindex[i] == ifindex)
			return true;
	return false;
}

/* The group id the last full round gave these paths, 0 if it gave none
 * (*known false: an identity it never saw, so only a full round can tell). */
static uint32_t known_group(const struct pr_reconciler *s, const struct pr_kroute *r, bool *known)
{
	uint32_t nh[PR_MAX_NH];
	uint8_t w[PR_MAX_NH];
	unsigned k = 0;
	struct pr_nhgrp g;
	const struct id_rec *rec;

	*known = true;
	for (unsigned p = 0; p < r->npaths && k < PR_MAX_NH; p++) {
		struct nh_ident ident = { .ifindex = r->paths[p].ifindex, .family = r->paths[p].gw_family };
		uint8_t key[sizeof(((struct id_rec *)0)->key)] = {};

		if (!r->paths[p].gw_family || !ul_known(s, r->paths[p].ifindex))
			continue;
		memcpy(ident.gw, r->paths[p].gw, 16);
		memcpy(key, &ident, sizeof(ident));
		rec = pr_htab_get(&s->nh_ids, key);
		if (!rec) {
			*known = false;
			return 0;
		}
		nh[k] = rec->id;
		w[k++] = r->paths[p].weight;
	}
	if (!k)
		return 0; /* no usable path: the full round refuses it too */
	group_slots(&g, nh, w, k);
	rec = pr_htab_get(&s->grp_ids, &g);
	if (!rec)
		*known = false;
	return rec ? rec->id : 0;
}

int pr_reconcile_route(struct pr_reconciler *s, const struct pr_config *c, uint32_t table,
		       const struct pr_prefix *dst, const struct pr_kroute *r)
{
	enum pr_map m = dst->family == AF_INET ? PR_MAP_ROUTES4 : PR_MAP_ROUTES6;
	uint32_t domain = route_domain(c, table);
	struct pr_route v = {};
	uint8_t key[MAX_KEY] = {};
	const struct rec *cur;
	bool want = false;
	int err;

	if (!s->synced || tables_share_domain(c))
		return 0;
	if (m == PR_MAP_ROUTES4)
		pr_prefix_to_key4(dst, domain, (struct pr_lpm4_key *)key);
	else
		pr_prefix_to_key6(dst, domain, (struct pr_lpm6_key *)key);
	cur = pr_htab_get(&s->mirror[m], key);
	if (cur && (((const struct pr_route *)cur->val)->flags & PR_ROUTE_F_LOCAL))
		return 1; /* a local prefix: learned routes never replace it */
	if (r && !route_refused(c, r)) {
		bool known;

		v.nhg_id = known_group(s, r, &known);
		if (!known)
			return 0;
		v.net_id = route_net(c, table);
		v.action = PR_ACT_NEXTHOP;
		want = v.nhg_id != 0;
	}
	/* The limit keeps the first N in prefix order: only a full round can
	 * tell what a change does once it is reached. */
	if (s->over_limit || (want && !cur && s->learned >= c->max_learned_routes))
		return 0;
	if (want) {
		if (cur && !memcmp(cur->val, &v, sizeof(v)))
			return 1;
		err = s->io.update(s->io.ctx, m, key, &v);
		if (err) {
			log_err("reconcile: writing %s: %s", pr_maps[m].name, strerror(-err));
			s->synced = false;
			return err;
		}
		if (!cur)
			s->learned++;
		rec_set(&s->mirror[m], m, key, &v);
		return 1;
	}
	if (!cur)
		return 1;
	err = s->io.remove(s->io.ctx, m, key);
	if (err && err != -ENOENT) {
		log_err("reconcile: deleting from %s: %s", pr_maps[m].name, strerror(-err));
		s->synced = false;
		return err;
	}
	pr_htab_del(&s->mirror[m], key);
	s->learned--;
	return 1;
}
