/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The datapath's maps, defined from the one list in include/podroute_maps.h
 * (what each map holds is said there). The prefix maps' and the lookup
 * index's capacities are defaults; the loader sets the real ones before
 * load (bpf_map__set_max_entries).
 */
#ifndef PR_MAPS_H
#define PR_MAPS_H

#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

#include "podroute_abi.h"
#include "podroute_maps.h"

#define PR_BPF_MAP(id, name, map_type, key_type, value_type, max, flags, writer)             \
	struct {                                                                            \
		__uint(type, map_type);                                                     \
		__type(key, key_type);                                                      \
		__type(value, value_type);                                                  \
		__uint(max_entries, max);                                                   \
		__uint(map_flags, flags);                                                   \
		__uint(pinning, LIBBPF_PIN_BY_NAME);                                        \
	} name SEC(".maps");

PR_MAPS(PR_BPF_MAP)

#endif /* PR_MAPS_H */
