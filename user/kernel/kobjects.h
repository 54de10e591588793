/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Kernel state the agent follows, as plain structs: routes (single path,
 * multipath, or through a kernel nexthop object), nexthop objects,
 * neighbours and links. kernel/route_msg.c converts rtnetlink messages into these;
 * the reconciler consumes them. No libnl type leaks past this header.
 */
#ifndef PR_ROUTES_H
#define PR_ROUTES_H

#include <stdbool.h>
#include <stdint.h>
#include <net/if.h>

#include "podroute_abi.h"
#include "lib/prefix.h"

#define PR_RTPROT_BGP 186

/* One path of a route. */
struct pr_kpath {
	uint8_t gw_family;   /* AF_INET, AF_INET6, or 0 for a directly connected path */
	uint8_t gw[16];      /* network byte order */
	uint32_t ifindex;
	uint8_t weight;      /* rtnh_hops + 1; 1 for single-path routes */
	/* Added for kernel/route_msg.c: */
	uint8_t flags;       /* RTNH_F_* (dead, onlink, linkdown) as the kernel reports them */
	uint16_t encap_type; /* LWTUNNEL_ENCAP_* of RTA_ENCAP/NHA_ENCAP, 0 = plain IP */
};

struct pr_kroute {
	struct pr_prefix dst;
	uint32_t table;      /* RTA_TABLE (full 32-bit id) */
	uint8_t protocol;    /* RTPROT_* (bgp = 186) */
	uint8_t type;        /* RTN_UNICAST, RTN_BLACKHOLE, ... */
	uint32_t priority;   /* RTA_PRIORITY (metric) */
	uint32_t nhid;       /* RTA_NH_ID, 0 if none */
	/* Paths as the message carried them: expanded by the kernel in
	 * nexthop_compat_mode=1, absent (npaths 0, nhid set) in mode 0, where
	 * the paths must come from the nexthop object. */
	struct pr_kpath paths[PR_MAX_NH];
	unsigned npaths;
	/* Paths beyond PR_MAX_NH: not held. The datapath asks the kernel's FIB
	 * for each flow's next hop, so the maps' groups only show operators
	 * the first PR_MAX_NH; a larger group is never refused for its size. */
	unsigned paths_left_out;
	/* Added for kernel/route_msg.c: the rest of the kernel's route key and flags. */
	uint8_t tos;         /* rtm_tos (IPv4 routes are keyed by it too) */
	uint8_t scope;       /* RT_SCOPE_* */
	uint32_t flags;      /* rtm_flags: RTM_F_*, and RTNH_F_* of a single-path route */
};

/* A kernel nexthop object (RTM_NEWNEXTHOP): a single next hop or a group. */
struct pr_knexthop {
	uint32_t id;
	uint8_t family;
	bool is_group;
	bool blackhole;
	struct pr_kpath path;           /* !is_group */
	uint32_t group[PR_MAX_NH];      /* is_group: member ids */
	uint8_t group_weight[PR_MAX_NH];
	unsigned ngroup;
	unsigned group_left_out; /* members beyond PR_MAX_NH, not held (as above) */
	/* Added for kernel/route_msg.c: */
	uint8_t protocol;    /* nh_protocol: who installed it (RTPROT_ZEBRA ...) */
	uint16_t group_type; /* NEXTHOP_GRP_TYPE_MPATH or _RES (resilient) */
};

struct pr_kneigh {
	uint32_t ifindex;
	uint8_t family;
	uint8_t addr[16];
	uint8_t lladdr[6];
	bool has_lladdr;
	uint16_t state; /* NUD_* */
	uint8_t flags;  /* NTF_* (router, extern_learn ...) */
};

struct pr_klink {
	uint32_t ifindex;
	char name[IFNAMSIZ];
	uint8_t addr[6];
	bool up;         /* IFF_UP */
	uint32_t master; /* IFLA_MASTER (e.g. the VRF), 0 if none */
	char kind[16];   /* IFLA_INFO_KIND, e.g. "vrf", "veth", "" */
	uint32_t vrf_table; /* IFLA_VRF_TABLE when kind is vrf */
	/* Added for kernel/route_msg.c: */
	bool carrier;    /* IFF_LOWER_UP */
	uint32_t flags;  /* ifi_flags (IFF_*) */
	uint32_t mtu;    /* IFLA_MTU, 0 if absent */
	bool xdp_xmit;   /* takes XDP frames (devcaps.h); not from rtnetlink: the
			  * agent asks the kernel's netdev family each round */
};

#endif
