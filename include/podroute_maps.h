/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The datapath's maps, once: the BPF side defines them from this list
 * (bpf/pr_maps.h) and userspace builds its table from it
 * (user/datapath/maps.c: enum pr_map, pr_maps[]). Layouts are in
 * podroute_abi.h. Every map carries BTF and is pinned by name, so that
 * `bpftool map dump pinned /sys/fs/bpf/podroute/<name>` decodes every field
 * and a restarted agent adopts them without interrupting forwarding; names
 * stay within 15 characters so bpftool shows them whole.
 *
 * X(id, name, type, key, value, max_entries, map_flags, writer)
 *
 * The first ten are written by the reconciler alone (its mirror covers
 * exactly these); keep them first. The rest: counters, ownership,
 * heartbeat, the lookup index.
 *
 * pr_routes4/6     advertised (local) and BGP-learned (remote) prefixes ->
 *                  network, action; the loader sets the real capacity
 * pr_nets          network id -> its target (port + MACs, or VRF table), flags
 * pr_nhgrps        east-west next-hop group -> up to PR_MAX_NH next hops:
 *                  the agent's view of the BGP routes' next hops, for
 *                  operators; the datapath does not read it (the kernel's
 *                  FIB picks each flow's next hop)
 * pr_nexthops      next-hop id -> underlay device and the next hop's MAC
 * pr_txports       the only devices podroute may redirect to (a devmap: the
 *                  kernel makes it read-only for programs and records that
 *                  in its flags, which libbpf's pin reuse calls a mismatch,
 *                  so the loader adopts pinned maps itself)
 * pr_xdp_txports   of those, the devices that take XDP frames (ndo_xdp_xmit;
 *                  a veth only while its peer has NAPI); a target only in
 *                  pr_txports is handed to TC on the receiving device;
 *                  never more than pr_txports (writers add there first and
 *                  remove there last)
 * pr_config        global knobs (shadow mode, the ABI version of the maps)
 * pr_ifaces        receiving ifindex -> role and the router MACs it accepts
 * pr_ifslots       the same entries at pr_ifslot_of(ifindex), which the
 *                  datapath reads first (an array lookup costs less)
 * pr_stats         per-CPU packets/bytes per (network, reason), pr_stats_index()
 * pr_progids       the ids of the programs this instance (pin dir) loaded:
 *                  slot 0 the next slot, 1..PR_PROGID_RING a ring; a program
 *                  is podroute's to replace or remove only if its id is here
 * pr_liveness      the agent's heartbeat and the stale bound
 * pr_lsx4/6        the lookup index over pr_routes4/6: two tables of
 *                  24-byte elements per family, back to back (the loader
 *                  sizes them)
 * pr_lsx_ctl       which table of each family is current, and its domains;
 *                  written by userspace through mmap only
 * pr_lsx_chg*_0/1  per table, the prefixes changed since it was built (the
 *                  value is unused): destinations they cover go to the trie
 * pr_lsx_chgbits   the filters in front of those sets: [family][table][word]
 *                  (IPv4: a bit per /16; IPv6: per hashed prefix)
 * pr_events        sampled decision events, one ring per CPU (0 entries: as
 *                  many as CPUs), read by `podroute monitor`
 * pr_monitor       whether and how the datapath samples them (the monitor's
 *                  lease, sampling, network, rate limit)
 * pr_mon_budget    per CPU, the events sent in the current second
 */
#ifndef PODROUTE_MAPS_H
#define PODROUTE_MAPS_H

#define PR_MAPS(X)                                                                                  \
	X(ROUTES4, pr_routes4, BPF_MAP_TYPE_LPM_TRIE, struct pr_lpm4_key, struct pr_route,          \
	  PR_DEFAULT_ROUTES4, BPF_F_NO_PREALLOC, "reconciler")                                      \
	X(ROUTES6, pr_routes6, BPF_MAP_TYPE_LPM_TRIE, struct pr_lpm6_key, struct pr_route,          \
	  PR_DEFAULT_ROUTES6, BPF_F_NO_PREALLOC, "reconciler")                                      \
	X(NETS, pr_nets, BPF_MAP_TYPE_ARRAY, __u32, struct pr_net, PR_MAX_NETS, 0, "reconciler")    \
	X(NHGRPS, pr_nhgrps, BPF_MAP_TYPE_ARRAY, __u32, struct pr_nhgrp, PR_MAX_NHGRPS, 0,           \
	  "reconciler")                                                                             \
	X(NEXTHOPS, pr_nexthops, BPF_MAP_TYPE_ARRAY, __u32, struct pr_nexthop, PR_MAX_NEXTHOPS, 0,  \
	  "reconciler")                                                                             \
	X(TXPORTS, pr_txports, BPF_MAP_TYPE_DEVMAP_HASH, __u32, struct bpf_devmap_val,              \
	  PR_MAX_TARGETS, 0, "reconciler")                                                          \
	X(XDP_TXPORTS, pr_xdp_txports, BPF_MAP_TYPE_DEVMAP_HASH, __u32, struct bpf_devmap_val,      \
	  PR_MAX_TARGETS, 0, "reconciler")                                                          \
	X(CONFIG, pr_config, BPF_MAP_TYPE_ARRAY, __u32, struct pr_global, 1, 0,                     \
	  "reconciler, attach")                                                                     \
	X(IFACES, pr_ifaces, BPF_MAP_TYPE_HASH, __u32, struct pr_iface, PR_MAX_IFACES, 0,            \
	  "reconciler, attach")                                                                     \
	X(IFSLOTS, pr_ifslots, BPF_MAP_TYPE_ARRAY, __u32, struct pr_ifslot, PR_IFSLOTS, 0,          \
	  "reconciler, attach")                                                                     \
	X(STATS, pr_stats, BPF_MAP_TYPE_PERCPU_ARRAY, __u32, struct pr_counter,                     \
	  PR_MAX_NETS * PR_R_MAX, 0, "datapath")                                                    \
	X(PROGIDS, pr_progids, BPF_MAP_TYPE_ARRAY, __u32, __u32, PR_PROGID_RING + 1, 0,             \
	  "load, attach")                                                                           \
	X(LIVENESS, pr_liveness, BPF_MAP_TYPE_ARRAY, __u32, struct pr_liveness, 1, 0, "agent loop") \
	X(LSX4, pr_lsx4, BPF_MAP_TYPE_ARRAY, __u32, union pr_lsx_elem, 2, BPF_F_MMAPABLE,          \
	  "lookup-index builder")                                                                   \
	X(LSX6, pr_lsx6, BPF_MAP_TYPE_ARRAY, __u32, union pr_lsx_elem, 2, BPF_F_MMAPABLE,          \
	  "lookup-index builder")                                                                   \
	X(LSX_CTL, pr_lsx_ctl, BPF_MAP_TYPE_ARRAY, __u32, struct pr_lsx_ctl, 1, BPF_F_MMAPABLE,     \
	  "lookup-index builder")                                                                   \
	X(LSX_CHG4_0, pr_lsx_chg4_0, BPF_MAP_TYPE_LPM_TRIE, struct pr_lpm4_key, __u32,              \
	  PR_LSX_MAX_CHANGED, BPF_F_NO_PREALLOC, "reconciler (changes since a build)")              \
	X(LSX_CHG4_1, pr_lsx_chg4_1, BPF_MAP_TYPE_LPM_TRIE, struct pr_lpm4_key, __u32,              \
	  PR_LSX_MAX_CHANGED, BPF_F_NO_PREALLOC, "reconciler (changes since a build)")              \
	X(LSX_CHG6_0, pr_lsx_chg6_0, BPF_MAP_TYPE_LPM_TRIE, struct pr_lpm6_key, __u32,              \
	  PR_LSX_MAX_CHANGED, BPF_F_NO_PREALLOC, "reconciler (changes since a build)")              \
	X(LSX_CHG6_1, pr_lsx_chg6_1, BPF_MAP_TYPE_LPM_TRIE, struct pr_lpm6_key, __u32,              \
	  PR_LSX_MAX_CHANGED, BPF_F_NO_PREALLOC, "reconciler (changes since a build)")              \
	X(LSX_CHGBITS, pr_lsx_chgbits, BPF_MAP_TYPE_ARRAY, __u32, __u64, 4 * PR_LSX_CHG_BITS / 64,  \
	  BPF_F_MMAPABLE, "reconciler")                                                             \
	X(EVENTS, pr_events, BPF_MAP_TYPE_PERF_EVENT_ARRAY, __u32, __u32, 0, 0, "datapath")       \
	X(MONITOR, pr_monitor, BPF_MAP_TYPE_ARRAY, __u32, struct pr_monitor, 1, 0,                  \
	  "podroute monitor")                                                                       \
	X(MON_BUDGET, pr_mon_budget, BPF_MAP_TYPE_PERCPU_ARRAY, __u32, struct pr_mon_budget, 1, 0,  \
	  "datapath")

#endif
