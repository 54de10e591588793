// SPDX-License-Identifier: GPL-2.0-only
/* One full dump of the kernel's state into a pr_kernel_state (see
 * kernel/kernel_snapshot.h). */
#include "kernel/kernel_snapshot.h"

#include <errno.h>

#include "kernel/follower.h"

struct snap {
	struct pr_kernel_state *ks;
	int err;
};

static void on_route(void *ctx, int type, const struct pr_kroute *r)
{
	struct snap *s = ctx;

	if (type == RTM_DELROUTE)
		pr_kernel_state_route_del(s->ks, r);
	else if (pr_kernel_state_route_set(s->ks, r))
		s->err = -ENOMEM;
}

static void on_nexthop(void *ctx, int type, const struct pr_knexthop *nh)
{
	struct snap *s = ctx;

	if (type == RTM_DELNEXTHOP)
		pr_kernel_state_nexthop_del(s->ks, nh->id);
	else if (pr_kernel_state_nexthop_set(s->ks, nh))
		s->err = -ENOMEM;
}

static void on_neigh(void *ctx, int type, const struct pr_kneigh *n)
{
	struct snap *s = ctx;

	if (type == RTM_DELNEIGH)
		pr_kernel_state_neigh_del(s->ks, n);
	else if (pr_kernel_state_neigh_set(s->ks, n))
		s->err = -ENOMEM;
}

static void on_link(void *ctx, int type, const struct pr_klink *l)
{
	struct snap *s = ctx;

	if (type == RTM_DELLINK)
		pr_kernel_state_link_del(s->ks, l->ifindex);
	else if (pr_kernel_state_link_set(s->ks, l))
		s->err = -ENOMEM;
}

static void on_resync(void *ctx)
{
	struct snap *s = ctx;

	pr_kernel_state_clear(s->ks);
}

int pr_kernel_snapshot(struct pr_kernel_state *ks)
{
	static const struct pr_nl_handlers h = { on_route, on_nexthop, on_neigh, on_link, on_resync };
	struct snap s = { .ks = ks };
	struct pr_follower *f;
	int err;

	pr_kernel_state_clear(ks);
	f = pr_follower_open(&h, &s);
	if (!f)
		return -EIO;
	err = pr_follower_dump(f) ? -EIO : s.err;
	pr_follower_close(f);
	return err;
}
