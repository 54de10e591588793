// SPDX-License-Identifier: GPL-2.0-only
/*
 * The agent's kernel-state cache (see kernel/kernel_state.h): four hash tables
 * (hashtab.h) of owned copies, keyed as the kernel keys them, and an index
 * of the metrics present per (table, prefix), so that the route the FIB
 * uses for one prefix is found without a scan (pr_kernel_state_route_best).
 */
#include "kernel/kernel_state.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "kernel/route_msg.h"
#include "lib/hashtab.h"

/* As the kernel keys a route (IPv4: TOS too; the follower's key). */
struct route_key {
	uint8_t family, len, tos;
	uint8_t addr[16];
	uint32_t table, priority;
};

struct neigh_key {
	uint32_t ifindex;
	uint8_t family;
	uint8_t addr[16];
};

/* (table, prefix) -> how many routes it has and the metrics of up to
 * PFX_PRIOS of them: exact while count == n (each listed metric is a
 * present route), "too many to tell" otherwise. */
#define PFX_PRIOS 6
struct pfx_key {
	uint8_t family, len;
	uint8_t addr[16];
	uint32_t table;
};
struct pfx_rec {
	struct pfx_key k;
	uint32_t prio[PFX_PRIOS];
	uint32_t count;
	uint8_t n;
};

struct route_rec { struct route_key k; struct pr_kroute r; };
struct nh_rec { uint32_t id; struct pr_knexthop nh; };
struct neigh_rec { struct neigh_key k; struct pr_kneigh n; };
struct link_rec { uint32_t ifindex; struct pr_klink l; };

struct pr_kernel_state {
	struct pr_htab routes, nexthops, neighs, links;
	struct pr_htab prefixes; /* pfx_rec */
};

struct pr_kernel_state *pr_kernel_state_new(void)
{
	struct pr_kernel_state *ks = calloc(1, sizeof(*ks));

	if (!ks)
		return NULL;
	pr_htab_init(&ks->routes, sizeof(struct route_rec), sizeof(struct route_key));
	pr_htab_init(&ks->nexthops, sizeof(struct nh_rec), sizeof(uint32_t));
	pr_htab_init(&ks->neighs, sizeof(struct neigh_rec), sizeof(struct neigh_key));
	pr_htab_init(&ks->links, sizeof(struct link_rec), sizeof(uint32_t));
	pr_htab_init(&ks->prefixes, sizeof(struct pfx_rec), sizeof(struct pfx_key));
	return ks;
}

void pr_kernel_state_clear(struct pr_kernel_state *ks)
{
	pr_htab_clear(&ks->routes);
	pr_htab_clear(&ks->nexthops);
	pr_htab_clear(&ks->neighs);
	pr_htab_clear(&ks->links);
	pr_htab_clear(&ks->prefixes);
}

void pr_kernel_state_free(struct pr_kernel_state *ks)
{
	if (!ks)
		return;
	pr_htab_free(&ks->routes);
	pr_htab_free(&ks->nexthops);
	pr_htab_free(&ks->neighs);
	pr_htab_free(&ks->links);
	pr_htab_free(&ks->prefixes);
	free(ks);
}

static void route_key(const struct pr_kroute *r, struct route_key *k)
{
	memset(k, 0, sizeof(*k));
	k->family = r->dst.family;
	k->len = r->dst.len;
	memcpy(k->addr, r->dst.addr, 16);
	k->table = r->table;
	k->priority = r->priority;
	k->tos = r->tos;
}

static void pfx_key(const struct pr_prefix *dst, uint32_t table, struct pfx_key *k)
{
	memset(k, 0, sizeof(*k));
	k->family = dst->family;
	k->len = dst->len;
	memcpy(k->addr, dst->addr, 16);
	k->table = table;
}

/* A route with this metric now exists for (table, prefix). */
static int pfx_add(struct pr_kernel_state *ks, const struct pr_kroute *r)
{
	struct pfx_rec rec = {}, *cur;

	pfx_key(&r->dst, r->table, &rec.k);
	/* Our own record: the fields past the key may change in place. */
	cur = (struct pfx_rec *)pr_htab_get(&ks->prefixes, &rec.k);
	if (cur) {
		if (cur->n < PFX_PRIOS)
			cur->prio[cur->n++] = r->priority;
		cur->count++;
		return 0;
	}
	rec.prio[rec.n++] = r->priority;
	rec.count = 1;
	return pr_htab_set(&ks->prefixes, &rec);
}

static void pfx_remove(struct pr_kernel_state *ks, const struct pr_kroute *r)
{
	struct pfx_key k;
	struct pfx_rec *cur;

	pfx_key(&r->dst, r->table, &k);
	cur = (struct pfx_rec *)pr_htab_get(&ks->prefixes, &k);
	if (!cur)
		return;
	for (unsigned i = 0; i < cur->n; i++) {
		if (cur->prio[i] != r->priority)
			continue;
		cur->prio[i] = cur->prio[--cur->n];
		break;
	}
	if (!--cur->count)
		pr_htab_del(&ks->prefixes, &k);
}

int pr_kernel_state_route_set(struct pr_kernel_state *ks, const struct pr_kroute *r)
{
	struct route_rec rec;
	bool existed;
	int err;

	route_key(r, &rec.k);
	rec.r = *r;
	existed = pr_htab_get(&ks->routes, &rec.k) != NULL;
	err = pr_htab_set(&ks->routes, &rec);
	if (!err && !existed && pfx_add(ks, r)) {
		pr_htab_del(&ks->routes, &rec.k); /* keep the index exact */
		err = -ENOMEM;
	}
	return err;
}

void pr_kernel_state_route_del(struct pr_kernel_state *ks, const struct pr_kroute *r)
{
	struct route_key k;

	route_key(r, &k);
	if (pr_htab_get(&ks->routes, &k)) {
		pr_htab_del(&ks->routes, &k);
		pfx_remove(ks, r);
	}
}

int pr_kernel_state_nexthop_set(struct pr_kernel_state *ks, const struct pr_knexthop *nh)
{
	struct nh_rec rec = { .id = nh->id, .nh = *nh };

	return pr_htab_set(&ks->nexthops, &rec);
}

void pr_kernel_state_nexthop_del(struct pr_kernel_state *ks, uint32_t id)
{
	pr_htab_del(&ks->nexthops, &id);
}

const struct pr_knexthop *pr_kernel_state_nexthop(const struct pr_kernel_state *ks, uint32_t id)
{
	const struct nh_rec *rec = pr_htab_get(&ks->nexthops, &id);

	return rec ? &rec->nh : NULL;
}

static void neigh_key(const struct pr_kneigh *n, struct neigh_key *k)
{
	memset(k, 0, sizeof(*k));
	k->ifindex = n->ifindex;
	k->family = n->family;
	memcpy(k->addr, n->addr, 16);
}

int pr_kernel_state_neigh_set(struct pr_kernel_state *ks, const struct pr_kneigh *n)
{
	struct neigh_rec rec;

	neigh_key(n, &rec.k);
	rec.n = *n;
	return pr_htab_set(&ks->neighs, &rec);
}

void pr_kernel_state_neigh_del(struct pr_kernel_state *ks, const struct pr_kneigh *n)
{
	struct neigh_key k;

	neigh_key(n, &k);
	pr_htab_del(&ks->neighs, &k);
}

int pr_kernel_state_link_set(struct pr_kernel_state *ks, const struct pr_klink *l)
{
	struct link_rec rec = { .ifindex = l->ifindex, .l = *l };

	return pr_htab_set(&ks->links, &rec);
}

void pr_kernel_state_link_del(struct pr_kernel_state *ks, uint32_t ifindex)
{
	pr_htab_del(&ks->links, &ifindex);
}

size_t pr_kernel_state_nroutes(const struct pr_kernel_state *ks)
{
	return ks->routes.count;
}

static const struct pr_knexthop *nh_lookup(void *ks, uint32_t id)
{
	return pr_kernel_state_nexthop(ks, id);
}

/* A route's paths from its nexthop object, by the one expansion
 * (pr_nl_resolve_paths): false when unresolved or forwarding nowhere. */
static bool expand_paths(const struct pr_kernel_state *ks, struct pr_kroute *r)
{
	unsigned n;

	if (pr_nl_resolve_paths(r, nh_lookup, (void *)ks, r->paths, &n) || !n)
		return false;
	r->npaths = n;
	return true;
}

int pr_kernel_state_route_best(const struct pr_kernel_state *ks, uint32_t table, const struct pr_prefix *dst,
			 struct pr_kroute *out)
{
	struct pfx_key k;
	const struct pfx_rec *p;
	const struct route_rec *rec;
	struct route_key rk;
	uint32_t best;

	pfx_key(dst, table, &k);
	p = pr_htab_get(&ks->prefixes, &k);
	if (!p)
		return 0;
	if (p->count != p->n)
		return -EAGAIN;
	best = p->prio[0];
	for (unsigned i = 1; i < p->n; i++)
		if (p->prio[i] < best)
			best = p->prio[i];
	memset(&rk, 0, sizeof(rk));
	rk.family = dst->family;
	rk.len = dst->len;
	memcpy(rk.addr, dst->addr, 16);
	rk.table = table;
	rk.priority = best;
	rec = pr_htab_get(&ks->routes, &rk);
	if (!rec)
		return -EAGAIN; /* the best metric is a TOS route's: a full round decides */
	*out = rec->r;
	/* As the export: a route whose nexthop object is unknown is skipped. */
	if (!out->npaths && out->nhid && !expand_paths(ks, out))
		return 0;
	return 1;
}

static int cmp_route_key(const void *a, const void *b)
{
	const struct pr_kroute *x = a, *y = b;
	int c;

	if (x->dst.family != y->dst.family)
		return x->dst.family - y->dst.family;
	if (x->table != y->table)
		return x->table < y->table ? -1 : 1;
	c = memcmp(x->dst.addr, y->dst.addr, 16);
	if (c)
		return c;
	if (x->dst.len != y->dst.len)
		return x->dst.len - y->dst.len;
	if (x->priority != y->priority)
		return x->priority < y->priority ? -1 : 1;
	return x->tos - y->tos; /* the plain route (TOS 0) first */
}

int pr_kernel_state_export_routes(const struct pr_kernel_state *ks, struct pr_kroute **out, size_t *n,
			    size_t *unresolved)
{
	size_t cnt = 0, w = 0;
	struct pr_kroute *a = malloc((ks->routes.count + 1) * sizeof(*a));

	*unresolved = 0;
	if (!a)
		return -ENOMEM;
	struct pr_htab_iter it = {};
	const struct route_rec *rec;

	while ((rec = pr_htab_next(&ks->routes, &it)))
		a[cnt++] = rec->r;
	/* Sorted by (family, table, prefix, metric): the first of a run wins. */
	qsort(a, cnt, sizeof(*a), cmp_route_key);
	for (size_t i = 0; i < cnt; i++) {
		if (w && a[w - 1].dst.family == a[i].dst.family && a[w - 1].table == a[i].table &&
		    pr_prefix_equal(&a[w - 1].dst, &a[i].dst))
			continue; /* a higher metric for the same prefix */
		if (!a[i].npaths && a[i].nhid && !expand_paths(ks, &a[i])) {
			(*unresolved)++;
			continue;
		}
		a[w++] = a[i];
	}
	*out = a;
	*n = w;
	return 0;
}

#define EXPORT(table, rec_type, field, T)                                 \
	do {                                                              \
		struct pr_htab_iter it = {};                              \
		const struct rec_type *rec;                               \
		size_t cnt = 0;                                           \
		T *a = malloc((ks->table.count + 1) * sizeof(*a));        \
		if (!a)                                                   \
			return -ENOMEM;                                   \
		while ((rec = pr_htab_next(&ks->table, &it)))             \
			a[cnt++] = rec->field;                            \
		*out = a;                                                 \
		*n = cnt;                                                 \
		return 0;                                                 \
	} while (0)

int pr_kernel_state_export_neighs(const struct pr_kernel_state *ks, struct pr_kneigh **out, size_t *n)
{
	EXPORT(neighs, neigh_rec, n, struct pr_kneigh);
}

int pr_kernel_state_export_links(const struct pr_kernel_state *ks, struct pr_klink **out, size_t *n)
{
	EXPORT(links, link_rec, l, struct pr_klink);
}
