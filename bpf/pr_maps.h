/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The datapath's maps, one line each. All carry BTF (key/value types from
 * podroute_abi.h) and are pinned by name, so that `bpftool map dump pinned
 * /sys/fs/bpf/podroute/<name>` decodes every field, and so that a restarted
 * agent adopts them without interrupting forwarding. Names stay within 15
 * characters so bpftool shows them whole.
 *
 * The prefix maps' capacities are defaults here; the loader sets the real
 * ones before load (bpf_map__set_max_entries).
 */
#ifndef PR_MAPS_H
#define PR_MAPS_H

#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

#include "podroute_abi.h"

/* Advertised (local) and BGP-learned (remote) IPv4 prefixes -> network, action. */
struct {
	__uint(type, BPF_MAP_TYPE_LPM_TRIE);
	__type(key, struct pr_lpm4_key);
	__type(value, struct pr_route);
	__uint(max_entries, PR_DEFAULT_ROUTES4);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} pr_routes4 SEC(".maps");

/* The same for IPv6. */
struct {
	__uint(type, BPF_MAP_TYPE_LPM_TRIE);
	__type(key, struct pr_lpm6_key);
	__type(value, struct pr_route);
	__uint(max_entries, PR_DEFAULT_ROUTES6);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} pr_routes6 SEC(".maps");

/* The lookup index over pr_routes4/6 (podroute_abi.h): two tables of
 * lines per family, back to back; the loader sizes them. */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__type(key, __u32);
	__type(value, struct pr_lsx_line);
	__uint(max_entries, 2);
	__uint(map_flags, BPF_F_MMAPABLE);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} pr_lsx4 SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__type(key, __u32);
	__type(value, struct pr_lsx_line);
	__uint(max_entries, 2);
	__uint(map_flags, BPF_F_MMAPABLE);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} pr_lsx6 SEC(".maps");

/* Per table of the index, the prefixes changed since it was built (the
 * value is unused): destinations they cover are looked up in the trie. */
#define PR_LSX_CHG_MAP(name, keytype)                                  \
	struct {                                                       \
		__uint(type, BPF_MAP_TYPE_LPM_TRIE);                   \
		__type(key, keytype);                                  \
		__type(value, __u32);                                  \
		__uint(max_entries, PR_LSX_MAX_CHANGED);               \
		__uint(map_flags, BPF_F_NO_PREALLOC);                  \
		__uint(pinning, LIBBPF_PIN_BY_NAME);                   \
	} name SEC(".maps")

PR_LSX_CHG_MAP(pr_lsx_chg4_0, struct pr_lpm4_key);
PR_LSX_CHG_MAP(pr_lsx_chg4_1, struct pr_lpm4_key);
PR_LSX_CHG_MAP(pr_lsx_chg6_0, struct pr_lpm6_key);
PR_LSX_CHG_MAP(pr_lsx_chg6_1, struct pr_lpm6_key);

/* The bits of the filters in front of those sets (pr_lsx_ctl.chg), one
 * block of PR_LSX_CHG_BITS per family and table: [family][table][word]. */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__type(key, __u32);
	__type(value, __u64);
	__uint(max_entries, 4 * PR_LSX_CHG_BITS / 64);
	__uint(map_flags, BPF_F_MMAPABLE);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} pr_lsx_chgbits SEC(".maps");

/* Which table of each family is current (or none: read the trie), and
 * its lengths. Written by userspace through mmap only. */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__type(key, __u32);
	__type(value, struct pr_lsx_ctl);
	__uint(max_entries, 1);
	__uint(map_flags, BPF_F_MMAPABLE);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} pr_lsx_ctl SEC(".maps");

/* Network id -> its target (port + MACs, or VRF table) and flags. */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__type(key, __u32);
	__type(value, struct pr_net);
	__uint(max_entries, PR_MAX_NETS);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} pr_nets SEC(".maps");

/* East-west next-hop group id -> up to PR_MAX_NH next-hop ids: the agent's
 * view of the BGP routes' next hops, for operators (`podroute routes`). The
 * datapath does not read it: the kernel's FIB picks each flow's next hop. */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__type(key, __u32);
	__type(value, struct pr_nhgrp);
	__uint(max_entries, PR_MAX_NHGRPS);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} pr_nhgrps SEC(".maps");

/* Next-hop id -> underlay device and the BGP next hop's MAC. */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__type(key, __u32);
	__type(value, struct pr_nexthop);
	__uint(max_entries, PR_MAX_NEXTHOPS);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} pr_nexthops SEC(".maps");

/* Receiving ifindex -> role and the router MACs it accepts. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__type(key, __u32);
	__type(value, struct pr_iface);
	__uint(max_entries, PR_MAX_IFACES);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} pr_ifaces SEC(".maps");

/* A set of devices, key and value their ifindex. The kernel makes every
 * devmap read-only for programs and records that in the map's flags, which
 * libbpf's own pin reuse then calls a mismatch: the loader adopts pinned
 * maps itself (user/datapath/load.c). */
#define PR_DEVMAP(name)                                                \
	struct {                                                       \
		__uint(type, BPF_MAP_TYPE_DEVMAP_HASH);                \
		__type(key, __u32);                                    \
		__type(value, struct bpf_devmap_val);                  \
		__uint(max_entries, PR_MAX_TARGETS);                   \
		__uint(pinning, LIBBPF_PIN_BY_NAME);                   \
	} name SEC(".maps")

/* The only devices podroute may redirect to. */
PR_DEVMAP(pr_txports);

/* Of those, the devices that take XDP frames (ndo_xdp_xmit; for a veth, only
 * while its peer has NAPI). XDP redirects only here; a target in pr_txports
 * but not here (a VLAN device, an OVS internal port, a bridge) is handed to
 * TC on the receiving device, which redirects the skb. */
PR_DEVMAP(pr_xdp_txports);

/* Global knobs (shadow mode, ABI version of the maps' creator). */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__type(key, __u32);
	__type(value, struct pr_global);
	__uint(max_entries, 1);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} pr_config SEC(".maps");

/* The agent's heartbeat (podroute_abi.h: pr_liveness). */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__type(key, __u32);
	__type(value, struct pr_liveness);
	__uint(max_entries, 1);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} pr_liveness SEC(".maps");

/* Per-CPU packets/bytes per (network, reason); see pr_stats_index(). */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__type(key, __u32);
	__type(value, struct pr_counter);
	__uint(max_entries, PR_MAX_NETS * PR_R_MAX);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} pr_stats SEC(".maps");

/* The ids of the programs this instance (this pin dir) loaded (slot 0: the
 * next slot to fill, 1..PR_PROGID_RING: ids, a ring). Written by userspace
 * only. A program is podroute's to replace or remove only if its id is
 * here: another instance's programs carry the same names. */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__type(key, __u32);
	__type(value, __u32);
	__uint(max_entries, PR_PROGID_RING + 1);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} pr_progids SEC(".maps");

#endif /* PR_MAPS_H */
