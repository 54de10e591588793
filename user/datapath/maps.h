/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The datapath's maps for userspace: name, type, key and value size, and
 * who writes it, built from the one list in include/podroute_maps.h that
 * the BPF side defines its maps from; the loader still checks every map of
 * the object against this table (an object built from another list). Loading, pinning, the reconciler, the lookup-index builder,
 * `status` and the metrics all name maps by enum pr_map.
 */
#ifndef PR_DATAPATH_MAPS_H
#define PR_DATAPATH_MAPS_H

#include <stdint.h>

#include "podroute_maps.h"

#define PR_MAP_ENUM(id, ...) PR_MAP_##id,
enum pr_map { PR_MAPS(PR_MAP_ENUM) PR_MAP__COUNT };
#undef PR_MAP_ENUM

/* The maps the reconciler alone writes (its mirror covers exactly these):
 * the list's first ten, up to pr_ifslots. */
#define PR_MAP__RECONCILED (PR_MAP_IFSLOTS + 1)

struct pr_map_desc {
	const char *name;     /* the BPF object's and the pin's name */
	uint32_t type;        /* enum bpf_map_type */
	uint32_t key_size, value_size;
	const char *writer;   /* who writes it, for docs and messages */
};

extern const struct pr_map_desc pr_maps[PR_MAP__COUNT];

/* The map called name, or -1. */
int pr_map_by_name(const char *name);

/* An array map: entries always exist, all-zero meaning absent. */
static inline int pr_map_is_array(enum pr_map m)
{
	return pr_maps[m].type == 2 /* BPF_MAP_TYPE_ARRAY */;
}

#endif
