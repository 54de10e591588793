/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * What the reconciler's input needs from the devices podroute attaches to,
 * beside the kernel's routes, neighbours and links: where podroute's own
 * XDP program runs (TC there only takes hand-offs) and which targets take
 * XDP frames. One place, so that the agent's reconcile step and the drift
 * check build the same input.
 */
#ifndef PR_RECONCILE_HOOKS_H
#define PR_RECONCILE_HOOKS_H

#include <stdint.h>

#include "config/config.h"
#include "reconcile/reconcile.h"

/* Room for the XDP ifindexes of a config. */
#define PR_HOOKS_MAX_XDP (PR_CFG_MAX_IFS * 2 + 1)

/*
 * Fill in->xdp_ifindexes (into xdp, PR_HOOKS_MAX_XDP entries) and in->nxdp
 * from the kernel, and mark the links of in that take XDP frames (asked
 * every time: a veth's peer may gain or lose NAPI without a link message).
 * Returns 0, or -errno when the netdev family could not be asked: then no
 * link is marked, and XDP hands every target to TC.
 */
int pr_reconcile_hooks(const struct pr_config *cfg, struct pr_reconcile_input *in, uint32_t *xdp);

#endif
