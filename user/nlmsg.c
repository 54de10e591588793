// SPDX-License-Identifier: GPL-2.0-only
/*
 * rtnetlink messages -> the plain structs of routes.h. Pure functions over
 * one message, so unit tests feed them messages they build. Attributes are
 * validated by libnl's nlmsg_parse with length policies; every multipath
 * record is bounds-checked before it is read. Debian 12's libnl 3.7 has no
 * nexthop-object API, so RTM_*NEXTHOP messages are parsed here by hand
 * with <linux/nexthop.h>.
 */
#include "nlmsg.h"

#include <errno.h>
#include <string.h>
#include <linux/if_link.h>
#include <linux/neighbour.h>
#include <linux/nexthop.h>
#include <linux/rtnetlink.h>
#include <netlink/attr.h>
#include <netlink/msg.h>
#include <net/if.h>

static int addr_len(int family)
{
	return family == AF_INET ? 4 : family == AF_INET6 ? 16 : -1;
}

/* RTA_GATEWAY (route's own family) or RTA_VIA (IPv4 route via IPv6 gw). */
static int read_gateway(struct nlattr *gw, struct nlattr *via, int family, struct pr_kpath *p)
{
	if (gw) {
		if (nla_len(gw) != addr_len(family))
			return -EINVAL;
		p->gw_family = family;
		memcpy(p->gw, nla_data(gw), nla_len(gw));
	} else if (via) {
		const struct rtvia *v = nla_data(via);
		int l;

		if (nla_len(via) < (int)sizeof(*v))
			return -EINVAL;
		l = addr_len(v->rtvia_family);
		if (l < 0 || nla_len(via) < (int)sizeof(*v) + l)
			return -EINVAL;
		p->gw_family = v->rtvia_family;
		memcpy(p->gw, v->rtvia_addr, l);
	}
	return 0;
}

static int parse_multipath(struct nlattr *mp, int family, struct pr_kroute *r)
{
	const unsigned char *p = nla_data(mp);
	int left = nla_len(mp);

	while (left > 0) {
		const struct rtnexthop *nh = (const void *)p;
		struct nlattr *tb[RTA_MAX + 1];
		struct pr_kpath *path;
		int err;

		if (left < (int)sizeof(*nh) || nh->rtnh_len < sizeof(*nh) || nh->rtnh_len > left)
			return -EINVAL;
		if (r->npaths >= PR_MAX_NH)
			return -E2BIG;
		path = &r->paths[r->npaths++];
		path->ifindex = nh->rtnh_ifindex;
		path->weight = nh->rtnh_hops + 1;
		err = nla_parse(tb, RTA_MAX, (struct nlattr *)RTNH_DATA(nh), nh->rtnh_len - sizeof(*nh), NULL);
		if (err)
			return -EINVAL;
		err = read_gateway(tb[RTA_GATEWAY], tb[RTA_VIA], family, path);
		if (err)
			return err;
		left -= RTNH_ALIGN(nh->rtnh_len);
		p += RTNH_ALIGN(nh->rtnh_len);
	}
	return 0;
}

int pr_nlmsg_route(const struct nlmsghdr *nlh, struct pr_kroute *r)
{
	static struct nla_policy pol[RTA_MAX + 1] = {
		[RTA_TABLE] = { .type = NLA_U32 }, [RTA_OIF] = { .type = NLA_U32 },
		[RTA_PRIORITY] = { .type = NLA_U32 }, [RTA_NH_ID] = { .type = NLA_U32 },
	};
	struct nlattr *tb[RTA_MAX + 1];
	const struct rtmsg *rtm;
	int alen, err;

	memset(r, 0, sizeof(*r));
	if (nlh->nlmsg_len < NLMSG_LENGTH(sizeof(*rtm)))
		return -EINVAL;
	rtm = NLMSG_DATA(nlh);
	alen = addr_len(rtm->rtm_family);
	if (alen < 0)
		return PR_NLMSG_IGNORE; /* MPLS, bridge ... */
	if (rtm->rtm_flags & RTM_F_CLONED)
		return PR_NLMSG_IGNORE; /* route cache entries, not routes */
	err = nlmsg_parse((struct nlmsghdr *)nlh, sizeof(*rtm), tb, RTA_MAX, pol);
	if (err)
		return -EINVAL;
	if (rtm->rtm_dst_len > alen * 8)
		return -EINVAL;
	if (tb[RTA_DST]) {
		if (nla_len(tb[RTA_DST]) != alen)
			return -EINVAL;
		pr_prefix_from_addr(&r->dst, rtm->rtm_family, nla_data(tb[RTA_DST]), rtm->rtm_dst_len);
	} else {
		static const uint8_t zero[16];

		pr_prefix_from_addr(&r->dst, rtm->rtm_family, zero, rtm->rtm_dst_len);
	}
	r->table = tb[RTA_TABLE] ? nla_get_u32(tb[RTA_TABLE]) : rtm->rtm_table;
	r->protocol = rtm->rtm_protocol;
	r->type = rtm->rtm_type;
	r->priority = tb[RTA_PRIORITY] ? nla_get_u32(tb[RTA_PRIORITY]) : 0;
	r->nhid = tb[RTA_NH_ID] ? nla_get_u32(tb[RTA_NH_ID]) : 0;
	if (tb[RTA_MULTIPATH])
		return parse_multipath(tb[RTA_MULTIPATH], rtm->rtm_family, r);
	if (tb[RTA_OIF] || tb[RTA_GATEWAY] || tb[RTA_VIA]) {
		r->paths[0].ifindex = tb[RTA_OIF] ? nla_get_u32(tb[RTA_OIF]) : 0;
		r->paths[0].weight = 1;
		r->npaths = 1;
		return read_gateway(tb[RTA_GATEWAY], tb[RTA_VIA], rtm->rtm_family, &r->paths[0]);
	}
	return 0;
}

int pr_nlmsg_nexthop(const struct nlmsghdr *nlh, struct pr_knexthop *nh)
{
	static struct nla_policy pol[NHA_MAX + 1] = {
		[NHA_ID] = { .type = NLA_U32 }, [NHA_OIF] = { .type = NLA_U32 },
	};
	struct nlattr *tb[NHA_MAX + 1];
	const struct nhmsg *m;
	int err;

	memset(nh, 0, sizeof(*nh));
	if (nlh->nlmsg_len < NLMSG_LENGTH(sizeof(*m)))
		return -EINVAL;
	m = NLMSG_DATA(nlh);
	err = nlmsg_parse((struct nlmsghdr *)nlh, sizeof(*m), tb, NHA_MAX, pol);
	if (err || !tb[NHA_ID])
		return -EINVAL;
	nh->id = nla_get_u32(tb[NHA_ID]);
	nh->family = m->nh_family;
	if (tb[NHA_BLACKHOLE]) {
		nh->blackhole = true;
		return 0;
	}
	if (tb[NHA_GROUP]) {
		const struct nexthop_grp *g = nla_data(tb[NHA_GROUP]);
		int n = nla_len(tb[NHA_GROUP]) / (int)sizeof(*g);

		if (nla_len(tb[NHA_GROUP]) % sizeof(*g) || n < 1)
			return -EINVAL;
		if (n > PR_MAX_NH)
			return -E2BIG;
		nh->is_group = true;
		for (int i = 0; i < n; i++) {
			nh->group[i] = g[i].id;
			nh->group_weight[i] = g[i].weight + 1;
		}
		nh->ngroup = n;
		return 0;
	}
	nh->path.ifindex = tb[NHA_OIF] ? nla_get_u32(tb[NHA_OIF]) : 0;
	nh->path.weight = 1;
	if (tb[NHA_GATEWAY]) {
		int l = nla_len(tb[NHA_GATEWAY]);

		if (l != 4 && l != 16)
			return -EINVAL;
		nh->path.gw_family = l == 4 ? AF_INET : AF_INET6;
		memcpy(nh->path.gw, nla_data(tb[NHA_GATEWAY]), l);
	}
	return 0;
}

int pr_nlmsg_neigh(const struct nlmsghdr *nlh, struct pr_kneigh *n)
{
	struct nlattr *tb[NDA_MAX + 1];
	const struct ndmsg *nd;
	int alen;

	memset(n, 0, sizeof(*n));
	if (nlh->nlmsg_len < NLMSG_LENGTH(sizeof(*nd)))
		return -EINVAL;
	nd = NLMSG_DATA(nlh);
	alen = addr_len(nd->ndm_family);
	if (alen < 0)
		return PR_NLMSG_IGNORE; /* bridge fdb entries */
	if (nlmsg_parse((struct nlmsghdr *)nlh, sizeof(*nd), tb, NDA_MAX, NULL))
		return -EINVAL;
	if (!tb[NDA_DST] || nla_len(tb[NDA_DST]) != alen)
		return -EINVAL;
	n->ifindex = nd->ndm_ifindex;
	n->family = nd->ndm_family;
	n->state = nd->ndm_state;
	memcpy(n->addr, nla_data(tb[NDA_DST]), alen);
	if (tb[NDA_LLADDR] && nla_len(tb[NDA_LLADDR]) == 6) {
		memcpy(n->lladdr, nla_data(tb[NDA_LLADDR]), 6);
		n->has_lladdr = true;
	}
	return 0;
}

int pr_nlmsg_link(const struct nlmsghdr *nlh, struct pr_klink *l)
{
	struct nlattr *tb[IFLA_MAX + 1], *li[IFLA_INFO_MAX + 1], *vrf[IFLA_VRF_MAX + 1];
	const struct ifinfomsg *ifi;

	memset(l, 0, sizeof(*l));
	if (nlh->nlmsg_len < NLMSG_LENGTH(sizeof(*ifi)))
		return -EINVAL;
	ifi = NLMSG_DATA(nlh);
	if (nlmsg_parse((struct nlmsghdr *)nlh, sizeof(*ifi), tb, IFLA_MAX, NULL))
		return -EINVAL;
	l->ifindex = ifi->ifi_index;
	l->up = ifi->ifi_flags & IFF_UP;
	if (tb[IFLA_IFNAME])
		snprintf(l->name, sizeof(l->name), "%.*s", nla_len(tb[IFLA_IFNAME]),
			 (const char *)nla_data(tb[IFLA_IFNAME]));
	if (tb[IFLA_ADDRESS] && nla_len(tb[IFLA_ADDRESS]) == 6)
		memcpy(l->addr, nla_data(tb[IFLA_ADDRESS]), 6);
	if (tb[IFLA_MASTER] && nla_len(tb[IFLA_MASTER]) == 4)
		l->master = nla_get_u32(tb[IFLA_MASTER]);
	if (tb[IFLA_LINKINFO] && !nla_parse_nested(li, IFLA_INFO_MAX, tb[IFLA_LINKINFO], NULL)) {
		if (li[IFLA_INFO_KIND])
			snprintf(l->kind, sizeof(l->kind), "%.*s", nla_len(li[IFLA_INFO_KIND]),
				 (const char *)nla_data(li[IFLA_INFO_KIND]));
		if (!strcmp(l->kind, "vrf") && li[IFLA_INFO_DATA] &&
		    !nla_parse_nested(vrf, IFLA_VRF_MAX, li[IFLA_INFO_DATA], NULL) &&
		    vrf[IFLA_VRF_TABLE] && nla_len(vrf[IFLA_VRF_TABLE]) == 4)
			l->vrf_table = nla_get_u32(vrf[IFLA_VRF_TABLE]);
	}
	return 0;
}
