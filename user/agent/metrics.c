// SPDX-License-Identifier: GPL-2.0-only
/*
 * What the agent's Prometheus endpoint says (see metrics.h): the health
 * rules and the /metrics text for a snapshot and a reading of the kernel.
 * The server that reads the kernel at scrape time is metrics_server.c. The agent loop only ever takes the snapshot mutex
 * for a memcpy; every slow part of a scrape (map reads, netlink queries for
 * the hooks, formatting) runs on the server's thread without it.
 */
#include "agent/metrics.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <math.h>
#include <netinet/in.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <linux/if_link.h>
#include <microhttpd.h>

#include "datapath/attach.h"
#include "datapath/hook_state.h"
#include "kernel/features.h"
#include "lib/log.h"
#include "lib/names.h"
#include "datapath/xdp_multiprog.h"
#include "datapath/ownership.h"

#ifndef PODROUTE_VERSION
#define PODROUTE_VERSION "unknown"
#endif

/* A label list for the pr_prom_* helpers: L("name", value, ...). */
#define L(...) ((const char *const[]){ __VA_ARGS__, NULL })

/* Whether an interface has every hook its role and pr_ifaces call for. */
static bool if_ok(const struct pr_metrics_if *c, const struct pr_metrics_ifstate *st, char *why,
		  size_t len)
{
	const char *miss = NULL;
	bool need_xdp, need_tc;

	/* Which hooks the role calls for: the one rule, status's too. */
	pr_hooks_required(st->if_flags, &need_xdp, &need_tc);
	if (!st->ifindex)
		miss = "no such device";
	else if (!st->tc && !st->xdp)
		miss = "not attached (no podroute XDP program or TC filter)";
	else if (!st->in_ifaces)
		miss = "no pr_ifaces entry (the datapath does not know its role)";
	else if (need_xdp && !st->xdp)
		miss = "XDP program missing (pr_ifaces says XDP runs here)";
	else if (need_tc && !st->tc)
		miss = "TC ingress filter missing";
	if (miss && why)
		snprintf(why, len, "%s (%s): %s", c->name, pr_role_name(c->role), miss);
	return !miss;
}

static void why_add(char *why, size_t len, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static void why_add(char *why, size_t len, const char *fmt, ...)
{
	size_t n = strlen(why);
	va_list ap;

	if (n + 2 >= len)
		return;
	if (n)
		n += snprintf(why + n, len - n, "; ");
	va_start(ap, fmt);
	vsnprintf(why + n, len - n, fmt, ap);
	va_end(ap);
}

bool pr_metrics_health(const struct pr_metrics_snap *s, const struct pr_metrics_live *l, bool ready,
		       char *why, size_t len)
{
	char one[128];
	bool ok = true;

	why[0] = '\0';
	/* Waiting for a device is alive, not ready: a liveness probe that
	 * failed here would restart the agent in a loop until OVS is up. */
	if (s->waiting_for[0]) {
		if (ready)
			why_add(why, len, "waiting for %s", s->waiting_for);
		return !ready;
	}
	if (!s->have_cfg) {
		why_add(why, len, "no config loaded");
		ok = false;
	}
	if (!s->reconciles) {
		why_add(why, len, "no reconcile has run yet");
		ok = false;
	} else if (!s->last_reconcile_ok) {
		why_add(why, len, "the last reconcile failed");
		ok = false;
	}
	for (unsigned i = 0; i < s->nifs; i++) {
		if (s->ifs[i].role != PR_ROLE_UNDERLAY && !ready)
			continue;
		if (!if_ok(&s->ifs[i], &l->ifs[i], one, sizeof(one))) {
			why_add(why, len, "%s", one);
			ok = false;
		}
	}
	if (ready && !s->last_config_ok) {
		why_add(why, len, "the last config load failed: %s", s->last_config_error);
		ok = false;
	}
	if (ready && s->reconcile_owed) {
		why_add(why, len, "a reconcile is owed (being retried)");
		ok = false;
	}
	return ok;
}

static const char *net_label(const char *const names[PR_MAX_NETS], uint32_t id)
{
	if (names[id])
		return names[id];
	return id ? "(unconfigured)" : "(none)";
}

/* A gauge with one sample per address family. */
static void family_gauge(struct pr_sbuf *b, const char *name, const char *help, uint64_t v4, uint64_t v6)
{
	pr_prom_family(b, name, "gauge", help);
	pr_prom_u64(b, name, L("family", "ipv4"), v4);
	pr_prom_u64(b, name, L("family", "ipv6"), v6);
}

static void render_counters(struct pr_sbuf *b, const struct pr_metrics_snap *s,
			    const struct pr_metrics_live *l)
{
	const char *names[PR_MAX_NETS] = {};
	static const char *const which[2] = { "podroute_packets_total", "podroute_bytes_total" };
	static const char *const help[2] = {
		"Packets the datapath decided on, per network and reason (network \"(none)\": "
		"matched no network), summed over CPUs",
		"Bytes (whole frames) of the packets counted in podroute_packets_total",
	};

	for (unsigned i = 0; i < s->nnets; i++)
		if (s->nets[i].id < PR_MAX_NETS)
			names[s->nets[i].id] = s->nets[i].name;
	for (int w = 0; w < 2; w++) {
		pr_prom_family(b, which[w], "counter", help[w]);
		for (uint32_t id = 0; id < PR_MAX_NETS; id++) {
			char idbuf[12];

			snprintf(idbuf, sizeof(idbuf), "%u", id);
			for (uint32_t r = 0; r < PR_R_MAX; r++) {
				const struct pr_counter *c = &l->stats[pr_stats_index(id, r)];

				/* Configured networks and "none" always (rate()
				 * needs the zero); others only once they count. */
				if (id && !names[id] && !c->packets)
					continue;
				pr_prom_u64(b, which[w],
					    L("network", net_label(names, id), "network_id", idbuf, "reason",
					      pr_reason_name(r)),
					    w ? c->bytes : c->packets);
			}
		}
	}
}

/* The families with one unlabelled sample, as a table. */
static void render_scalars(struct pr_sbuf *b, const struct pr_metrics_snap *s,
			   const struct pr_metrics_live *l)
{
	char why[256];
	const struct {
		const char *name, *type, *help;
		uint64_t v;
	} m[] = {
		{ "podroute_reconciles_total", "counter",
		  "Reconcile rounds run",
		  s->reconciles },
		{ "podroute_reconcile_failures_total", "counter",
		  "Reconcile rounds that failed (retried on the next event or after a second)",
		  s->reconcile_failures },
		{ "podroute_reconcile_last_success", "gauge",
		  "1 if the last reconcile round succeeded",
		  s->reconciles && s->last_reconcile_ok },
		{ "podroute_netlink_resyncs_total", "counter",
		  "Full netlink re-dumps (overrun, or a link change the kernel flushes routes for)",
		  s->resyncs },
		{ "podroute_learned_routes", "gauge",
		  "BGP-learned routes accepted into the maps by the last reconcile",
		  s->learned_routes },
		{ "podroute_lookup_index_builds_total", "counter",
		  "Lookup index builds",
		  s->lsx_builds },
		{ "podroute_lookup_index_build_failures_total", "counter",
		  "Lookup index builds refused (capacity, distinct routes)",
		  s->lsx_failures },
		{ "podroute_drift_differences", "gauge",
		  "Differences the last drift check found between the maps and the config and kernel routes "
		  "(`podroute check` names them; each is in the agent's log)",
		  s->drift_differences },
		{ "podroute_drift_checks_total", "counter",
		  "Drift checks completed",
		  s->drift_checks },
		{ "podroute_config_loads_total", "counter",
		  "Config loads attempted (start, file change, SIGHUP)",
		  s->config_loads },
		{ "podroute_config_load_failures_total", "counter",
		  "Config loads refused (the running config was kept)",
		  s->config_failures },
		{ "podroute_last_config_load_success", "gauge",
		  "1 if the last config load succeeded",
		  s->last_config_ok },
		{ "podroute_config_refused_objects", "gauge",
		  "Kubernetes objects `podroute config render` refused for this node's config " "(each named in the sidecar's log and a Warning Event)",
		  s->config_refused_objects },
		{ "podroute_healthy", "gauge",
		  "1 when /healthz answers 200",
		  pr_metrics_health(s, l, false, why, sizeof(why)) },
		{ "podroute_ready", "gauge",
		  "1 when /readyz answers 200",
		  pr_metrics_health(s, l, true, why, sizeof(why)) },
	};

	for (size_t i = 0; i < sizeof(m) / sizeof(m[0]); i++)
		pr_prom_one(b, m[i].name, m[i].type, m[i].help, m[i].v);
}

void pr_metrics_render(struct pr_sbuf *b, const struct pr_metrics_snap *s,
		       const struct pr_metrics_live *l)
{
	char abi[12];

	snprintf(abi, sizeof(abi), "%u", PR_ABI_VERSION);
	pr_prom_family(b, "podroute_build_info", "gauge", "The running podroute: version and map ABI");
	pr_prom_u64(b, "podroute_build_info", L("version", PODROUTE_VERSION, "abi", abi), 1);
	pr_prom_family(b, "podroute_kernel_info", "gauge",
		       "The kernel: release, whether bpf_fib_lookup can use a VRF's table, and whether XDP may "
		       "write metadata, which hands skb-only targets' packets to TC (probed)");
	pr_prom_u64(b, "podroute_kernel_info",
		    L("release", l->kernel_release, "vrf_fib_lookup", l->vrf_fib ? "true" : "false",
		      "xdp_metadata", l->xdp_meta ? "true" : "false"),
		    1);

	pr_prom_family(b, "podroute_attached", "gauge",
		       "A podroute hook present on a configured interface now (hook xdp: mode native, "
		       "generic or offload; hook tc: mode ingress)");
	for (unsigned i = 0; i < s->nifs; i++) {
		const struct pr_metrics_ifstate *st = &l->ifs[i];
		const char *role = pr_role_name(s->ifs[i].role);

		if (st->xdp)
			pr_prom_u64(b, "podroute_attached",
				    L("interface", s->ifs[i].name, "role", role, "hook", "xdp", "mode",
				      st->xdp_mode ? st->xdp_mode : "unknown"),
				    1);
		if (st->tc)
			pr_prom_u64(b, "podroute_attached",
				    L("interface", s->ifs[i].name, "role", role, "hook", "tc", "mode", "ingress"),
				    1);
	}
	pr_prom_family(b, "podroute_interface_ok", "gauge",
		       "1 when a configured interface has every hook its role needs, else 0");
	for (unsigned i = 0; i < s->nifs; i++)
		pr_prom_u64(b, "podroute_interface_ok",
			    L("interface", s->ifs[i].name, "role", pr_role_name(s->ifs[i].role)),
			    if_ok(&s->ifs[i], &l->ifs[i], NULL, 0));

	if (l->have_stats)
		render_counters(b, s, l);

	pr_prom_family(b, "podroute_map_entries", "gauge",
		       "Entries in a pinned map (arrays: non-zero entries)");
	for (int m = 0; m < PR_MAP__COUNT; m++)
		if (l->maps[m].have_entries)
			pr_prom_u64(b, "podroute_map_entries", L("map", pr_maps[m].name), l->maps[m].entries);
	pr_prom_family(b, "podroute_map_capacity", "gauge", "Capacity (max_entries) of a pinned map");
	for (int m = 0; m < PR_MAP__COUNT; m++)
		if (l->maps[m].have_capacity)
			pr_prom_u64(b, "podroute_map_capacity", L("map", pr_maps[m].name),
				    l->maps[m].capacity);

	pr_prom_family(b, "podroute_reconcile_last_duration_seconds", "gauge",
		       "Duration of the last reconcile round");
	pr_prom_double(b, "podroute_reconcile_last_duration_seconds", NULL, s->last_reconcile_seconds);
	pr_prom_family(b, "podroute_reconcile_duration_seconds", "histogram",
		       "Duration of reconcile rounds");
	pr_prom_histogram(b, "podroute_reconcile_duration_seconds", NULL, &s->reconcile_seconds);
	pr_prom_family(b, "podroute_route_to_map_latency_seconds", "histogram",
		       "From a netlink route event's arrival to the end of the map update that "
		       "reflects it");
	pr_prom_histogram(b, "podroute_route_to_map_latency_seconds", NULL, &s->route_to_map_seconds);
	family_gauge(b, "podroute_lookup_index_active",
		     "1 while the datapath reads the lookup index, 0 while it reads the prefix trie "
		     "(not built yet, or off: see podroute status)",
		     s->lsx_active[0], s->lsx_active[1]);
	family_gauge(b, "podroute_lookup_index_entries", "24-byte elements the current lookup index uses",
		     s->lsx_entries[0], s->lsx_entries[1]);
	family_gauge(b, "podroute_lookup_index_changed_prefixes",
		     "Prefixes changed since the current lookup index was built: the destinations "
		     "they cover are looked up in the prefix trie until the next build",
		     s->lsx_changed[0], s->lsx_changed[1]);
	pr_prom_family(b, "podroute_lookup_index_last_build_seconds", "gauge",
		       "Duration of the last lookup index build");
	for (int f = 0; f < 2; f++)
		pr_prom_double(b, "podroute_lookup_index_last_build_seconds",
			       L("family", f ? "ipv6" : "ipv4"), s->lsx_build_seconds[f]);

	pr_prom_family(b, "podroute_last_config_error_info", "gauge",
		       "Why the last config load failed (error=\"\" when it succeeded)");
	pr_prom_u64(b, "podroute_last_config_error_info", L("error", s->last_config_error), 1);

	render_scalars(b, s, l);
}

