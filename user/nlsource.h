/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Following the kernel's routes, nexthop objects, neighbours and links
 * with libnl-3: an initial dump on a request socket, then notifications on
 * a subscribed socket the agent polls. A notification overrun (ENOBUFS)
 * calls resync() and dumps everything again, so nothing is lost silently.
 */
#ifndef PR_NLSOURCE_H
#define PR_NLSOURCE_H

#include <stdint.h>
#include <linux/rtnetlink.h>

#include "routes.h"

struct pr_nl_handlers {
	void (*route)(void *ctx, int nlmsg_type, const struct pr_kroute *r);
	void (*nexthop)(void *ctx, int nlmsg_type, const struct pr_knexthop *nh);
	void (*neigh)(void *ctx, int nlmsg_type, const struct pr_kneigh *n);
	void (*link)(void *ctx, int nlmsg_type, const struct pr_klink *l);
	void (*resync)(void *ctx); /* before a full re-dump: forget everything */
};

struct pr_nlsource;

struct pr_nlsource_stats {
	uint64_t messages, malformed, overruns;
};

struct pr_nlsource *pr_nlsource_open(const struct pr_nl_handlers *h, void *ctx);
void pr_nlsource_close(struct pr_nlsource *s);
/* Dump links, neighbours, nexthop objects and routes (all tables). */
int pr_nlsource_dump(struct pr_nlsource *s);
int pr_nlsource_fd(const struct pr_nlsource *s);
/* Handle every pending notification; 0 or -errno. */
int pr_nlsource_process(struct pr_nlsource *s);
void pr_nlsource_get_stats(const struct pr_nlsource *s, struct pr_nlsource_stats *st);

#endif
