/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The config file as a tree of YAML nodes that keep their file positions
 * (libyaml's event parser underneath). One document; anchors, aliases and
 * tags are refused, since they would let one node mean several things or
 * another type, and nothing in the schema needs them. The schema walkers
 * (config/schema.h) read the tree; the positions make every message name
 * its line and column.
 */
#ifndef PR_CONFIG_YAML_TREE_H
#define PR_CONFIG_YAML_TREE_H

#include <stdbool.h>
#include <stddef.h>

#include "config/config.h"

#define QUOTE_MAX 40 /* characters of a value quoted in a message */
#define QBUF (QUOTE_MAX * 4 + 32)

enum ynode_type { YN_SCALAR, YN_SEQ, YN_MAP };

struct ynode {
	enum ynode_type type;
	bool plain;            /* scalar written without quotes */
	struct pr_cfg_pos pos; /* where the node starts */
	char *str;             /* scalar value, NUL-terminated ... */
	size_t len;            /* ... but may hold NULs ("\0" escapes) */
	struct ynode **kids;   /* SEQ: items; MAP: key, value, key, value, ... */
	size_t nkids, cap;
	struct ynode *parent;
};

/*
 * The tree of the (single) document in buf. *root stays NULL for a stream
 * without a document; *end gets the position of the end of the stream.
 * On error: -EINVAL or -ENOMEM, err says what and where.
 */
int cfg_yaml_tree_load(const char *buf, size_t len, struct pr_cfg_error *err,
		       struct ynode **root, struct pr_cfg_pos *end);
void cfg_ynode_free(struct ynode *n);

/* Set err's position and message; returns -EINVAL. */
int cfg_fail_at(struct pr_cfg_error *err, struct pr_cfg_pos pos, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* Quote a value for a message: "..." with escapes, cut at QUOTE_MAX. */
const char *cfg_quote(const char *s, size_t len, char *buf, size_t size);

#endif
