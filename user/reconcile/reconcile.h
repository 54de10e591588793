/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The reconciler: desired map contents = f(config, routes, neighbours,
 * links), compared with a mirror of what the maps hold, applied as the
 * minimal set of writes in an order that never leaves a packet pointing at
 * something missing (see reconcile/reconcile.c).
 *
 * The map I/O goes through struct pr_mapio, so unit tests run the whole
 * reconciler against in-memory maps and the agent against the pinned ones.
 */
#ifndef PR_MAPSYNC_H
#define PR_MAPSYNC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "config/config.h"
#include "datapath/maps.h"
#include "kernel/kobjects.h"

/* The maps it owns: PR_MAP_ROUTES4 .. PR_MAP__RECONCILED - 1 (datapath/maps.h). */

struct pr_mapio {
	/* Upsert / delete one entry; 0 or -errno. */
	int (*update)(void *ctx, enum pr_map m, const void *key, const void *val);
	int (*remove)(void *ctx, enum pr_map m, const void *key);
	/* Call fn for every present entry (arrays: every non-zero value). */
	int (*walk)(void *ctx, enum pr_map m,
		    void (*fn)(void *arg, const void *key, const void *val), void *arg);
	void *ctx;
};

/* What reconcile saw and did. */
struct pr_reconcile_stats {
	unsigned upserts[PR_MAP__RECONCILED], deletes[PR_MAP__RECONCILED];
	unsigned learned_accepted, learned_refused, learned_over_limit;
	unsigned nets_resolved, nets_unresolved;
};

struct pr_reconcile_input {
	const struct pr_config *cfg;
	const struct pr_kroute *routes;
	size_t nroutes;
	const struct pr_kneigh *neighs;
	size_t nneighs;
	const struct pr_klink *links;
	size_t nlinks;
	/* Where podroute's XDP program runs (TC then only takes hand-offs). */
	const uint32_t *xdp_ifindexes;
	size_t nxdp;
};

struct pr_reconciler;

/* Create, mirroring (adopting) what the maps hold now. */
struct pr_reconciler *pr_reconcile_new(const struct pr_mapio *io);
void pr_reconcile_free(struct pr_reconciler *s);
/* One round. On a write error the round stops, the error names the map,
 * and the mirror is re-read so the next round starts from the truth. */
int pr_reconcile_run(struct pr_reconciler *s, const struct pr_reconcile_input *in, struct pr_reconcile_stats *st);
/*
 * One learned route changed, between full rounds: r is what the kernel now
 * has for (table, dst) as the export would give it (lowest metric, paths
 * expanded), or NULL when it has none. Writes that one prefix's entry in
 * O(1) when the result is certain to be what a full round would write:
 * the last full round succeeded and nothing but routes has changed since
 * (the caller's contract: config, links, neighbours and nexthop objects
 * changes go through pr_reconcile_run), the route's next hops and group are
 * ones that round already knows, and the learned-route limit is not in
 * play. Returns 1 when done, 0 when a full round is needed, -errno on a
 * write error (then a full round is needed too). Groups it stops using are
 * left for the next full round to delete.
 */
int pr_reconcile_route(struct pr_reconciler *s, const struct pr_config *cfg, uint32_t table,
		       const struct pr_prefix *dst, const struct pr_kroute *r);
/* Entries of a map as the mirror holds them (what the map holds, without a
 * walk), and learned routes in the maps. */
size_t pr_reconcile_count(const struct pr_reconciler *s, enum pr_map m);
/* Call fn for every entry of map m as the mirror holds it (what the map
 * holds, without reading it). */
void pr_reconcile_walk(const struct pr_reconciler *s, enum pr_map m,
		       void (*fn)(void *arg, const void *key, const void *val), void *arg);
unsigned pr_reconcile_learned(const struct pr_reconciler *s);
/* Why a network is not on the fast path ("" when it is), for logs/status. */
const char *pr_reconcile_net_status(const struct pr_reconciler *s, uint32_t net_id);

#endif
