/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The agent's Prometheus endpoint: GET /metrics (text exposition format
 * 0.0.4), /healthz and /readyz, served by libmicrohttpd from its own
 * thread. The agent loop publishes a snapshot of its state
 * (pr_metrics_publish: a copy under a mutex, never waiting on a scrape);
 * what the kernel holds (per-packet counters from pr_stats summed over
 * CPUs, map occupancy, what is attached where) is read at scrape time, so
 * a scrape always shows the datapath as it is, not as the agent last saw
 * it.
 *
 * The text format and histograms are in agent/prometheus.h; the health
 * rules and the rendering (metrics.c) take plain structs and are pure, so
 * that unit tests check the text with no kernel and no socket; the server
 * and what it reads from the kernel are metrics_server.c.
 */
#ifndef PR_METRICS_H
#define PR_METRICS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <net/if.h>
#include <sys/socket.h>

#include "config/config.h"
#include "datapath/interfaces.h"
#include "datapath/load.h"
#include "datapath/pins.h"
#include "agent/prometheus.h"
#include "podroute_abi.h"

#define PR_METRICS_LISTEN_DEFAULT "127.0.0.1:9473"

/* ---- what the agent publishes ---- */

struct pr_metrics_net {
	uint32_t id;
	char name[PR_CFG_NAME_MAX];
};

struct pr_metrics_if {
	char name[IF_NAMESIZE];
	enum pr_role role;
};

struct pr_metrics_snap {
	bool have_cfg;
	char waiting_for[600]; /* devices the config names that do not exist yet */
	unsigned nnets;
	struct pr_metrics_net nets[PR_CFG_MAX_NETWORKS];
	unsigned nifs;
	struct pr_metrics_if ifs[PR_ATTACH_MAX];
	uint64_t reconciles, reconcile_failures, resyncs;
	uint64_t config_loads, config_failures; /* every attempt / the failed ones */
	uint32_t config_refused_objects; /* the renderer's refusals, from the config */
	bool last_reconcile_ok, last_config_ok;
	bool reconcile_owed; /* the last reconcile failed and is being retried */
	double last_reconcile_seconds;
	char last_config_error[600]; /* "" after a successful load */
	uint64_t learned_routes;
	uint64_t drift_differences, drift_checks; /* the last confirmed drift check (drift_watch.h) */
	struct pr_hist reconcile_seconds, route_to_map_seconds;
	/* The lookup index per family ([0] IPv4): current (the datapath reads
	 * it), its size (elements), the last build's duration. */
	bool lsx_active[2];
	uint64_t lsx_entries[2];
	uint64_t lsx_changed[2]; /* prefixes in the current table's set of changes */
	double lsx_build_seconds[2];
	uint64_t lsx_builds, lsx_failures;
	/* Entries per map when the agent knows them without a walk (the
	 * prefix maps it alone writes), else -1: counted at scrape time. */
	int64_t map_entries[PR_MAP__COUNT];
};

/* ---- what a scrape reads from the kernel ---- */

struct pr_metrics_map {
	bool have_entries, have_capacity;
	uint64_t entries, capacity;
};

/* One configured interface, as the kernel has it now. */
struct pr_metrics_ifstate {
	uint32_t ifindex;     /* 0: no such device */
	bool in_ifaces;       /* pr_ifaces has it (the datapath knows its role) */
	uint32_t if_flags;    /* its PR_IF_F_* */
	bool tc;              /* podroute's TC ingress filter */
	bool xdp;             /* podroute's XDP program (alone or in a dispatcher) */
	const char *xdp_mode; /* "native", "generic", "offload" (static strings) */
};

struct pr_metrics_live {
	char kernel_release[65];
	bool vrf_fib; /* bpf_fib_lookup takes a VRF table id (probed, kernel/features.h) */
	bool xdp_meta; /* XDP may call bpf_xdp_adjust_meta (probed, kernel/features.h) */
	bool have_stats;
	struct pr_counter stats[PR_MAX_NETS * PR_R_MAX]; /* summed over CPUs */
	struct pr_metrics_map maps[PR_MAP__COUNT];
	struct pr_metrics_ifstate ifs[PR_ATTACH_MAX]; /* parallel to snap->ifs */
};

/* /healthz's and /readyz's answers from the agent's own thread, with the
 * hooks read from the kernel once (pr_ifaces' fd), for the health file;
 * each why buffer holds len bytes. */
void pr_health_eval(int ifaces_fd, const struct pr_metrics_snap *s, bool *live, char *live_why,
		    bool *ready, char *ready_why, size_t len);

/* The whole /metrics text for a snapshot and a reading of the kernel. */
void pr_metrics_render(struct pr_sbuf *b, const struct pr_metrics_snap *s,
		       const struct pr_metrics_live *l);

/*
 * Health (ready = false) and readiness (ready = true). Healthy: a reconcile
 * ran and the last one succeeded, and every underlay interface of the
 * config has podroute's hooks (its pr_ifaces entry, the TC filter, and the
 * XDP program wherever pr_ifaces says XDP runs). Ready adds: the last config
 * load succeeded (the file on disk is what runs), no reconcile is owed, and
 * the brex and ovn interfaces are attached too. Returns true, or false with
 * the reasons in why ("; "-separated).
 */
bool pr_metrics_health(const struct pr_metrics_snap *s, const struct pr_metrics_live *l, bool ready,
		       char *why, size_t len);

/* ---- the server ---- */

/*
 * Parse "ADDR:PORT" (IPv4) or "[ADDR]:PORT" (IPv6), numeric addresses only,
 * port 0..65535 (0: the kernel picks one). Returns 0, 1 for "none", or
 * -EINVAL with the reason in why.
 */
int pr_metrics_parse_listen(const char *spec, struct sockaddr_storage *ss, socklen_t *sslen,
			    char *why, size_t len);

struct pr_metrics;

/*
 * Bind and listen on spec now (so that a bad address or a port in use
 * stops the agent before it touches anything); *out is NULL for "none".
 * Returns 0, -EINVAL (bad spec) or -errno of bind/listen, with the reason
 * in err naming the address.
 */
int pr_metrics_open(const char *spec, struct pr_metrics **out, char *err, size_t len);
/* The address actually bound, "127.0.0.1:9473" / "[::]:9473". */
const char *pr_metrics_address(const struct pr_metrics *m);
/* Start serving from its own thread, reading the maps of dp (their fds are
 * duplicated: dp may be closed after pr_metrics_close only). 0 or -errno. */
int pr_metrics_start(struct pr_metrics *m, const struct pr_datapath *dp);
/* Replace the published snapshot (a copy under the mutex). */
void pr_metrics_publish(struct pr_metrics *m, const struct pr_metrics_snap *s);
/* Stop the thread, close the socket and the fds. NULL is fine. */
void pr_metrics_close(struct pr_metrics *m);

#endif
