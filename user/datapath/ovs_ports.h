/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Where the config's interfaces sit in Open vSwitch, for the drift check.
 * podroute installs no OpenFlow flow (it enters OVN through the management
 * port or the network's VRF), so there are no flows of its own to compare;
 * what it does rely on is the layout OVN-Kubernetes gives a node: br-ex
 * exists, and the underlay NIC is a port of br-ex (the reconciler gives
 * the NIC br-ex's MAC as a router MAC: frames for the bridge arrive on it).
 * Asked with ovs-vsctl, only where it is installed and a br-ex is
 * configured; when ovs-vsctl cannot answer, nothing is said.
 */
#ifndef PR_OVS_PORTS_H
#define PR_OVS_PORTS_H

#include "config/config.h"
#include "reconcile/drift.h"

/* Append each difference to out. 0 or -ENOMEM. */
int pr_ovs_check(const struct pr_config *cfg, struct pr_drift_list *out);

#endif
