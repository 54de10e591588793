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
#include "reconcile/reconciler.h"

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

struct walk_arg {
	struct pr_reconciler *s;
	enum pr_map m;
};

static void mirror_add(void *arg, const void *key, const void *val)
{
	struct walk_arg *w = arg;
	uint32_t id;

	pr_rec_set(&w->s->mirror[w->m], w->m, key, val);
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
		/* A slot changes in two writes, cleared first: the datapath
		 * reads pr_ifaces meanwhile (include/podroute_abi.h). */
		err = cur && m == PR_MAP_IFSLOTS ? s->io.remove(s->io.ctx, m, w->key) : 0;
		if (!err)
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
	/* pr_config before pr_nets: PR_G_F_NO_ANTISPOOF is clear before a
	 * network turns anti-spoofing on. */
	static const enum pr_map first[] = { PR_MAP_TXPORTS, PR_MAP_XDP_TXPORTS, PR_MAP_NEXTHOPS,
						  PR_MAP_NHGRPS, PR_MAP_CONFIG, PR_MAP_NETS, PR_MAP_IFACES,
						  PR_MAP_IFSLOTS };
	static const enum pr_map last[] = { PR_MAP_IFSLOTS, PR_MAP_IFACES, PR_MAP_NETS, PR_MAP_NHGRPS,
						 PR_MAP_NEXTHOPS, PR_MAP_XDP_TXPORTS, PR_MAP_TXPORTS };
	struct build b = { .s = s, .in = in, .st = st };
	int err;

	memset(st, 0, sizeof(*st));
	err = pr_desired_run(&b);

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
		mirror_load(s); /* start the retry from what the maps really hold */
	}
	pr_desired_free(&b, !err);
	return err;
}

/* ---------- one learned route, between full rounds ---------- */

/* Two accepted tables would share the default domain (main and another
 * non-VRF table): one key could then stand for two kernel routes. */
static bool tables_share_domain(const struct pr_config *c)
{
	unsigned in_default = 0;

	for (unsigned i = 0; i < c->naccept_tables; i++)
		if (!pr_route_domain(c, c->accept_tables[i]))
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
	pr_group_slots(&g, nh, w, k);
	rec = pr_htab_get(&s->grp_ids, &g);
	if (!rec)
		*known = false;
	return rec ? rec->id : 0;
}

int pr_reconcile_route(struct pr_reconciler *s, const struct pr_config *c, uint32_t table,
		       const struct pr_prefix *dst, const struct pr_kroute *r)
{
	enum pr_map m = dst->family == AF_INET ? PR_MAP_ROUTES4 : PR_MAP_ROUTES6;
	uint32_t domain = pr_route_domain(c, table);
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
	if (r && !pr_route_refused(c, r)) {
		bool known;

		v.nhg_id = known_group(s, r, &known);
		if (!known)
			return 0;
		v.net_id = pr_route_net(c, table);
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
		pr_rec_set(&s->mirror[m], m, key, &v);
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
