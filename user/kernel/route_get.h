/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The kernel's own answer for one flow: RTM_GETROUTE with the same fields
 * `ip route get DST from SRC iif IF ipproto P sport S dport D` sends (an
 * input route lookup, as for a packet received on IF), or, with oif set,
 * an output lookup (`ip route get DST vrf VRF`: oif is the VRF device);
 * and the neighbour entry of its next hop (RTM_GETNEIGH through libnl's
 * cache). For `podroute explain`.
 */
#ifndef PR_ROUTE_GET_H
#define PR_ROUTE_GET_H

#include <stdbool.h>
#include <stdint.h>

struct pr_flow {
	int family;            /* AF_INET / AF_INET6 */
	uint8_t dst[16], src[16];
	bool has_src;
	uint32_t iif, oif;     /* one of them */
	uint8_t proto;         /* 0: none */
	uint16_t sport, dport; /* host order; 0: none */
};

struct pr_route_answer {
	int error;             /* 0, or the kernel's -errno (unreachable, martian...) */
	uint8_t type;          /* RTN_UNICAST, RTN_LOCAL, RTN_BLACKHOLE, ... */
	uint32_t table;
	uint32_t oif;
	bool has_gw;
	int gw_family;
	uint8_t gw[16];
	/* the neighbour of gw (or of dst without a gateway) on oif */
	bool has_neigh;
	uint8_t lladdr[6];
	uint16_t nud_state;
};

/* 0 with *a filled (a->error set when the kernel refused the lookup), or
 * -errno when netlink itself failed. */
int pr_route_get(const struct pr_flow *f, struct pr_route_answer *a);
/* The VRF device whose table is table, 0 if none (or netlink failed). */
uint32_t pr_vrf_ifindex(uint32_t table);

#endif
