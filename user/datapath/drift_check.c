// SPDX-License-Identifier: GPL-2.0-only
/*
 * The drift check (see datapath/drift_check.h). The reconciler's input is
 * built as the agent's reconcile step builds it (agent/rounds.c, with the
 * same datapath/reconcile_hooks.c), from a dump of its own rather than the
 * agent's cache, so a cache that missed an event shows up as a difference
 * too.
 */
#include "datapath/drift_check.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <net/if.h>

#include "datapath/attach.h"
#include "datapath/ownership.h"
#include "datapath/ovs_ports.h"
#include "datapath/reconcile_hooks.h"
#include "kernel/kernel_snapshot.h"
#include "reconcile/mapio_bpf.h"

/* Each configured interface exists and carries podroute's TC filter (on
 * every device it attaches to; XDP, where it runs, is the pr_ifaces
 * comparison's: the desired XDP flag comes from what is attached). */
static int check_hooks(const struct pr_config *cfg, struct pr_drift_list *out)
{
	unsigned n = cfg->nunderlay + (cfg->brex[0] ? 1 : 0) + cfg->novn;
	int err = 0;

	for (unsigned i = 0; i < n && !err; i++) {
		const char *name = i < cfg->nunderlay ? cfg->underlay[i]
				   : cfg->brex[0] && i == cfg->nunderlay ? cfg->brex
				   : cfg->ovn[i - cfg->nunderlay - (cfg->brex[0] ? 1 : 0)];
		unsigned ifindex = if_nametoindex(name);
		uint32_t tc = 0;

		if (!ifindex)
			err = pr_drift_add(out, "interface %s: configured, but no such device", name);
		else if (pr_tc_query(ifindex, &tc) || !tc)
			err = pr_drift_add(out, "interface %s: configured, but podroute's TC filter is not attached",
					   name);
		else if (!pr_prog_is_ours(tc))
			err = pr_drift_add(out, "interface %s: its TC filter (program %u) is not this instance's "
					   "(not in this pin dir's pr_progids)", name, tc);
	}
	return err;
}

int pr_drift_check(const int *map_fd, const struct pr_config *cfg, const struct pr_reconciler *ref,
		   struct pr_drift_list *out)
{
	struct pr_reconcile_input in = { .cfg = cfg };
	struct pr_kernel_state *ks = pr_kernel_state_new();
	struct pr_kroute *routes = NULL;
	struct pr_kneigh *neighs = NULL;
	struct pr_klink *links = NULL;
	struct pr_mapio_bpf mb;
	struct pr_mapio io;
	uint32_t xdp[PR_HOOKS_MAX_XDP];
	size_t unresolved = 0;
	int err;

	if (!ks)
		return -ENOMEM;
	err = pr_kernel_snapshot(ks) ?:
	      pr_kernel_state_export_routes(ks, &routes, &in.nroutes, &unresolved) ?:
	      pr_kernel_state_export_neighs(ks, &neighs, &in.nneighs) ?:
	      pr_kernel_state_export_links(ks, &links, &in.nlinks);
	if (err)
		goto out;
	in.routes = routes;
	in.neighs = neighs;
	in.links = links;
	pr_reconcile_hooks(cfg, &in, xdp); /* on error: no XDP target, as the agent */
	for (int m = 0; m < PR_MAP__RECONCILED; m++)
		mb.fd[m] = map_fd[m];
	pr_mapio_bpf_init(&mb, &io);
	err = pr_drift_maps(&io, &in, ref, out) ?: check_hooks(cfg, out) ?: pr_ovs_check(cfg, out);
	pr_drift_sort(out);
out:
	free(routes);
	free(neighs);
	free(links);
	pr_kernel_state_free(ks);
	return err;
}
