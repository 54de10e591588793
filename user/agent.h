/* SPDX-License-Identifier: GPL-2.0-only */
/* The agent's state, shared by its loop (agent.c) and its reconcile step. */
#ifndef PR_AGENT_H
#define PR_AGENT_H

#include <stdbool.h>
#include <stdint.h>

#include "config.h"
#include "kstate.h"
#include "loader.h"

struct pr_nlsource;
struct pr_reconcile_state;

struct pr_agent {
	const char *config_path;
	struct pr_config cfg;
	bool have_cfg;
	struct pr_datapath dp;
	struct pr_kstate *ks;
	struct pr_nlsource *nl;
	struct pr_reconcile_state *rs;
	bool dirty; /* a reconcile is owed */
	bool oom;
	/* counters for logs / status / metrics */
	uint64_t reconciles, resyncs, config_loads, config_failures, learned_accepted;
	bool last_reconcile_ok;
	double last_reconcile_ms;
	char last_config_error[600];
};

/* The reconcile step: desired maps from a->cfg and a->ks, diffed with and
 * applied to the pinned maps. 0 or -errno (the maps stay consistent). */
int pr_agent_reconcile_init(struct pr_agent *a);
int pr_agent_reconcile(struct pr_agent *a);
void pr_agent_reconcile_fini(struct pr_agent *a);

#endif
