/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The kernel's routes, nexthop objects, neighbours and links read once,
 * through the same netlink follower and parser the agent uses, into a
 * struct pr_kernel_state: for commands that compare the maps with the
 * kernel (`podroute check`) and the agent's own periodic drift check,
 * which must not trust the agent's cache (the cache may be what drifted).
 */
#ifndef PR_KERNEL_SNAPSHOT_H
#define PR_KERNEL_SNAPSHOT_H

#include "kernel/kernel_state.h"

/* Fill ks (cleared first) from a full dump. 0, -EIO or -ENOMEM. */
int pr_kernel_snapshot(struct pr_kernel_state *ks);

#endif
