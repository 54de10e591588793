/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The agent's declarative config: the networks this node advertises (a
 * RouteAdvertisements-like view from one node), where to attach, and the
 * acceptance policy for BGP-learned routes. Parsed from YAML with libyaml
 * (config.c); validated as a whole, so a bad file never half-applies.
 *
 * YAML schema (every key optional unless marked required):
 *
 *   shadow: false                 # global shadow mode
 *   interfaces:
 *     underlay: [eth0]            # required, >= 1: XDP + TC ingress (provider side)
 *     brex: br-ex                 # TC ingress on the bridge's own device
 *     ovn: [ovn-k8s-mp0]          # OVN-facing ports: east-west source
 *     mode: auto                  # auto | native | generic | tc
 *   limits:
 *     max_learned_routes: 100000  # learned routes beyond this are refused (counted)
 *   accept:                       # policy for BGP-learned routes
 *     tables: [main]              # table names (main) or numbers; VRF tables of
 *                                 # networks are accepted too
 *     prefixes: [10.0.0.0/8]      # learned route must lie within one of these;
 *                                 # empty = any
 *     protocols: [bgp]            # rtnetlink protocols accepted (bgp = 186)
 *   networks:                     # required, >= 1
 *     - name: default             # required, unique, [A-Za-z0-9_.-]{1,31}
 *       id: 1                     # optional, 1..255, unique; default: position+1
 *       prefixes: [10.128.1.0/24, fd00:10:128:1::/64]   # required, >= 1
 *       vrf: { name: udn-blue, table: 1001 }            # optional
 *       target:                   # exactly one of port / vrf / action
 *         port: ovn-k8s-mp0       # redirect to this device ...
 *         mac: 0a:58:0a:80:01:01  # ... with this next-hop MAC, or
 *         neighbour: 10.128.1.1   # ... the MAC of this neighbour on the port
 *         # vrf: true             # bpf_fib_lookup in the network's VRF table
 *         # action: pass | drop
 *       antispoof: true           # default true
 *       shadow: false             # per-network shadow mode
 */
#ifndef PR_CONFIG_H
#define PR_CONFIG_H

#include <stdbool.h>
#include <stdint.h>
#include <net/if.h>

#include "prefix.h"

#define PR_CFG_NAME_MAX 32
#define PR_CFG_MAX_PREFIXES 64 /* per network */
#define PR_CFG_MAX_IFS 16
#define PR_CFG_MAX_ACCEPT 64

enum pr_attach_mode { PR_MODE_AUTO = 0, PR_MODE_NATIVE, PR_MODE_GENERIC, PR_MODE_TC };

enum pr_target_kind {
	PR_TGT_PORT = 0, /* redirect to port (mac or neighbour) */
	PR_TGT_VRF,      /* FIB lookup in the VRF's table */
	PR_TGT_PASS,
	PR_TGT_DROP,
};

struct pr_cfg_network {
	char name[PR_CFG_NAME_MAX];
	uint32_t id; /* 1..PR_MAX_NETS-1 */
	struct pr_prefix prefixes[PR_CFG_MAX_PREFIXES];
	unsigned nprefixes;
	bool has_vrf;
	char vrf_name[IFNAMSIZ]; /* may be empty when only the table is given */
	uint32_t vrf_table;      /* 0 when has_vrf is false */
	enum pr_target_kind target;
	char port[IFNAMSIZ];     /* PR_TGT_PORT */
	bool has_mac;            /* PR_TGT_PORT: mac given, else neighbour */
	uint8_t mac[6];
	struct pr_prefix neighbour; /* host prefix (/32 or /128) when !has_mac */
	bool antispoof;
	bool shadow;
};

struct pr_config {
	bool shadow;
	char underlay[PR_CFG_MAX_IFS][IFNAMSIZ];
	unsigned nunderlay;
	char brex[IFNAMSIZ]; /* empty = none */
	char ovn[PR_CFG_MAX_IFS][IFNAMSIZ];
	unsigned novn;
	enum pr_attach_mode mode;
	uint32_t max_learned_routes; /* default 100000 */
	uint32_t accept_tables[PR_CFG_MAX_ACCEPT];
	unsigned naccept_tables; /* default: {254 (main)} */
	struct pr_prefix accept_prefixes[PR_CFG_MAX_ACCEPT];
	unsigned naccept_prefixes; /* 0 = any */
	uint8_t accept_protocols[PR_CFG_MAX_ACCEPT];
	unsigned naccept_protocols; /* default: {186 (bgp)} */
	struct pr_cfg_network *networks;
	unsigned nnetworks;
};

/*
 * Error of a rejected file: where and why. line/column are 1-based; 0 when
 * the error is not tied to a position (e.g. the file cannot be opened).
 */
struct pr_cfg_error {
	char file[256];
	unsigned line, column;
	char msg[256];
};

/* "file:line:column: msg" (or "file: msg" without a position). */
const char *pr_cfg_error_str(const struct pr_cfg_error *e, char *buf, size_t size);

/*
 * Parse and validate. On success fills *cfg (release with pr_config_free)
 * and returns 0; on any error returns -EINVAL (or -errno for I/O), fills
 * *err, and leaves *cfg zeroed. Device existence is NOT checked here (see
 * pr_config_check_devices) so that parsing is pure and testable.
 */
int pr_config_load_file(const char *path, struct pr_config *cfg, struct pr_cfg_error *err);
int pr_config_load_string(const char *name, const char *yaml, size_t len, struct pr_config *cfg,
			  struct pr_cfg_error *err);

/*
 * Check that every named device exists (if_nametoindex) in the current
 * network namespace; fills *err with the device and the network or
 * interface list naming it. Returns 0 or -ENODEV.
 */
int pr_config_check_devices(const struct pr_config *cfg, struct pr_cfg_error *err);

void pr_config_free(struct pr_config *cfg);

const struct pr_cfg_network *pr_config_find_network(const struct pr_config *cfg, const char *name);

#endif
