// SPDX-License-Identifier: GPL-2.0-only
/*
 * The agent's reconcile step: snapshot the kernel-state cache, run the
 * reconciler against the pinned maps, log what changed (one line); and
 * the incremental step: the queued learned-route changes applied one
 * prefix at a time (pr_sync_route), or a full round when one of them
 * cannot be.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <net/if.h>

#include "agent.h"
#include "log.h"
#include "mapio_bpf.h"
#include "mapsync.h"
#include "xdpmulti.h"

struct pr_reconcile_state {
	struct pr_mapio_bpf bio;
	struct pr_mapio io;
	struct pr_sync *sync;
};

/* The reconciler's mirror is what the maps hold: counting its entries
 * costs nothing, where walking a trie of a million prefixes per scrape
 * would. Only the maps the reconciler alone writes are reported. */
int64_t pr_agent_map_entries(const struct pr_agent *a, const char *map)
{
	if (!a->rs)
		return -1;
	for (int m = PR_SM_ROUTES4; m <= PR_SM_ROUTES6; m++)
		if (!strcmp(pr_sync_map_name(m), map))
			return pr_sync_count(a->rs->sync, m);
	return -1;
}

int pr_agent_reconcile_init(struct pr_agent *a)
{
	struct pr_reconcile_state *rs = calloc(1, sizeof(*rs));

	if (!rs)
		return -ENOMEM;
	for (int m = 0; m < PR_SM__COUNT; m++) {
		rs->bio.fd[m] = pr_datapath_map_fd(&a->dp, pr_sync_map_name(m));
		if (rs->bio.fd[m] < 0) {
			pr_err("reconcile: map %s missing", pr_sync_map_name(m));
			free(rs);
			return -ENOENT;
		}
	}
	pr_mapio_bpf_init(&rs->bio, &rs->io);
	rs->sync = pr_sync_new(&rs->io); /* adopts what the pinned maps hold */
	if (!rs->sync) {
		free(rs);
		return -EIO;
	}
	a->rs = rs;
	return 0;
}

void pr_agent_reconcile_fini(struct pr_agent *a)
{
	if (!a->rs)
		return;
	pr_sync_free(a->rs->sync);
	free(a->rs);
	a->rs = NULL;
}

int pr_agent_reconcile(struct pr_agent *a)
{
	struct pr_sync_input in = { .cfg = &a->cfg };
	struct pr_kroute *routes = NULL;
	struct pr_kneigh *neighs = NULL;
	struct pr_klink *links = NULL;
	struct pr_sync_stats st;
	uint32_t xdp[PR_CFG_MAX_IFS * 2 + 1];
	size_t unresolved = 0;
	unsigned ups = 0, dels = 0;
	int err;

	err = pr_kstate_export_routes(a->ks, &routes, &in.nroutes, &unresolved) ?:
	      pr_kstate_export_neighs(a->ks, &neighs, &in.nneighs) ?:
	      pr_kstate_export_links(a->ks, &links, &in.nlinks);
	/* Ask the kernel where our XDP runs: TC there only takes hand-offs. */
	for (unsigned i = 0; i < a->cfg.nunderlay + a->cfg.novn; i++) {
		const char *name = i < a->cfg.nunderlay ? a->cfg.underlay[i] : a->cfg.ovn[i - a->cfg.nunderlay];
		int ifindex = if_nametoindex(name);
		char desc[128];
		bool ours = false;

		if (ifindex && !pr_xdp_describe(ifindex, desc, sizeof(desc), &ours) && ours)
			xdp[in.nxdp++] = ifindex;
	}
	in.xdp_ifindexes = xdp;
	if (!err) {
		in.routes = routes;
		in.neighs = neighs;
		in.links = links;
		err = pr_sync_run(a->rs->sync, &in, &st);
	}
	if (!err) {
		for (int m = 0; m < PR_SM__COUNT; m++) {
			ups += st.upserts[m];
			dels += st.deletes[m];
		}
		a->learned_accepted = st.learned_accepted;
		/* The first round after start says whether the pins were adopted as
		 * they were (a restart) or had to change. */
		if (ups || dels || !a->reconciles)
			pr_info("reconcile: %u written, %u deleted (routes4 +%u -%u, routes6 +%u -%u, "
				"nexthops +%u -%u); %u learned routes accepted, %u refused, %u over the limit%s",
				ups, dels, st.upserts[PR_SM_ROUTES4], st.deletes[PR_SM_ROUTES4],
				st.upserts[PR_SM_ROUTES6], st.deletes[PR_SM_ROUTES6],
				st.upserts[PR_SM_NEXTHOPS], st.deletes[PR_SM_NEXTHOPS], st.learned_accepted,
				st.learned_refused, st.learned_over_limit,
				unresolved ? "; some routes wait for their nexthop object" : "");
		else
			pr_debug("reconcile: maps already equal");
	}
	free(routes);
	free(neighs);
	free(links);
	return err;
}

int pr_agent_apply_routes(struct pr_agent *a)
{
	struct pr_routeq *q = &a->routeq;

	if (q->overflow)
		return 0;
	for (size_t i = 0; i < q->n; i++) {
		const struct pr_routeq_item *it = &q->items[i];
		struct pr_kroute best;
		int rc = pr_kstate_route_best(a->ks, it->table, &it->dst, &best);

		if (rc < 0)
			return 0;
		rc = pr_sync_route(a->rs->sync, &a->cfg, it->table, &it->dst, rc ? &best : NULL);
		if (rc <= 0)
			return rc;
	}
	a->learned_accepted = pr_sync_learned(a->rs->sync);
	return 1;
}
