/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * One acked RTM_NEWROUTE / RTM_DELROUTE over raw rtnetlink, for the
 * control-plane benches: 10.a.b.0/24 via gw dev ifindex, proto bgp, table
 * main. Returns 0 or the kernel's -errno.
 */
#ifndef BENCH_RTNL_ROUTE_H
#define BENCH_RTNL_ROUTE_H

#include <errno.h>
#include <stdint.h>
#include <string.h>
#include <sys/socket.h>
#include <linux/rtnetlink.h>

static inline int rtnl_route24(int fd, int type, uint8_t a, uint8_t b, uint32_t gw, int ifindex)
{
	struct {
		struct nlmsghdr n;
		struct rtmsg r;
		char attrs[64];
	} req = {};
	char ack[256];
	uint8_t dst[4] = { 10, a, b, 0 };
	const void *val[3] = { dst, &gw, &ifindex };
	const unsigned short type_of[3] = { RTA_DST, RTA_GATEWAY, RTA_OIF };
	struct nlmsgerr *e;

	req.n.nlmsg_len = NLMSG_LENGTH(sizeof(req.r));
	req.n.nlmsg_type = type;
	/* Replace: a bench restarted over leftovers still makes progress. */
	req.n.nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK | (type == RTM_NEWROUTE ? NLM_F_CREATE | NLM_F_REPLACE : 0);
	req.r.rtm_family = AF_INET;
	req.r.rtm_dst_len = 24;
	req.r.rtm_table = RT_TABLE_MAIN;
	req.r.rtm_protocol = RTPROT_BGP;
	req.r.rtm_scope = RT_SCOPE_UNIVERSE;
	req.r.rtm_type = RTN_UNICAST;
	for (int i = 0; i < 3; i++) {
		struct rtattr *rta = (void *)((char *)&req + NLMSG_ALIGN(req.n.nlmsg_len));

		rta->rta_type = type_of[i];
		rta->rta_len = RTA_LENGTH(4);
		memcpy(RTA_DATA(rta), val[i], 4);
		req.n.nlmsg_len = NLMSG_ALIGN(req.n.nlmsg_len) + RTA_ALIGN(rta->rta_len);
	}
	if (send(fd, &req, req.n.nlmsg_len, 0) < 0 || recv(fd, ack, sizeof(ack), 0) < 0)
		return -errno;
	e = NLMSG_DATA((struct nlmsghdr *)ack);
	return ((struct nlmsghdr *)ack)->nlmsg_type == NLMSG_ERROR ? e->error : 0;
}

#endif
