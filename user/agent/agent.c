// SPDX-License-Identifier: GPL-2.0-only
/*
 * `podroute agent`: the daemon on every node. It keeps the pinned maps
 * equal to f(config, BGP-learned routes, nexthop objects, neighbours,
 * links), continuously:
 *
 *   start:  load config (refuse to start on a bad one) -> load the datapath
 *           adopting existing pins (no flush: forwarding continues) ->
 *           attach per config -> dump netlink state -> reconcile
 *   loop:   poll(netlink, config watch, signals); apply every ready event
 *           to the kernel-state cache; then reconcile once per batch
 *   HUP / config change: re-read; a bad file is logged with file:line:col
 *           and changes nothing; a good one is applied (attach + reconcile)
 *   netlink overrun (ENOBUFS): full resync (clear cache, re-dump)
 *   TERM / INT: exit, leaving the datapath in place (--detach-on-exit to
 *           remove it)
 *
 * Metrics (metrics.c) run on their own thread; after every pass of the
 * loop the agent publishes a snapshot of its counters there (a memcpy
 * under a mutex: a scrape never holds the loop up). Route-to-map latency
 * is measured from a route event's arrival here to the end of the
 * reconcile that follows it (the map write that reflects it, or the
 * decision that nothing needs writing).
 *
 * Route events are queued by (table, prefix); after a pass that saw only
 * route events, each queued prefix is written on its own (O(1) per change,
 * pr_reconcile_route), and a full reconcile runs instead when one of them needs
 * it; after incremental writes, a full round tidies up (unused next-hop
 * groups) once the loop has been idle for a second.
 */
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <bpf/bpf.h>

#include "agent/agent.h"
#include "agent/drift_watch.h"
#include "config/watch.h"
#include "config/config.h"
#include "datapath/interfaces.h"
#include "kernel/kernel_state.h"
#include "datapath/load.h"
#include "agent/health_file.h"
#include "lib/log.h"
#include "reconcile/lookup_index.h"
#include "agent/metrics.h"
#include "kernel/follower.h"
#include "kernel/route_dev.h"
#include "datapath/pins.h"

static double now_ms(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec * 1e3 + t.tv_nsec / 1e6;
}

/* The queued route changes are in the maps: how long each waited. */
static void routes_written(struct pr_agent *a)
{
	double t = now_ms();

	for (size_t i = 0; i < a->routeq.n; i++)
		pr_hist_observe(&a->route_hist, (t - a->routeq.items[i].since_ms) / 1e3, 1);
	pr_routeq_reset(&a->routeq);
}

static void on_route(void *ctx, int type, const struct pr_kroute *r)
{
	struct pr_agent *a = ctx;

	/* Waiting for a device (underlay: auto waits for a route): a route
	 * change may be what brings it; the loop checks again when dirty. */
	if (a->waiting_for[0])
		a->dirty = true;
	/* During the initial dump the first full reconcile covers everything. */
	if (a->time_routes)
		pr_routeq_push(&a->routeq, r->table, &r->dst, now_ms());
	else
		a->dirty = true;
	if (type == RTM_DELROUTE)
		pr_kernel_state_route_del(a->ks, r);
	else if (pr_kernel_state_route_set(a->ks, r))
		a->oom = true;
}

static void on_nexthop(void *ctx, int type, const struct pr_knexthop *nh)
{
	struct pr_agent *a = ctx;

	if (type == RTM_DELNEXTHOP)
		pr_kernel_state_nexthop_del(a->ks, nh->id);
	else if (pr_kernel_state_nexthop_set(a->ks, nh))
		a->oom = true;
	a->dirty = true;
}

static void on_neigh(void *ctx, int type, const struct pr_kneigh *n)
{
	struct pr_agent *a = ctx;

	if (type == RTM_DELNEIGH)
		pr_kernel_state_neigh_del(a->ks, n);
	else if (pr_kernel_state_neigh_set(a->ks, n))
		a->oom = true;
	a->dirty = true;
}

static void on_link(void *ctx, int type, const struct pr_klink *l)
{
	struct pr_agent *a = ctx;

	if (type == RTM_DELLINK)
		pr_kernel_state_link_del(a->ks, l->ifindex);
	else if (pr_kernel_state_link_set(a->ks, l))
		a->oom = true;
	a->dirty = true;
}

static void on_resync(void *ctx)
{
	struct pr_agent *a = ctx;

	/* An overrun, or a link change after which the kernel flushes routes
	 * without telling anyone (see kernel/follower.c): start from a fresh dump. */
	log_warn("netlink: full resync");
	a->resyncs++;
	pr_kernel_state_clear(a->ks);
	a->dirty = true;
}

/* Attach to the interfaces the config names (re-attaching is atomic). */
static int agent_attach(struct pr_agent *a, const struct pr_config *cfg, char *why, size_t len)
{
	struct pr_attach_set set = { .mode = cfg->mode, .force_xdp = cfg->force_xdp };
	int err;

	for (unsigned i = 0; i < cfg->nunderlay; i++)
		pr_attach_set_add(&set, cfg->underlay[i], PR_ROLE_UNDERLAY);
	if (cfg->brex[0])
		pr_attach_set_add(&set, cfg->brex, PR_ROLE_BREX);
	for (unsigned i = 0; i < cfg->novn; i++)
		pr_attach_set_add(&set, cfg->ovn[i], PR_ROLE_OVN);
	err = pr_attach_set_resolve(&set) ?: pr_attach_set_apply(&a->dp, &set);
	if (err) {
		log_err("attach: %s", set.error);
		snprintf(why, len, "attach: %s", set.error);
		return err;
	}
	for (unsigned i = 0; i < set.n; i++)
		log_kv(LOG_LEVEL_INFO,
		       LOG_FIELDS(LOG_STR("ifname", set.ifs[i].name),
				  LOG_STR("role", pr_role_name(set.ifs[i].role)),
				  LOG_STR("hooks", set.ifs[i].hooks)),
		       "%s: attached as %s (%s)", set.ifs[i].name, pr_role_name(set.ifs[i].role),
		       set.ifs[i].hooks);
	return 0;
}

/*
 * underlay: auto: the device of the kernel's route to underlay_from, found
 * at every load (a reload follows a route that moved). No route yet is
 * -ENODEV, like a device not there yet: at start, a wait.
 */
static int resolve_auto_underlay(struct pr_config *cfg, struct pr_cfg_error *e)
{
	char dev[IF_NAMESIZE], why[128], a[PR_PREFIX_STRLEN];
	int err;

	if (!cfg->underlay_auto)
		return 0;
	if (cfg->underlay_from_node) {
		memset(e, 0, sizeof(*e));
		snprintf(e->file, sizeof(e->file), "%s", cfg->file);
		e->line = cfg->pos_underlay_from.line;
		e->column = cfg->pos_underlay_from.column;
		snprintf(e->msg, sizeof(e->msg), "underlay_from: node is the Node's InternalIP, which "
			 "`podroute config render` writes in; give the agent the rendered config or an address");
		return -EINVAL;
	}
	err = pr_route_dev(&cfg->underlay_from, dev, why, sizeof(why));
	if (err) {
		memset(e, 0, sizeof(*e));
		snprintf(e->file, sizeof(e->file), "%s", cfg->file);
		e->line = cfg->pos_underlay[0].line;
		e->column = cfg->pos_underlay[0].column;
		snprintf(e->msg, sizeof(e->msg), "underlay: auto: no device reaches %s yet (%s)",
			 pr_config_addr_str(&cfg->underlay_from, a, sizeof(a)), why);
		return -ENODEV;
	}
	/* Through br-ex (OVN-K puts the node's address there): its uplink. */
	if (cfg->brex[0] && !strcmp(dev, cfg->brex)) {
		err = pr_bridge_uplink(cfg->brex, dev);
		if (err) {
			memset(e, 0, sizeof(*e));
			snprintf(e->file, sizeof(e->file), "%s", cfg->file);
			e->line = cfg->pos_underlay[0].line;
			e->column = cfg->pos_underlay[0].column;
			snprintf(e->msg, sizeof(e->msg), "underlay: auto: the route to %s leaves through "
				 "%s, and %s of its ports has its MAC (as OVN-Kubernetes sets br-ex "
				 "up): name the NIC in interfaces.underlay",
				 pr_config_addr_str(&cfg->underlay_from, a, sizeof(a)), cfg->brex,
				 err == -EEXIST ? "more than one" : "none");
			return -ENODEV;
		}
	}
	err = pr_config_set_auto_underlay(cfg, dev, e);
	if (!err)
		log_info("underlay: auto: %s (the route to %s)", dev,
			 pr_config_addr_str(&cfg->underlay_from, a, sizeof(a)));
	return err ? -ENODEV : 0;
}

/* Load, validate and check devices; on any error keep the running config. */
static int agent_load_config(struct pr_agent *a, bool initial)
{
	struct pr_config cfg;
	struct pr_cfg_error e;
	char msg[600];
	int err;

	a->config_loads++;
	err = pr_config_load_file(a->config_path, &cfg, &e);
	if (!err) {
		err = resolve_auto_underlay(&cfg, &e) ?: pr_config_check_devices(&cfg, &e);
		if (err)
			pr_config_free(&cfg);
		/* -EINVAL: the config itself is wrong for this node; no device
		 * appearing will mend it. */
		if (err && err != -EINVAL && !a->have_cfg) {
			/* Valid, but a device is not there yet (br-ex before OVS):
			 * not an exit, a wait; the loop retries on link changes. */
			pr_cfg_error_str(&e, msg, sizeof(msg));
			if (strcmp(msg, a->waiting_for))
				log_warn("config: waiting, not ready: %s", msg);
			snprintf(a->waiting_for, sizeof(a->waiting_for), "%s", msg);
			goto ok;
		}
	}
	if (err) {
		snprintf(a->last_config_error, sizeof(a->last_config_error), "%s",
			 pr_cfg_error_str(&e, msg, sizeof(msg)));
		log_kv(LOG_LEVEL_ERR,
		       LOG_FIELDS(LOG_STR("config", a->config_path), LOG_STR("error", a->last_config_error),
				  LOG_STR("outcome", initial ? "not-starting" : "kept-running-config")),
		       "config rejected, %s: %s", initial ? "not starting" : "keeping the running config",
		       a->last_config_error);
		goto failed;
	}
	if (!initial && pr_config_equal(&cfg, &a->cfg)) {
		a->cfg.refused_objects = cfg.refused_objects; /* no map depends on it */
		pr_config_free(&cfg);
		log_debug("config: unchanged");
		goto ok;
	}
	if (agent_attach(a, &cfg, a->last_config_error, sizeof(a->last_config_error))) {
		pr_config_free(&cfg);
		err = -EIO;
		goto failed;
	}
	if (a->have_cfg)
		pr_config_free(&a->cfg);
	a->cfg = cfg;
	a->have_cfg = true;
	if (a->waiting_for[0])
		log_info("config: the devices are there, attached");
	a->waiting_for[0] = '\0';
	a->dirty = true;
	log_kv(LOG_LEVEL_INFO,
	       LOG_FIELDS(LOG_STR("config", a->config_path), LOG_INT("networks", cfg.nnetworks),
			  LOG_INT("underlay_interfaces", cfg.nunderlay)),
	       "config %s: %u networks, %u underlay interfaces", initial ? "loaded" : "applied",
	       cfg.nnetworks, cfg.nunderlay);
ok:
	/* What runs is what the file says (again). */
	a->last_config_error[0] = '\0';
	a->last_config_ok = true;
	return 0;
failed:
	a->config_failures++;
	a->last_config_ok = false;
	return err;
}

static int agent_full_round(struct pr_agent *a)
{
	double t0 = now_ms();
	int err;

	/* No config applied yet (waiting for a device): the maps keep what
	 * they hold (a restarted agent's pins keep forwarding). */
	if (!a->have_cfg) {
		a->dirty = false;
		return 0;
	}
	err = pr_agent_reconcile(a);

	a->last_reconcile_ms = now_ms() - t0;
	a->reconciles++;
	a->last_reconcile_ok = !err;
	pr_hist_observe(&a->reconcile_hist, a->last_reconcile_ms / 1e3, 1);
	if (err) {
		a->reconcile_failures++;
		log_err("reconcile failed (%s); retrying on the next event", strerror(-err));
	} else {
		a->dirty = false;
		a->gc_owed = false;
		routes_written(a);
	}
	return err;
}

/* After a pass with route events only: each changed prefix on its own, or
 * a full reconcile when one of them needs it (or a write failed). */
static void agent_apply_routes(struct pr_agent *a)
{
	int rc = pr_agent_apply_routes(a);

	if (rc > 0) {
		routes_written(a);
		a->gc_owed = true;
		return;
	}
	if (rc < 0)
		log_warn("incremental route write failed (%s): full reconcile", strerror(-rc));
	a->dirty = true;
	agent_full_round(a);
}

/*
 * The datapath's guard on this agent (pr_liveness): a heartbeat every
 * 200 ms, with the config's bound. While it is fresh, learned routes are
 * acted on; an agent gone longer than the bound leaves them to the kernel.
 */
static void agent_heartbeat(struct pr_agent *a, bool force)
{
	struct pr_liveness l = { 0 };
	struct timespec t;
	uint32_t zero = 0;
	double ms = now_ms();

	if (!force && ms - a->heartbeat_ms < 200)
		return;
	a->heartbeat_ms = ms;
	clock_gettime(CLOCK_MONOTONIC, &t);
	l.heartbeat_ns = (uint64_t)t.tv_sec * 1000000000ULL + (uint64_t)t.tv_nsec;
	l.stale_after_ms = (a->have_cfg ? a->cfg.stale_after_seconds : PR_CFG_DEFAULT_STALE_AFTER) * 1000;
	if (bpf_map_update_elem(pr_datapath_map_fd(&a->dp, PR_MAP_LIVENESS), &zero, &l, 0) &&
	    !a->heartbeat_failed) {
		log_warn("heartbeat: cannot write pr_liveness: %s", strerror(errno));
		a->heartbeat_failed = true;
	}
}

/* The health file, once a second: the same verdicts as /healthz and
 * /readyz, from this thread (healthfile.h). */
static void agent_write_health(struct pr_agent *a)
{
	char live_why[1024], ready_why[1024];
	double t = now_ms();
	int fd = pr_datapath_map_fd(&a->dp, PR_MAP_IFACES);
	bool live, ready;
	int err;

	if (!a->health_file || t - a->health_written_ms < 1000)
		return;
	a->health_written_ms = t;
	pr_health_eval(fd, a->snap, &live, live_why, &ready, ready_why, sizeof(live_why));
	err = pr_healthfile_write(a->health_file, live, live_why, ready, ready_why);
	/* Said once per kind of failure, not every second. */
	if (err && err != a->health_err)
		log_warn("health file %s: %s", a->health_file, strerror(-err));
	a->health_err = err;
}

/* Hand the metrics thread a copy of what the loop knows now, and the
 * health file its verdicts. */
static void agent_publish(struct pr_agent *a)
{
	struct pr_metrics_snap *s = a->snap;
	const struct pr_config *c = &a->cfg;
	const struct pr_lookup_index *x;

	memset(s, 0, sizeof(*s));
	s->have_cfg = a->have_cfg;
	snprintf(s->waiting_for, sizeof(s->waiting_for), "%s", a->waiting_for);
	for (unsigned i = 0; a->have_cfg && i < c->nnetworks && i < PR_CFG_MAX_NETWORKS; i++) {
		s->nets[s->nnets].id = c->networks[i].id;
		snprintf(s->nets[s->nnets].name, sizeof(s->nets[0].name), "%s", c->networks[i].name);
		s->nnets++;
	}
#define ADD_IF(n, r)                                                                   \
	do {                                                                           \
		if (s->nifs < PR_ATTACH_MAX) {                                         \
			snprintf(s->ifs[s->nifs].name, IF_NAMESIZE, "%s", (n));        \
			s->ifs[s->nifs++].role = (r);                                  \
		}                                                                      \
	} while (0)
	for (unsigned i = 0; a->have_cfg && i < c->nunderlay; i++)
		ADD_IF(c->underlay[i], PR_ROLE_UNDERLAY);
	if (a->have_cfg && c->brex[0])
		ADD_IF(c->brex, PR_ROLE_BREX);
	for (unsigned i = 0; a->have_cfg && i < c->novn; i++)
		ADD_IF(c->ovn[i], PR_ROLE_OVN);
#undef ADD_IF
	s->reconciles = a->reconciles;
	s->reconcile_failures = a->reconcile_failures;
	s->resyncs = a->resyncs;
	s->config_loads = a->config_loads;
	s->config_failures = a->config_failures;
	s->config_refused_objects = a->have_cfg ? c->refused_objects : 0;
	s->last_reconcile_ok = a->last_reconcile_ok;
	s->last_config_ok = a->last_config_ok;
	s->reconcile_owed = a->dirty;
	s->last_reconcile_seconds = a->last_reconcile_ms / 1e3;
	snprintf(s->last_config_error, sizeof(s->last_config_error), "%s", a->last_config_error);
	s->learned_routes = a->learned_accepted;
	s->drift_differences = a->drift_last.n;
	s->drift_checks = a->drift_checks;
	s->reconcile_seconds = a->reconcile_hist;
	s->route_to_map_seconds = a->route_hist;
	for (int m = 0; m < PR_MAP__COUNT; m++)
		s->map_entries[m] = pr_agent_map_entries(a, m);
	x = pr_agent_lsx(a);
	for (int f = 0; x && f < 2; f++) {
		s->lsx_active[f] = x->ctl && __atomic_load_n(&x->ctl->active[f], __ATOMIC_RELAXED);
		s->lsx_entries[f] = s->lsx_active[f] ? x->entries[f] : 0;
		s->lsx_changed[f] = s->lsx_active[f] ? x->changed[f] : 0;
		s->lsx_build_seconds[f] = x->last_build_ms[f] / 1e3;
	}
	s->lsx_builds = x ? x->builds : 0;
	s->lsx_failures = x ? x->failures : 0;
	if (a->metrics)
		pr_metrics_publish(a->metrics, s);
	agent_write_health(a);
	agent_heartbeat(a, false);
}

/* Start-up and the loop fail with a message in the log and -1. */
__attribute__((format(printf, 1, 2))) static int agent_fail(const char *fmt, ...)
{
	char msg[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	log_err("%s", msg);
	return -1;
}

/* How far start-up got: teardown undoes exactly that much. */
enum agent_stage {
	STAGE_MEMORY,    /* caches and queues allocated */
	STAGE_DATAPATH,  /* the datapath loaded (maps pinned) */
	STAGE_CONFIG,    /* the config loaded and applied */
	STAGE_RECONCILE, /* the reconciler's state */
	STAGE_NETLINK,   /* the netlink follower open */
};

static void agent_teardown(struct pr_agent *a, enum agent_stage stage)
{
	/* First: the metrics server's thread reads the maps. */
	pr_metrics_close(a->metrics);
	a->metrics = NULL;
	switch (stage) {
	case STAGE_NETLINK:
		pr_follower_close(a->nl);
		/* fallthrough */
	case STAGE_RECONCILE:
		pr_agent_reconcile_fini(a);
		/* fallthrough */
	case STAGE_CONFIG:
		pr_config_free(&a->cfg);
		/* fallthrough */
	case STAGE_DATAPATH:
		pr_datapath_close(&a->dp);
		/* fallthrough */
	case STAGE_MEMORY:
		pr_kernel_state_free(a->ks);
		pr_agent_drift_fini(a);
		free(a->snap);
		pr_routeq_free(&a->routeq);
	}
}

/*
 * Everything before the loop: the metrics listener (bound first, so a bad
 * address or a port in use stops the agent before it touches the
 * datapath), the config (a config refused at start leaves nothing behind:
 * it is checked before the datapath, and so its pinned maps, exist), the
 * datapath, the first reconcile. *stage says how far it got, for
 * teardown, whether it succeeded or not; -1: not even that far (nothing
 * to undo).
 */
static int agent_start(struct pr_agent *a, const struct pr_agent_opts *o, int *stage)
{
	static const struct pr_nl_handlers h = { on_route, on_nexthop, on_neigh, on_link, on_resync };
	struct pr_loader_opts lo = o->loader;
	char why[512];
	int err;

	*stage = -1;
	if (!o->once) {
		err = pr_metrics_open(o->metrics_listen, &a->metrics, why, sizeof(why));
		if (err == -EINVAL)
			return log_err("%s", why), -EINVAL;
		if (err)
			return agent_fail("%s", why);
	}
	*stage = STAGE_MEMORY;
	a->snap = calloc(1, sizeof(*a->snap));
	a->ks = pr_kernel_state_new();
	if (!a->ks || !a->snap || pr_routeq_init(&a->routeq, PR_AGENT_ROUTEQ))
		return agent_fail("out of memory");
	pr_hist_init(&a->reconcile_hist, pr_metrics_latency_buckets, pr_metrics_latency_nbuckets);
	pr_hist_init(&a->route_hist, pr_metrics_latency_buckets, pr_metrics_latency_nbuckets);
	{
		struct pr_config pre;
		struct pr_cfg_error e;
		char msg[600];

		if (pr_config_load_file(a->config_path, &pre, &e)) {
			pr_cfg_error_str(&e, msg, sizeof(msg));
			log_kv(LOG_LEVEL_ERR,
			       LOG_FIELDS(LOG_STR("config", a->config_path), LOG_STR("error", msg),
					  LOG_STR("outcome", "not-starting")),
			       "config rejected, not starting: %s", msg);
			return -1;
		}
		pr_config_free(&pre);
	}
	err = pr_datapath_load(&a->dp, &lo);
	if (err)
		return agent_fail("cannot load the datapath: %s", strerror(-err));
	*stage = STAGE_DATAPATH;
	if (agent_load_config(a, true))
		return -1;
	*stage = STAGE_CONFIG;
	agent_heartbeat(a, true); /* an older agent's may have expired: we are back */
	if (o->once && a->waiting_for[0])
		return agent_fail("--once: %s", a->waiting_for);
	if (pr_agent_reconcile_init(a))
		return -1;
	*stage = STAGE_RECONCILE;
	a->nl = pr_follower_open(&h, a);
	if (!a->nl)
		return agent_fail("netlink: cannot open the route/neighbour/link sockets");
	*stage = STAGE_NETLINK;
	if (pr_follower_dump(a->nl))
		return agent_fail("netlink: initial dump failed");
	log_info("netlink: %zu routes in the kernel", pr_kernel_state_nroutes(a->ks));
	a->time_routes = true;
	if (agent_full_round(a) && o->once)
		return -1;
	pr_agent_lsx_build(a, now_ms(), true);
	if (o->once)
		return 0;
	agent_publish(a);
	if (a->metrics && pr_metrics_start(a->metrics, &a->dp))
		return agent_fail("metrics: cannot serve on %s",
				 pr_metrics_address(a->metrics));
	return 0;
}

/* The loop, until SIGTERM or SIGINT (mask: the signals blocked for it). */
static int agent_loop(struct pr_agent *a, const sigset_t *mask, bool detach_on_exit)
{
	int sfd = signalfd(-1, mask, SFD_CLOEXEC | SFD_NONBLOCK);
	int wfd = pr_config_watch_open(a->config_path);
	bool running = true;
	int ret = 0;

	log_kv(LOG_LEVEL_INFO,
	       LOG_FIELDS(LOG_STR("version", PODROUTE_VERSION), LOG_STR("config", a->config_path),
			  LOG_STR("pin_dir", a->pin_dir)),
	       "agent running (config %s, pins %s)", a->config_path, a->pin_dir);
	while (running) {
		struct pollfd pfd[3] = {
			{ .fd = pr_follower_fd(a->nl), .events = POLLIN },
			{ .fd = sfd, .events = POLLIN },
			{ .fd = wfd, .events = POLLIN },
		};
		/* While a reconcile is owed (it failed), retry once a second; after
		 * incremental writes, tidy up once a second passes in quiet; wake
		 * for a lookup-index rebuild when one is owed. */
		double lsx_due = pr_agent_lsx_due(a, now_ms());
		/* At least once a second: the heartbeat (and health file). */
		int idle_timeout = 1000, timeout = idle_timeout, n;

		if (lsx_due >= 0 && (timeout < 0 || lsx_due < timeout))
			timeout = (int)lsx_due + (lsx_due > (int)lsx_due);
		n = poll(pfd, 3, timeout);

		if (n < 0 && errno != EINTR) {
			ret = agent_fail("poll: %s", strerror(errno));
			break;
		}
		if (pfd[0].revents && pr_follower_process(a->nl) < 0)
			log_warn("netlink: processing error; state will be resynced");
		if (pfd[1].revents) {
			struct signalfd_siginfo si;

			while (read(sfd, &si, sizeof(si)) == sizeof(si)) {
				if (si.ssi_signo == SIGHUP) {
					log_kv(LOG_LEVEL_INFO, LOG_FIELDS(LOG_STR("config", a->config_path)),
					       "SIGHUP: re-reading %s", a->config_path);
					agent_load_config(a, false);
				} else {
					log_info("%s: exiting", strsignal(si.ssi_signo));
					running = false;
				}
			}
		}
		if (pfd[2].revents && pr_config_watch_drain(wfd))
			agent_load_config(a, false);
		/* Waiting for a device: every link change may have brought it. */
		if (a->waiting_for[0] && a->dirty)
			agent_load_config(a, true);
		if (a->oom) {
			log_err("out of memory in the route cache: full resync");
			a->oom = false;
			on_resync(a);
		}
		if (n == 0 && a->gc_owed && timeout == idle_timeout)
			a->dirty = true;
		if (a->dirty && running)
			agent_full_round(a);
		else if (running && a->have_cfg && (a->routeq.n || a->routeq.overflow))
			agent_apply_routes(a);
		if (running && pr_agent_lsx_due(a, now_ms()) == 0)
			pr_agent_lsx_build(a, now_ms(), false);
		if (running && !a->dirty)
			pr_agent_drift_tick(a, now_ms());
		agent_publish(a);
	}
	if (wfd >= 0)
		close(wfd);
	if (sfd >= 0)
		close(sfd);
	if (detach_on_exit) {
		log_info("detaching the datapath (--detach-on-exit)");
		pr_detach_all((struct pr_iface_maps){ pr_datapath_map_fd(&a->dp, PR_MAP_IFACES),
						      pr_datapath_map_fd(&a->dp, PR_MAP_IFSLOTS) });
	}
	return ret;
}

int pr_agent_main(const struct pr_agent_opts *o)
{
	struct pr_agent a = { .config_path = o->config_path, .health_file = o->health_file,
			      .pin_dir = o->loader.pin_dir, .drift_interval_ms = o->check_interval * 1e3 };
	int stage, ret;
	sigset_t mask;

	if (a.health_file) {
		char dir[4096];
		char *slash;

		snprintf(dir, sizeof(dir), "%s", a.health_file);
		slash = strrchr(dir, '/');
		if (slash && slash != dir) {
			*slash = '\0';
			mkdir(dir, 0755); /* may exist; a write error says the rest */
		}
	}
	/* Blocked before any thread exists (the grace-period waiter, the
	 * metrics server), so that every thread inherits the mask and these
	 * signals reach only the loop's signalfd: a thread that did not block
	 * them would take SIGHUP or SIGTERM's default action, killing the
	 * agent without its exit path. */
	sigemptyset(&mask);
	sigaddset(&mask, SIGTERM);
	sigaddset(&mask, SIGINT);
	sigaddset(&mask, SIGHUP);
	sigprocmask(SIG_BLOCK, &mask, NULL);

	ret = agent_start(&a, o, &stage);
	if (!ret && !o->once)
		ret = agent_loop(&a, &mask, o->detach_on_exit);
	if (stage >= 0)
		agent_teardown(&a, stage);
	return ret;
}
