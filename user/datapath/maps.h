/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The datapath's maps, once for all of userspace: name, type, key and
 * value size, and who writes it. The BPF side declares them in
 * bpf/pr_maps.h with the layouts of include/podroute_abi.h; the loader
 * checks every map of the object against this table, so the two cannot
 * drift apart. Loading, pinning, the reconciler, the lookup-index builder,
 * `status` and the metrics all name maps by enum pr_map.
 */
#ifndef PR_DATAPATH_MAPS_H
#define PR_DATAPATH_MAPS_H

#include <stdint.h>

enum pr_map {
	/* Written by the reconciler alone; its mirror covers exactly these. */
	PR_MAP_ROUTES4, PR_MAP_ROUTES6, PR_MAP_NETS, PR_MAP_NHGRPS, PR_MAP_NEXTHOPS,
	PR_MAP_TXPORTS, PR_MAP_XDP_TXPORTS, PR_MAP_CONFIG, PR_MAP_IFACES,
	PR_MAP__RECONCILED,
	/* The rest: counters, ownership, heartbeat, the lookup index. */
	PR_MAP_STATS = PR_MAP__RECONCILED, PR_MAP_PROGIDS, PR_MAP_LIVENESS,
	PR_MAP_LSX4, PR_MAP_LSX6, PR_MAP_LSX_CTL, PR_MAP_LSX_CHG4_0, PR_MAP_LSX_CHG4_1,
	PR_MAP_LSX_CHG6_0, PR_MAP_LSX_CHG6_1, PR_MAP_LSX_CHGBITS,
	PR_MAP__COUNT
};

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
