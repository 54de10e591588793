/* SPDX-License-Identifier: GPL-2.0-only */
/* The agent's state, shared by its loop (agent.c) and its reconcile step. */
#ifndef PR_AGENT_H
#define PR_AGENT_H

#include <stdbool.h>
#include <stdint.h>

#include "config/config.h"
#include "kernel/kernel_state.h"
#include "datapath/load.h"
#include "agent/metrics.h"
#include "agent/route_queue.h"
#include "reconcile/drift.h"

struct pr_follower;
struct pr_reconcile_state;
struct pr_lookup_index;

/* Learned-route changes queued between two passes of the loop; more
 * than this in one pass and a full reconcile is cheaper anyway. */
#define PR_AGENT_ROUTEQ 4096

struct pr_agent {
	const char *config_path;
	const char *pin_dir;
	struct pr_config cfg;
	bool have_cfg;
	/* A valid config whose devices are not all there yet (br-ex before
	 * OVS is up): nothing attached, not ready, retried on link changes. */
	char waiting_for[600];
	const char *health_file; /* NULL: none */
	double health_written_ms;
	double heartbeat_ms;      /* pr_liveness last written */
	bool heartbeat_failed;    /* said once */
	int health_err;          /* the last write's error, said once */
	struct pr_datapath dp;
	struct pr_kernel_state *ks;
	struct pr_follower *nl;
	struct pr_reconcile_state *rs;
	bool dirty; /* a full reconcile is owed */
	bool gc_owed; /* routes were applied one by one: a full round tidies up when idle */
	struct pr_routeq routeq; /* learned-route changes not yet in the maps */
	bool oom;
	/* counters for logs / status / metrics */
	uint64_t reconciles, reconcile_failures, resyncs, learned_accepted;
	uint64_t config_loads, config_failures; /* every attempt / the refused ones */
	bool last_reconcile_ok, last_config_ok;
	double last_reconcile_ms;
	char last_config_error[600];
	/* metrics (NULL: --metrics-listen none, or --once) */
	struct pr_metrics *metrics;
	struct pr_metrics_snap *snap; /* built here, then copied by pr_metrics_publish */
	struct pr_hist reconcile_hist, route_hist; /* seconds */
	bool time_routes; /* off during the initial dump: those are not events */
	/* the periodic drift check (agent/drift_watch.c) */
	double drift_interval_ms, drift_next_ms; /* 0: off */
	bool drift_confirming;                   /* drift_pending waits for a second pass */
	struct pr_drift_list drift_pending, drift_last; /* first sighting; the last confirmed */
	uint64_t drift_checks;
};

/* The reconcile step: desired maps from a->cfg and a->ks, diffed with and
 * applied to the pinned maps. 0 or -errno (the maps stay consistent). */
/* What `podroute agent` was asked (cli/cmd_agent.c parses it). */
struct pr_agent_opts {
	const char *config_path;
	const char *health_file;    /* NULL: none */
	const char *metrics_listen; /* ADDR:PORT or "none" */
	bool detach_on_exit;
	bool once;
	unsigned check_interval; /* seconds between drift checks, 0: none */
	struct pr_loader_opts loader;
};

/* Run the agent: start, loop until SIGTERM/SIGINT (or one round with
 * once), tear down. 0; -EINVAL: a bad option value; -1: a failure (both
 * said in the log). */
int pr_agent_main(const struct pr_agent_opts *o);

int pr_agent_reconcile_init(struct pr_agent *a);
int pr_agent_reconcile(struct pr_agent *a);
void pr_agent_reconcile_fini(struct pr_agent *a);
/* Entries of pr_routes4 / pr_routes6 (exact, no walk), or -1 for other maps. */
int64_t pr_agent_map_entries(const struct pr_agent *a, enum pr_map m);
/* Apply the queued route changes one prefix at a time: 1 done, 0 a full
 * reconcile is needed instead, -errno a write failed (so is a full one). */
int pr_agent_apply_routes(struct pr_agent *a);
/* The lookup index: ms until a rebuild may run (0: now, -1: none owed),
 * and the rebuild of every family whose trie changed since its last build
 * (with wait, also of those whose grace period is still running: it waits
 * for it; without, they are left for a later call). */
double pr_agent_lsx_due(struct pr_agent *a, double now_ms);
void pr_agent_lsx_build(struct pr_agent *a, double now_ms, bool wait);
const struct pr_lookup_index *pr_agent_lsx(const struct pr_agent *a);
/* The running reconciler (NULL before the first), for the drift check. */
const struct pr_reconciler *pr_agent_reconciler(const struct pr_agent *a);

#endif
