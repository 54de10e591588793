/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Drift: what the maps hold against what the reconciler would write for
 * the same config and kernel state. The desired state is the agent's own
 * (pr_desired_build, the route policy), never re-derived, so a difference
 * is either a write behind the agent's back (bpftool, `podroute prefix`),
 * a reconcile that failed or has not run yet, or a bug.
 *
 * Next hops and groups are compared through the routes that use them:
 * their ids are the agent's to choose, so a route's next hops are compared
 * as the set of (device, MACs, usable) they resolve to on each side.
 */
#ifndef PR_DRIFT_H
#define PR_DRIFT_H

#include <stddef.h>

#include "reconcile/reconcile.h"

/* The differences found, each one sentence naming the object ("route
 * 10.0.0.0/24: ..."), sorted. */
struct pr_drift_list {
	char **items;
	size_t n, cap;
};

/*
 * Compare the maps io reads with the desired state for in. ref: the
 * agent's running reconciler, or NULL; with it, networks it already
 * reported as unresolved are not logged again. Fills out (appending).
 * Returns 0 or -errno (reading a map, memory).
 */
int pr_drift_maps(const struct pr_mapio *io, const struct pr_reconcile_input *in,
		  const struct pr_reconciler *ref, struct pr_drift_list *out);

/* Append one difference (printf-style); -ENOMEM. */
int pr_drift_add(struct pr_drift_list *l, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void pr_drift_sort(struct pr_drift_list *l);
/* Keep only the items also in before (both sorted): a difference seen
 * twice, not a change caught between the kernel's and the maps' reading. */
void pr_drift_keep_common(struct pr_drift_list *l, const struct pr_drift_list *before);
void pr_drift_free(struct pr_drift_list *l);

#endif
