/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The agent's queue of learned-route changes waiting to reach the maps:
 * the (table, prefix) keys netlink reported since the last apply, each
 * once, in arrival order, with the time the first report of it arrived
 * (for the route-to-map latency). Bounded: past its capacity it says so,
 * and the agent does a full reconcile instead.
 */
#ifndef PR_ROUTEQ_H
#define PR_ROUTEQ_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lib/hashtab.h"
#include "lib/prefix.h"

struct pr_routeq_item {
	uint32_t table;
	struct pr_prefix dst;
	double since_ms; /* when the first change of this key arrived */
};

struct pr_routeq {
	struct pr_routeq_item *items;
	size_t n, cap;
	bool overflow; /* a change was dropped: only a full reconcile is exact */
	struct pr_htab seen;
};

int pr_routeq_init(struct pr_routeq *q, size_t cap);
void pr_routeq_free(struct pr_routeq *q);
/* Queue (table, dst) unless already queued; sets overflow when full. */
void pr_routeq_push(struct pr_routeq *q, uint32_t table, const struct pr_prefix *dst, double now_ms);
/* Forget everything queued (after a full reconcile covered it). */
void pr_routeq_reset(struct pr_routeq *q);

#endif
