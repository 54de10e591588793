/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The config parser's toolkit, shared by its parts (config.c: the top
 * level and the API; sections.c: interfaces, limits, accept; networks.c:
 * networks and the whole-config checks): the parser's state, messages that
 * name the node at fault, and readers for mappings and scalars that refuse
 * rather than guess. Internal to config/: the API is config/config.h.
 */
#ifndef PR_CONFIG_SCHEMA_H
#define PR_CONFIG_SCHEMA_H

#include <stdbool.h>
#include <stdint.h>

#include "config/config.h"
#include "config/yaml_tree.h"

#define LBUF 128 /* a label or a context, for messages */
#define ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

/* One network while parsing: the nodes later checks point at. */
struct net_scratch {
	const struct ynode *node, *name, *id, *vrf_table, *target_vrf;
	const struct ynode *prefix[PR_CFG_MAX_PREFIXES];
	char label[48]; /* network "blue" or network #3 */
};

struct parser {
	const char *buf;
	size_t len;
	struct pr_cfg_error *err;
	struct pr_config *cfg;
	struct net_scratch *nets;
	bool seen_underlay;
};

/* Which mapping a key belongs to, for messages. */
struct where {
	const char *section; /* "interfaces", "vrf", ...; NULL at a network's or the top level */
	const char *net;     /* network "blue"; NULL outside networks */
};


#define fail_at(p, pos, ...) cfg_fail_at((p)->err, pos, __VA_ARGS__)
#define fail(p, node, ...) cfg_fail_at((p)->err, (node)->pos, __VA_ARGS__)

const char *cfg_qnode(const struct ynode *n, char *buf, size_t size);
bool cfg_is_null(const struct ynode *n);
/* What a node is, for "..., got <this>". */
const char *cfg_describe(const struct ynode *n, char *buf, size_t size);
/* "section.key" of network "x" */
const char *cfg_label(const struct where *w, const char *key, char *buf, size_t size);
/* in "section" of network "x" / in network "x" / at the top level */
const char *cfg_context(const struct where *w, char *buf, size_t size);
bool cfg_pos_before(struct pr_cfg_pos a, struct pr_cfg_pos b);
/* Every key a string from keys[], none twice; checked in file order. */
int cfg_check_keys(struct parser *p, const struct ynode *m, const char *const keys[],
		   unsigned nkeys, const struct where *w);
/* The value of key in mapping m, NULL if absent; *keynode gets the key. */
const struct ynode *cfg_map_get(const struct ynode *m, const char *key,
				   const struct ynode **keynode);
int cfg_need_map(struct parser *p, const struct ynode *n, const struct where *w,
		    const char *key);
int cfg_missing_key(struct parser *p, const struct ynode *m, const char *key,
		       const struct where *w);
int cfg_get_bool(struct parser *p, const struct ynode *n, const struct where *w,
		    const char *key, bool *out);
/*
 * A plain decimal integer: 0 and *v set, -ERANGE if it has digits only but
 * exceeds 64 bits, -EINVAL otherwise. Signs, leading zeros (octal in YAML
 * 1.1), hex and underscores are refused rather than guessed at.
 */
int cfg_parse_uint(const struct ynode *n, uint64_t *v);
int cfg_get_uint(struct parser *p, const struct ynode *n, const struct where *w,
		    const char *key, uint64_t min, uint64_t max, uint64_t *out);
/* A non-null scalar, i.e. something that can be a name. */
int cfg_need_string(struct parser *p, const struct ynode *n, const char *what,
		       const char *expect);
/* An interface name into dst (IFNAMSIZ); lbl says where, for messages. */
int cfg_get_ifname(struct parser *p, const struct ynode *n, const char *lbl, char *dst);
/* A list of interface names; at least min of them. */
int cfg_get_iflist(struct parser *p, const struct ynode *n, const char *key, unsigned min,
		   char names[][IFNAMSIZ], struct pr_cfg_pos *pos, unsigned *count);

/* The sections (sections.c, networks.c). */
int cfg_parse_interfaces(struct parser *p, const struct ynode *m);
int cfg_parse_overrides(struct parser *p, const struct ynode *n);
int cfg_parse_limits(struct parser *p, const struct ynode *m);
int cfg_parse_accept(struct parser *p, const struct ynode *m);
int cfg_parse_networks(struct parser *p, const struct ynode *n);
/* The name of a routing table or a route protocol number, NULL if none. */
const char *cfg_table_name(unsigned v);
const char *cfg_proto_name(unsigned v);

#endif
