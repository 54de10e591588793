// SPDX-License-Identifier: GPL-2.0-only
/*
 * Unit tests: rtnetlink message -> struct conversion (nlmsg.c), on
 * messages built here byte by byte, as the kernel would send them:
 * single-path, multipath, RTA_VIA, nhid-only routes, tables above 255,
 * nexthop objects, neighbours, links, and malformed messages.
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
#include <linux/neighbour.h>
#include <linux/nexthop.h>
#include <linux/rtnetlink.h>
#include <net/if.h>

#include "nlmsg.h"

/* A message under construction. */
struct msg {
	union {
		struct nlmsghdr nlh;
		unsigned char buf[4096];
	};
};

static void *msg_init(struct msg *m, int type, size_t hdrlen)
{
	memset(m, 0, sizeof(*m));
	m->nlh.nlmsg_type = type;
	m->nlh.nlmsg_len = NLMSG_LENGTH(hdrlen);
	return NLMSG_DATA(&m->nlh);
}

static struct rtattr *put(struct msg *m, int type, const void *data, size_t len)
{
	struct rtattr *a = (void *)(m->buf + NLMSG_ALIGN(m->nlh.nlmsg_len));

	a->rta_type = type;
	a->rta_len = RTA_LENGTH(len);
	if (len)
		memcpy(RTA_DATA(a), data, len);
	m->nlh.nlmsg_len = NLMSG_ALIGN(m->nlh.nlmsg_len) + RTA_ALIGN(a->rta_len);
	return a;
}

static void put_u32(struct msg *m, int type, uint32_t v)
{
	put(m, type, &v, 4);
}

static struct rtmsg *route_msg(struct msg *m, int family, const char *dst, int len)
{
	struct rtmsg *r = msg_init(m, RTM_NEWROUTE, sizeof(*r));
	unsigned char a[16];

	r->rtm_family = family;
	r->rtm_dst_len = len;
	r->rtm_table = RT_TABLE_MAIN;
	r->rtm_protocol = RTPROT_BGP;
	r->rtm_type = RTN_UNICAST;
	inet_pton(family, dst, a);
	put(m, RTA_DST, a, family == AF_INET ? 4 : 16);
	return r;
}

/* RTA_MULTIPATH with n hops, gateways 192.0.2.(10+i), ifindex 2+i. */
static void put_multipath(struct msg *m, int n)
{
	unsigned char body[1024];
	size_t off = 0;

	for (int i = 0; i < n; i++) {
		struct rtnexthop *nh = (void *)(body + off);
		struct rtattr *a = (void *)((unsigned char *)nh + sizeof(*nh));
		char gw[32];

		nh->rtnh_len = sizeof(*nh) + RTA_LENGTH(4);
		nh->rtnh_ifindex = 2 + i;
		nh->rtnh_hops = i; /* weight i + 1 */
		a->rta_type = RTA_GATEWAY;
		a->rta_len = RTA_LENGTH(4);
		snprintf(gw, sizeof(gw), "192.0.2.%d", 10 + i);
		inet_pton(AF_INET, gw, RTA_DATA(a));
		off += RTNH_ALIGN(nh->rtnh_len);
	}
	put(m, RTA_MULTIPATH, body, off);
}

static void test_route_single_path_v4(void **state)
{
	struct msg m;
	struct pr_kroute r;
	unsigned char gw[4];
	char buf[PR_PREFIX_STRLEN];

	(void)state;
	route_msg(&m, AF_INET, "10.200.0.0", 16);
	inet_pton(AF_INET, "192.0.2.12", gw);
	put(&m, RTA_GATEWAY, gw, 4);
	put_u32(&m, RTA_OIF, 7);
	put_u32(&m, RTA_PRIORITY, 20);
	assert_int_equal(pr_nlmsg_route(&m.nlh, &r), 0);
	assert_string_equal(pr_prefix_format(&r.dst, buf, sizeof(buf)), "10.200.0.0/16");
	assert_int_equal(r.table, RT_TABLE_MAIN);
	assert_int_equal(r.protocol, RTPROT_BGP);
	assert_int_equal(r.priority, 20);
	assert_int_equal(r.npaths, 1);
	assert_int_equal(r.paths[0].ifindex, 7);
	assert_int_equal(r.paths[0].gw_family, AF_INET);
	assert_memory_equal(r.paths[0].gw, gw, 4);
	assert_int_equal(r.nhid, 0);
}

static void test_route_v6_and_big_table(void **state)
{
	struct msg m;
	struct pr_kroute r;
	unsigned char gw[16];
	char buf[PR_PREFIX_STRLEN];
	struct rtmsg *rt;

	(void)state;
	rt = route_msg(&m, AF_INET6, "fd00:200::", 32);
	rt->rtm_table = RT_TABLE_UNSPEC; /* > 255: only RTA_TABLE has it */
	put_u32(&m, RTA_TABLE, 1001);
	inet_pton(AF_INET6, "fe80::1", gw);
	put(&m, RTA_GATEWAY, gw, 16);
	put_u32(&m, RTA_OIF, 3);
	assert_int_equal(pr_nlmsg_route(&m.nlh, &r), 0);
	assert_string_equal(pr_prefix_format(&r.dst, buf, sizeof(buf)), "fd00:200::/32");
	assert_int_equal(r.table, 1001);
	assert_int_equal(r.paths[0].gw_family, AF_INET6);
}

static void test_route_via_v6_gateway(void **state)
{
	struct msg m;
	struct pr_kroute r;
	unsigned char via[2 + 16];
	struct rtvia *v = (void *)via;

	(void)state;
	route_msg(&m, AF_INET, "10.200.0.0", 16);
	v->rtvia_family = AF_INET6;
	inet_pton(AF_INET6, "fe80::7", v->rtvia_addr);
	put(&m, RTA_VIA, via, sizeof(via));
	put_u32(&m, RTA_OIF, 2);
	assert_int_equal(pr_nlmsg_route(&m.nlh, &r), 0);
	assert_int_equal(r.paths[0].gw_family, AF_INET6);
	assert_int_equal(r.paths[0].gw[15], 7);
}

static void test_route_multipath(void **state)
{
	struct msg m;
	struct pr_kroute r;

	(void)state;
	route_msg(&m, AF_INET, "10.201.0.0", 16);
	put_multipath(&m, 2);
	assert_int_equal(pr_nlmsg_route(&m.nlh, &r), 0);
	assert_int_equal(r.npaths, 2);
	assert_int_equal(r.paths[1].ifindex, 3);
	assert_int_equal(r.paths[1].weight, 2);
	assert_int_equal(r.paths[1].gw[3], 11);

	route_msg(&m, AF_INET, "10.201.0.0", 16);
	put_multipath(&m, 8);
	assert_int_equal(pr_nlmsg_route(&m.nlh, &r), 0);
	assert_int_equal(r.npaths, 8);
	assert_int_equal(r.paths[7].gw[3], 17);

	route_msg(&m, AF_INET, "10.201.0.0", 16);
	put_multipath(&m, 9);
	assert_int_equal(pr_nlmsg_route(&m.nlh, &r), -E2BIG);
}

static void test_route_nhid_only_and_delete(void **state)
{
	struct msg m;
	struct pr_kroute r;

	(void)state;
	route_msg(&m, AF_INET, "10.202.0.0", 16);
	put_u32(&m, RTA_NH_ID, 10);
	assert_int_equal(pr_nlmsg_route(&m.nlh, &r), 0);
	assert_int_equal(r.nhid, 10);
	assert_int_equal(r.npaths, 0); /* nexthop_compat_mode=0: expanded later */
	m.nlh.nlmsg_type = RTM_DELROUTE;
	assert_int_equal(pr_nlmsg_route(&m.nlh, &r), 0);
	assert_int_equal(r.nhid, 10);
}

static void test_route_ignored_and_malformed(void **state)
{
	struct msg m;
	struct pr_kroute r;
	struct rtmsg *rt;
	struct rtattr *a;

	(void)state;
	rt = route_msg(&m, AF_INET, "10.0.0.0", 8);
	rt->rtm_flags = RTM_F_CLONED;
	assert_int_equal(pr_nlmsg_route(&m.nlh, &r), PR_NLMSG_IGNORE);
	rt = route_msg(&m, AF_INET, "10.0.0.0", 8);
	rt->rtm_family = AF_MPLS;
	assert_int_equal(pr_nlmsg_route(&m.nlh, &r), PR_NLMSG_IGNORE);
	/* Header cut short. */
	route_msg(&m, AF_INET, "10.0.0.0", 8);
	m.nlh.nlmsg_len = NLMSG_LENGTH(4);
	assert_int_equal(pr_nlmsg_route(&m.nlh, &r), -EINVAL);
	/* Destination of the wrong size. */
	rt = msg_init(&m, RTM_NEWROUTE, sizeof(*rt));
	rt->rtm_family = AF_INET;
	rt->rtm_dst_len = 8;
	put(&m, RTA_DST, "\x0a\x00", 2);
	assert_int_equal(pr_nlmsg_route(&m.nlh, &r), -EINVAL);
	/* Prefix length beyond the family. */
	rt = route_msg(&m, AF_INET, "10.0.0.0", 33);
	assert_int_equal(pr_nlmsg_route(&m.nlh, &r), -EINVAL);
	/* A multipath record claiming more bytes than the attribute has. */
	route_msg(&m, AF_INET, "10.201.0.0", 16);
	put_multipath(&m, 2);
	a = (void *)(m.buf + NLMSG_LENGTH(sizeof(struct rtmsg)) + RTA_ALIGN(RTA_LENGTH(4)));
	((struct rtnexthop *)RTA_DATA(a))->rtnh_len = 200;
	assert_int_equal(pr_nlmsg_route(&m.nlh, &r), -EINVAL);
}

static void test_nexthop_objects(void **state)
{
	struct msg m;
	struct pr_knexthop nh;
	struct nhmsg *h;
	struct nexthop_grp g[2] = { { .id = 1, .weight = 0 }, { .id = 2, .weight = 2 } };
	unsigned char gw[4];

	(void)state;
	h = msg_init(&m, RTM_NEWNEXTHOP, sizeof(*h));
	h->nh_family = AF_INET;
	put_u32(&m, NHA_ID, 6);
	put_u32(&m, NHA_OIF, 4);
	inet_pton(AF_INET, "192.0.2.12", gw);
	put(&m, NHA_GATEWAY, gw, 4);
	assert_int_equal(pr_nlmsg_nexthop(&m.nlh, &nh), 0);
	assert_int_equal(nh.id, 6);
	assert_false(nh.is_group);
	assert_int_equal(nh.path.ifindex, 4);
	assert_memory_equal(nh.path.gw, gw, 4);

	msg_init(&m, RTM_NEWNEXTHOP, sizeof(*h));
	put_u32(&m, NHA_ID, 10);
	put(&m, NHA_GROUP, g, sizeof(g));
	assert_int_equal(pr_nlmsg_nexthop(&m.nlh, &nh), 0);
	assert_true(nh.is_group);
	assert_int_equal(nh.ngroup, 2);
	assert_int_equal(nh.group[1], 2);
	assert_int_equal(nh.group_weight[1], 3);

	msg_init(&m, RTM_NEWNEXTHOP, sizeof(*h));
	put_u32(&m, NHA_ID, 11);
	put(&m, NHA_BLACKHOLE, NULL, 0);
	assert_int_equal(pr_nlmsg_nexthop(&m.nlh, &nh), 0);
	assert_true(nh.blackhole);

	msg_init(&m, RTM_NEWNEXTHOP, sizeof(*h));
	put(&m, NHA_GROUP, g, 5); /* not a whole number of members, and no id */
	assert_int_equal(pr_nlmsg_nexthop(&m.nlh, &nh), -EINVAL);
}

static void test_neigh(void **state)
{
	struct msg m;
	struct pr_kneigh n;
	struct ndmsg *nd;
	unsigned char ip[4], mac[6] = { 2, 0, 0, 0, 0xaa, 0x12 };

	(void)state;
	nd = msg_init(&m, RTM_NEWNEIGH, sizeof(*nd));
	nd->ndm_family = AF_INET;
	nd->ndm_ifindex = 2;
	nd->ndm_state = NUD_REACHABLE;
	inet_pton(AF_INET, "192.0.2.12", ip);
	put(&m, NDA_DST, ip, 4);
	put(&m, NDA_LLADDR, mac, 6);
	assert_int_equal(pr_nlmsg_neigh(&m.nlh, &n), 0);
	assert_true(n.has_lladdr);
	assert_memory_equal(n.lladdr, mac, 6);
	assert_int_equal(n.state, NUD_REACHABLE);

	nd = msg_init(&m, RTM_NEWNEIGH, sizeof(*nd));
	nd->ndm_family = AF_INET;
	nd->ndm_state = NUD_INCOMPLETE;
	put(&m, NDA_DST, ip, 4);
	assert_int_equal(pr_nlmsg_neigh(&m.nlh, &n), 0);
	assert_false(n.has_lladdr);

	nd = msg_init(&m, RTM_NEWNEIGH, sizeof(*nd));
	nd->ndm_family = AF_BRIDGE;
	assert_int_equal(pr_nlmsg_neigh(&m.nlh, &n), PR_NLMSG_IGNORE);
}

static void test_link_vrf(void **state)
{
	struct msg m;
	struct pr_klink l;
	struct ifinfomsg *ifi;
	unsigned char mac[6] = { 2, 0, 0, 0, 0, 9 };
	struct rtattr *li, *data, *kind, *tbl;

	(void)state;
	ifi = msg_init(&m, RTM_NEWLINK, sizeof(*ifi));
	ifi->ifi_index = 9;
	ifi->ifi_flags = IFF_UP;
	put(&m, IFLA_IFNAME, "udn-blue", 9);
	put(&m, IFLA_ADDRESS, mac, 6);
	/* IFLA_LINKINFO { KIND "vrf", DATA { VRF_TABLE 1001 } }, nested by hand. */
	li = put(&m, IFLA_LINKINFO, NULL, 0);
	kind = put(&m, IFLA_INFO_KIND, "vrf", 4);
	data = put(&m, IFLA_INFO_DATA, NULL, 0);
	tbl = put(&m, IFLA_VRF_TABLE, (uint32_t[]){ 1001 }, 4);
	data->rta_len = (unsigned char *)tbl + RTA_ALIGN(tbl->rta_len) - (unsigned char *)data;
	li->rta_len = (unsigned char *)data + data->rta_len - (unsigned char *)li;
	(void)kind;
	assert_int_equal(pr_nlmsg_link(&m.nlh, &l), 0);
	assert_int_equal(l.ifindex, 9);
	assert_true(l.up);
	assert_string_equal(l.name, "udn-blue");
	assert_string_equal(l.kind, "vrf");
	assert_int_equal(l.vrf_table, 1001);
	assert_memory_equal(l.addr, mac, 6);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_route_single_path_v4),
		cmocka_unit_test(test_route_v6_and_big_table),
		cmocka_unit_test(test_route_via_v6_gateway),
		cmocka_unit_test(test_route_multipath),
		cmocka_unit_test(test_route_nhid_only_and_delete),
		cmocka_unit_test(test_route_ignored_and_malformed),
		cmocka_unit_test(test_nexthop_objects),
		cmocka_unit_test(test_neigh),
		cmocka_unit_test(test_link_vrf),
	};
	return cmocka_run_group_tests_name("nlmsg", tests, NULL, NULL);
}
