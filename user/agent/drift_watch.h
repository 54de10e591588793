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

/* Run the check when due. A difference counts once a second pass, a
 * second later (after the loop applied what it had pending), sees it too;
 * the count goes to a->drift_differences, each difference to the log when
 * the set changes. */
void pr_agent_drift_tick(struct pr_agent *a, double now_ms);
void pr_agent_drift_fini(struct pr_agent *a);

#endif
