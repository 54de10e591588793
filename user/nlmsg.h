/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Conversion of one rtnetlink message into routes.h structs. Each returns
 * 0; PR_NLMSG_IGNORE for messages the agent does not follow (other address
 * families, cloned routes, bridge fdb); -EINVAL for a malformed message;
 * -E2BIG for more than PR_MAX_NH paths or group members.
 */
#ifndef PR_NLMSG_H
#define PR_NLMSG_H

#include <linux/netlink.h>

#include "routes.h"

#define PR_NLMSG_IGNORE 1

int pr_nlmsg_route(const struct nlmsghdr *nlh, struct pr_kroute *r);
int pr_nlmsg_nexthop(const struct nlmsghdr *nlh, struct pr_knexthop *nh);
int pr_nlmsg_neigh(const struct nlmsghdr *nlh, struct pr_kneigh *n);
int pr_nlmsg_link(const struct nlmsghdr *nlh, struct pr_klink *l);

#endif
