/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The agent's periodic drift check (datapath/drift_check.h), behind the
 * gauge podroute_drift_differences: run from the loop every
 * --check-interval seconds, between reconciles, never from the datapath.
 */
#ifndef PR_DRIFT_WATCH_H
#define PR_DRIFT_WATCH_H

#include "agent/agent.h"

#define PR_DRIFT_INTERVAL_DEFAULT 30 /* seconds */

/* Run the check when due (the first one interval after start). A
 * difference counts once a second pass, 1.5 s later (after the loop applied
 * what it had pending), sees it too; the confirmed ones go to
 * a->drift_last (its count is the gauge), each to the log when the set
 * changes. Called only when no full reconcile is owed. */
void pr_agent_drift_tick(struct pr_agent *a, double now_ms);
void pr_agent_drift_fini(struct pr_agent *a);

#endif
