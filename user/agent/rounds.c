// SPDX-License-Identifier: GPL-2.0-only
/*
 * The agent's reconcile step: snapshot the kernel-state cache, run the
 * reconciler against the pinned maps, log what changed (one line); and
 * the incremental step: the queued learned-route changes applied one
 * prefix at a time (pr_reconcile_route), or a full round when one of them
 * cannot be. And the lookup index (reconcile/lookup_index.c): every write to a prefix trie
 * is first recorded as a change (the index sends the destinations it
 * covers to the trie), and the loop rebuilds the index from the
 * reconciler's mirror, at most a fifth of the time.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <net/if.h>

#include "agent/agent.h"
#include "lib/log.h"
#include "reconcile/lookup_index.h"
#include "reconcile/mapio_bpf.h"
#include "reconcile/reconcile.h"
#include "datapath/reconcile_hooks.h"

struct pr_reconcile_state {
	struct pr_mapio_bpf bio;
	struct pr_mapio bpf_io; /* the maps */
	struct pr_mapio io;     /* the same, noting each trie write to the index first */
	struct pr_reconciler *sync;
	struct pr_lookup_index lsx;
	double lsx_not_before;  /* ms: builds take at most a fifth of the time */
	/* Trie writes since the loop last looked (lsx_update, lsx_remove), and
	 * when it saw the first and the last of those the index lacks (ms; 0:
	 * none pending): builds wait for the routes to settle. */
	unsigned long trie_writes, trie_writes_seen;
	double first_unbuilt_ms, last_write_ms;
	struct pr_lookup_index_entry *entries;
	size_t nentries, cap;
};

static bool is_trie(enum pr_map m)
{
	return m == PR_MAP_ROUTES4 || m == PR_MAP_ROUTES6;
}

static int lsx_update(void *ctx, enum pr_map m, const void *key, const void *val)
{
	struct pr_reconcile_state *rs = ctx;

	if (is_trie(m)) {
		pr_lookup_index_note_change(&rs->lsx, m == PR_MAP_ROUTES6, key);
		rs->trie_writes++;
	}
	return rs->bpf_io.update(rs->bpf_io.ctx, m, key, val);
}

static int lsx_remove(void *ctx, enum pr_map m, const void *key)
{
	struct pr_reconcile_state *rs = ctx;

	if (is_trie(m)) {
		pr_lookup_index_note_change(&rs->lsx, m == PR_MAP_ROUTES6, key);
		rs->trie_writes++;
	}
	return rs->bpf_io.remove(rs->bpf_io.ctx, m, key);
}

static int lsx_walk(void *ctx, enum pr_map m, void (*fn)(void *, const void *, const void *),
		    void *arg)
{
	struct pr_reconcile_state *rs = ctx;

	return rs->bpf_io.walk(rs->bpf_io.ctx, m, fn, arg);
}

/* The reconciler's mirror is what the maps hold: counting its entries
 * costs nothing, where walking a trie of a million prefixes per scrape
 * would. Only the maps the reconciler alone writes are reported. */
int64_t pr_agent_map_entries(const struct pr_agent *a, enum pr_map m)
{
	if (!a->rs || (m != PR_MAP_ROUTES4 && m != PR_MAP_ROUTES6))
		return -1;
	return pr_reconcile_count(a->rs->sync, m);
}

/* Which agent builds the lookup index (one per node). */
static void say_builder(const struct pr_lookup_index *x)
{
	if (x->builder)
		log_info("lookup index: this agent builds it (pid %u)", x->ctl->builder);
	else
		log_info("lookup index: pid %u builds it; this agent leaves it alone", x->ctl->builder);
}

int pr_agent_reconcile_init(struct pr_agent *a)
{
	struct pr_reconcile_state *rs = calloc(1, sizeof(*rs));
	int err;

	if (!rs)
		return -ENOMEM;
	for (int m = 0; m < PR_MAP__RECONCILED; m++) {
		rs->bio.fd[m] = pr_datapath_map_fd(&a->dp, m);
		if (rs->bio.fd[m] < 0) {
			log_err("reconcile: map %s missing", pr_maps[m].name);
			free(rs);
			return -ENOENT;
		}
	}
	{
		struct pr_lookup_index_fds fds;

		pr_lookup_index_fds_from(&fds, a->dp.map_fd);
		err = pr_lookup_index_open(&rs->lsx, &fds);
	}
	if (err) {
		log_err("reconcile: cannot map the lookup index: %s", strerror(-err));
		free(rs);
		return err;
	}
	/* An earlier agent's index may not match the tries any more (hand
	 * edits): the trie serves until this agent has built its own. */
	pr_lookup_index_reset(&rs->lsx);
	say_builder(&rs->lsx);
	pr_mapio_bpf_init(&rs->bio, &rs->bpf_io);
	rs->io = (struct pr_mapio){ .update = lsx_update, .remove = lsx_remove, .walk = lsx_walk,
				    .ctx = rs };
	rs->sync = pr_reconcile_new(&rs->io); /* adopts what the pinned maps hold */
	if (!rs->sync) {
		pr_lookup_index_close(&rs->lsx);
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
	pr_reconcile_free(a->rs->sync);
	pr_lookup_index_close(&a->rs->lsx);
	free(a->rs->entries);
	free(a->rs);
	a->rs = NULL;
}

const struct pr_reconciler *pr_agent_reconciler(const struct pr_agent *a)
{
	return a->rs ? a->rs->sync : NULL;
}

int pr_agent_reconcile(struct pr_agent *a)
{
	struct pr_reconcile_input in = { .cfg = &a->cfg };
	struct pr_kroute *routes = NULL;
	struct pr_kneigh *neighs = NULL;
	struct pr_klink *links = NULL;
	struct pr_reconcile_stats st;
	uint32_t xdp[PR_HOOKS_MAX_XDP];
	size_t unresolved = 0;
	unsigned ups = 0, dels = 0;
	int err;

	err = pr_kernel_state_export_routes(a->ks, &routes, &in.nroutes, &unresolved) ?:
	      pr_kernel_state_export_neighs(a->ks, &neighs, &in.nneighs) ?:
	      pr_kernel_state_export_links(a->ks, &links, &in.nlinks);
	if (!err) {
		in.routes = routes;
		in.neighs = neighs;
		in.links = links;
		if (pr_reconcile_hooks(&a->cfg, &in, xdp))
			log_warn("reconcile: cannot ask which devices take XDP frames; TC redirects");
		err = pr_reconcile_run(a->rs->sync, &in, &st);
	}
	if (!err) {
		for (int m = 0; m < PR_MAP__RECONCILED; m++) {
			ups += st.upserts[m];
			dels += st.deletes[m];
		}
		a->learned_accepted = st.learned_accepted;
		/* The first round after start says whether the pins were adopted as
		 * they were (a restart) or had to change. */
		if (ups || dels || !a->reconciles)
			log_kv(LOG_LEVEL_INFO,
			       LOG_FIELDS(LOG_INT("written", ups), LOG_INT("deleted", dels),
					  LOG_INT("learned_accepted", st.learned_accepted),
					  LOG_INT("learned_refused", st.learned_refused),
					  LOG_INT("learned_over_limit", st.learned_over_limit)),
			       "reconcile: %u written, %u deleted (routes4 +%u -%u, routes6 +%u -%u, "
				"nexthops +%u -%u); %u learned routes accepted, %u refused, %u over the limit%s",
				ups, dels, st.upserts[PR_MAP_ROUTES4], st.deletes[PR_MAP_ROUTES4],
				st.upserts[PR_MAP_ROUTES6], st.deletes[PR_MAP_ROUTES6],
				st.upserts[PR_MAP_NEXTHOPS], st.deletes[PR_MAP_NEXTHOPS], st.learned_accepted,
				st.learned_refused, st.learned_over_limit,
				unresolved ? "; some routes wait for their nexthop object" : "");
		else
			log_debug("reconcile: maps already equal");
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
		int rc = pr_kernel_state_route_best(a->ks, it->table, &it->dst, &best);

		if (rc < 0)
			return 0;
		rc = pr_reconcile_route(a->rs->sync, &a->cfg, it->table, &it->dst, rc ? &best : NULL);
		if (rc <= 0)
			return rc;
	}
	a->learned_accepted = pr_reconcile_learned(a->rs->sync);
	return 1;
}

/* ---------- the lookup index ---------- */

static void collect(void *arg, const void *key, const void *val, bool v6)
{
	struct pr_reconcile_state *rs = arg;

	if (rs->nentries == rs->cap) {
		size_t cap = rs->cap ? rs->cap * 2 : 4096;
		void *n = realloc(rs->entries, cap * sizeof(*rs->entries));

		if (!n)
			return; /* counted short: pr_agent_lsx_build notices */
		rs->entries = n;
		rs->cap = cap;
	}
	memset(&rs->entries[rs->nentries], 0, sizeof(rs->entries[0]));
	if (!pr_lookup_index_entry_from_key(v6, key, val, &rs->entries[rs->nentries]))
		rs->nentries++;
}

static void collect4(void *arg, const void *key, const void *val)
{
	collect(arg, key, val, false);
}

static void collect6(void *arg, const void *key, const void *val)
{
	collect(arg, key, val, true);
}

/* While the grace period before a build is still running, look again this
 * often (it lasts milliseconds; the current table answers meanwhile). */
#define LSX_GP_POLL_MS 2

/* How often an agent that is not the index's builder looks whether the
 * builder has gone (an `agent --once` it started beside, say). */
#define LSX_CLAIM_POLL_MS 1000

/*
 * Builds wait for the routes to settle: LSX_QUIET_MS after the last trie
 * write, or no longer than LSX_MAX_WAIT_MS after the first one the index
 * lacks. A route change that arrives while the agent builds waits for the
 * build, and with a small table the agent would otherwise build after
 * nearly every change of a burst (control_plane.sh's p99); meanwhile the
 * change set sends every destination a changed prefix covers to the trie,
 * so the wait costs lookups, not correctness. At 10,000 changes/s, 100 ms
 * is 1,000 changes, well within PR_LSX_MAX_CHANGED.
 */
#define LSX_QUIET_MS 5
#define LSX_MAX_WAIT_MS 100

/* How long the routes still have to settle before a build (ms, 0: now). */
static double lsx_settle_wait(struct pr_reconcile_state *rs, double now)
{
	double quiet, capped;

	if (rs->trie_writes != rs->trie_writes_seen) {
		rs->trie_writes_seen = rs->trie_writes;
		rs->last_write_ms = now;
		if (!rs->first_unbuilt_ms)
			rs->first_unbuilt_ms = now;
	}
	if (!rs->first_unbuilt_ms)
		return 0;
	quiet = rs->last_write_ms + LSX_QUIET_MS - now;
	capped = rs->first_unbuilt_ms + LSX_MAX_WAIT_MS - now;
	quiet = quiet < capped ? quiet : capped;
	return quiet > 0 ? quiet : 0;
}

double pr_agent_lsx_due(struct pr_agent *a, double now)
{
	struct pr_reconcile_state *rs = a->rs;
	double due = -1, settle;

	if (rs && !rs->lsx.builder) {
		if (!pr_lookup_index_try_claim(&rs->lsx))
			return LSX_CLAIM_POLL_MS;
		say_builder(&rs->lsx);
	}
	settle = rs ? lsx_settle_wait(rs, now) : 0;

	for (int f = 0; rs && f < 2; f++) {
		double d = rs->lsx_not_before > now ? rs->lsx_not_before - now : 0;

		if (!rs->lsx.stale[f])
			continue;
		if (d < settle)
			d = settle;
		if (!pr_lookup_index_writable(&rs->lsx, f) && d < LSX_GP_POLL_MS)
			d = LSX_GP_POLL_MS;
		if (due < 0 || d < due)
			due = d;
	}
	return due;
}

void pr_agent_lsx_build(struct pr_agent *a, double now, bool wait)
{
	struct pr_reconcile_state *rs = a->rs;
	double spent = 0;

	for (int f = 0; f < 2; f++) {
		enum pr_map m = f ? PR_MAP_ROUTES6 : PR_MAP_ROUTES4;
		size_t want = pr_reconcile_count(rs->sync, m);
		bool was_on = !rs->lsx.why_off[f][0];
		int err;

		if (!rs->lsx.stale[f] || (!wait && !pr_lookup_index_writable(&rs->lsx, f)))
			continue;
		rs->nentries = 0;
		pr_reconcile_walk(rs->sync, m, f ? collect6 : collect4, rs);
		err = rs->nentries == want ? pr_lookup_index_publish(&rs->lsx, f, rs->entries, rs->nentries)
					   : -ENOMEM;
		spent += rs->lsx.last_build_ms[f];
		if (err) {
			if (err == -ENOMEM)
				snprintf(rs->lsx.why_off[f], sizeof(rs->lsx.why_off[f]), "out of memory");
			/* Said once per cause, not per route change. */
			if (was_on || a->reconciles <= 1)
				log_warn("lookup index (IPv%d): off, the trie serves: %s", f ? 6 : 4,
					rs->lsx.why_off[f]);
			rs->lsx.stale[f] = false; /* until the next trie write */
			continue;
		}
		log_debug("lookup index (IPv%d): %zu prefixes, %zu elements, built in %.1f ms", f ? 6 : 4,
			 rs->nentries, rs->lsx.entries[f], rs->lsx.last_build_ms[f]);
	}
	rs->lsx_not_before = now + 4 * spent;
	/* Writes from here on are the next build's to wait for. */
	rs->trie_writes_seen = rs->trie_writes;
	rs->first_unbuilt_ms = 0;
}

const struct pr_lookup_index *pr_agent_lsx(const struct pr_agent *a)
{
	return a->rs ? &a->rs->lsx : NULL;
}
