// SPDX-License-Identifier: GPL-2.0-only
/* The table of the datapath's maps (see maps.h). */
#include "datapath/maps.h"

#include <string.h>
#include <linux/bpf.h>

#include "podroute_abi.h"

#define PR_MAP_DESC(id, name, type, key, value, max, flags, writer) \
	[PR_MAP_##id] = { #name, type, sizeof(key), sizeof(value), writer },

const struct pr_map_desc pr_maps[PR_MAP__COUNT] = { PR_MAPS(PR_MAP_DESC) };

_Static_assert(BPF_MAP_TYPE_ARRAY == 2, "pr_map_is_array");

int pr_map_by_name(const char *name)
{
	for (int i = 0; i < PR_MAP__COUNT; i++)
		if (!strcmp(pr_maps[i].name, name))
			return i;
	return -1;
}
