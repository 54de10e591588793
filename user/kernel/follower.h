/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Following the kernel's routes, nexthop objects, neighbours and links
 * live, with libnl-3: an initial dump on a request socket, then change
 * notifications on a subscribed socket the agent polls. Everything the
 * parsers of kernel/route_msg.h accept is delivered (all tables, all protocols,
 * all route types); acceptance policy is the caller's.
 *
 * What the kernel does not say, the source says for it:
 *  - Routes are delivered with their paths resolved: a route that names a
 *    nexthop object and carries no paths (nexthop_compat_mode=0) gets the
 *    paths of the object from the source's own cache (r->nhid stays set).
 *  - When a nexthop object changes (`ip nexthop replace`, a group losing
 *    a member), every route using it, directly or through a group, is
 *    delivered again as RTM_NEWROUTE with the new paths: in mode 0 the
 *    kernel sends no route message at all, in mode 1 not for a group
 *    member's removal. Routes the kernel already re-announced after the
 *    change are not repeated.
 *  - When a nexthop object is deleted, the kernel drops the routes using
 *    it silently: they are delivered as RTM_DELROUTE.
 *  - When a link that IPv4 routes or nexthop objects go through goes
 *    down, up (admin or carrier) or away, the kernel flushes IPv4 routes,
 *    nexthop objects and group members, or marks multipath legs dead,
 *    without a word: the source does a full resync, as after an overrun.
 *    (IPv6 routes are deleted with notifications; links only they use,
 *    such as pod veths with just fe80::/64, cause no resync.)
 *  - A notification overrun (ENOBUFS) drops the socket's queue, calls
 *    resync() and dumps everything again: never a silent loss.
 * Handlers run inside pr_follower_dump/process and must not call back
 * into the source except pr_follower_nexthop/get_stats. Any may be NULL.
 */
#ifndef PR_NLSOURCE_H
#define PR_NLSOURCE_H

#include <stddef.h>
#include <stdint.h>
#include <linux/rtnetlink.h>

#include "kernel/kobjects.h"

struct pr_nl_handlers {
	/* nlmsg_type is RTM_NEWROUTE / RTM_DELROUTE, and so on. */
	void (*route)(void *ctx, int nlmsg_type, const struct pr_kroute *r);
	void (*nexthop)(void *ctx, int nlmsg_type, const struct pr_knexthop *nh);
	void (*neigh)(void *ctx, int nlmsg_type, const struct pr_kneigh *n);
	void (*link)(void *ctx, int nlmsg_type, const struct pr_klink *l);
	/* Before a full re-dump: forget everything learnt so far. */
	void (*resync)(void *ctx);
};

struct pr_follower;

struct pr_follower_stats {
	uint64_t messages;         /* rtnetlink messages handled, dumps included */
	uint64_t malformed;        /* refused by kernel/route_msg.c (-EINVAL, -E2BIG), logged */
	uint64_t ignored;          /* PR_NL_IGNORE: cloned routes, fdb, bridge ports */
	uint64_t overruns;         /* ENOBUFS on the notification socket */
	uint64_t resyncs;          /* full re-dumps, for any reason */
	uint64_t link_resyncs;     /*   of which for a link in use changing state */
	uint64_t nh_route_updates; /* routes re-delivered for a nexthop object change */
	uint64_t nh_route_deletes; /* routes deleted along with their nexthop object */
	uint64_t unresolved;       /* routes delivered with nhid but no known object */
	uint64_t dump_retries;     /* dumps restarted after NLM_F_DUMP_INTR */
	uint32_t rcvbuf;           /* notification socket receive buffer, bytes */
	size_t nexthops;           /* nexthop objects cached */
	size_t nh_routes;          /* routes through nexthop objects cached */
};

/* Open both sockets and subscribe (RTNLGRP_LINK, NEIGH, IPV4_ROUTE,
 * IPV6_ROUTE, NEXTHOP); nothing is delivered until pr_follower_dump.
 * NULL on failure (logged). */
struct pr_follower *pr_follower_open(const struct pr_nl_handlers *h, void *ctx);
void pr_follower_close(struct pr_follower *s);

/* Dump links, neighbours, nexthop objects and routes of all tables
 * (IPv4 and IPv6), delivering each. 0 or -EIO. */
int pr_follower_dump(struct pr_follower *s);

/* The notification socket, for poll(POLLIN). */
int pr_follower_fd(const struct pr_follower *s);

/* Handle what is ready on the notification socket (a bounded batch; poll
 * again for more), then the follow-ups: re-delivery for nexthop changes,
 * resync after an overrun or a silent flush. 0, or -EIO if a receive or a
 * resync dump failed (a failed resync is retried by the next call). */
int pr_follower_process(struct pr_follower *s);

void pr_follower_get_stats(const struct pr_follower *s, struct pr_follower_stats *st);
/* Why the route being delivered now is delivered, when not for a message
 * of its own ("nexthop changed", "nexthop deleted"), else NULL. */
const char *pr_follower_cause(const struct pr_follower *s);
/* Why the resync being delivered happens ("overrun", ...), or NULL. */
const char *pr_follower_resync_why(const struct pr_follower *s);

/* A nexthop object from the source's cache, or NULL. */
const struct pr_knexthop *pr_follower_nexthop(const struct pr_follower *s, uint32_t id);

/* Set the notification socket's receive buffer (default 32 MiB, forced
 * past net.core.rmem_max when privileged). Tests use a tiny one to
 * provoke overruns. Returns the effective size or -errno. */
int pr_follower_set_rcvbuf(struct pr_follower *s, int bytes);

#endif
