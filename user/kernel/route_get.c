// SPDX-License-Identifier: GPL-2.0-only
/* The kernel's route for one flow, and its neighbour (see kernel/route_get.h). */
#include "kernel/route_get.h"

#include <errno.h>
#include <string.h>
#include <linux/rtnetlink.h>
#include <netlink/netlink.h>
#include <netlink/msg.h>
#include <netlink/attr.h>
#include <netlink/route/neighbour.h>
#include <netlink/route/link.h>
#include <netlink/route/link/vrf.h>

struct reply {
	struct pr_route_answer *a;
	bool got;
};

static int on_valid(struct nl_msg *msg, void *arg)
{
	struct reply *r = arg;
	struct nlmsghdr *h = nlmsg_hdr(msg);
	struct rtmsg *rtm = nlmsg_data(h);
	struct nlattr *tb[RTA_MAX + 1];
	struct pr_route_answer *a = r->a;

	if (h->nlmsg_type != RTM_NEWROUTE || nlmsg_parse(h, sizeof(*rtm), tb, RTA_MAX, NULL) < 0)
		return NL_SKIP;
	r->got = true;
	a->type = rtm->rtm_type;
	a->table = tb[RTA_TABLE] ? nla_get_u32(tb[RTA_TABLE]) : rtm->rtm_table;
	if (tb[RTA_OIF])
		a->oif = nla_get_u32(tb[RTA_OIF]);
	if (tb[RTA_GATEWAY]) {
		int len = nla_len(tb[RTA_GATEWAY]);

		if (len == 4 || len == 16) {
			a->has_gw = true;
			a->gw_family = len == 4 ? AF_INET : AF_INET6;
			memcpy(a->gw, nla_data(tb[RTA_GATEWAY]), len);
		}
	} else if (tb[RTA_VIA] && nla_len(tb[RTA_VIA]) >= 2 + 4) {
		const struct rtvia *v = nla_data(tb[RTA_VIA]);
		int len = nla_len(tb[RTA_VIA]) - 2;

		if ((v->rtvia_family == AF_INET && len >= 4) || (v->rtvia_family == AF_INET6 && len >= 16)) {
			a->has_gw = true;
			a->gw_family = v->rtvia_family;
			memcpy(a->gw, v->rtvia_addr, v->rtvia_family == AF_INET ? 4 : 16);
		}
	}
	return NL_OK;
}

static int on_error(struct sockaddr_nl *nla, struct nlmsgerr *e, void *arg)
{
	struct reply *r = arg;

	(void)nla;
	r->a->error = e->error; /* negative errno */
	r->got = true;
	return NL_STOP;
}

/* The neighbour entry of the next hop (the gateway, else the destination)
 * on the output device. Matched by hand: rtnl_neigh_get's address compare
 * also takes the prefix length, which a dumped neighbour may not carry. */
static void find_neigh(struct nl_sock *sk, const struct pr_flow *f, struct pr_route_answer *a)
{
	struct nl_cache *cache = NULL;
	int fam = a->has_gw ? a->gw_family : f->family;
	const uint8_t *want = a->has_gw ? a->gw : f->dst;
	unsigned alen = fam == AF_INET ? 4 : 16;

	(void)sk;
	sk = nl_socket_alloc(); /* the route socket's callbacks are the route reply's */
	if (!sk)
		return;
	if (!a->oif || nl_connect(sk, NETLINK_ROUTE) || rtnl_neigh_alloc_cache(sk, &cache) < 0) {
		nl_socket_free(sk);
		return;
	}
	for (struct nl_object *o = nl_cache_get_first(cache); o; o = nl_cache_get_next(o)) {
		struct rtnl_neigh *n = (struct rtnl_neigh *)o;
		struct nl_addr *dst = rtnl_neigh_get_dst(n), *ll = rtnl_neigh_get_lladdr(n);

		if ((uint32_t)rtnl_neigh_get_ifindex(n) != a->oif || !dst || nl_addr_get_family(dst) != fam ||
		    nl_addr_get_len(dst) != alen || memcmp(nl_addr_get_binary_addr(dst), want, alen))
			continue;
		a->nud_state = rtnl_neigh_get_state(n);
		if (ll && nl_addr_get_len(ll) == 6) {
			a->has_neigh = true;
			memcpy(a->lladdr, nl_addr_get_binary_addr(ll), 6);
		}
		break;
	}
	nl_cache_free(cache);
	nl_socket_free(sk);
}

int pr_route_get(const struct pr_flow *f, struct pr_route_answer *a)
{
	struct rtmsg rtm = { .rtm_family = f->family, .rtm_dst_len = f->family == AF_INET ? 32 : 128 };
	int alen = f->family == AF_INET ? 4 : 16, err;
	struct reply r = { .a = a };
	struct nl_sock *sk;
	struct nl_msg *m;

	memset(a, 0, sizeof(*a));
	sk = nl_socket_alloc();
	if (!sk)
		return -ENOMEM;
	err = nl_connect(sk, NETLINK_ROUTE);
	if (err) {
		nl_socket_free(sk);
		return -EIO;
	}
	if (f->has_src)
		rtm.rtm_src_len = rtm.rtm_dst_len;
	m = nlmsg_alloc_simple(RTM_GETROUTE, NLM_F_REQUEST);
	if (!m || nlmsg_append(m, &rtm, sizeof(rtm), NLMSG_ALIGNTO) < 0 ||
	    nla_put(m, RTA_DST, alen, f->dst) < 0 ||
	    (f->has_src && nla_put(m, RTA_SRC, alen, f->src) < 0) ||
	    (f->iif && nla_put_u32(m, RTA_IIF, f->iif) < 0) ||
	    (f->oif && nla_put_u32(m, RTA_OIF, f->oif) < 0) ||
	    (f->proto && nla_put_u8(m, RTA_IP_PROTO, f->proto) < 0) ||
	    (f->sport && nla_put_u16(m, RTA_SPORT, htons(f->sport)) < 0) ||
	    (f->dport && nla_put_u16(m, RTA_DPORT, htons(f->dport)) < 0)) {
		err = -ENOMEM;
		goto out;
	}
	nl_socket_modify_cb(sk, NL_CB_VALID, NL_CB_CUSTOM, on_valid, &r);
	nl_socket_modify_err_cb(sk, NL_CB_CUSTOM, on_error, &r);
	err = nl_send_auto(sk, m);
	if (err < 0) {
		err = -EIO;
		goto out;
	}
	/* One answer: the route, or an error message (a few reads at most). */
	for (int i = 0; !r.got && i < 4; i++) {
		err = nl_recvmsgs_default(sk);
		if (err < 0 && !r.got)
			break;
	}
	if (!r.got) {
		err = -EIO;
		goto out;
	}
	err = 0;
	if (!a->error && a->type == RTN_UNICAST)
		find_neigh(sk, f, a);
out:
	nlmsg_free(m);
	nl_socket_free(sk);
	return err;
}

uint32_t pr_vrf_ifindex(uint32_t table)
{
	struct nl_sock *sk = nl_socket_alloc();
	struct nl_cache *cache = NULL;
	uint32_t found = 0;

	if (!sk)
		return 0;
	if (!nl_connect(sk, NETLINK_ROUTE) && rtnl_link_alloc_cache(sk, AF_UNSPEC, &cache) >= 0) {
		for (struct nl_object *o = nl_cache_get_first(cache); o && !found; o = nl_cache_get_next(o)) {
			struct rtnl_link *l = (struct rtnl_link *)o;
			uint32_t t;

			if (rtnl_link_is_vrf(l) && !rtnl_link_vrf_get_tableid(l, &t) && t == table)
				found = rtnl_link_get_ifindex(l);
		}
		nl_cache_free(cache);
	}
	nl_socket_free(sk);
	return found;
}
