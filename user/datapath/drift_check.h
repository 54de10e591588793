/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The drift check (`podroute check`, and the agent's periodic
 * podroute_drift_differences): the pinned maps against the desired state
 * for the config and a fresh reading of the kernel (reconcile/drift.h),
 * the configured interfaces against the hooks the kernel has on them, and,
 * where Open vSwitch runs, br-ex and its underlay port (datapath/ovs_ports.h).
 */
#ifndef PR_DRIFT_CHECK_H
#define PR_DRIFT_CHECK_H

#include "config/config.h"
#include "datapath/maps.h"
#include "reconcile/drift.h"

/*
 * map_fd: the datapath's maps, indexed by enum pr_map (struct pr_pins' fd,
 * or the agent's). ref: the agent's reconciler or NULL (reconcile/drift.h).
 * Appends every difference to out, sorted. 0 or -errno (a dump or a map
 * read failed: nothing can be said).
 */
int pr_drift_check(const int *map_fd, const struct pr_config *cfg, const struct pr_reconciler *ref,
		   struct pr_drift_list *out);

#endif
