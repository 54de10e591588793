// SPDX-License-Identifier: GPL-2.0-only
/* The agent's periodic drift check (see agent/drift_watch.h). */
#include "agent/drift_watch.h"

#include <string.h>

#include "datapath/drift_check.h"
#include "lib/log.h"

/* How long a first sighting waits for its confirmation: the loop runs at
 * least once a second, so pending netlink events are applied by then. */
#define CONFIRM_MS 1500

static bool same(const struct pr_drift_list *a, const struct pr_drift_list *b)
{
	if (a->n != b->n)
		return false;
	for (size_t i = 0; i < a->n; i++)
		if (strcmp(a->items[i], b->items[i]))
			return false;
	return true;
}

void pr_agent_drift_tick(struct pr_agent *a, double now_ms)
{
	struct pr_drift_list l = {};
	int err;

	if (!a->drift_interval_ms || !a->have_cfg || a->waiting_for[0])
		return;
	/* The first check one interval after start: the start's own dump and
	 * reconcile come first. */
	if (!a->drift_next_ms)
		a->drift_next_ms = now_ms + a->drift_interval_ms;
	if (now_ms < a->drift_next_ms)
		return;
	err = pr_drift_check(a->dp.map_fd, &a->cfg, pr_agent_reconciler(a), &l);
	if (err) {
		log_warn("drift check: cannot read the kernel's state or the maps: %s", strerror(-err));
		pr_drift_free(&l);
		a->drift_next_ms = now_ms + a->drift_interval_ms;
		return;
	}
	if (!a->drift_confirming && l.n) {
		pr_drift_free(&a->drift_pending);
		a->drift_pending = l;
		a->drift_confirming = true;
		a->drift_next_ms = now_ms + CONFIRM_MS;
		return;
	}
	if (a->drift_confirming)
		pr_drift_keep_common(&l, &a->drift_pending);
	a->drift_confirming = false;
	pr_drift_free(&a->drift_pending);
	if (!same(&l, &a->drift_last)) {
		for (size_t i = 0; i < l.n; i++)
			log_warn("drift: %s", l.items[i]);
		if (!l.n)
			log_info("drift: none (the maps hold what the config and the kernel's routes ask for)");
	}
	pr_drift_free(&a->drift_last);
	a->drift_last = l;
	a->drift_checks++;
	a->drift_next_ms = now_ms + a->drift_interval_ms;
}

void pr_agent_drift_fini(struct pr_agent *a)
{
	pr_drift_free(&a->drift_pending);
	pr_drift_free(&a->drift_last);
}
