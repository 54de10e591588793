// SPDX-License-Identifier: GPL-2.0-only
/*
 * Unit tests for kernel/route_msg.c: rtnetlink messages built here with libnl's
 * nlmsg_alloc/nla_put (multipath bodies and broken messages by hand) are
 * converted to kernel/kobjects.h structs; malformed ones must come back as -EINVAL
 * (never a crash: the suite runs under ASan/UBSan). pr_nl_resolve_paths
 * is checked over a small nexthop table of the test's own.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>
#include <linux/if_link.h>
#include <linux/lwtunnel.h>
#include <linux/neighbour.h>
#include <linux/nexthop.h>
#include <linux/rtnetlink.h>
#include <net/if.h>
#include <netlink/attr.h>
#include <netlink/msg.h>

#include "kernel/route_msg.h"

#ifndef IFF_LOWER_UP
#define IFF_LOWER_UP 0x10000 /* <linux/if.h>, which clashes with <net/if.h> */
#endif

/* ---- message builders ---- */

static void addr(int family, const char *s, void *out)
{
	assert_int_equal(inet_pton(family, s, out), 1);
}

static int alen(int family)
{
	return family == AF_INET ? 4 : 16;
}

static struct nl_msg *new_msg(int type, const void *hdr, size_t len)
{
	struct nl_msg *m = nlmsg_alloc_simple(type, 0);

	assert_non_null(m);
	assert_int_equal(nlmsg_append(m, (void *)hdr, len, NLMSG_ALIGNTO), 0);
	return m;
}

static void put_addr(struct nl_msg *m, int type, int family, const char *s)
{
	unsigned char a[16];

	addr(family, s, a);
	assert_int_equal(nla_put(m, type, alen(family), a), 0);
}

/* A route as the kernel sends it: rtm_table is RT_TABLE_COMPAT for tables
 * that do not fit 8 bits, the real id is in RTA_TABLE. */
static struct nl_msg *route_msg(int type, int family, const char *dst, int len, uint32_t table)
{
	struct rtmsg rtm = {
		.rtm_family = family, .rtm_dst_len = len, .rtm_protocol = RTPROT_BGP,
		.rtm_type = RTN_UNICAST, .rtm_scope = RT_SCOPE_UNIVERSE,
		.rtm_table = table > 255 ? RT_TABLE_COMPAT : table,
	};
	struct nl_msg *m = new_msg(type, &rtm, sizeof(rtm));

	if (len)
		put_addr(m, RTA_DST, family, dst);
	assert_int_equal(nla_put_u32(m, RTA_TABLE, table), 0);
	return m;
}

static struct rtmsg *rtm_of(struct nl_msg *m)
{
	return nlmsg_data(nlmsg_hdr(m));
}

struct hop {
	int family; /* of the gateway; differs from the route's for RTA_VIA */
	const char *gw;
	uint32_t ifindex;
	unsigned weight;
};

/* RTA_MULTIPATH: one struct rtnexthop per hop, RTA_GATEWAY inside when
 * the gateway is of the route's family, RTA_VIA otherwise. */
static void put_multipath(struct nl_msg *m, int route_family, const struct hop *h, int n)
{
	unsigned char body[4096] = {};
	size_t off = 0;

	for (int i = 0; i < n; i++) {
		struct rtnexthop *nh = (void *)(body + off);
		struct rtattr *a = (void *)(body + off + RTNH_LENGTH(0));

		nh->rtnh_ifindex = h[i].ifindex;
		nh->rtnh_hops = h[i].weight - 1;
		if (h[i].family == route_family) {
			a->rta_type = RTA_GATEWAY;
			a->rta_len = RTA_LENGTH(alen(h[i].family));
			addr(h[i].family, h[i].gw, RTA_DATA(a));
		} else {
			struct rtvia *v = RTA_DATA(a);

			a->rta_type = RTA_VIA;
			a->rta_len = RTA_LENGTH(sizeof(*v) + alen(h[i].family));
			v->rtvia_family = h[i].family;
			addr(h[i].family, h[i].gw, v->rtvia_addr);
		}
		nh->rtnh_len = RTNH_LENGTH(RTA_ALIGN(a->rta_len));
		off += RTNH_ALIGN(nh->rtnh_len);
	}
	assert_int_equal(nla_put(m, RTA_MULTIPATH, off, body), 0);
}

static void put_via(struct nl_msg *m, int family, const char *gw)
{
	unsigned char buf[sizeof(struct rtvia) + 16];
	struct rtvia *v = (void *)buf;

	v->rtvia_family = family;
	addr(family, gw, v->rtvia_addr);
	assert_int_equal(nla_put(m, RTA_VIA, sizeof(*v) + alen(family), buf), 0);
}

static void assert_gw(const struct pr_kpath *p, int family, const char *gw)
{
	unsigned char a[16] = {};

	addr(family, gw, a);
	assert_int_equal(p->gw_family, family);
	assert_memory_equal(p->gw, a, alen(family));
}

static void assert_dst(const struct pr_kroute *r, const char *want)
{
	char buf[PR_PREFIX_STRLEN];

	assert_string_equal(pr_prefix_format(&r->dst, buf, sizeof(buf)), want);
}

static int parse_route(struct nl_msg *m, struct pr_kroute *r)
{
	int err = pr_nl_parse_route(nlmsg_hdr(m), r);

	nlmsg_free(m);
	return err;
}

/* ---- routes ---- */

static void test_route_single_v4(void **state)
{
	struct nl_msg *m = route_msg(RTM_NEWROUTE, AF_INET, "10.9.0.0", 24, RT_TABLE_MAIN);
	struct pr_kroute r;

	(void)state;
	put_addr(m, RTA_GATEWAY, AF_INET, "192.0.2.10");
	nla_put_u32(m, RTA_OIF, 7);
	nla_put_u32(m, RTA_PRIORITY, 20);
	assert_int_equal(parse_route(m, &r), 0);
	assert_dst(&r, "10.9.0.0/24");
	assert_int_equal(r.table, RT_TABLE_MAIN);
	assert_int_equal(r.protocol, RTPROT_BGP);
	assert_int_equal(r.type, RTN_UNICAST);
	assert_int_equal(r.priority, 20);
	assert_int_equal(r.nhid, 0);
	assert_int_equal(r.npaths, 1);
	assert_gw(&r.paths[0], AF_INET, "192.0.2.10");
	assert_int_equal(r.paths[0].ifindex, 7);
	assert_int_equal(r.paths[0].weight, 1);
}

static void test_route_single_v6(void **state)
{
	struct nl_msg *m = route_msg(RTM_NEWROUTE, AF_INET6, "2001:db8:9::", 64, RT_TABLE_MAIN);
	struct pr_kroute r;

	(void)state;
	put_addr(m, RTA_GATEWAY, AF_INET6, "fe80::1");
	nla_put_u32(m, RTA_OIF, 3);
	nla_put_u32(m, RTA_PRIORITY, 1024);
	assert_int_equal(parse_route(m, &r), 0);
	assert_dst(&r, "2001:db8:9::/64");
	assert_int_equal(r.priority, 1024);
	assert_int_equal(r.npaths, 1);
	assert_gw(&r.paths[0], AF_INET6, "fe80::1");
	assert_int_equal(r.paths[0].ifindex, 3);
}

static void test_route_default_and_dev_only(void **state)
{
	struct nl_msg *m = route_msg(RTM_NEWROUTE, AF_INET, NULL, 0, RT_TABLE_MAIN);
	struct pr_kroute r;

	(void)state;
	nla_put_u32(m, RTA_OIF, 4); /* "dev eth0", no gateway */
	assert_int_equal(parse_route(m, &r), 0);
	assert_dst(&r, "0.0.0.0/0");
	assert_int_equal(r.npaths, 1);
	assert_int_equal(r.paths[0].gw_family, 0);
	assert_int_equal(r.paths[0].ifindex, 4);
}

static void test_route_multipath_2_weights(void **state)
{
	const struct hop h[] = {
		{ AF_INET, "192.0.2.10", 2, 1 },
		{ AF_INET, "192.0.2.11", 3, 3 },
	};
	struct nl_msg *m = route_msg(RTM_NEWROUTE, AF_INET, "10.10.0.0", 16, RT_TABLE_MAIN);
	struct pr_kroute r;

	(void)state;
	put_multipath(m, AF_INET, h, 2);
	assert_int_equal(parse_route(m, &r), 0);
	assert_int_equal(r.npaths, 2);
	assert_gw(&r.paths[0], AF_INET, "192.0.2.10");
	assert_gw(&r.paths[1], AF_INET, "192.0.2.11");
	assert_int_equal(r.paths[0].ifindex, 2);
	assert_int_equal(r.paths[1].ifindex, 3);
	assert_int_equal(r.paths[0].weight, 1);
	assert_int_equal(r.paths[1].weight, 3);
}

static void eight_hops(struct hop h[9], char gws[9][32])
{
	for (int i = 0; i < 9; i++) {
		snprintf(gws[i], 32, "192.0.2.%d", 10 + i);
		h[i] = (struct hop){ AF_INET, gws[i], 2 + i, i + 1 };
	}
}

static void test_route_multipath_8(void **state)
{
	struct nl_msg *m = route_msg(RTM_NEWROUTE, AF_INET, "10.10.0.0", 16, RT_TABLE_MAIN);
	struct pr_kroute r;
	char gws[9][32];
	struct hop h[9];

	(void)state;
	eight_hops(h, gws);
	put_multipath(m, AF_INET, h, 8);
	assert_int_equal(parse_route(m, &r), 0);
	assert_int_equal(r.npaths, 8);
	for (int i = 0; i < 8; i++) {
		assert_gw(&r.paths[i], AF_INET, gws[i]);
		assert_int_equal(r.paths[i].ifindex, 2 + i);
		assert_int_equal(r.paths[i].weight, i + 1);
	}
}

/* A route with more paths than the agent holds is kept, not refused (the
 * datapath asks the kernel's FIB): the first PR_MAX_NH, and a count. */
static void test_route_multipath_9_kept(void **state)
{
	struct nl_msg *m = route_msg(RTM_NEWROUTE, AF_INET, "10.10.0.0", 16, RT_TABLE_MAIN);
	struct pr_kroute r;
	char gws[9][32];
	struct hop h[9];

	(void)state;
	eight_hops(h, gws);
	put_multipath(m, AF_INET, h, 9);
	assert_int_equal(parse_route(m, &r), 0);
	assert_int_equal(r.npaths, PR_MAX_NH);
	assert_int_equal(r.paths_left_out, 1);
}

static void test_route_max_weight_saturates(void **state)
{
	const struct hop h[] = { { AF_INET, "192.0.2.10", 2, 256 }, { AF_INET, "192.0.2.11", 2, 255 } };
	struct nl_msg *m = route_msg(RTM_NEWROUTE, AF_INET, "10.10.0.0", 16, RT_TABLE_MAIN);
	struct pr_kroute r;

	(void)state;
	put_multipath(m, AF_INET, h, 2); /* rtnh_hops 255 = weight 256 */
	assert_int_equal(parse_route(m, &r), 0);
	assert_int_equal(r.paths[0].weight, 255);
	assert_int_equal(r.paths[1].weight, 255);
}

static void test_route_v4_via_v6_gateway(void **state)
{
	const struct hop h[] = { { AF_INET6, "fe80::a", 5, 1 }, { AF_INET, "192.0.2.11", 6, 2 } };
	struct nl_msg *m = route_msg(RTM_NEWROUTE, AF_INET, "10.11.0.0", 16, RT_TABLE_MAIN);
	struct pr_kroute r;

	(void)state;
	put_via(m, AF_INET6, "2001:db8::1");
	nla_put_u32(m, RTA_OIF, 5);
	assert_int_equal(parse_route(m, &r), 0);
	assert_int_equal(r.npaths, 1);
	assert_gw(&r.paths[0], AF_INET6, "2001:db8::1");
	assert_int_equal(r.paths[0].ifindex, 5);

	/* And per hop inside RTA_MULTIPATH, mixed with an IPv4 gateway. */
	m = route_msg(RTM_NEWROUTE, AF_INET, "10.11.0.0", 16, RT_TABLE_MAIN);
	put_multipath(m, AF_INET, h, 2);
	assert_int_equal(parse_route(m, &r), 0);
	assert_int_equal(r.npaths, 2);
	assert_gw(&r.paths[0], AF_INET6, "fe80::a");
	assert_gw(&r.paths[1], AF_INET, "192.0.2.11");
	assert_int_equal(r.paths[1].weight, 2);
}

static void test_route_nhid_only(void **state)
{
	struct nl_msg *m = route_msg(RTM_NEWROUTE, AF_INET, "10.12.0.0", 24, RT_TABLE_MAIN);
	struct pr_kroute r;

	(void)state;
	nla_put_u32(m, RTA_NH_ID, 10);
	assert_int_equal(parse_route(m, &r), 0);
	assert_int_equal(r.nhid, 10);
	assert_int_equal(r.npaths, 0); /* nexthop_compat_mode=0: no paths in the message */
}

static void test_route_table_above_255(void **state)
{
	struct nl_msg *m = route_msg(RTM_NEWROUTE, AF_INET6, "fd00:1::", 48, 100000);
	struct pr_kroute r;

	(void)state;
	assert_int_equal(rtm_of(m)->rtm_table, RT_TABLE_COMPAT);
	assert_int_equal(parse_route(m, &r), 0);
	assert_int_equal(r.table, 100000);

	/* Without RTA_TABLE, rtm_table is all there is. */
	struct rtmsg rtm = { .rtm_family = AF_INET, .rtm_table = 100, .rtm_type = RTN_UNICAST };

	m = new_msg(RTM_NEWROUTE, &rtm, sizeof(rtm));
	assert_int_equal(parse_route(m, &r), 0);
	assert_int_equal(r.table, 100);
}

static void test_route_delete(void **state)
{
	struct nl_msg *m = route_msg(RTM_DELROUTE, AF_INET, "10.9.0.0", 24, 100);
	struct pr_kroute r;

	(void)state;
	put_addr(m, RTA_GATEWAY, AF_INET, "192.0.2.10");
	nla_put_u32(m, RTA_OIF, 7);
	assert_int_equal(parse_route(m, &r), 0);
	assert_dst(&r, "10.9.0.0/24");
	assert_int_equal(r.table, 100);
	assert_int_equal(r.npaths, 1);
}

static void test_route_other_types_marked(void **state)
{
	struct nl_msg *m = route_msg(RTM_NEWROUTE, AF_INET, "10.13.0.0", 24, RT_TABLE_MAIN);
	struct pr_kroute r;

	(void)state;
	rtm_of(m)->rtm_type = RTN_BLACKHOLE;
	rtm_of(m)->rtm_protocol = RTPROT_STATIC;
	assert_int_equal(parse_route(m, &r), 0);
	assert_int_equal(r.type, RTN_BLACKHOLE);
	assert_int_equal(r.protocol, RTPROT_STATIC);
	assert_int_equal(r.npaths, 0);

	m = route_msg(RTM_NEWROUTE, AF_INET, "192.0.2.1", 32, RT_TABLE_LOCAL);
	rtm_of(m)->rtm_type = RTN_LOCAL;
	rtm_of(m)->rtm_scope = RT_SCOPE_HOST;
	nla_put_u32(m, RTA_OIF, 2);
	assert_int_equal(parse_route(m, &r), 0);
	assert_int_equal(r.type, RTN_LOCAL);
	assert_int_equal(r.scope, RT_SCOPE_HOST);
	assert_int_equal(r.table, RT_TABLE_LOCAL);
}

static void test_route_ignored(void **state)
{
	struct nl_msg *m = route_msg(RTM_NEWROUTE, AF_INET6, "2001:db8::5", 128, RT_TABLE_MAIN);
	struct rtmsg mpls = { .rtm_family = AF_MPLS, .rtm_dst_len = 20 };
	struct pr_kroute r;

	(void)state;
	rtm_of(m)->rtm_flags |= RTM_F_CLONED; /* a PMTU exception */
	assert_int_equal(parse_route(m, &r), PR_NL_IGNORE);
	m = new_msg(RTM_NEWROUTE, &mpls, sizeof(mpls));
	nla_put_u32(m, RTA_DST, 100 << 12);
	assert_int_equal(parse_route(m, &r), PR_NL_IGNORE);
	assert_string_equal(pr_nl_strerror(PR_NL_IGNORE), "not followed");
}

static void test_route_flags_and_encap(void **state)
{
	struct nl_msg *m = route_msg(RTM_NEWROUTE, AF_INET, "10.14.0.0", 24, RT_TABLE_MAIN);
	struct pr_kroute r;

	(void)state;
	rtm_of(m)->rtm_flags = RTNH_F_LINKDOWN | RTNH_F_ONLINK;
	put_addr(m, RTA_GATEWAY, AF_INET, "192.0.2.10");
	nla_put_u16(m, RTA_ENCAP_TYPE, LWTUNNEL_ENCAP_MPLS);
	assert_int_equal(parse_route(m, &r), 0);
	assert_int_equal(r.paths[0].flags, RTNH_F_LINKDOWN | RTNH_F_ONLINK);
	assert_int_equal(r.paths[0].encap_type, LWTUNNEL_ENCAP_MPLS);
}

/* A valid single-path route whose tail is then cut or corrupted. */
static struct nl_msg *good_route(void)
{
	struct nl_msg *m = route_msg(RTM_NEWROUTE, AF_INET, "10.9.0.0", 24, RT_TABLE_MAIN);

	put_addr(m, RTA_GATEWAY, AF_INET, "192.0.2.10");
	nla_put_u32(m, RTA_PRIORITY, 20);
	return m;
}

static void test_route_malformed(void **state)
{
	struct pr_kroute r;
	struct nl_msg *m;

	(void)state;
	/* Header truncated: nlmsg_len shorter than struct rtmsg. */
	m = good_route();
	nlmsg_hdr(m)->nlmsg_len = NLMSG_LENGTH(sizeof(struct rtmsg) - 1);
	assert_int_equal(parse_route(m, &r), -EINVAL);
	m = good_route();
	nlmsg_hdr(m)->nlmsg_len = NLMSG_HDRLEN - 4;
	assert_int_equal(parse_route(m, &r), -EINVAL);
	/* Last attribute truncated in its body, then in its header. */
	m = good_route();
	nlmsg_hdr(m)->nlmsg_len -= 2;
	assert_int_equal(parse_route(m, &r), -EINVAL);
	m = good_route();
	nlmsg_hdr(m)->nlmsg_len -= 6;
	assert_int_equal(parse_route(m, &r), -EINVAL);
	/* Wrong sizes: 2-byte RTA_TABLE, IPv6-sized gateway on an IPv4 route,
	 * 3-byte RTA_DST. */
	m = route_msg(RTM_NEWROUTE, AF_INET, "10.9.0.0", 24, RT_TABLE_MAIN);
	nla_put_u16(m, RTA_TABLE, 5);
	assert_int_equal(parse_route(m, &r), -EINVAL);
	m = route_msg(RTM_NEWROUTE, AF_INET, "10.9.0.0", 24, RT_TABLE_MAIN);
	nla_put_u64(m, RTA_PRIORITY, 5); /* 8 bytes where the kernel sends 4 */
	assert_int_equal(parse_route(m, &r), -EINVAL);
	m = route_msg(RTM_NEWROUTE, AF_INET, "10.9.0.0", 24, RT_TABLE_MAIN);
	put_addr(m, RTA_GATEWAY, AF_INET6, "2001:db8::1");
	assert_int_equal(parse_route(m, &r), -EINVAL);
	{
		struct rtmsg rtm = { .rtm_family = AF_INET, .rtm_dst_len = 24 };

		m = new_msg(RTM_NEWROUTE, &rtm, sizeof(rtm));
		nla_put(m, RTA_DST, 3, "\x0a\x09\x00");
		assert_int_equal(parse_route(m, &r), -EINVAL);
		/* A prefix length and no RTA_DST at all. */
		m = new_msg(RTM_NEWROUTE, &rtm, sizeof(rtm));
		assert_int_equal(parse_route(m, &r), -EINVAL);
	}
	/* Prefix length beyond the family's. */
	m = good_route();
	rtm_of(m)->rtm_dst_len = 33;
	assert_int_equal(parse_route(m, &r), -EINVAL);
	/* RTA_VIA of an unknown family, and one cut short. */
	m = route_msg(RTM_NEWROUTE, AF_INET, "10.9.0.0", 24, RT_TABLE_MAIN);
	nla_put(m, RTA_VIA, 6, "\x2a\x00\x01\x02\x03\x04"); /* family 42 */
	assert_int_equal(parse_route(m, &r), -EINVAL);
	m = route_msg(RTM_NEWROUTE, AF_INET, "10.9.0.0", 24, RT_TABLE_MAIN);
	{
		uint16_t fam6 = AF_INET6;
		unsigned char v[10] = {};

		memcpy(v, &fam6, 2);
		nla_put(m, RTA_VIA, sizeof(v), v); /* IPv6 needs 2 + 16 */
	}
	assert_int_equal(parse_route(m, &r), -EINVAL);
	/* A message of another type. */
	m = good_route();
	nlmsg_hdr(m)->nlmsg_type = RTM_NEWLINK;
	assert_int_equal(parse_route(m, &r), -EINVAL);
	assert_string_equal(pr_nl_strerror(-EINVAL), "malformed");
}

/* RTA_MULTIPATH bodies that lie about their lengths. */
static void test_route_multipath_malformed(void **state)
{
	unsigned char body[64] = {};
	struct rtnexthop *nh = (void *)body;
	struct rtattr *a = (void *)(body + RTNH_LENGTH(0));
	struct pr_kroute r;
	struct nl_msg *m;

	(void)state;
	/* A hop claiming 64 bytes inside a 16-byte attribute. */
	nh->rtnh_len = 64;
	a->rta_type = RTA_GATEWAY;
	a->rta_len = RTA_LENGTH(4);
	m = route_msg(RTM_NEWROUTE, AF_INET, "10.10.0.0", 16, RT_TABLE_MAIN);
	nla_put(m, RTA_MULTIPATH, 16, body);
	assert_int_equal(parse_route(m, &r), -EINVAL);
	/* A hop whose record ends past its attribute, where the next attribute
	 * of the message would make its gateway look valid. */
	nh->rtnh_len = 16;
	a->rta_len = RTA_LENGTH(4);
	m = route_msg(RTM_NEWROUTE, AF_INET, "10.10.0.0", 16, RT_TABLE_MAIN);
	nla_put(m, RTA_MULTIPATH, 12, body);
	nla_put_u32(m, RTA_PRIORITY, 7);
	assert_int_equal(parse_route(m, &r), -EINVAL);
	/* A hop shorter than struct rtnexthop. */
	nh->rtnh_len = 4;
	m = route_msg(RTM_NEWROUTE, AF_INET, "10.10.0.0", 16, RT_TABLE_MAIN);
	nla_put(m, RTA_MULTIPATH, 16, body);
	assert_int_equal(parse_route(m, &r), -EINVAL);
	/* The gateway attribute runs past the end of its hop. */
	nh->rtnh_len = 16;
	a->rta_len = RTA_LENGTH(16);
	m = route_msg(RTM_NEWROUTE, AF_INET, "10.10.0.0", 16, RT_TABLE_MAIN);
	nla_put(m, RTA_MULTIPATH, 16, body);
	assert_int_equal(parse_route(m, &r), -EINVAL);
	/* A valid hop followed by 4 stray bytes (less than a record header). */
	a->rta_len = RTA_LENGTH(4);
	m = route_msg(RTM_NEWROUTE, AF_INET, "10.10.0.0", 16, RT_TABLE_MAIN);
	nla_put(m, RTA_MULTIPATH, 20, body);
	assert_int_equal(parse_route(m, &r), -EINVAL);
	/* Second hop of two overruns. */
	{
		const struct hop h[] = { { AF_INET, "192.0.2.10", 2, 1 }, { AF_INET, "192.0.2.11", 3, 1 } };
		struct nlattr *mp;

		m = route_msg(RTM_NEWROUTE, AF_INET, "10.10.0.0", 16, RT_TABLE_MAIN);
		put_multipath(m, AF_INET, h, 2);
		mp = nlmsg_find_attr(nlmsg_hdr(m), sizeof(struct rtmsg), RTA_MULTIPATH);
		assert_non_null(mp);
		((struct rtnexthop *)((char *)nla_data(mp) + 16))->rtnh_len = 17;
		assert_int_equal(parse_route(m, &r), -EINVAL);
	}
	/* An empty RTA_MULTIPATH is no route at all. */
	m = route_msg(RTM_NEWROUTE, AF_INET, "10.10.0.0", 16, RT_TABLE_MAIN);
	nla_put(m, RTA_MULTIPATH, 0, NULL);
	assert_int_equal(parse_route(m, &r), -EINVAL);
}

/* ---- nexthop objects ---- */

static struct nl_msg *nh_msg(int type, int family, uint32_t id)
{
	struct nhmsg nhm = { .nh_family = family, .nh_protocol = RTPROT_ZEBRA };
	struct nl_msg *m = new_msg(type, &nhm, sizeof(nhm));

	nla_put_u32(m, NHA_ID, id);
	return m;
}

static int parse_nh(struct nl_msg *m, struct pr_knexthop *nh)
{
	int err = pr_nl_parse_nexthop(nlmsg_hdr(m), nh);

	nlmsg_free(m);
	return err;
}

static void test_nexthop_single(void **state)
{
	struct nl_msg *m = nh_msg(RTM_NEWNEXTHOP, AF_INET, 10);
	struct pr_knexthop nh;

	(void)state;
	put_addr(m, NHA_GATEWAY, AF_INET, "192.0.2.10");
	nla_put_u32(m, NHA_OIF, 3);
	assert_int_equal(parse_nh(m, &nh), 0);
	assert_int_equal(nh.id, 10);
	assert_false(nh.is_group);
	assert_false(nh.blackhole);
	assert_int_equal(nh.protocol, RTPROT_ZEBRA);
	assert_gw(&nh.path, AF_INET, "192.0.2.10");
	assert_int_equal(nh.path.ifindex, 3);
	assert_int_equal(nh.path.weight, 1);

	/* An IPv6 object (usable by IPv4 routes too), and its deletion. */
	m = nh_msg(RTM_DELNEXTHOP, AF_INET6, 11);
	put_addr(m, NHA_GATEWAY, AF_INET6, "fe80::11");
	nla_put_u32(m, NHA_OIF, 4);
	assert_int_equal(parse_nh(m, &nh), 0);
	assert_int_equal(nh.id, 11);
	assert_gw(&nh.path, AF_INET6, "fe80::11");
}

static void test_nexthop_group(void **state)
{
	struct nexthop_grp g[3] = {
		{ .id = 10, .weight = 0 },
		{ .id = 11, .weight = 2 },
		{ .id = 12, .weight = 9, .weight_high = 1 }, /* 16-bit weight 266 */
	};
	struct nl_msg *m = nh_msg(RTM_NEWNEXTHOP, AF_UNSPEC, 20);
	struct pr_knexthop nh;

	(void)state;
	nla_put(m, NHA_GROUP, sizeof(g), g);
	nla_put_u16(m, NHA_GROUP_TYPE, NEXTHOP_GRP_TYPE_MPATH);
	assert_int_equal(parse_nh(m, &nh), 0);
	assert_true(nh.is_group);
	assert_int_equal(nh.ngroup, 3);
	assert_int_equal(nh.group[0], 10);
	assert_int_equal(nh.group[1], 11);
	assert_int_equal(nh.group_weight[0], 1);
	assert_int_equal(nh.group_weight[1], 3);
	assert_int_equal(nh.group_weight[2], 255); /* saturated */
	assert_int_equal(nh.group_type, NEXTHOP_GRP_TYPE_MPATH);
}

static void test_nexthop_blackhole_and_fdb(void **state)
{
	struct nl_msg *m = nh_msg(RTM_NEWNEXTHOP, AF_INET, 30);
	struct pr_knexthop nh;

	(void)state;
	nla_put_flag(m, NHA_BLACKHOLE);
	assert_int_equal(parse_nh(m, &nh), 0);
	assert_int_equal(nh.id, 30);
	assert_true(nh.blackhole);
	assert_false(nh.is_group);

	m = nh_msg(RTM_NEWNEXTHOP, AF_INET, 31);
	put_addr(m, NHA_GATEWAY, AF_INET, "192.0.2.31");
	nla_put_flag(m, NHA_FDB);
	assert_int_equal(parse_nh(m, &nh), PR_NL_IGNORE);
}

static void test_nexthop_malformed(void **state)
{
	struct nexthop_grp g[PR_MAX_NH + 1] = {};
	struct pr_knexthop nh;
	struct nl_msg *m;

	(void)state;
	for (int i = 0; i <= PR_MAX_NH; i++)
		g[i].id = 100 + i;
	/* Nine members: the first eight held, one counted, not refused. */
	m = nh_msg(RTM_NEWNEXTHOP, AF_UNSPEC, 20);
	nla_put(m, NHA_GROUP, sizeof(g), g);
	assert_int_equal(parse_nh(m, &nh), 0);
	assert_int_equal(nh.ngroup, PR_MAX_NH);
	assert_int_equal(nh.group_left_out, 1);
	assert_int_equal(nh.group[PR_MAX_NH - 1], 100 + PR_MAX_NH - 1);
	/* A group whose length is not a multiple of the record. */
	m = nh_msg(RTM_NEWNEXTHOP, AF_UNSPEC, 20);
	nla_put(m, NHA_GROUP, sizeof(g[0]) + 4, g);
	assert_int_equal(parse_nh(m, &nh), -EINVAL);
	/* No NHA_ID. */
	{
		struct nhmsg nhm = { .nh_family = AF_INET };

		m = new_msg(RTM_NEWNEXTHOP, &nhm, sizeof(nhm));
		nla_put_u32(m, NHA_OIF, 3);
		assert_int_equal(parse_nh(m, &nh), -EINVAL);
	}
	/* Gateway not of the object's family; NHA_ID of 2 bytes. */
	m = nh_msg(RTM_NEWNEXTHOP, AF_INET, 10);
	put_addr(m, NHA_GATEWAY, AF_INET6, "fe80::1");
	assert_int_equal(parse_nh(m, &nh), -EINVAL);
	{
		struct nhmsg nhm = { .nh_family = AF_INET };

		m = new_msg(RTM_NEWNEXTHOP, &nhm, sizeof(nhm));
		nla_put_u16(m, NHA_ID, 10);
		assert_int_equal(parse_nh(m, &nh), -EINVAL);
	}
	/* Truncated: header, then the last attribute. */
	m = nh_msg(RTM_NEWNEXTHOP, AF_INET, 10);
	nlmsg_hdr(m)->nlmsg_len = NLMSG_LENGTH(sizeof(struct nhmsg) - 2);
	assert_int_equal(parse_nh(m, &nh), -EINVAL);
	m = nh_msg(RTM_NEWNEXTHOP, AF_INET, 10);
	nlmsg_hdr(m)->nlmsg_len -= 1;
	assert_int_equal(parse_nh(m, &nh), -EINVAL);
}

/* ---- neighbours ---- */

static struct nl_msg *neigh_msg(int type, int family, const char *dst, uint16_t state)
{
	struct ndmsg nd = { .ndm_family = family, .ndm_ifindex = 3, .ndm_state = state };
	struct nl_msg *m = new_msg(type, &nd, sizeof(nd));

	if (dst)
		put_addr(m, NDA_DST, family, dst);
	return m;
}

static int parse_neigh(struct nl_msg *m, struct pr_kneigh *n)
{
	int err = pr_nl_parse_neigh(nlmsg_hdr(m), n);

	nlmsg_free(m);
	return err;
}

static void test_neigh_with_lladdr(void **state)
{
	const uint8_t mac[6] = { 0x02, 0, 0, 0, 0xaa, 0x02 };
	struct nl_msg *m = neigh_msg(RTM_NEWNEIGH, AF_INET, "192.0.2.10", NUD_REACHABLE);
	struct pr_kneigh n;

	(void)state;
	nla_put(m, NDA_LLADDR, 6, mac);
	assert_int_equal(parse_neigh(m, &n), 0);
	assert_int_equal(n.ifindex, 3);
	assert_int_equal(n.family, AF_INET);
	assert_int_equal(n.state, NUD_REACHABLE);
	assert_true(n.has_lladdr);
	assert_memory_equal(n.lladdr, mac, 6);
	{
		unsigned char a[4];

		addr(AF_INET, "192.0.2.10", a);
		assert_memory_equal(n.addr, a, 4);
	}

	m = neigh_msg(RTM_DELNEIGH, AF_INET6, "fe80::10", NUD_STALE);
	nla_put(m, NDA_LLADDR, 6, mac);
	assert_int_equal(parse_neigh(m, &n), 0);
	assert_int_equal(n.family, AF_INET6);
	assert_true(n.has_lladdr);
}

static void test_neigh_without_lladdr(void **state)
{
	struct nl_msg *m = neigh_msg(RTM_NEWNEIGH, AF_INET, "192.0.2.11", NUD_FAILED);
	struct pr_kneigh n;

	(void)state;
	assert_int_equal(parse_neigh(m, &n), 0);
	assert_false(n.has_lladdr);
	assert_int_equal(n.state, NUD_FAILED);
	/* A 4-byte link-layer address (ipip): no MAC, still a neighbour. */
	m = neigh_msg(RTM_NEWNEIGH, AF_INET, "192.0.2.12", NUD_NOARP);
	nla_put(m, NDA_LLADDR, 4, "\x01\x02\x03\x04");
	assert_int_equal(parse_neigh(m, &n), 0);
	assert_false(n.has_lladdr);
}

static void test_neigh_ignored_and_malformed(void **state)
{
	struct pr_kneigh n;
	struct nl_msg *m;

	(void)state;
	{
		struct ndmsg nd = { .ndm_family = AF_BRIDGE, .ndm_ifindex = 3 };

		m = new_msg(RTM_NEWNEIGH, &nd, sizeof(nd));
		nla_put(m, NDA_LLADDR, 6, "\x02\x00\x00\x00\x00\x01");
		assert_int_equal(parse_neigh(m, &n), PR_NL_IGNORE);
	}
	m = neigh_msg(RTM_NEWNEIGH, AF_INET, "192.0.2.10", NUD_NONE);
	((struct ndmsg *)nlmsg_data(nlmsg_hdr(m)))->ndm_flags = NTF_PROXY;
	assert_int_equal(parse_neigh(m, &n), PR_NL_IGNORE);
	m = neigh_msg(RTM_NEWNEIGH, AF_INET, NULL, NUD_REACHABLE); /* no NDA_DST */
	assert_int_equal(parse_neigh(m, &n), -EINVAL);
	m = neigh_msg(RTM_NEWNEIGH, AF_INET, NULL, NUD_REACHABLE);
	put_addr(m, NDA_DST, AF_INET6, "fe80::1"); /* 16 bytes on AF_INET */
	assert_int_equal(parse_neigh(m, &n), -EINVAL);
	m = neigh_msg(RTM_NEWNEIGH, AF_INET, "192.0.2.10", NUD_REACHABLE);
	nlmsg_hdr(m)->nlmsg_len -= 3;
	assert_int_equal(parse_neigh(m, &n), -EINVAL);
	m = neigh_msg(RTM_NEWNEIGH, AF_INET, "192.0.2.10", NUD_REACHABLE);
	nlmsg_hdr(m)->nlmsg_len = NLMSG_LENGTH(4);
	assert_int_equal(parse_neigh(m, &n), -EINVAL);
}

/* ---- links ---- */

static struct nl_msg *link_msg(int type, int ifindex, unsigned flags, const char *name)
{
	struct ifinfomsg ifi = { .ifi_family = AF_UNSPEC, .ifi_index = ifindex, .ifi_flags = flags };
	struct nl_msg *m = new_msg(type, &ifi, sizeof(ifi));

	if (name)
		nla_put_string(m, IFLA_IFNAME, name);
	return m;
}

static int parse_link(struct nl_msg *m, struct pr_klink *l)
{
	int err = pr_nl_parse_link(nlmsg_hdr(m), l);

	nlmsg_free(m);
	return err;
}

static void test_link_vrf(void **state)
{
	const uint8_t mac[6] = { 0x02, 0x11, 0x22, 0x33, 0x44, 0x55 };
	struct nl_msg *m = link_msg(RTM_NEWLINK, 9, IFF_UP | IFF_RUNNING | IFF_LOWER_UP, "udn-blue");
	struct nlattr *info, *data;
	struct pr_klink l;

	(void)state;
	nla_put(m, IFLA_ADDRESS, 6, mac);
	nla_put_u32(m, IFLA_MTU, 65575);
	info = nla_nest_start(m, IFLA_LINKINFO);
	nla_put_string(m, IFLA_INFO_KIND, "vrf");
	data = nla_nest_start(m, IFLA_INFO_DATA);
	nla_put_u32(m, IFLA_VRF_TABLE, 1001);
	nla_nest_end(m, data);
	nla_nest_end(m, info);
	assert_int_equal(parse_link(m, &l), 0);
	assert_int_equal(l.ifindex, 9);
	assert_string_equal(l.name, "udn-blue");
	assert_string_equal(l.kind, "vrf");
	assert_int_equal(l.vrf_table, 1001);
	assert_true(l.up);
	assert_true(l.carrier);
	assert_int_equal(l.mtu, 65575);
	assert_memory_equal(l.addr, mac, 6);
}

static void test_link_veth_enslaved_down(void **state)
{
	struct nl_msg *m = link_msg(RTM_NEWLINK, 12, 0, "eth1");
	struct nlattr *info;
	struct pr_klink l;

	(void)state;
	nla_put_u32(m, IFLA_MASTER, 9);
	info = nla_nest_start(m, IFLA_LINKINFO);
	nla_put_string(m, IFLA_INFO_KIND, "veth");
	nla_nest_end(m, info);
	assert_int_equal(parse_link(m, &l), 0);
	assert_false(l.up);
	assert_false(l.carrier);
	assert_string_equal(l.kind, "veth");
	assert_int_equal(l.master, 9);
	assert_int_equal(l.vrf_table, 0);

	m = link_msg(RTM_DELLINK, 12, IFF_UP, "eth1");
	assert_int_equal(parse_link(m, &l), 0);
	assert_int_equal(l.ifindex, 12);
	assert_true(l.up);
	assert_string_equal(l.kind, "");
}

static void test_link_ignored_and_malformed(void **state)
{
	struct nlattr *info;
	struct pr_klink l;
	struct nl_msg *m;

	(void)state;
	{
		struct ifinfomsg ifi = { .ifi_family = AF_BRIDGE, .ifi_index = 4 };

		m = new_msg(RTM_NEWLINK, &ifi, sizeof(ifi));
		assert_int_equal(parse_link(m, &l), PR_NL_IGNORE);
	}
	/* A name longer than IFNAMSIZ. */
	m = link_msg(RTM_NEWLINK, 4, 0, "a-name-much-longer-than-ifnamsiz");
	assert_int_equal(parse_link(m, &l), -EINVAL);
	/* 2-byte IFLA_MASTER. */
	m = link_msg(RTM_NEWLINK, 4, 0, "eth0");
	nla_put_u16(m, IFLA_MASTER, 9);
	assert_int_equal(parse_link(m, &l), -EINVAL);
	/* IFLA_LINKINFO whose nested IFLA_INFO_DATA overruns it. */
	m = link_msg(RTM_NEWLINK, 4, 0, "vrf0");
	info = nla_nest_start(m, IFLA_LINKINFO);
	nla_put_string(m, IFLA_INFO_KIND, "vrf");
	nla_put_u32(m, IFLA_INFO_DATA, 0);
	nla_nest_end(m, info);
	{
		struct nlattr *li = nlmsg_find_attr(nlmsg_hdr(m), sizeof(struct ifinfomsg), IFLA_LINKINFO);
		struct nlattr *d = nla_find(nla_data(li), nla_len(li), IFLA_INFO_DATA);

		assert_non_null(d);
		d->nla_len = 40;
	}
	assert_int_equal(parse_link(m, &l), -EINVAL);
	/* VRF table of 2 bytes. */
	m = link_msg(RTM_NEWLINK, 4, 0, "vrf0");
	info = nla_nest_start(m, IFLA_LINKINFO);
	nla_put_string(m, IFLA_INFO_KIND, "vrf");
	{
		struct nlattr *data = nla_nest_start(m, IFLA_INFO_DATA);

		nla_put_u16(m, IFLA_VRF_TABLE, 10);
		nla_nest_end(m, data);
	}
	nla_nest_end(m, info);
	assert_int_equal(parse_link(m, &l), -EINVAL);
	/* Truncated header. */
	m = link_msg(RTM_NEWLINK, 4, 0, "eth0");
	nlmsg_hdr(m)->nlmsg_len = NLMSG_LENGTH(sizeof(struct ifinfomsg) - 4);
	assert_int_equal(parse_link(m, &l), -EINVAL);
}

/* ---- pr_nl_resolve_paths ---- */

struct nh_table {
	struct pr_knexthop nh[8];
	unsigned n, lookups;
};

static const struct pr_knexthop *lookup(void *ctx, uint32_t id)
{
	struct nh_table *t = ctx;

	t->lookups++;
	for (unsigned i = 0; i < t->n; i++)
		if (t->nh[i].id == id)
			return &t->nh[i];
	return NULL;
}

static void add_single(struct nh_table *t, uint32_t id, const char *gw, uint32_t ifindex)
{
	struct pr_knexthop *nh = &t->nh[t->n++];

	memset(nh, 0, sizeof(*nh));
	nh->id = id;
	nh->family = AF_INET;
	nh->path.gw_family = AF_INET;
	addr(AF_INET, gw, nh->path.gw);
	nh->path.ifindex = ifindex;
	nh->path.weight = 1;
}

static void add_group(struct nh_table *t, uint32_t id, const uint32_t *ids, const uint8_t *w,
		      unsigned n)
{
	struct pr_knexthop *nh = &t->nh[t->n++];

	memset(nh, 0, sizeof(*nh));
	nh->id = id;
	nh->is_group = true;
	nh->ngroup = n;
	memcpy(nh->group, ids, n * sizeof(*ids));
	memcpy(nh->group_weight, w, n);
}

static void test_resolve_compat_mode_paths(void **state)
{
	const struct hop h[] = { { AF_INET, "192.0.2.10", 2, 1 }, { AF_INET, "192.0.2.11", 3, 2 } };
	struct nl_msg *m = route_msg(RTM_NEWROUTE, AF_INET, "10.10.0.0", 16, RT_TABLE_MAIN);
	struct pr_kpath out[PR_MAX_NH];
	struct nh_table t = {};
	struct pr_kroute r;
	unsigned n = 99;

	(void)state;
	/* nexthop_compat_mode=1: the kernel sends the nhid and the paths. The
	 * object here says otherwise: the message's paths win, no lookup. */
	add_single(&t, 10, "192.0.2.99", 9);
	nla_put_u32(m, RTA_NH_ID, 10);
	put_multipath(m, AF_INET, h, 2);
	assert_int_equal(parse_route(m, &r), 0);
	assert_int_equal(pr_nl_resolve_paths(&r, lookup, &t, out, &n), 0);
	assert_int_equal(n, 2);
	assert_int_equal(t.lookups, 0);
	assert_gw(&out[0], AF_INET, "192.0.2.10");
	assert_gw(&out[1], AF_INET, "192.0.2.11");
	assert_int_equal(out[1].weight, 2);
}

static void test_resolve_nhid_single(void **state)
{
	struct nl_msg *m = route_msg(RTM_NEWROUTE, AF_INET, "10.9.0.0", 24, RT_TABLE_MAIN);
	struct pr_kpath out[PR_MAX_NH];
	struct nh_table t = {};
	struct pr_kroute r;
	unsigned n;

	(void)state;
	add_single(&t, 10, "192.0.2.10", 3);
	nla_put_u32(m, RTA_NH_ID, 10);
	assert_int_equal(parse_route(m, &r), 0);
	assert_int_equal(pr_nl_resolve_paths(&r, lookup, &t, out, &n), 0);
	assert_int_equal(n, 1);
	assert_gw(&out[0], AF_INET, "192.0.2.10");
	assert_int_equal(out[0].ifindex, 3);
	assert_int_equal(out[0].weight, 1);
}

static void test_resolve_nhid_group(void **state)
{
	const uint32_t ids[] = { 10, 11, 12 };
	const uint8_t w[] = { 1, 3, 2 };
	struct pr_kpath out[PR_MAX_NH];
	struct pr_kroute r = { .nhid = 20 };
	struct nh_table t = {};
	unsigned n;

	(void)state;
	add_single(&t, 10, "192.0.2.10", 3);
	add_single(&t, 11, "192.0.2.11", 4);
	add_single(&t, 12, "192.0.2.12", 5);
	add_group(&t, 20, ids, w, 3);
	assert_int_equal(pr_nl_resolve_paths(&r, lookup, &t, out, &n), 0);
	assert_int_equal(n, 3);
	for (unsigned i = 0; i < 3; i++) {
		char gw[32];

		snprintf(gw, sizeof(gw), "192.0.2.%u", 10 + i);
		assert_gw(&out[i], AF_INET, gw);
		assert_int_equal(out[i].ifindex, 3 + i);
		assert_int_equal(out[i].weight, w[i]);
	}
}

static void test_resolve_missing_and_odd_objects(void **state)
{
	const uint32_t ids[] = { 10, 13 }, nested[] = { 20 }, with_bh[] = { 10, 30 };
	const uint8_t w[] = { 1, 1 };
	struct pr_kpath out[PR_MAX_NH];
	struct pr_kroute r = { .nhid = 99 };
	struct nh_table t = {};
	unsigned n = 7;

	(void)state;
	add_single(&t, 10, "192.0.2.10", 3);
	add_group(&t, 20, ids, w, 2);   /* member 13 unknown */
	add_group(&t, 21, nested, w, 1); /* a group of a group */
	t.nh[t.n++] = (struct pr_knexthop){ .id = 30, .blackhole = true };
	add_group(&t, 22, with_bh, w, 2);
	/* Unknown object. */
	assert_int_equal(pr_nl_resolve_paths(&r, lookup, &t, out, &n), -ENOENT);
	assert_int_equal(n, 0);
	assert_int_equal(pr_nl_resolve_paths(&r, NULL, NULL, out, &n), -ENOENT);
	/* Unknown member. */
	r.nhid = 20;
	assert_int_equal(pr_nl_resolve_paths(&r, lookup, &t, out, &n), -ENOENT);
	r.nhid = 21;
	assert_int_equal(pr_nl_resolve_paths(&r, lookup, &t, out, &n), -EINVAL);
	/* A blackhole object forwards nowhere; as a member it adds no path. */
	r.nhid = 30;
	assert_int_equal(pr_nl_resolve_paths(&r, lookup, &t, out, &n), 0);
	assert_int_equal(n, 0);
	r.nhid = 22;
	assert_int_equal(pr_nl_resolve_paths(&r, lookup, &t, out, &n), 0);
	assert_int_equal(n, 1);
	assert_gw(&out[0], AF_INET, "192.0.2.10");
	/* Neither paths nor nhid (a blackhole route): nothing, and fine. */
	r.nhid = 0;
	assert_int_equal(pr_nl_resolve_paths(&r, lookup, &t, out, &n), 0);
	assert_int_equal(n, 0);
}

#define T(f) cmocka_unit_test(f)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_route_single_v4),
		T(test_route_single_v6),
		T(test_route_default_and_dev_only),
		T(test_route_multipath_2_weights),
		T(test_route_multipath_8),
		T(test_route_multipath_9_kept),
		T(test_route_max_weight_saturates),
		T(test_route_v4_via_v6_gateway),
		T(test_route_nhid_only),
		T(test_route_table_above_255),
		T(test_route_delete),
		T(test_route_other_types_marked),
		T(test_route_ignored),
		T(test_route_flags_and_encap),
		T(test_route_malformed),
		T(test_route_multipath_malformed),
		T(test_nexthop_single),
		T(test_nexthop_group),
		T(test_nexthop_blackhole_and_fdb),
		T(test_nexthop_malformed),
		T(test_neigh_with_lladdr),
		T(test_neigh_without_lladdr),
		T(test_neigh_ignored_and_malformed),
		T(test_link_vrf),
		T(test_link_veth_enslaved_down),
		T(test_link_ignored_and_malformed),
		T(test_resolve_compat_mode_paths),
		T(test_resolve_nhid_single),
		T(test_resolve_nhid_group),
		T(test_resolve_missing_and_odd_objects),
	};
	return cmocka_run_group_tests_name("nlroute", tests, NULL, NULL);
}
