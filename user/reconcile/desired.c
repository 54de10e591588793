// SPDX-License-Identifier: GPL-2.0-only
/* The desired state of the maps, built from the config and the kernel's
 * state each full round (the rules are at the top of reconcile.c). */
#include "reconcile/reconciler.h"

#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <linux/bpf.h>
#include <linux/neighbour.h>
#include <linux/rtnetlink.h>

#include "lib/hashtab.h"
#include "lib/log.h"
#include "podroute_abi.h"

void pr_rec_set(struct pr_htab *t, enum pr_map m, const void *key, const void *val)
{
	struct rec r = {};

	memcpy(r.key, key, pr_maps[m].key_size);
	memcpy(r.val, val, pr_maps[m].value_size);
	pr_htab_set(t, &r);
}

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

	pr_rec_set(&b->want[PR_MAP_TXPORTS], PR_MAP_TXPORTS, &ifindex, &v);
	if (l && l->xdp_xmit)
		pr_rec_set(&b->want[PR_MAP_XDP_TXPORTS], PR_MAP_XDP_TXPORTS, &ifindex, &v);
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
		pr_rec_set(&b->want[PR_MAP_ROUTES4], PR_MAP_ROUTES4, &k, r);
	} else {
		struct pr_lpm6_key k;

		pr_prefix_to_key6(p, domain, &k);
		pr_rec_set(&b->want[PR_MAP_ROUTES6], PR_MAP_ROUTES6, &k, r);
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
		pr_rec_set(&b->want[PR_MAP_NEXTHOPS], PR_MAP_NEXTHOPS, &id, &v);
	return id;
}

/* A group's slots: weights expand into repeated slots while they fit. */
void pr_group_slots(struct pr_nhgrp *g, const uint32_t *nh, const uint8_t *weight, unsigned n)
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

	pr_group_slots(&g, nh, weight, n);
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
		pr_rec_set(&b->want[PR_MAP_NHGRPS], PR_MAP_NHGRPS, &id, &g);
	return id;
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

		if (pr_route_refused(c, r)) {
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
		struct pr_route v = { .net_id = pr_route_net(c, r->table), .action = PR_ACT_NEXTHOP };

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
		want_route(b, &r->dst, pr_route_domain(c, r->table), &v);
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

/* The interface's slot in pr_ifslots, unless a lower ifindex holds it (the
 * rule attach and detach follow too: include/podroute_abi.h). */
static void want_ifslot(struct build *b, uint32_t ifindex, const struct pr_iface *v)
{
	uint32_t slot = pr_ifslot_of(ifindex);
	struct rec key = {};
	const struct rec *cur;
	struct pr_ifslot e = { .ifc = *v, .ifindex = ifindex };

	memcpy(key.key, &slot, sizeof(slot));
	cur = pr_htab_get(&b->want[PR_MAP_IFSLOTS], &key);
	if (cur && ((const struct pr_ifslot *)cur->val)->ifindex < ifindex)
		return;
	pr_rec_set(&b->want[PR_MAP_IFSLOTS], PR_MAP_IFSLOTS, &slot, &e);
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
	pr_rec_set(&b->want[PR_MAP_IFACES], PR_MAP_IFACES, &l->ifindex, &v);
	want_ifslot(b, l->ifindex, &v);
}

int pr_desired_build(struct build *b)
{
	const struct pr_config *c = b->in->cfg;
	struct pr_global g = { .abi_version = PR_ABI_VERSION,
			       .flags = (c->shadow ? PR_G_F_SHADOW : 0) | PR_G_F_NO_ANTISPOOF };
	uint32_t zero = 0;

	/* Any network with anti-spoofing on: the datapath must look up every
	 * underlay packet's source (pr_reconcile_run() writes pr_config
	 * before pr_nets, so the flag is clear before a network turns it on). */
	for (unsigned i = 0; i < c->nnetworks; i++)
		if (c->networks[i].antispoof)
			g.flags &= ~PR_G_F_NO_ANTISPOOF;

	for (size_t i = 0; i < b->in->nneighs; i++) {
		struct neigh_rec r = { .ifindex = b->in->neighs[i].ifindex, .family = b->in->neighs[i].family,
				       .n = b->in->neighs[i] };

		memcpy(r.addr, b->in->neighs[i].addr, 16);
		if (r.family == AF_INET)
			memset(r.addr + 4, 0, 12);
		pr_htab_set(&b->neighs, &r);
	}
	pr_rec_set(&b->want[PR_MAP_CONFIG], PR_MAP_CONFIG, &zero, &g);
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
		pr_rec_set(&b->want[PR_MAP_NETS], PR_MAP_NETS, &n->id, &v);
		for (unsigned j = 0; j < n->nprefixes; j++)
			want_route(b, &n->prefixes[j], pr_net_domain(n), &r);
	}
	return build_learned(b);
}


int pr_desired_run(struct build *b)
{
	for (int m = 0; m < PR_MAP__RECONCILED; m++)
		pr_htab_init(&b->want[m], sizeof(struct rec), MAX_KEY);
	pr_htab_init(&b->neighs, sizeof(struct neigh_rec), offsetof(struct neigh_rec, n));
	pr_htab_init(&b->new_nh_ids, sizeof(struct id_rec), sizeof(((struct id_rec *)0)->key));
	pr_htab_init(&b->new_grp_ids, sizeof(struct id_rec), sizeof(((struct id_rec *)0)->key));
	b->nh_taken = calloc(PR_MAX_NEXTHOPS, 1);
	b->grp_taken = calloc(PR_MAX_NHGRPS, 1);
	return b->nh_taken && b->grp_taken ? pr_desired_build(b) : -ENOMEM;
}

void pr_desired_free(struct build *b, bool ids_kept)
{
	for (int m = 0; m < PR_MAP__RECONCILED; m++)
		pr_htab_free(&b->want[m]);
	pr_htab_free(&b->neighs);
	if (!ids_kept) {
		pr_htab_free(&b->new_nh_ids);
		pr_htab_free(&b->new_grp_ids);
	}
	free(b->nh_taken);
	free(b->grp_taken);
}
