// SPDX-License-Identifier: GPL-2.0-only
/* libnl-3 sockets for dumps and notifications (see nlsource.h). */
#include "nlsource.h"

#include <errno.h>
#include <stdlib.h>
#include <linux/nexthop.h>
#include <netlink/msg.h>
#include <netlink/netlink.h>
#include <netlink/route/rtnl.h>
#include <netlink/socket.h>

#include "log.h"
#include "nlmsg.h"

/* Large enough for a full BGP table arriving at once; overruns still resync. */
#define PR_NL_RCVBUF (32 * 1024 * 1024)

struct pr_nlsource {
	struct nl_sock *ev, *req;
	struct pr_nl_handlers h;
	void *ctx;
	struct pr_nlsource_stats st;
};

static int dispatch(struct nl_msg *msg, void *arg)
{
	struct pr_nlsource *s = arg;
	struct nlmsghdr *nlh = nlmsg_hdr(msg);
	int type = nlh->nlmsg_type, err = PR_NLMSG_IGNORE;

	s->st.messages++;
	switch (type) {
	case RTM_NEWROUTE:
	case RTM_DELROUTE: {
		struct pr_kroute r;

		err = pr_nlmsg_route(nlh, &r);
		if (!err)
			s->h.route(s->ctx, type, &r);
		break;
	}
	case RTM_NEWNEXTHOP:
	case RTM_DELNEXTHOP: {
		struct pr_knexthop nh;

		err = pr_nlmsg_nexthop(nlh, &nh);
		if (!err)
			s->h.nexthop(s->ctx, type, &nh);
		break;
	}
	case RTM_NEWNEIGH:
	case RTM_DELNEIGH: {
		struct pr_kneigh n;

		err = pr_nlmsg_neigh(nlh, &n);
		if (!err)
			s->h.neigh(s->ctx, type, &n);
		break;
	}
	case RTM_NEWLINK:
	case RTM_DELLINK: {
		struct pr_klink l;

		err = pr_nlmsg_link(nlh, &l);
		if (!err)
			s->h.link(s->ctx, type, &l);
		break;
	}
	}
	if (err < 0) {
		s->st.malformed++;
		pr_warn("netlink: message type %d ignored: %s", type,
			err == -E2BIG ? "more than 8 next hops" : "malformed");
	}
	return NL_OK;
}

static struct nl_sock *open_sock(struct pr_nlsource *s)
{
	struct nl_sock *sk = nl_socket_alloc();

	if (!sk)
		return NULL;
	nl_socket_modify_cb(sk, NL_CB_VALID, NL_CB_CUSTOM, dispatch, s);
	if (nl_connect(sk, NETLINK_ROUTE)) {
		nl_socket_free(sk);
		return NULL;
	}
	return sk;
}

struct pr_nlsource *pr_nlsource_open(const struct pr_nl_handlers *h, void *ctx)
{
	struct pr_nlsource *s = calloc(1, sizeof(*s));

	if (!s)
		return NULL;
	s->h = *h;
	s->ctx = ctx;
	s->ev = open_sock(s);
	s->req = open_sock(s);
	if (!s->ev || !s->req)
		goto fail;
	/* Notifications carry no sequence numbers of ours. */
	nl_socket_disable_seq_check(s->ev);
	if (nl_socket_add_memberships(s->ev, RTNLGRP_LINK, RTNLGRP_NEIGH, RTNLGRP_IPV4_ROUTE,
				      RTNLGRP_IPV6_ROUTE, RTNLGRP_NEXTHOP, 0))
		goto fail;
	nl_socket_set_buffer_size(s->ev, PR_NL_RCVBUF, 0);
	nl_socket_set_nonblocking(s->ev);
	return s;
fail:
	pr_nlsource_close(s);
	return NULL;
}

void pr_nlsource_close(struct pr_nlsource *s)
{
	if (!s)
		return;
	if (s->ev)
		nl_socket_free(s->ev);
	if (s->req)
		nl_socket_free(s->req);
	free(s);
}

static int dump_one(struct pr_nlsource *s, int type, int family, const char *what)
{
	int err = nl_rtgen_request(s->req, type, family, NLM_F_DUMP);

	if (!err)
		err = nl_recvmsgs_default(s->req);
	if (err < 0) {
		pr_err("netlink: dump of %s failed: %s", what, nl_geterror(err));
		return -EIO;
	}
	return 0;
}

int pr_nlsource_dump(struct pr_nlsource *s)
{
	int err = dump_one(s, RTM_GETLINK, AF_UNSPEC, "links") ?:
		  dump_one(s, RTM_GETNEIGH, AF_UNSPEC, "neighbours");

	if (err)
		return err;
	/* Kernels without nexthop objects refuse this dump: nothing to follow. */
	if (dump_one(s, RTM_GETNEXTHOP, AF_UNSPEC, "nexthop objects"))
		pr_info("netlink: no nexthop objects on this kernel");
	return dump_one(s, RTM_GETROUTE, AF_INET, "IPv4 routes") ?:
	       dump_one(s, RTM_GETROUTE, AF_INET6, "IPv6 routes");
}

int pr_nlsource_fd(const struct pr_nlsource *s)
{
	return nl_socket_get_fd(s->ev);
}

int pr_nlsource_process(struct pr_nlsource *s)
{
	for (;;) {
		int err = nl_recvmsgs_default(s->ev);

		if (err >= 0)
			continue;
		if (err == -NLE_AGAIN)
			return 0;
		if (err == -NLE_NOMEM) {
			/* libnl's name for ENOBUFS: the kernel dropped notifications. */
			s->st.overruns++;
			s->h.resync(s->ctx);
			return pr_nlsource_dump(s);
		}
		pr_warn("netlink: receive failed: %s", nl_geterror(err));
		return -EIO;
	}
}

void pr_nlsource_get_stats(const struct pr_nlsource *s, struct pr_nlsource_stats *st)
{
	*st = s->st;
}
