/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * rtnetlink messages -> the plain structs of kernel/kobjects.h, and the expansion
 * of a route's paths from kernel nexthop objects. Pure functions: no
 * sockets, no global state, so unit tests feed them messages they build
 * and nexthop tables they invent.
 *
 * Every parser zeroes *out first, then returns:
 *   0              parsed; *out is complete
 *   PR_NL_IGNORE   well formed, but not state the agent follows: routes of
 *                  other families (MPLS, ipmr) or cloned (RTM_F_CLONED,
 *                  route cache / PMTU exceptions); neighbours of other
 *                  families (bridge fdb) or proxy entries (NTF_PROXY);
 *                  links of family AF_BRIDGE (bridge port notifications);
 *                  fdb nexthop objects (NHA_FDB). *out is partly filled
 *                  and must not be used.
 *   -EINVAL        malformed: wrong nlmsg_type for the parser, header or
 *                  attribute truncated, attribute of the wrong size,
 *                  multipath record overrunning its attribute, missing
 *                  mandatory attribute (RTA_DST with a prefix length,
 *                  NHA_ID, NDA_DST)
 *   -E2BIG         more than PR_MAX_NH multipath hops or group members
 *
 * Routes of every type (unicast, blackhole, local, broadcast ...) and
 * every table parse normally; the caller decides what to accept from
 * pr_kroute.type / .table / .protocol. Weights above 255 saturate at 255.
 */
#ifndef PR_NLROUTE_H
#define PR_NLROUTE_H

#include <linux/netlink.h>

#include "kernel/kobjects.h"

#define PR_NL_IGNORE 1

/* RTM_NEWROUTE / RTM_DELROUTE, RTM_{NEW,DEL}NEXTHOP, ..NEIGH, ..LINK */
int pr_nl_parse_route(const struct nlmsghdr *nlh, struct pr_kroute *out);
int pr_nl_parse_nexthop(const struct nlmsghdr *nlh, struct pr_knexthop *out);
int pr_nl_parse_neigh(const struct nlmsghdr *nlh, struct pr_kneigh *out);
int pr_nl_parse_link(const struct nlmsghdr *nlh, struct pr_klink *out);

/* "malformed", "too many next hops", "ignored", ... for a parser result. */
const char *pr_nl_strerror(int err);

/* Find a nexthop object by id, or NULL if unknown. */
typedef const struct pr_knexthop *(*pr_nl_nh_lookup_fn)(void *ctx, uint32_t id);

/*
 * The paths a route forwards over. If the message carried paths
 * (nexthop_compat_mode=1, or a route without nexthop object) they are
 * returned as they are. Otherwise, if the route names a nexthop object
 * (r->nhid), the paths are expanded from it through lookup: a single
 * next hop gives one path of weight 1; a group gives one path per member
 * with the group's weight for it. *n == 0 with 0 returned means the route
 * forwards nowhere (a blackhole object or group of them, or a route with
 * neither paths nor nhid, e.g. type blackhole).
 * Returns 0; -ENOENT if the object or a member is unknown; -EINVAL if a
 * member is itself a group; -E2BIG beyond PR_MAX_NH paths.
 */
int pr_nl_resolve_paths(const struct pr_kroute *r, pr_nl_nh_lookup_fn lookup, void *ctx,
			struct pr_kpath out[PR_MAX_NH], unsigned *n);

#endif
