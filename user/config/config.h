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
 *     underlay: [eth0]            # required, >= 1: XDP + TC ingress (provider side),
 *                                 # or auto: the device of the kernel's route to
 *     underlay_from: 192.0.2.254  # this address (required with auto, only then): the
 *                                 # BGP peer's, or this node's own (its device; through
 *                                 # br-ex, br-ex's port with its MAC); "node": the
 *                                 # Node's InternalIP, filled in by `config render`
 *     brex: br-ex                 # TC ingress on the bridge's own device
 *     ovn: [ovn-k8s-mp0]          # OVN-facing ports: east-west source
 *     mode: auto                  # auto | native | generic | tc
 *   limits:
 *     max_learned_routes: 100000  # learned routes beyond this are refused (counted)
 *     stale_after_seconds: 5      # agent gone this long: learned routes left to the
 *                                 # kernel, ingress goes on (0: never)
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
 *       target:                   # required: exactly one of port / vrf / action
 *         port: ovn-k8s-mp0       # redirect to this device ...
 *         mac: 0a:58:0a:80:01:01  # ... with this next-hop MAC, or
 *         neighbour: 10.128.1.1   # ... the MAC of this neighbour on the port
 *         # vrf: true             # bpf_fib_lookup in the network's VRF table
 *         # action: pass | drop
 *       antispoof: true           # default true
 *       shadow: false             # per-network shadow mode
 *   node_overrides:               # for `config render`: the first entry whose labels
 *     - match_labels: {pool: edge}  # all match the Node's gives the node's interfaces
 *       interfaces: {underlay: [eth1], brex: br-ex}   # (whole section, as above)
 *   refused_objects: 0            # written by `config render`: objects it refused
 *                                 # (the agent exports the count as a metric)
 *
 * Rules beyond the shapes above (each one is a whole-file error):
 *  - "target" is required; "vrf" (the block) needs "table" (1..2^32-1),
 *    "name" is an interface name; target "vrf: true" needs the vrf block
 *    ("vrf: false" is the same as leaving it out).
 *  - accept.tables: main (254), local (255), default (253) or 1..2^32-1;
 *    accept.protocols: bgp (186), static (4), kernel (2), boot (3),
 *    zebra (11), ospf (188), isis (187) or 0..255. Neither may be an
 *    empty list (leave the key out for the default); accept.prefixes: []
 *    means any. No duplicates in any list.
 *  - Booleans are true/false (not yes/no), integers plain decimal;
 *    quoted scalars are strings. A null value ("key:" or "key: ~") of an
 *    optional key means the key is absent.
 *  - Prefixes may not overlap, within a network or across networks of
 *    the same VRF (networks in different VRFs may reuse prefixes); two
 *    networks naming the same vrf must give it the same table.
 *  - An interface appears at most once across underlay, brex and ovn.
 *  - Anchors, aliases, tags and multiple documents are refused; the file
 *    may be at most PR_CFG_MAX_FILE bytes.
 */
#ifndef PR_CONFIG_H
#define PR_CONFIG_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <net/if.h>

#include "lib/prefix.h"

#define PR_CFG_NAME_MAX 32
#define PR_CFG_MAX_PREFIXES 64 /* per network */
#define PR_CFG_MAX_IFS 16
#define PR_CFG_MAX_ACCEPT 64
#define PR_CFG_MAX_NETWORKS (PR_MAX_NETS - 1) /* ids 1..255 */
#define PR_CFG_MAX_LEARNED 10000000 /* limits.max_learned_routes upper bound */
#define PR_CFG_DEFAULT_STALE_AFTER 5 /* limits.stale_after_seconds */
#define PR_CFG_MAX_STALE_AFTER 3600
#define PR_CFG_MAX_FILE (1U << 20)  /* bytes; larger files are refused */
#define PR_CFG_MAX_OVERRIDES 16
#define PR_CFG_MAX_LABELS 8 /* per override */
#define PR_CFG_LABEL_KEY_MAX 320 /* prefix (253) + "/" + name (63) + NUL */
#define PR_CFG_LABEL_VALUE_MAX 64

/* Where something was written in the file: 1-based, 0/0 when unknown. */
struct pr_cfg_pos {
	unsigned line, column;
};

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
	/* Positions, for messages about this network after parsing (e.g. a
	 * device that does not exist); ignored by pr_config_equal. */
	struct pr_cfg_pos pos, pos_port, pos_vrf_name;
};

struct pr_cfg_override;

struct pr_config {
	bool shadow;
	char underlay[PR_CFG_MAX_IFS][IFNAMSIZ];
	unsigned nunderlay;
	/* underlay: auto. Until pr_config_resolve_underlay names it, the
	 * list above is empty; then it holds the one device found. */
	bool underlay_auto;
	struct pr_prefix underlay_from; /* a host prefix */
	/* underlay_from: node, the Node's InternalIP: `config render` writes
	 * the address in its place; the agent refuses it unrendered. */
	bool underlay_from_node;
	char brex[IFNAMSIZ]; /* empty = none */
	char ovn[PR_CFG_MAX_IFS][IFNAMSIZ];
	unsigned novn;
	enum pr_attach_mode mode;
	bool force_xdp;     /* XDP even where it cannot see skb state (devcaps.h) */
	uint32_t max_learned_routes; /* default 100000 */
	uint32_t stale_after_seconds; /* the datapath's guard on the agent's heartbeat */
	uint32_t accept_tables[PR_CFG_MAX_ACCEPT];
	unsigned naccept_tables; /* default: {254 (main)} */
	struct pr_prefix accept_prefixes[PR_CFG_MAX_ACCEPT];
	unsigned naccept_prefixes; /* 0 = any */
	uint8_t accept_protocols[PR_CFG_MAX_ACCEPT];
	unsigned naccept_protocols; /* default: {186 (bgp)} */
	/* Learned routes that cover a locally advertised prefix (the default
	 * route among them) are refused unless the operator opts in: a BGP
	 * peer announcing 0.0.0.0/0 must not pull the node's own traffic. */
	bool accept_covering;
	/* How many objects the renderer refused (informational: a metric and
	 * status; ignored by pr_config_equal, it changes no map). */
	uint32_t refused_objects;
	struct pr_cfg_network *networks;
	unsigned nnetworks;
	/* node_overrides, in file order (read by `config render` only;
	 * ignored by pr_config_equal). */
	struct pr_cfg_override *overrides;
	unsigned noverrides;
	/* Where it came from (the name given to the loader) and where the
	 * interfaces were named; ignored by pr_config_equal. */
	char file[256];
	struct pr_cfg_pos pos_underlay[PR_CFG_MAX_IFS], pos_brex, pos_ovn[PR_CFG_MAX_IFS];
	struct pr_cfg_pos pos_underlay_from;
};

/* One node_overrides entry: an interfaces section for the Nodes carrying
 * every label of match_labels (a Kubernetes matchLabels selector). */
struct pr_cfg_override {
	char label_key[PR_CFG_MAX_LABELS][PR_CFG_LABEL_KEY_MAX];
	char label_value[PR_CFG_MAX_LABELS][PR_CFG_LABEL_VALUE_MAX];
	unsigned nlabels;
	/* Only its interface fields are set (underlay ... force_xdp). */
	struct pr_config interfaces;
	struct pr_cfg_pos pos;
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
 * and returns 0; on any error returns -EINVAL (-errno for I/O, -EFBIG for
 * a file larger than PR_CFG_MAX_FILE, -ENOMEM), fills *err (may be NULL)
 * and leaves *cfg zeroed. Device existence is NOT checked here (see
 * pr_config_check_devices) so that parsing is pure and testable. *cfg need
 * not be initialised; a config already in it is NOT freed. name (used in
 * messages, may be NULL) is usually the file's path.
 */
int pr_config_load_file(const char *path, struct pr_config *cfg, struct pr_cfg_error *err);
int pr_config_load_string(const char *name, const char *yaml, size_t len, struct pr_config *cfg,
			  struct pr_cfg_error *err);

/*
 * Check that every named device exists (if_nametoindex) in the current
 * network namespace: underlay, brex, ovn, each network's target port and
 * vrf name. Fills *err with the device, who names it, and where, e.g.
 * 'device "ovn-k8s-mp9" (target port of network "blue") does not exist'.
 * Returns 0, -ENODEV, or -errno if the lookup itself failed.
 */
int pr_config_check_devices(const struct pr_config *cfg, struct pr_cfg_error *err);

void pr_config_free(struct pr_config *cfg);

/*
 * The interfaces section of the first override whose labels the node's
 * all carry (has_label(key, value, ctx) asks the node), copied over cfg's;
 * the overrides are then dropped (the result is one node's config). The
 * index of the override applied (0-based; *where, may be NULL, gets its
 * position), or -1 when none matched (cfg's own interfaces stay).
 */
int pr_config_apply_overrides(struct pr_config *cfg,
			      bool (*has_label)(const char *key, const char *value, void *ctx), void *ctx,
			      struct pr_cfg_pos *where);

/*
 * underlay: auto: set the underlay to dev (the device the caller found for
 * underlay_from). -EINVAL with err filled when dev is already the config's
 * br-ex or an OVN port (the route leads through the bridge: name the NIC).
 */
int pr_config_set_auto_underlay(struct pr_config *cfg, const char *dev, struct pr_cfg_error *err);
/* An address (a host prefix) without its length, for messages. */
const char *pr_config_addr_str(const struct pr_prefix *a, char *buf, size_t size);

const struct pr_cfg_network *pr_config_find_network(const struct pr_config *cfg, const char *name);

/*
 * 1 if a and b configure the same thing, else 0: lists that are sets
 * (interfaces, accept lists, a network's prefixes) compare as sets,
 * networks are matched by name; file name and positions are ignored. Lets
 * the agent skip a reload that changes nothing.
 */
int pr_config_equal(const struct pr_config *a, const struct pr_config *b);

/*
 * Print the config in canonical form (every default spelled out, one
 * layout) as YAML that pr_config_load_string reads back into an equal
 * config; for `podroute config check`.
 */
void pr_config_dump(const struct pr_config *c, FILE *f);

/* Names of enum values, as written in the file ("auto", "port", ...). */
const char *pr_attach_mode_name(enum pr_attach_mode m);
const char *pr_target_kind_name(enum pr_target_kind t);

#endif
