// SPDX-License-Identifier: GPL-2.0-only
/*
 * Unit tests: the reconciler (reconcile/reconcile.c) on synthetic states, against
 * in-memory maps that record every operation in order. Configs and kernel
 * state are built by hand (the parsers have their own tests).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include <linux/bpf.h>
#include <linux/neighbour.h>
#include <linux/rtnetlink.h>

#include "lib/hashtab.h"
#include "reconcile/drift.h"
#include "reconcile/reconcile.h"
#include "podroute_abi.h"

/* ---------- in-memory maps ---------- */

struct mrec {
	uint8_t key[24];
	uint8_t val[40];
};

struct op {
	char kind; /* 'u' or 'd' */
	enum pr_map m;
};

struct mem {
	struct pr_htab t[PR_MAP__RECONCILED];
	struct op ops[4096];
	unsigned nops;
	int fail_on_op; /* 1-based op number that fails, 0 = never */
	/* Operations after which pr_xdp_txports held a device pr_txports did
	 * not: a device XDP may redirect to that is not allowed at all (see
	 * include/podroute_maps.h); no moment may show that. */
	unsigned xdp_tx_not_allowed;
};

static void check_xdp_txports_within_txports(struct mem *mm)
{
	struct pr_htab_iter it = {};
	const struct mrec *r;

	while ((r = pr_htab_next(&mm->t[PR_MAP_XDP_TXPORTS], &it)))
		if (!pr_htab_get(&mm->t[PR_MAP_TXPORTS], r->key)) {
			mm->xdp_tx_not_allowed++;
			return;
		}
}

static int mem_update(void *ctx, enum pr_map m, const void *key, const void *val)
{
	struct mem *mm = ctx;
	struct mrec r = {};

	if (mm->fail_on_op && mm->nops + 1 == (unsigned)mm->fail_on_op)
		return -ENOSPC;
	memcpy(r.key, key, pr_maps[m].key_size);
	memcpy(r.val, val, pr_maps[m].value_size);
	pr_htab_set(&mm->t[m], &r);
	if (mm->nops < 4096)
		mm->ops[mm->nops++] = (struct op){ 'u', m };
	check_xdp_txports_within_txports(mm);
	return 0;
}

static int mem_remove(void *ctx, enum pr_map m, const void *key)
{
	struct mem *mm = ctx;
	uint8_t k[24] = {};

	memcpy(k, key, pr_maps[m].key_size);
	pr_htab_del(&mm->t[m], k);
	if (mm->nops < 4096)
		mm->ops[mm->nops++] = (struct op){ 'd', m };
	check_xdp_txports_within_txports(mm);
	return 0;
}

static int mem_walk(void *ctx, enum pr_map m, void (*fn)(void *, const void *, const void *),
		    void *arg)
{
	struct mem *mm = ctx;
	struct pr_htab_iter it = {};
	const struct mrec *r;

	while ((r = pr_htab_next(&mm->t[m], &it)))
		fn(arg, r->key, r->val);
	return 0;
}

static struct mem *mem_new(struct pr_mapio *io)
{
	struct mem *mm = calloc(1, sizeof(*mm));

	for (int m = 0; m < PR_MAP__RECONCILED; m++)
		pr_htab_init(&mm->t[m], sizeof(struct mrec), 24);
	io->update = mem_update;
	io->remove = mem_remove;
	io->walk = mem_walk;
	io->ctx = mm;
	return mm;
}

static void mem_free(struct mem *mm)
{
	for (int m = 0; m < PR_MAP__RECONCILED; m++)
		pr_htab_free(&mm->t[m]);
	free(mm);
}

static unsigned nops(const struct mem *mm, char kind, enum pr_map m)
{
	unsigned n = 0;

	for (unsigned i = 0; i < mm->nops; i++)
		n += mm->ops[i].kind == kind && mm->ops[i].m == m;
	return n;
}

/* The route of pfx in routing domain `domain` (a VRF table, 0 = default). */
static const struct pr_route *route4_in(struct mem *mm, uint32_t domain, const char *pfx)
{
	struct pr_prefix p;
	struct pr_lpm4_key k;
	uint8_t key[24] = {};
	const struct mrec *r;

	pr_prefix_parse(pfx, &p, NULL);
	pr_prefix_to_key4(&p, domain, &k);
	memcpy(key, &k, sizeof(k));
	r = pr_htab_get(&mm->t[PR_MAP_ROUTES4], key);
	return r ? (const struct pr_route *)r->val : NULL;
}

static const struct pr_route *route4(struct mem *mm, const char *pfx)
{
	return route4_in(mm, 0, pfx);
}

static const void *arr(struct mem *mm, enum pr_map m, uint32_t id)
{
	uint8_t key[24] = {};
	const struct mrec *r;

	memcpy(key, &id, 4);
	r = pr_htab_get(&mm->t[m], key);
	return r ? r->val : NULL;
}

/* ---------- a synthetic node ---------- */

struct world {
	struct pr_config cfg;
	struct pr_cfg_network nets[4];
	struct pr_kroute routes[16];
	struct pr_kneigh neighs[16];
	struct pr_klink links[8];
	struct pr_reconcile_input in;
};

enum { IF_UL = 2, IF_MP0 = 3, IF_MP1 = 4, IF_UL2 = 5, IF_VRF = 6, IF_VRFPORT = 7 };

static void add_link(struct world *w, uint32_t ifindex, const char *name, const char *kind)
{
	struct pr_klink *l = &w->links[w->in.nlinks++];

	memset(l, 0, sizeof(*l));
	l->ifindex = ifindex;
	snprintf(l->name, sizeof(l->name), "%s", name);
	snprintf(l->kind, sizeof(l->kind), "%s", kind);
	l->up = true;
	l->addr[0] = 0x02;
	l->addr[5] = ifindex;
}

static void add_neigh(struct world *w, uint32_t ifindex, const char *ip, uint8_t mac_last)
{
	struct pr_kneigh *n = &w->neighs[w->in.nneighs++];

	memset(n, 0, sizeof(*n));
	n->ifindex = ifindex;
	n->family = AF_INET;
	inet_pton(AF_INET, ip, n->addr);
	n->has_lladdr = true;
	n->lladdr[0] = 0x0a;
	n->lladdr[5] = mac_last;
	n->state = NUD_REACHABLE;
}

static struct pr_kroute *add_route(struct world *w, const char *pfx, uint32_t table)
{
	struct pr_kroute *r = &w->routes[w->in.nroutes++];

	memset(r, 0, sizeof(*r));
	pr_prefix_parse(pfx, &r->dst, NULL);
	r->table = table;
	r->protocol = PR_RTPROT_BGP;
	r->type = RTN_UNICAST;
	return r;
}

static void add_path(struct pr_kroute *r, uint32_t ifindex, const char *gw)
{
	struct pr_kpath *p = &r->paths[r->npaths++];

	p->ifindex = ifindex;
	p->gw_family = AF_INET;
	inet_pton(AF_INET, gw, p->gw);
	p->weight = 1;
}

static struct world *world_new(void)
{
	struct world *w = calloc(1, sizeof(*w));
	struct pr_cfg_network *n = &w->nets[0];

	snprintf(w->cfg.underlay[0], IFNAMSIZ, "eth0");
	w->cfg.nunderlay = 1;
	w->cfg.max_learned_routes = 100;
	w->cfg.accept_tables[0] = RT_TABLE_MAIN;
	w->cfg.naccept_tables = 1;
	w->cfg.accept_protocols[0] = PR_RTPROT_BGP;
	w->cfg.naccept_protocols = 1;
	w->cfg.networks = w->nets;
	w->cfg.nnetworks = 1;
	snprintf(n->name, sizeof(n->name), "default");
	n->id = 1;
	pr_prefix_parse("10.128.1.0/24", &n->prefixes[0], NULL);
	n->nprefixes = 1;
	n->target = PR_TGT_PORT;
	snprintf(n->port, IFNAMSIZ, "mp0");
	n->has_mac = true;
	n->mac[0] = 0x0a;
	n->mac[5] = 0x05;
	n->antispoof = true;
	add_link(w, IF_UL, "eth0", "veth");
	add_link(w, IF_MP0, "mp0", "veth");
	w->links[w->in.nlinks - 1].xdp_xmit = true; /* its peer has NAPI */
	add_link(w, IF_MP1, "mp1", "openvswitch");
	add_link(w, IF_UL2, "eth1", "veth");
	w->in.cfg = &w->cfg;
	w->in.routes = w->routes;
	w->in.neighs = w->neighs;
	w->in.links = w->links;
	return w;
}

struct fixture {
	struct world *w;
	struct mem *mm;
	struct pr_mapio io;
	struct pr_reconciler *s;
	struct pr_reconcile_stats st;
};

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));

	f->w = world_new();
	f->mm = mem_new(&f->io);
	f->s = pr_reconcile_new(&f->io);
	*state = f;
	return f->s ? 0 : -1;
}

static int teardown(void **state)
{
	struct fixture *f = *state;

	pr_reconcile_free(f->s);
	mem_free(f->mm);
	free(f->w);
	free(f);
	return 0;
}

/* One reconcile round; returns the number of operations it made. */
static unsigned sync(struct fixture *f)
{
	f->mm->nops = 0;
	assert_int_equal(pr_reconcile_run(f->s, &f->w->in, &f->st), 0);
	assert_int_equal(f->mm->xdp_tx_not_allowed, 0);
	return f->mm->nops;
}

/* ---------- tests ---------- */

static void test_one_network_from_empty(void **state)
{
	struct fixture *f = *state;
	const struct pr_route *r;
	const struct pr_net *n;

	sync(f);
	r = route4(f->mm, "10.128.1.0/24");
	assert_non_null(r);
	assert_int_equal(r->net_id, 1);
	assert_int_equal(r->action, PR_ACT_REDIRECT);
	assert_int_equal(r->flags, PR_ROUTE_F_LOCAL);
	n = arr(f->mm, PR_MAP_NETS, 1);
	assert_non_null(n);
	assert_int_equal(n->ifindex, IF_MP0);
	assert_int_equal(n->flags, PR_NET_F_VALID | PR_NET_F_ANTISPOOF);
	assert_int_equal(n->dmac[5], 0x05);
	assert_int_equal(n->smac[5], IF_MP0);
	assert_non_null(arr(f->mm, PR_MAP_CONFIG, 0));
	/* Allowed targets: the port and the underlay. */
	assert_non_null(arr(f->mm, PR_MAP_TXPORTS, IF_MP0));
	assert_non_null(arr(f->mm, PR_MAP_TXPORTS, IF_UL));
	assert_int_equal(f->mm->t[PR_MAP_TXPORTS].count, 2);
}

static void test_idempotent(void **state)
{
	struct fixture *f = *state;

	sync(f);
	assert_int_equal(sync(f), 0);
}

static void test_add_and_delete_learned_route(void **state)
{
	struct fixture *f = *state;
	const struct pr_route *r;
	const struct pr_nhgrp *g;
	const struct pr_nexthop *nh;

	add_path(add_route(f->w, "10.200.0.0/16", RT_TABLE_MAIN), IF_UL, "192.0.2.12");
	add_neigh(f->w, IF_UL, "192.0.2.12", 0x12);
	sync(f);
	r = route4(f->mm, "10.200.0.0/16");
	assert_non_null(r);
	assert_int_equal(r->action, PR_ACT_NEXTHOP);
	assert_int_equal(r->net_id, 1); /* main table: the network without a VRF */
	g = arr(f->mm, PR_MAP_NHGRPS, r->nhg_id);
	assert_non_null(g);
	assert_int_equal(g->count, 1);
	nh = arr(f->mm, PR_MAP_NEXTHOPS, g->nh[0]);
	assert_non_null(nh);
	assert_int_equal(nh->ifindex, IF_UL);
	assert_int_equal(nh->flags, PR_NH_F_VALID);
	assert_int_equal(nh->dmac[5], 0x12);
	assert_int_equal(nh->smac[5], IF_UL);
	assert_int_equal(f->st.learned_accepted, 1);

	f->w->in.nroutes = 0;
	sync(f);
	assert_null(route4(f->mm, "10.200.0.0/16"));
	assert_int_equal(f->mm->t[PR_MAP_NHGRPS].count, 0);
	assert_int_equal(f->mm->t[PR_MAP_NEXTHOPS].count, 0);
}

/* A BGP peer's default route, or any route covering the node's advertised
 * 10.128.1.0/24, stays out of the maps unless accept.covering opts in; a
 * route beside it is taken either way. */
static void test_covering_routes_refused_by_default(void **state)
{
	struct fixture *f = *state;

	add_path(add_route(f->w, "0.0.0.0/0", RT_TABLE_MAIN), IF_UL, "192.0.2.12");
	add_path(add_route(f->w, "10.128.0.0/16", RT_TABLE_MAIN), IF_UL, "192.0.2.12");
	add_path(add_route(f->w, "10.200.0.0/16", RT_TABLE_MAIN), IF_UL, "192.0.2.12");
	add_neigh(f->w, IF_UL, "192.0.2.12", 0x12);
	sync(f);
	assert_null(route4(f->mm, "0.0.0.0/0"));
	assert_null(route4(f->mm, "10.128.0.0/16"));
	assert_non_null(route4(f->mm, "10.200.0.0/16"));
	assert_int_equal(f->st.learned_refused, 2);
	f->w->cfg.accept_covering = true;
	sync(f);
	assert_non_null(route4(f->mm, "0.0.0.0/0"));
	assert_non_null(route4(f->mm, "10.128.0.0/16"));
	assert_non_null(route4(f->mm, "10.200.0.0/16"));
	assert_int_equal(f->st.learned_refused, 0);
}

static void test_change_target_port(void **state)
{
	struct fixture *f = *state;
	const struct pr_net *n;

	sync(f);
	assert_non_null(arr(f->mm, PR_MAP_XDP_TXPORTS, IF_MP0));
	snprintf(f->w->nets[0].port, IFNAMSIZ, "mp1");
	sync(f);
	n = arr(f->mm, PR_MAP_NETS, 1);
	assert_int_equal(n->ifindex, IF_MP1);
	/* mp1 is an OVS internal port, which takes no XDP frames: a target
	 * for TC only, so XDP hands its packets over to TC. */
	assert_non_null(arr(f->mm, PR_MAP_TXPORTS, IF_MP1));
	assert_null(arr(f->mm, PR_MAP_XDP_TXPORTS, IF_MP1));
	assert_null(arr(f->mm, PR_MAP_TXPORTS, IF_MP0));
	assert_null(arr(f->mm, PR_MAP_XDP_TXPORTS, IF_MP0));
	/* The prefix entry itself did not change. */
	assert_int_equal(nops(f->mm, 'u', PR_MAP_ROUTES4), 0);
}

static void test_neighbour_mac_change_rewrites_one_nexthop(void **state)
{
	struct fixture *f = *state;

	add_path(add_route(f->w, "10.200.0.0/16", RT_TABLE_MAIN), IF_UL, "192.0.2.12");
	add_path(add_route(f->w, "10.201.0.0/16", RT_TABLE_MAIN), IF_UL, "192.0.2.12");
	add_neigh(f->w, IF_UL, "192.0.2.12", 0x12);
	sync(f);
	f->w->neighs[0].lladdr[5] = 0x99;
	assert_int_equal(sync(f), 1);
	assert_int_equal(nops(f->mm, 'u', PR_MAP_NEXTHOPS), 1);
}

static void test_change_next_hop_gateway(void **state)
{
	struct fixture *f = *state;
	struct pr_kroute *r = add_route(f->w, "10.200.0.0/16", RT_TABLE_MAIN);
	const struct pr_route *m;
	const struct pr_nexthop *nh;

	add_path(r, IF_UL, "192.0.2.12");
	add_neigh(f->w, IF_UL, "192.0.2.12", 0x12);
	add_neigh(f->w, IF_UL, "192.0.2.13", 0x13);
	sync(f);
	inet_pton(AF_INET, "192.0.2.13", r->paths[0].gw);
	sync(f);
	m = route4(f->mm, "10.200.0.0/16");
	nh = arr(f->mm, PR_MAP_NEXTHOPS, ((const struct pr_nhgrp *)arr(f->mm, PR_MAP_NHGRPS, m->nhg_id))->nh[0]);
	assert_int_equal(nh->dmac[5], 0x13);
	/* The old next hop and group are gone: nothing stale is left. */
	assert_int_equal(f->mm->t[PR_MAP_NEXTHOPS].count, 1);
	assert_int_equal(f->mm->t[PR_MAP_NHGRPS].count, 1);
}

static void test_ecmp_growth_and_shrink(void **state)
{
	struct fixture *f = *state;
	struct pr_kroute *r = add_route(f->w, "10.200.0.0/16", RT_TABLE_MAIN);
	char gw[32];
	const struct pr_nhgrp *g;

	for (int i = 0; i < 8; i++) {
		snprintf(gw, sizeof(gw), "192.0.2.%d", 20 + i);
		add_neigh(f->w, IF_UL, gw, 20 + i);
	}
	add_path(r, IF_UL, "192.0.2.20");
	sync(f);
	for (unsigned want = 2; want <= 8; want *= 2) {
		while (r->npaths < want) {
			snprintf(gw, sizeof(gw), "192.0.2.%u", 20 + r->npaths);
			add_path(r, IF_UL, gw);
		}
		sync(f);
		g = arr(f->mm, PR_MAP_NHGRPS, route4(f->mm, "10.200.0.0/16")->nhg_id);
		assert_int_equal(g->count, want);
		assert_int_equal(f->mm->t[PR_MAP_NEXTHOPS].count, want);
	}
	r->npaths = 1;
	sync(f);
	g = arr(f->mm, PR_MAP_NHGRPS, route4(f->mm, "10.200.0.0/16")->nhg_id);
	assert_int_equal(g->count, 1);
	assert_int_equal(f->mm->t[PR_MAP_NEXTHOPS].count, 1);
	assert_int_equal(f->mm->t[PR_MAP_NHGRPS].count, 1);
}

static void test_weights_expand_into_slots(void **state)
{
	struct fixture *f = *state;
	struct pr_kroute *r = add_route(f->w, "10.200.0.0/16", RT_TABLE_MAIN);
	const struct pr_nhgrp *g;

	add_path(r, IF_UL, "192.0.2.12");
	add_path(r, IF_UL, "192.0.2.13");
	r->paths[1].weight = 3;
	sync(f);
	g = arr(f->mm, PR_MAP_NHGRPS, route4(f->mm, "10.200.0.0/16")->nhg_id);
	assert_int_equal(g->count, 4);
	assert_int_equal(g->nh[1], g->nh[2]);
	assert_int_equal(g->nh[2], g->nh[3]);
	assert_int_not_equal(g->nh[0], g->nh[1]);
}

static void test_vrf_network_and_table_change(void **state)
{
	struct fixture *f = *state;
	struct pr_cfg_network *n = &f->w->nets[1];
	const struct pr_net *v;

	memset(n, 0, sizeof(*n));
	snprintf(n->name, sizeof(n->name), "blue");
	n->id = 2;
	pr_prefix_parse("10.50.0.0/16", &n->prefixes[0], NULL);
	n->nprefixes = 1;
	n->has_vrf = true;
	snprintf(n->vrf_name, IFNAMSIZ, "udn-blue");
	n->vrf_table = 1001;
	n->target = PR_TGT_VRF;
	f->w->cfg.nnetworks = 2;
	add_link(f->w, IF_VRF, "udn-blue", "vrf");
	add_link(f->w, IF_VRFPORT, "blue-mp", "veth");
	f->w->links[f->w->in.nlinks - 1].master = IF_VRF;
	add_path(add_route(f->w, "10.60.0.0/16", 1001), IF_UL, "192.0.2.12");
	add_path(add_route(f->w, "10.61.0.0/16", 1002), IF_UL, "192.0.2.12");
	sync(f);
	v = arr(f->mm, PR_MAP_NETS, 2);
	assert_int_equal(v->vrf_table, 1001);
	/* The network's prefix and its learned routes live in its VRF's domain. */
	assert_int_equal(route4_in(f->mm, 1001, "10.50.0.0/16")->action, PR_ACT_FIB);
	assert_null(route4(f->mm, "10.50.0.0/16"));
	assert_non_null(arr(f->mm, PR_MAP_TXPORTS, IF_VRFPORT));
	/* The VRF's learned route belongs to network 2; another table is refused. */
	assert_int_equal(route4_in(f->mm, 1001, "10.60.0.0/16")->net_id, 2);
	assert_null(route4(f->mm, "10.60.0.0/16"));
	assert_null(route4_in(f->mm, 1002, "10.61.0.0/16"));
	n->vrf_table = 1002;
	sync(f);
	assert_int_equal(((const struct pr_net *)arr(f->mm, PR_MAP_NETS, 2))->vrf_table, 1002);
	assert_null(route4_in(f->mm, 1001, "10.60.0.0/16"));
	assert_null(route4_in(f->mm, 1001, "10.50.0.0/16"));
	assert_int_equal(route4_in(f->mm, 1002, "10.50.0.0/16")->net_id, 2);
	assert_int_equal(route4_in(f->mm, 1002, "10.61.0.0/16")->net_id, 2);
}

/* Two VRF networks with the same per-node layout: the same prefix, one
 * key per VRF domain, each naming its own network; a learned route inside
 * another VRF's local prefix is still accepted in its own VRF. */
static void test_same_prefix_in_two_vrfs(void **state)
{
	struct fixture *f = *state;

	for (int i = 1; i <= 2; i++) {
		struct pr_cfg_network *n = &f->w->nets[i];

		memset(n, 0, sizeof(*n));
		snprintf(n->name, sizeof(n->name), i == 1 ? "blue" : "red");
		n->id = 1 + i;
		pr_prefix_parse("10.50.1.0/24", &n->prefixes[0], NULL);
		n->nprefixes = 1;
		n->has_vrf = true;
		snprintf(n->vrf_name, IFNAMSIZ, i == 1 ? "udn-blue" : "udn-red");
		n->vrf_table = 1000 + i;
		n->target = PR_TGT_VRF;
	}
	f->w->cfg.nnetworks = 3;
	add_link(f->w, IF_VRF, "udn-blue", "vrf");
	add_link(f->w, IF_VRFPORT + 1, "udn-red", "vrf");
	add_path(add_route(f->w, "10.50.1.128/25", 1001), IF_UL, "192.0.2.12");
	add_path(add_route(f->w, "10.40.0.0/16", 1002), IF_UL, "192.0.2.12");
	sync(f);
	assert_int_equal(route4_in(f->mm, 1001, "10.50.1.0/24")->net_id, 2);
	assert_int_equal(route4_in(f->mm, 1002, "10.50.1.0/24")->net_id, 3);
	assert_null(route4(f->mm, "10.50.1.0/24"));
	/* blue's own local prefix wins in blue; red's learned route stays red's */
	assert_null(route4_in(f->mm, 1001, "10.50.1.128/25"));
	assert_int_equal(route4_in(f->mm, 1002, "10.40.0.0/16")->net_id, 3);
	assert_int_equal(route4_in(f->mm, 1002, "10.40.0.0/16")->action, PR_ACT_NEXTHOP);
}

/* Route entries of two map sets mean the same: same keys, and per key the
 * same network, action, flags and next hops slot by slot (ids may differ). */
static void assert_same_routes(struct mem *a, struct mem *b)
{
	for (int m = PR_MAP_ROUTES4; m <= PR_MAP_ROUTES6; m++) {
		struct pr_htab_iter it = {};
		const struct mrec *rb;

		assert_int_equal(a->t[m].count, b->t[m].count);
		while ((rb = pr_htab_next(&b->t[m], &it))) {
			const struct mrec *ra = pr_htab_get(&a->t[m], rb->key);
			const struct pr_route *x, *y = (const void *)rb->val;
			const struct pr_nhgrp *gx, *gy;

			assert_non_null(ra);
			x = (const void *)ra->val;
			assert_int_equal(x->net_id, y->net_id);
			assert_int_equal(x->action, y->action);
			assert_int_equal(x->flags, y->flags);
			if (y->action != PR_ACT_NEXTHOP)
				continue;
			gx = arr(a, PR_MAP_NHGRPS, x->nhg_id);
			gy = arr(b, PR_MAP_NHGRPS, y->nhg_id);
			assert_non_null(gx);
			assert_non_null(gy);
			assert_int_equal(gx->count, gy->count);
			for (unsigned i = 0; i < gy->count; i++) {
				const void *nx = arr(a, PR_MAP_NEXTHOPS, gx->nh[i]);
				const void *ny = arr(b, PR_MAP_NEXTHOPS, gy->nh[i]);

				assert_non_null(nx);
				assert_non_null(ny);
				assert_memory_equal(nx, ny, sizeof(struct pr_nexthop));
			}
		}
	}
}

/*
 * pr_reconcile_route (one route at a time) against full rounds: a random
 * sequence of route adds, changes and deletes over prefixes in the main
 * table and a VRF's table, some inside local prefixes, with gateways known
 * and new, resolved and not, on the underlay and not; after every step the
 * maps kept by the incremental path (falling back to a full round when it
 * says so) mean exactly what a reconciler doing full rounds writes. Run
 * with the learned-route limit out of reach, then within reach.
 */
static void test_route_increments_equal_full_rounds(void **state)
{
	static const char *const pfx[8] = { "10.200.0.0/16", "10.200.1.0/24", "10.201.0.0/16",
					    "10.128.1.128/25", "10.50.1.0/24", "10.202.7.0/24",
					    "10.203.0.0/16", "10.200.1.128/25" };
	static const char *const gws[4] = { "192.0.2.21", "192.0.2.22", "192.0.2.23", "10.128.1.9" };
	struct fixture *f = *state;
	struct world *w = f->w;
	struct pr_kroute slot[16];
	bool present[16] = {};
	struct pr_mapio io_full;
	struct mem *full = mem_new(&io_full);
	struct pr_reconciler *ref = pr_reconcile_new(&io_full);
	struct pr_cfg_network *blue = &w->nets[1];
	unsigned seed = 7, fast = 0, rounds = 0;

	memset(blue, 0, sizeof(*blue));
	snprintf(blue->name, sizeof(blue->name), "blue");
	blue->id = 2;
	pr_prefix_parse("10.50.0.0/16", &blue->prefixes[0], NULL);
	blue->nprefixes = 1;
	blue->has_vrf = true;
	snprintf(blue->vrf_name, IFNAMSIZ, "udn-blue");
	blue->vrf_table = 1001;
	blue->target = PR_TGT_VRF;
	w->cfg.nnetworks = 2;
	add_link(w, IF_VRF, "udn-blue", "vrf");
	add_neigh(w, IF_UL, "192.0.2.21", 0x21);
	add_neigh(w, IF_UL, "192.0.2.22", 0x22);
	for (int phase = 0; phase < 2; phase++) {
		w->cfg.max_learned_routes = phase ? 5 : 100;
		sync(f); /* a config change: a full round */
		for (int step = 0; step < 1500; step++) {
			unsigned i = rand_r(&seed) % 16;
			struct pr_kroute *r = &slot[i];
			int rc;

			if (rand_r(&seed) % 3) {
				memset(r, 0, sizeof(*r));
				pr_prefix_parse(pfx[i % 8], &r->dst, NULL);
				r->table = i < 8 ? RT_TABLE_MAIN : 1001;
				r->protocol = PR_RTPROT_BGP;
				r->type = RTN_UNICAST;
				for (unsigned n = 1 + rand_r(&seed) % 3; r->npaths < n;) {
					unsigned g = rand_r(&seed) % 4;

					add_path(r, g == 3 ? IF_MP0 : IF_UL, gws[g]);
					r->paths[r->npaths - 1].weight = 1 + rand_r(&seed) % 2;
				}
				present[i] = true;
			} else {
				present[i] = false;
			}
			w->in.nroutes = 0;
			for (unsigned k = 0; k < 16; k++)
				if (present[k])
					w->routes[w->in.nroutes++] = slot[k];
			rc = pr_reconcile_route(f->s, &w->cfg, r->table, &r->dst, present[i] ? r : NULL);
			assert_true(rc >= 0);
			if (rc)
				fast++;
			else
				assert_int_equal(pr_reconcile_run(f->s, &w->in, &f->st), 0), rounds++;
			assert_int_equal(pr_reconcile_run(ref, &w->in, &f->st), 0);
			assert_same_routes(f->mm, full);
		}
	}
	print_message("%u changes applied one by one, %u needed a full round\n", fast, rounds);
	assert_true(fast > 500); /* both paths were exercised */
	assert_true(rounds > 10);
	pr_reconcile_free(ref);
	mem_free(full);
}

static void test_ifaces_role_xdp_and_vrf(void **state)
{
	struct fixture *f = *state;
	const struct pr_iface *ul, *ul2;
	uint32_t xdp[] = { IF_UL };

	/* eth1 is a second underlay, enslaved to VRF udn-blue (table 1001). */
	snprintf(f->w->cfg.underlay[1], IFNAMSIZ, "eth1");
	f->w->cfg.nunderlay = 2;
	add_link(f->w, IF_VRF, "udn-blue", "vrf");
	f->w->links[f->w->in.nlinks - 1].vrf_table = 1001;
	f->w->links[3].master = IF_VRF; /* eth1 */
	f->w->in.xdp_ifindexes = xdp;
	f->w->in.nxdp = 1;
	sync(f);
	ul = arr(f->mm, PR_MAP_IFACES, IF_UL);
	ul2 = arr(f->mm, PR_MAP_IFACES, IF_UL2);
	assert_non_null(ul);
	assert_non_null(ul2);
	assert_int_equal(ul->flags, PR_IF_F_UNDERLAY | PR_IF_F_XDP);
	assert_int_equal(ul->vrf_table, 0);
	assert_int_equal(ul->rmac[0][5], IF_UL);
	assert_int_equal(ul2->flags, PR_IF_F_UNDERLAY);
	assert_int_equal(ul2->vrf_table, 1001);
	/* Leaving the VRF is followed. */
	f->w->links[3].master = 0;
	sync(f);
	assert_int_equal(((const struct pr_iface *)arr(f->mm, PR_MAP_IFACES, IF_UL2))->vrf_table, 0);
}

/* The slot in pr_ifslots of each interface in pr_ifaces (or NULL). */
static const struct pr_ifslot *ifslot(struct fixture *f, uint32_t ifindex)
{
	return arr(f->mm, PR_MAP_IFSLOTS, pr_ifslot_of(ifindex));
}

static void test_ifslots_hold_the_lowest_ifindex(void **state)
{
	struct fixture *f = *state;
	const uint32_t twin = IF_UL + PR_IFSLOTS; /* the same slot as eth0 */
	const struct pr_iface *ul, *tw;
	const struct pr_ifslot *sl;
	unsigned handover, ifaces_gone;

	sync(f);
	ul = arr(f->mm, PR_MAP_IFACES, IF_UL);
	sl = ifslot(f, IF_UL);
	assert_non_null(ul);
	assert_non_null(sl);
	assert_int_equal(sl->ifindex, IF_UL);
	assert_memory_equal(&sl->ifc, ul, sizeof(*ul));

	/* A second underlay whose ifindex maps to eth0's slot: the slot stays
	 * eth0's, the datapath reads the other one from pr_ifaces. */
	add_link(f->w, twin, "eth9", "veth");
	snprintf(f->w->cfg.underlay[1], IFNAMSIZ, "eth9");
	f->w->cfg.nunderlay = 2;
	sync(f);
	tw = arr(f->mm, PR_MAP_IFACES, twin);
	assert_non_null(tw);
	assert_int_equal(ifslot(f, twin)->ifindex, IF_UL);

	/* eth0 leaves the config: its slot passes to eth9, with eth9's entry,
	 * in two writes (cleared, then eth9's), before eth0's pr_ifaces entry
	 * goes. */
	snprintf(f->w->cfg.underlay[0], IFNAMSIZ, "eth9");
	f->w->cfg.nunderlay = 1;
	f->mm->nops = 0;
	sync(f);
	handover = ifaces_gone = 0;
	for (unsigned i = 0; i < f->mm->nops; i++) {
		if (i + 1 < f->mm->nops && f->mm->ops[i].m == PR_MAP_IFSLOTS && f->mm->ops[i].kind == 'd' &&
		    f->mm->ops[i + 1].m == PR_MAP_IFSLOTS && f->mm->ops[i + 1].kind == 'u' && !handover)
			handover = i + 1;
		if (f->mm->ops[i].m == PR_MAP_IFACES && f->mm->ops[i].kind == 'd')
			ifaces_gone = i + 1;
	}
	assert_true(handover > 0);
	assert_true(ifaces_gone > handover);
	assert_null(arr(f->mm, PR_MAP_IFACES, IF_UL));
	sl = ifslot(f, twin);
	assert_non_null(sl);
	assert_int_equal(sl->ifindex, twin);
	assert_memory_equal(&sl->ifc, arr(f->mm, PR_MAP_IFACES, twin), sizeof(struct pr_iface));

	/* No interface left: no slot either. */
	f->w->cfg.nunderlay = 0;
	sync(f);
	assert_null(ifslot(f, twin));
}

static void test_unresolved_neighbour_passes(void **state)
{
	struct fixture *f = *state;
	struct pr_cfg_network *n = &f->w->nets[0];

	n->has_mac = false;
	pr_prefix_parse("10.128.1.5", &n->neighbour, NULL);
	sync(f);
	assert_int_equal(route4(f->mm, "10.128.1.0/24")->action, PR_ACT_PASS);
	assert_string_equal(pr_reconcile_net_status(f->s, 1), "neighbour 10.128.1.5/32 unresolved");
	add_neigh(f->w, IF_MP0, "10.128.1.5", 0x55);
	sync(f);
	assert_int_equal(route4(f->mm, "10.128.1.0/24")->action, PR_ACT_REDIRECT);
	assert_int_equal(((const struct pr_net *)arr(f->mm, PR_MAP_NETS, 1))->dmac[5], 0x55);
	assert_string_equal(pr_reconcile_net_status(f->s, 1), "");
	/* Port down: back to the slow path. */
	f->w->links[1].up = false;
	sync(f);
	assert_int_equal(route4(f->mm, "10.128.1.0/24")->action, PR_ACT_PASS);
}

static void test_shadow_and_antispoof_flags(void **state)
{
	struct fixture *f = *state;

	f->w->nets[0].shadow = true;
	f->w->nets[0].antispoof = false;
	f->w->cfg.shadow = true;
	sync(f);
	assert_int_equal(((const struct pr_net *)arr(f->mm, PR_MAP_NETS, 1))->flags,
			 PR_NET_F_VALID | PR_NET_F_SHADOW);
	assert_int_equal(((const struct pr_global *)arr(f->mm, PR_MAP_CONFIG, 0))->flags,
			 PR_G_F_SHADOW | PR_G_F_NO_ANTISPOOF);
}

/* PR_G_F_NO_ANTISPOOF (the datapath skips the source lookup) exactly while
 * no network has anti-spoofing on, and cleared in pr_config before a
 * network turns it on in pr_nets. */
static void test_no_antispoof_flag(void **state)
{
	struct fixture *f = *state;
	int config_up = -1, nets_up = -1;

	sync(f);
	assert_int_equal(((const struct pr_global *)arr(f->mm, PR_MAP_CONFIG, 0))->flags, 0);
	f->w->nets[0].antispoof = false;
	sync(f);
	assert_int_equal(((const struct pr_global *)arr(f->mm, PR_MAP_CONFIG, 0))->flags, PR_G_F_NO_ANTISPOOF);
	f->w->nets[0].antispoof = true;
	sync(f);
	assert_int_equal(((const struct pr_global *)arr(f->mm, PR_MAP_CONFIG, 0))->flags, 0);
	for (unsigned i = 0; i < f->mm->nops; i++) {
		const struct op *o = &f->mm->ops[i];

		if (o->kind == 'u' && o->m == PR_MAP_CONFIG && config_up < 0)
			config_up = i;
		if (o->kind == 'u' && o->m == PR_MAP_NETS && nets_up < 0)
			nets_up = i;
	}
	assert_true(config_up >= 0 && nets_up > config_up);
}

static void test_acceptance_policy(void **state)
{
	struct fixture *f = *state;
	struct pr_kroute *r;

	add_path(add_route(f->w, "10.200.0.0/16", RT_TABLE_MAIN), IF_UL, "192.0.2.12"); /* ok */
	r = add_route(f->w, "10.201.0.0/16", RT_TABLE_MAIN);
	add_path(r, IF_UL, "192.0.2.12");
	r->protocol = 4; /* static */
	add_path(add_route(f->w, "10.202.0.0/16", 100), IF_UL, "192.0.2.12"); /* table */
	add_path(add_route(f->w, "10.128.1.128/25", RT_TABLE_MAIN), IF_UL, "192.0.2.12"); /* ours */
	add_path(add_route(f->w, "10.203.0.0/16", RT_TABLE_MAIN), IF_MP0, "192.0.2.12"); /* not underlay */
	r = add_route(f->w, "10.204.0.0/16", RT_TABLE_MAIN);
	add_path(r, IF_UL, "192.0.2.12");
	r->type = RTN_BLACKHOLE;
	add_path(add_route(f->w, "172.16.0.0/16", RT_TABLE_MAIN), IF_UL, "192.0.2.12"); /* filter */
	pr_prefix_parse("10.0.0.0/8", &f->w->cfg.accept_prefixes[0], NULL);
	f->w->cfg.naccept_prefixes = 1;
	sync(f);
	assert_non_null(route4(f->mm, "10.200.0.0/16"));
	assert_null(route4(f->mm, "10.201.0.0/16"));
	assert_null(route4(f->mm, "10.202.0.0/16"));
	assert_null(route4(f->mm, "10.128.1.128/25"));
	assert_null(route4(f->mm, "10.203.0.0/16"));
	assert_null(route4(f->mm, "10.204.0.0/16"));
	assert_null(route4(f->mm, "172.16.0.0/16"));
	assert_int_equal(f->st.learned_accepted, 1);
	assert_int_equal(f->st.learned_refused, 5); /* the static route is not counted */
}

static void test_limit_is_deterministic(void **state)
{
	struct fixture *f = *state;

	/* Added in reverse order: the limit keeps the lowest prefixes. */
	add_path(add_route(f->w, "10.203.0.0/16", RT_TABLE_MAIN), IF_UL, "192.0.2.12");
	add_path(add_route(f->w, "10.202.0.0/16", RT_TABLE_MAIN), IF_UL, "192.0.2.12");
	add_path(add_route(f->w, "10.201.0.0/16", RT_TABLE_MAIN), IF_UL, "192.0.2.12");
	f->w->cfg.max_learned_routes = 2;
	sync(f);
	assert_non_null(route4(f->mm, "10.201.0.0/16"));
	assert_non_null(route4(f->mm, "10.202.0.0/16"));
	assert_null(route4(f->mm, "10.203.0.0/16"));
	assert_int_equal(f->st.learned_over_limit, 1);
}

static void test_restart_adopts_without_writes(void **state)
{
	struct fixture *f = *state;
	struct pr_reconciler *again;

	add_path(add_route(f->w, "10.200.0.0/16", RT_TABLE_MAIN), IF_UL, "192.0.2.12");
	add_path(add_route(f->w, "10.201.0.0/16", RT_TABLE_MAIN), IF_UL, "192.0.2.13");
	add_path(&f->w->routes[1], IF_UL, "192.0.2.12");
	add_neigh(f->w, IF_UL, "192.0.2.12", 0x12);
	add_neigh(f->w, IF_UL, "192.0.2.13", 0x13);
	sync(f);
	/* A new agent process: fresh id allocator, same maps. */
	again = pr_reconcile_new(&f->io);
	assert_non_null(again);
	pr_reconcile_free(f->s);
	f->s = again;
	assert_int_equal(sync(f), 0);
}

static void test_apply_order_is_hitless(void **state)
{
	struct fixture *f = *state;
	int first_route_up = -1, last_nh_up = -1, last_route_del = -1, first_grp_del = -1;

	add_path(add_route(f->w, "10.200.0.0/16", RT_TABLE_MAIN), IF_UL, "192.0.2.12");
	sync(f);
	/* Replace: new next hop, new group, route repointed, old ones deleted. */
	inet_pton(AF_INET, "192.0.2.13", f->w->routes[0].paths[0].gw);
	add_path(add_route(f->w, "10.201.0.0/16", RT_TABLE_MAIN), IF_UL, "192.0.2.14");
	sync(f);
	for (unsigned i = 0; i < f->mm->nops; i++) {
		const struct op *o = &f->mm->ops[i];

		if (o->kind == 'u' && o->m == PR_MAP_ROUTES4 && first_route_up < 0)
			first_route_up = i;
		if (o->kind == 'u' && (o->m == PR_MAP_NEXTHOPS || o->m == PR_MAP_NHGRPS))
			last_nh_up = i;
		if (o->kind == 'd' && o->m == PR_MAP_ROUTES4)
			last_route_del = i;
		if (o->kind == 'd' && (o->m == PR_MAP_NHGRPS || o->m == PR_MAP_NEXTHOPS) && first_grp_del < 0)
			first_grp_del = i;
	}
	assert_true(last_nh_up >= 0 && first_route_up > last_nh_up);
	assert_true(first_grp_del > first_route_up);
	assert_true(last_route_del < first_grp_del);
}

static void test_write_error_stops_and_rereads(void **state)
{
	struct fixture *f = *state;
	struct pr_reconcile_stats st;

	add_path(add_route(f->w, "10.200.0.0/16", RT_TABLE_MAIN), IF_UL, "192.0.2.12");
	f->mm->fail_on_op = 3;
	f->mm->nops = 0;
	assert_int_equal(pr_reconcile_run(f->s, &f->w->in, &st), -ENOSPC);
	f->mm->fail_on_op = 0;
	/* The retry completes the job from what the maps really hold. */
	sync(f);
	assert_non_null(route4(f->mm, "10.200.0.0/16"));
	assert_int_equal(sync(f), 0);
}

/* ---------- drift (reconcile/drift.c) ---------- */

/* The drift between the in-memory maps and the desired state for f->w. */
static size_t drift(struct fixture *f, struct pr_drift_list *l)
{
	memset(l, 0, sizeof(*l));
	assert_int_equal(pr_drift_maps(&f->io, &f->w->in, f->s, l), 0);
	return l->n;
}

static bool drift_has(const struct pr_drift_list *l, const char *prefix, const char *part)
{
	for (size_t i = 0; i < l->n; i++)
		if (!strncmp(l->items[i], prefix, strlen(prefix)) && strstr(l->items[i], part))
			return true;
	return false;
}

static void learned_world(struct fixture *f)
{
	add_path(add_route(f->w, "10.200.0.0/16", RT_TABLE_MAIN), IF_UL, "192.0.2.12");
	add_neigh(f->w, IF_UL, "192.0.2.12", 0x12);
	sync(f);
}

static void test_drift_none_after_a_round(void **state)
{
	struct fixture *f = *state;
	struct pr_drift_list l;

	learned_world(f);
	assert_int_equal(drift(f, &l), 0);
	pr_drift_free(&l);
}

/* A changed network MAC, a deleted learned route and an extra prefix are
 * each named, with what the map holds and what is expected. */
static void test_drift_names_each_difference(void **state)
{
	struct fixture *f = *state;
	struct pr_drift_list l;
	struct pr_net n;
	struct pr_prefix p;
	struct pr_lpm4_key k;
	struct pr_route extra = { .net_id = 1, .action = PR_ACT_REDIRECT, .flags = PR_ROUTE_F_LOCAL };
	uint32_t one = 1;

	learned_world(f);
	memcpy(&n, arr(f->mm, PR_MAP_NETS, 1), sizeof(n));
	n.dmac[5] = 0x99;
	mem_update(f->mm, PR_MAP_NETS, &one, &n);
	pr_prefix_parse("10.200.0.0/16", &p, NULL);
	pr_prefix_to_key4(&p, 0, &k);
	mem_remove(f->mm, PR_MAP_ROUTES4, &k);
	pr_prefix_parse("203.0.113.0/24", &p, NULL);
	pr_prefix_to_key4(&p, 0, &k);
	mem_update(f->mm, PR_MAP_ROUTES4, &k, &extra);
	assert_int_equal(drift(f, &l), 3);
	assert_true(drift_has(&l, "network 1: pr_nets holds", "dmac 0a:00:00:00:00:99"));
	assert_true(drift_has(&l, "network 1: pr_nets holds", "expected target mp0, dmac 0a:00:00:00:00:05"));
	assert_true(drift_has(&l, "route 10.200.0.0/16: missing from pr_routes4", "eth0"));
	assert_true(drift_has(&l, "route 203.0.113.0/24: in pr_routes4", "not expected"));
	pr_drift_free(&l);
}

/* Group and next-hop ids are the agent's choice: the same next hops under
 * other ids are no difference; another next-hop MAC is. */
static void test_drift_compares_next_hops_not_ids(void **state)
{
	struct fixture *f = *state;
	const struct pr_route *r;
	struct pr_route moved;
	struct pr_nhgrp g;
	struct pr_nexthop nh;
	struct pr_prefix p;
	struct pr_lpm4_key k;
	struct pr_drift_list l;
	uint32_t gid = 77, nid = 88;

	learned_world(f);
	r = route4(f->mm, "10.200.0.0/16");
	assert_non_null(r);
	moved = *r;
	memcpy(&g, arr(f->mm, PR_MAP_NHGRPS, r->nhg_id), sizeof(g));
	memcpy(&nh, arr(f->mm, PR_MAP_NEXTHOPS, g.nh[0]), sizeof(nh));
	g.nh[0] = nid;
	moved.nhg_id = gid;
	mem_update(f->mm, PR_MAP_NEXTHOPS, &nid, &nh);
	mem_update(f->mm, PR_MAP_NHGRPS, &gid, &g);
	pr_prefix_parse("10.200.0.0/16", &p, NULL);
	pr_prefix_to_key4(&p, 0, &k);
	mem_update(f->mm, PR_MAP_ROUTES4, &k, &moved);
	assert_int_equal(drift(f, &l), 0);
	pr_drift_free(&l);

	nh.dmac[5] = 0x34;
	mem_update(f->mm, PR_MAP_NEXTHOPS, &nid, &nh);
	assert_int_equal(drift(f, &l), 1);
	assert_true(drift_has(&l, "route 10.200.0.0/16: pr_routes4 holds", "0a:00:00:00:00:34"));
	assert_true(drift_has(&l, "route 10.200.0.0/16: pr_routes4 holds", "expected network 1, action nexthop, via eth0"));
	pr_drift_free(&l);
}

/* Seen twice: only what both passes found counts. */
static void test_drift_keep_common(void **state)
{
	struct pr_drift_list a = {}, b = {};

	(void)state;
	pr_drift_add(&a, "x");
	pr_drift_add(&a, "y");
	pr_drift_add(&b, "y");
	pr_drift_add(&b, "z");
	pr_drift_sort(&a);
	pr_drift_sort(&b);
	pr_drift_keep_common(&b, &a);
	assert_int_equal(b.n, 1);
	assert_string_equal(b.items[0], "y");
	pr_drift_free(&a);
	pr_drift_free(&b);
}

int main(void)
{
#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)
	const struct CMUnitTest tests[] = {
		T(test_one_network_from_empty),
		T(test_drift_none_after_a_round),
		T(test_drift_names_each_difference),
		T(test_drift_compares_next_hops_not_ids),
		T(test_drift_keep_common),
		T(test_idempotent),
		T(test_add_and_delete_learned_route),
		T(test_change_target_port),
		T(test_neighbour_mac_change_rewrites_one_nexthop),
		T(test_change_next_hop_gateway),
		T(test_ecmp_growth_and_shrink),
		T(test_weights_expand_into_slots),
		T(test_vrf_network_and_table_change),
		T(test_same_prefix_in_two_vrfs),
		T(test_route_increments_equal_full_rounds),
		T(test_ifaces_role_xdp_and_vrf),
	T(test_ifslots_hold_the_lowest_ifindex),
		T(test_unresolved_neighbour_passes),
		T(test_shadow_and_antispoof_flags),
		T(test_no_antispoof_flag),
		T(test_acceptance_policy),
		T(test_covering_routes_refused_by_default),
		T(test_limit_is_deterministic),
		T(test_restart_adopts_without_writes),
		T(test_apply_order_is_hitless),
		T(test_write_error_stops_and_rereads),
	};
	return cmocka_run_group_tests_name("mapsync", tests, NULL, NULL);
}
