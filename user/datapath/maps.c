// SPDX-License-Identifier: GPL-2.0-only
/* The table of the datapath's maps (see maps.h). */
#include "datapath/maps.h"

#include <string.h>
#include <linux/bpf.h>

#include "podroute_abi.h"

#define MAP(id, n, t, k, v, w) [id] = { n, t, sizeof(k), sizeof(v), w }

const struct pr_map_desc pr_maps[PR_MAP__COUNT] = {
	MAP(PR_MAP_ROUTES4, "pr_routes4", BPF_MAP_TYPE_LPM_TRIE, struct pr_lpm4_key, struct pr_route, "reconciler"),
	MAP(PR_MAP_ROUTES6, "pr_routes6", BPF_MAP_TYPE_LPM_TRIE, struct pr_lpm6_key, struct pr_route, "reconciler"),
	MAP(PR_MAP_NETS, "pr_nets", BPF_MAP_TYPE_ARRAY, __u32, struct pr_net, "reconciler"),
	MAP(PR_MAP_NHGRPS, "pr_nhgrps", BPF_MAP_TYPE_ARRAY, __u32, struct pr_nhgrp, "reconciler"),
	MAP(PR_MAP_NEXTHOPS, "pr_nexthops", BPF_MAP_TYPE_ARRAY, __u32, struct pr_nexthop, "reconciler"),
	MAP(PR_MAP_TXPORTS, "pr_txports", BPF_MAP_TYPE_DEVMAP_HASH, __u32, struct bpf_devmap_val, "reconciler"),
	MAP(PR_MAP_XDP_TXPORTS, "pr_xdp_txports", BPF_MAP_TYPE_DEVMAP_HASH, __u32, struct bpf_devmap_val,
	    "reconciler"),
	MAP(PR_MAP_CONFIG, "pr_config", BPF_MAP_TYPE_ARRAY, __u32, struct pr_global, "reconciler, attach"),
	MAP(PR_MAP_IFACES, "pr_ifaces", BPF_MAP_TYPE_HASH, __u32, struct pr_iface, "reconciler, attach"),
	MAP(PR_MAP_STATS, "pr_stats", BPF_MAP_TYPE_PERCPU_ARRAY, __u32, struct pr_counter, "datapath"),
	MAP(PR_MAP_PROGIDS, "pr_progids", BPF_MAP_TYPE_ARRAY, __u32, __u32, "load, attach"),
	MAP(PR_MAP_LIVENESS, "pr_liveness", BPF_MAP_TYPE_ARRAY, __u32, struct pr_liveness, "agent loop"),
	MAP(PR_MAP_LSX4, "pr_lsx4", BPF_MAP_TYPE_ARRAY, __u32, struct pr_lsx_line, "lookup-index builder"),
	MAP(PR_MAP_LSX6, "pr_lsx6", BPF_MAP_TYPE_ARRAY, __u32, struct pr_lsx_line, "lookup-index builder"),
	MAP(PR_MAP_LSX_CTL, "pr_lsx_ctl", BPF_MAP_TYPE_ARRAY, __u32, struct pr_lsx_ctl, "lookup-index builder"),
	MAP(PR_MAP_LSX_CHG4_0, "pr_lsx_chg4_0", BPF_MAP_TYPE_LPM_TRIE, struct pr_lpm4_key, __u32,
	    "reconciler (changes since a build)"),
	MAP(PR_MAP_LSX_CHG4_1, "pr_lsx_chg4_1", BPF_MAP_TYPE_LPM_TRIE, struct pr_lpm4_key, __u32,
	    "reconciler (changes since a build)"),
	MAP(PR_MAP_LSX_CHG6_0, "pr_lsx_chg6_0", BPF_MAP_TYPE_LPM_TRIE, struct pr_lpm6_key, __u32,
	    "reconciler (changes since a build)"),
	MAP(PR_MAP_LSX_CHG6_1, "pr_lsx_chg6_1", BPF_MAP_TYPE_LPM_TRIE, struct pr_lpm6_key, __u32,
	    "reconciler (changes since a build)"),
	MAP(PR_MAP_LSX_CHGBITS, "pr_lsx_chgbits", BPF_MAP_TYPE_ARRAY, __u32, __u64, "reconciler"),
};

_Static_assert(BPF_MAP_TYPE_ARRAY == 2, "pr_map_is_array");

int pr_map_by_name(const char *name)
{
	for (int i = 0; i < PR_MAP__COUNT; i++)
		if (!strcmp(pr_maps[i].name, name))
			return i;
	return -1;
}
