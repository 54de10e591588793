// SPDX-License-Identifier: GPL-2.0-only
/*
 * rtnetlink messages -> kernel/kobjects.h structs (see kernel/route_msg.h for the contract).
 * Attributes go through libnl's nla_parse with length policies (exact
 * sizes for integers), and through one extra check of ours: libnl stops
 * silently at an attribute that overruns its buffer and ignores the rest,
 * which would turn a truncated message into a valid-looking shorter one.
 * Multipath records (struct rtnexthop) are bounds-checked one by one
 * before anything inside them is read. Debian 12's libnl 3.7 has no
 * nexthop-object API, so RTM_*NEXTHOP is decoded here from
 * <linux/nexthop.h>.
 */
#include "kernel/route_msg.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <linux/if_link.h>
#include <linux/neighbour.h>
#include <linux/nexthop.h>
#include <linux/rtnetlink.h>
#include <netlink/attr.h>
#include <netlink/msg.h>

/* Exact-size integer attributes: libnl checks only the minimum otherwise. */
#define POL_U16 { .type = NLA_U16, .maxlen = 2 }
#define POL_U32 { .type = NLA_U32, .maxlen = 4 }
#define POL_FLAG { .type = NLA_FLAG }

static int addr_len(int family)
{
	return family == AF_INET ? 4 : family == AF_INET6 ? 16 : -1;
}

static uint8_t clamp_weight(unsigned w)
{
	return w > 255 ? 255 : w;
}

/*
 * Parse an attribute stream of len bytes. The stream must end exactly
 * (give or take the final attribute's alignment padding): an attribute
 * header or body running past the end is a truncated message.
 */
static int parse_attrs(struct nlattr **tb, int max, const void *head, int len,
		       const struct nla_policy *pol)
{
	struct nlattr *a;
	int rem;

	if (len < 0)
		return -EINVAL;
	nla_for_each_attr(a, (struct nlattr *)head, len, rem)
		;
	if (rem > 0)
		return -EINVAL;
	return nla_parse(tb, max, (struct nlattr *)head, len, pol) ? -EINVAL : 0;
}

/* The family header must fit; attributes follow it, aligned. */
static int parse_msg(const struct nlmsghdr *nlh, size_t hdrlen, struct nlattr **tb, int max,
		     const struct nla_policy *pol)
{
	int off = NLMSG_HDRLEN + NLMSG_ALIGN(hdrlen);

	if (nlh->nlmsg_len < NLMSG_LENGTH(hdrlen))
		return -EINVAL;
	return parse_attrs(tb, max, (const char *)nlh + off, (int)nlh->nlmsg_len - off, pol);
}

/* Copy a string attribute, bounded by its length whatever its content. */
static void copy_str(char *dst, size_t size, const struct nlattr *a)
{
	const char *s = nla_data(a);

	snprintf(dst, size, "%.*s", (int)strnlen(s, nla_len(a)), s);
}

static bool header_fits(const struct nlmsghdr *nlh, size_t hdrlen)
{
	return nlh->nlmsg_len >= NLMSG_LENGTH(hdrlen);
}

/* ---- routes ---- */

/* Attributes of a route, and of each hop inside RTA_MULTIPATH. */
static const struct nla_policy route_pol[RTA_MAX + 1] = {
	[RTA_TABLE] = POL_U32,
	[RTA_OIF] = POL_U32,
	[RTA_PRIORITY] = POL_U32,
	[RTA_NH_ID] = POL_U32,
	[RTA_ENCAP_TYPE] = POL_U16,
	[RTA_VIA] = { .minlen = sizeof(struct rtvia) },
	[RTA_MULTIPATH] = { .minlen = sizeof(struct rtnexthop) },
};

/* RTA_GATEWAY (the route's own family) or RTA_VIA (e.g. an IPv6 next hop
 * for an IPv4 route, RFC 5549). */
static int read_gateway(struct nlattr **tb, int family, struct pr_kpath *p)
{
	if (tb[RTA_GATEWAY]) {
		int l = addr_len(family);

		if (nla_len(tb[RTA_GATEWAY]) != l)
			return -EINVAL;
		p->gw_family = family;
		memcpy(p->gw, nla_data(tb[RTA_GATEWAY]), l);
	} else if (tb[RTA_VIA]) {
		const struct rtvia *v = nla_data(tb[RTA_VIA]);
		int l = addr_len(v->rtvia_family);

		if (l < 0 || nla_len(tb[RTA_VIA]) != (int)sizeof(*v) + l)
			return -EINVAL;
		p->gw_family = v->rtvia_family;
		memcpy(p->gw, v->rtvia_addr, l);
	}
	if (tb[RTA_ENCAP_TYPE])
		p->encap_type = nla_get_u16(tb[RTA_ENCAP_TYPE]);
	return 0;
}

static int parse_multipath(const struct nlattr *mp, int family, struct pr_kroute *r)
{
	const unsigned char *p = nla_data(mp);
	int left = nla_len(mp);

	while (left > 0) {
		const struct rtnexthop *nh = (const void *)p;
		struct nlattr *tb[RTA_MAX + 1];
		struct pr_kpath *path;
		int err;

		/* Read rtnh_len only once the record header is known to fit. */
		if (left < (int)sizeof(*nh) || nh->rtnh_len < sizeof(*nh) || nh->rtnh_len > left)
			return -EINVAL;
		if (r->npaths == PR_MAX_NH) {
			r->paths_left_out++;
			left -= RTNH_ALIGN(nh->rtnh_len);
			p += RTNH_ALIGN(nh->rtnh_len);
			continue;
		}
		err = parse_attrs(tb, RTA_MAX, RTNH_DATA(nh), nh->rtnh_len - RTNH_LENGTH(0), route_pol);
		if (err)
			return err;
		path = &r->paths[r->npaths++];
		path->ifindex = nh->rtnh_ifindex;
		path->weight = clamp_weight(nh->rtnh_hops + 1u);
		path->flags = nh->rtnh_flags;
		err = read_gateway(tb, family, path);
		if (err)
			return err;
		left -= RTNH_ALIGN(nh->rtnh_len);
		p += RTNH_ALIGN(nh->rtnh_len);
	}
	return r->npaths ? 0 : -EINVAL;
}

int pr_nl_parse_route(const struct nlmsghdr *nlh, struct pr_kroute *r)
{
	static const uint8_t zero[16];
	struct nlattr *tb[RTA_MAX + 1];
	const struct rtmsg *rtm;
	int alen, err;

	memset(r, 0, sizeof(*r));
	if (nlh->nlmsg_type != RTM_NEWROUTE && nlh->nlmsg_type != RTM_DELROUTE)
		return -EINVAL;
	if (!header_fits(nlh, sizeof(*rtm)))
		return -EINVAL;
	rtm = NLMSG_DATA(nlh);
	alen = addr_len(rtm->rtm_family);
	if (alen < 0)
		return PR_NL_IGNORE; /* MPLS, IPv4/IPv6 multicast routing, ... */
	err = parse_msg(nlh, sizeof(*rtm), tb, RTA_MAX, route_pol);
	if (err)
		return err;
	if (rtm->rtm_dst_len > alen * 8)
		return -EINVAL;
	if (tb[RTA_DST]) {
		if (nla_len(tb[RTA_DST]) != alen)
			return -EINVAL;
		pr_prefix_from_addr(&r->dst, rtm->rtm_family, nla_data(tb[RTA_DST]), rtm->rtm_dst_len);
	} else if (rtm->rtm_dst_len) {
		return -EINVAL; /* a prefix length but no prefix */
	} else {
		pr_prefix_from_addr(&r->dst, rtm->rtm_family, zero, 0);
	}
	/* rtm_table is 8 bits; tables above 255 (VRFs) only fit RTA_TABLE. */
	r->table = tb[RTA_TABLE] ? nla_get_u32(tb[RTA_TABLE]) : rtm->rtm_table;
	r->protocol = rtm->rtm_protocol;
	r->type = rtm->rtm_type;
	r->tos = rtm->rtm_tos;
	r->scope = rtm->rtm_scope;
	r->flags = rtm->rtm_flags;
	r->priority = tb[RTA_PRIORITY] ? nla_get_u32(tb[RTA_PRIORITY]) : 0;
	r->nhid = tb[RTA_NH_ID] ? nla_get_u32(tb[RTA_NH_ID]) : 0;
	if (tb[RTA_MULTIPATH]) {
		err = parse_multipath(tb[RTA_MULTIPATH], rtm->rtm_family, r);
	} else if (tb[RTA_OIF] || tb[RTA_GATEWAY] || tb[RTA_VIA]) {
		struct pr_kpath *p = &r->paths[0];

		p->ifindex = tb[RTA_OIF] ? nla_get_u32(tb[RTA_OIF]) : 0;
		p->weight = 1;
		p->flags = rtm->rtm_flags & 0xff; /* the kernel puts RTNH_F_* here */
		r->npaths = 1;
		err = read_gateway(tb, rtm->rtm_family, p);
	}
	if (err)
		return err;
	/* Cache entries and PMTU exceptions: not routes anyone installed. */
	if (rtm->rtm_flags & RTM_F_CLONED)
		return PR_NL_IGNORE;
	return 0;
}

/* ---- nexthop objects ---- */

static const struct nla_policy nh_pol[NHA_MAX + 1] = {
	[NHA_ID] = POL_U32,
	[NHA_OIF] = POL_U32,
	[NHA_GROUP] = { .minlen = sizeof(struct nexthop_grp) },
	[NHA_GROUP_TYPE] = POL_U16,
	[NHA_BLACKHOLE] = POL_FLAG,
	[NHA_FDB] = POL_FLAG,
	[NHA_ENCAP_TYPE] = POL_U16,
};

static int parse_group(const struct nlattr *a, struct pr_knexthop *nh)
{
	const struct nexthop_grp *g = nla_data(a);
	int len = nla_len(a), n = len / (int)sizeof(*g);

	if (len % sizeof(*g) || n < 1)
		return -EINVAL;
	if (n > PR_MAX_NH) {
		nh->group_left_out = n - PR_MAX_NH;
		n = PR_MAX_NH;
	}
	for (int i = 0; i < n; i++) {
		/* weight_high is 0 on kernels that only had 8-bit weights. */
		nh->group[i] = g[i].id;
		nh->group_weight[i] = clamp_weight(((unsigned)g[i].weight_high << 8 | g[i].weight) + 1);
	}
	nh->ngroup = n;
	nh->is_group = true;
	return 0;
}

int pr_nl_parse_nexthop(const struct nlmsghdr *nlh, struct pr_knexthop *nh)
{
	struct nlattr *tb[NHA_MAX + 1];
	const struct nhmsg *m;
	int err;

	memset(nh, 0, sizeof(*nh));
	if (nlh->nlmsg_type != RTM_NEWNEXTHOP && nlh->nlmsg_type != RTM_DELNEXTHOP)
		return -EINVAL;
	err = parse_msg(nlh, sizeof(*m), tb, NHA_MAX, nh_pol);
	if (err)
		return err;
	m = NLMSG_DATA(nlh);
	if (!tb[NHA_ID])
		return -EINVAL;
	nh->id = nla_get_u32(tb[NHA_ID]);
	nh->family = m->nh_family;
	nh->protocol = m->nh_protocol;
	if (tb[NHA_GROUP_TYPE])
		nh->group_type = nla_get_u16(tb[NHA_GROUP_TYPE]);
	if (tb[NHA_BLACKHOLE]) {
		nh->blackhole = true;
	} else if (tb[NHA_GROUP]) {
		err = parse_group(tb[NHA_GROUP], nh);
		if (err)
			return err;
	} else {
		struct pr_kpath *p = &nh->path;

		p->ifindex = tb[NHA_OIF] ? nla_get_u32(tb[NHA_OIF]) : 0;
		p->weight = 1;
		p->flags = m->nh_flags & 0xff;
		if (tb[NHA_ENCAP_TYPE])
			p->encap_type = nla_get_u16(tb[NHA_ENCAP_TYPE]);
		if (tb[NHA_GATEWAY]) {
			/* The gateway is of the object's family, which may differ
			 * from the family of the routes that use it. */
			int l = addr_len(m->nh_family);

			if (l < 0 || nla_len(tb[NHA_GATEWAY]) != l)
				return -EINVAL;
			p->gw_family = m->nh_family;
			memcpy(p->gw, nla_data(tb[NHA_GATEWAY]), l);
		}
	}
	/* VXLAN fdb next hops: never used by routes. */
	if (tb[NHA_FDB])
		return PR_NL_IGNORE;
	return 0;
}

/* ---- neighbours ---- */

static const struct nla_policy neigh_pol[NDA_MAX + 1] = {
	[NDA_PROBES] = POL_U32,
};

int pr_nl_parse_neigh(const struct nlmsghdr *nlh, struct pr_kneigh *n)
{
	struct nlattr *tb[NDA_MAX + 1];
	const struct ndmsg *nd;
	int alen, err;

	memset(n, 0, sizeof(*n));
	if (nlh->nlmsg_type != RTM_NEWNEIGH && nlh->nlmsg_type != RTM_DELNEIGH)
		return -EINVAL;
	if (!header_fits(nlh, sizeof(*nd)))
		return -EINVAL;
	nd = NLMSG_DATA(nlh);
	alen = addr_len(nd->ndm_family);
	if (alen < 0)
		return PR_NL_IGNORE; /* bridge fdb entries */
	err = parse_msg(nlh, sizeof(*nd), tb, NDA_MAX, neigh_pol);
	if (err)
		return err;
	if (!tb[NDA_DST] || nla_len(tb[NDA_DST]) != alen)
		return -EINVAL;
	n->ifindex = nd->ndm_ifindex;
	n->family = nd->ndm_family;
	n->state = nd->ndm_state;
	n->flags = nd->ndm_flags;
	memcpy(n->addr, nla_data(tb[NDA_DST]), alen);
	/* Devices without Ethernet addresses (tun, ipip) have other lengths
	 * or none: a neighbour without a usable MAC, not a malformed one. */
	if (tb[NDA_LLADDR] && nla_len(tb[NDA_LLADDR]) == 6) {
		memcpy(n->lladdr, nla_data(tb[NDA_LLADDR]), 6);
		n->has_lladdr = true;
	}
	if (nd->ndm_flags & NTF_PROXY)
		return PR_NL_IGNORE;
	return 0;
}

/* ---- links ---- */

static const struct nla_policy link_pol[IFLA_MAX + 1] = {
	[IFLA_IFNAME] = { .type = NLA_STRING, .maxlen = IFNAMSIZ },
	[IFLA_MASTER] = POL_U32,
	[IFLA_MTU] = POL_U32,
	[IFLA_LINKINFO] = { .type = NLA_NESTED },
};

static const struct nla_policy linkinfo_pol[IFLA_INFO_MAX + 1] = {
	[IFLA_INFO_KIND] = { .type = NLA_STRING },
	[IFLA_INFO_DATA] = { .type = NLA_NESTED },
};

static const struct nla_policy vrf_pol[IFLA_VRF_MAX + 1] = {
	[IFLA_VRF_TABLE] = POL_U32,
};

static int parse_linkinfo(const struct nlattr *a, struct pr_klink *l)
{
	struct nlattr *li[IFLA_INFO_MAX + 1], *vrf[IFLA_VRF_MAX + 1];
	int err;

	err = parse_attrs(li, IFLA_INFO_MAX, nla_data(a), nla_len(a), linkinfo_pol);
	if (err)
		return err;
	if (li[IFLA_INFO_KIND])
		copy_str(l->kind, sizeof(l->kind), li[IFLA_INFO_KIND]);
	/* IFLA_INFO_DATA is kind-specific; only a VRF's is read. */
	if (strcmp(l->kind, "vrf") || !li[IFLA_INFO_DATA])
		return 0;
	err = parse_attrs(vrf, IFLA_VRF_MAX, nla_data(li[IFLA_INFO_DATA]),
			  nla_len(li[IFLA_INFO_DATA]), vrf_pol);
	if (err)
		return err;
	if (vrf[IFLA_VRF_TABLE])
		l->vrf_table = nla_get_u32(vrf[IFLA_VRF_TABLE]);
	return 0;
}

#ifndef IFF_LOWER_UP
#define IFF_LOWER_UP 0x10000
#endif

int pr_nl_parse_link(const struct nlmsghdr *nlh, struct pr_klink *l)
{
	struct nlattr *tb[IFLA_MAX + 1];
	const struct ifinfomsg *ifi;
	int err;

	memset(l, 0, sizeof(*l));
	if (nlh->nlmsg_type != RTM_NEWLINK && nlh->nlmsg_type != RTM_DELLINK)
		return -EINVAL;
	if (!header_fits(nlh, sizeof(*ifi)))
		return -EINVAL;
	ifi = NLMSG_DATA(nlh);
	/* Bridge port state comes as RTM_NEWLINK of family AF_BRIDGE. */
	if (ifi->ifi_family != AF_UNSPEC)
		return PR_NL_IGNORE;
	err = parse_msg(nlh, sizeof(*ifi), tb, IFLA_MAX, link_pol);
	if (err)
		return err;
	l->ifindex = ifi->ifi_index;
	l->flags = ifi->ifi_flags;
	l->up = ifi->ifi_flags & IFF_UP;
	l->carrier = ifi->ifi_flags & IFF_LOWER_UP;
	if (tb[IFLA_IFNAME])
		copy_str(l->name, sizeof(l->name), tb[IFLA_IFNAME]);
	if (tb[IFLA_ADDRESS] && nla_len(tb[IFLA_ADDRESS]) == 6)
		memcpy(l->addr, nla_data(tb[IFLA_ADDRESS]), 6);
	if (tb[IFLA_MASTER])
		l->master = nla_get_u32(tb[IFLA_MASTER]);
	if (tb[IFLA_MTU])
		l->mtu = nla_get_u32(tb[IFLA_MTU]);
	if (tb[IFLA_LINKINFO])
		return parse_linkinfo(tb[IFLA_LINKINFO], l);
	return 0;
}

const char *pr_nl_strerror(int err)
{
	switch (err) {
	case 0: return "ok";
	case PR_NL_IGNORE: return "not followed";
	case -EINVAL: return "malformed";
	case -ENOENT: return "unknown nexthop object";
	default: return err < 0 ? strerror(-err) : "unknown result";
	}
}

/* ---- paths through nexthop objects ---- */

int pr_nl_resolve_paths(const struct pr_kroute *r, pr_nl_nh_lookup_fn lookup, void *ctx,
			struct pr_kpath out[PR_MAX_NH], unsigned *n)
{
	const struct pr_knexthop *nh;
	unsigned k = 0;

	*n = 0;
	if (r->npaths || !r->nhid) {
		memcpy(out, r->paths, r->npaths * sizeof(*out));
		*n = r->npaths;
		return 0;
	}
	nh = lookup ? lookup(ctx, r->nhid) : NULL;
	if (!nh)
		return -ENOENT;
	if (nh->blackhole)
		return 0;
	if (!nh->is_group) {
		out[0] = nh->path;
		out[0].weight = 1;
		*n = 1;
		return 0;
	}
	for (unsigned i = 0; i < nh->ngroup; i++) {
		const struct pr_knexthop *m = lookup(ctx, nh->group[i]);

		if (!m)
			return -ENOENT;
		if (m->is_group)
			return -EINVAL; /* the kernel refuses nested groups */
		if (m->blackhole)
			continue;
		out[k] = m->path;
		out[k].weight = nh->group_weight[i] ? nh->group_weight[i] : 1;
		k++;
	}
	*n = k;
	return 0;
}
