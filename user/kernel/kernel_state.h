/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The agent's copy of the kernel state it follows: routes, nexthop
 * objects, neighbours and links, keyed as the kernel keys them, updated
 * one netlink event at a time and read in full by each reconcile. Routes
 * for the same (table, prefix) with different metrics are all kept; the
 * export picks the lowest metric, as the kernel's FIB does.
 */
#ifndef PR_KSTATE_H
#define PR_KSTATE_H

#include <stdbool.h>
#include <stddef.h>

#include "kernel/kobjects.h"

struct pr_kernel_state;

struct pr_kernel_state *pr_kernel_state_new(void);
void pr_kernel_state_free(struct pr_kernel_state *ks);
/* Forget everything (before a full resync). */
void pr_kernel_state_clear(struct pr_kernel_state *ks);

/* Upserts and deletes; 0 or -ENOMEM. Delete of a missing key is fine. */
int pr_kernel_state_route_set(struct pr_kernel_state *ks, const struct pr_kroute *r);
void pr_kernel_state_route_del(struct pr_kernel_state *ks, const struct pr_kroute *r);
int pr_kernel_state_nexthop_set(struct pr_kernel_state *ks, const struct pr_knexthop *nh);
void pr_kernel_state_nexthop_del(struct pr_kernel_state *ks, uint32_t id);
int pr_kernel_state_neigh_set(struct pr_kernel_state *ks, const struct pr_kneigh *n);
void pr_kernel_state_neigh_del(struct pr_kernel_state *ks, const struct pr_kneigh *n);
int pr_kernel_state_link_set(struct pr_kernel_state *ks, const struct pr_klink *l);
void pr_kernel_state_link_del(struct pr_kernel_state *ks, uint32_t ifindex);

const struct pr_knexthop *pr_kernel_state_nexthop(const struct pr_kernel_state *ks, uint32_t id);

size_t pr_kernel_state_nroutes(const struct pr_kernel_state *ks);

/*
 * Snapshot arrays for the reconciler (caller frees each with free()).
 * Routes: one per (table, prefix), the lowest metric; paths of routes
 * that use a nexthop object and carry none (nexthop_compat_mode=0) are
 * expanded from the object; routes whose object is unknown are skipped
 * and counted in *unresolved.
 */
int pr_kernel_state_export_routes(const struct pr_kernel_state *ks, struct pr_kroute **out, size_t *n,
			    size_t *unresolved);
/*
 * The route the export would give for (table, dst): the lowest metric, its
 * paths expanded from its nexthop object. 1 and *out filled; 0 when the
 * export would have none (no route, or its object is unknown); -EAGAIN
 * when too many metrics exist for the prefix to tell (use the export).
 */
int pr_kernel_state_route_best(const struct pr_kernel_state *ks, uint32_t table, const struct pr_prefix *dst,
			 struct pr_kroute *out);
int pr_kernel_state_export_neighs(const struct pr_kernel_state *ks, struct pr_kneigh **out, size_t *n);
int pr_kernel_state_export_links(const struct pr_kernel_state *ks, struct pr_klink **out, size_t *n);

#endif
