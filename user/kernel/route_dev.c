// SPDX-License-Identifier: GPL-2.0-only
/* The device of the kernel's route to an address (see route_dev.h). */
#include "kernel/route_dev.h"

#include <errno.h>
#include <ifaddrs.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>
#include <netinet/in.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <netlink/route/link.h>

/* One RTM_GETROUTE for addr: the route's type and output device. */
static int route_get(const struct pr_prefix *addr, unsigned char *type, int *oif)
{
	struct {
		struct nlmsghdr n;
		struct rtmsg r;
		char attrs[64];
	} req = {};
	union {
		struct nlmsghdr n;
		char buf[8192];
	} resp;
	struct sockaddr_nl kernel = { .nl_family = AF_NETLINK };
	size_t alen = addr->family == AF_INET ? 4 : 16;
	struct rtattr *rta;
	int fd, err = 0;
	ssize_t n;

	req.n.nlmsg_len = NLMSG_LENGTH(sizeof(req.r));
	req.n.nlmsg_type = RTM_GETROUTE;
	req.n.nlmsg_flags = NLM_F_REQUEST;
	req.n.nlmsg_seq = 1;
	req.r.rtm_family = addr->family;
	req.r.rtm_dst_len = alen * 8;
	rta = (struct rtattr *)((char *)&req + NLMSG_ALIGN(req.n.nlmsg_len));
	rta->rta_type = RTA_DST;
	rta->rta_len = RTA_LENGTH(alen);
	memcpy(RTA_DATA(rta), addr->addr, alen);
	req.n.nlmsg_len = NLMSG_ALIGN(req.n.nlmsg_len) + RTA_ALIGN(rta->rta_len);

	fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);
	if (fd < 0)
		return -errno;
	if (sendto(fd, &req, req.n.nlmsg_len, 0, (struct sockaddr *)&kernel, sizeof(kernel)) < 0) {
		err = -errno;
		goto out;
	}
	n = recv(fd, &resp, sizeof(resp), 0);
	if (n < 0) {
		err = -errno;
		goto out;
	}
	err = -EPROTO;
	for (struct nlmsghdr *h = &resp.n; NLMSG_OK(h, (size_t)n); h = NLMSG_NEXT(h, n)) {
		struct rtmsg *r = NLMSG_DATA(h);
		int alen2;

		if (h->nlmsg_type == NLMSG_ERROR) {
			struct nlmsgerr *e = NLMSG_DATA(h);

			err = e->error ? e->error : -EPROTO;
			break;
		}
		if (h->nlmsg_type != RTM_NEWROUTE)
			continue;
		*type = r->rtm_type;
		*oif = 0;
		alen2 = RTM_PAYLOAD(h);
		for (rta = RTM_RTA(r); RTA_OK(rta, alen2); rta = RTA_NEXT(rta, alen2))
			if (rta->rta_type == RTA_OIF)
				memcpy(oif, RTA_DATA(rta), sizeof(*oif));
		err = 0;
		break;
	}
out:
	close(fd);
	return err;
}

/* The device that holds addr, one of this node's own. */
static int holder_of(const struct pr_prefix *addr, char ifname[IF_NAMESIZE])
{
	struct ifaddrs *list, *i;
	int err = -ENODEV;

	if (getifaddrs(&list))
		return -errno;
	for (i = list; i && err; i = i->ifa_next) {
		const void *a;

		if (!i->ifa_addr || i->ifa_addr->sa_family != addr->family)
			continue;
		a = addr->family == AF_INET ? (const void *)&((struct sockaddr_in *)i->ifa_addr)->sin_addr
					    : (const void *)&((struct sockaddr_in6 *)i->ifa_addr)->sin6_addr;
		if (!memcmp(a, addr->addr, addr->family == AF_INET ? 4 : 16)) {
			snprintf(ifname, IF_NAMESIZE, "%s", i->ifa_name);
			err = 0;
		}
	}
	freeifaddrs(list);
	return err;
}

int pr_route_dev(const struct pr_prefix *addr, char ifname[IF_NAMESIZE], char *why, size_t len)
{
	unsigned char type = 0;
	int oif = 0, err = route_get(addr, &type, &oif);

	if (!err && type == RTN_LOCAL) {
		err = holder_of(addr, ifname);
		if (err && why)
			snprintf(why, len, "a local address on no device (%s)", strerror(-err));
		return err;
	}
	if (!err && type != RTN_UNICAST)
		err = -ENETUNREACH; /* blackhole, unreachable, prohibit ... */
	if (!err && (!oif || !if_indextoname(oif, ifname)))
		err = -ENODEV;
	if (err && why)
		snprintf(why, len, "%s", err == -ENETUNREACH || err == -EHOSTUNREACH ? "no route"
					 : strerror(-err));
	return err;
}

int pr_bridge_uplink(const char *bridge, char ifname[IF_NAMESIZE])
{
	struct nl_sock *sk = nl_socket_alloc();
	struct nl_cache *cache = NULL;
	struct rtnl_link *br;
	struct nl_object *o;
	struct nl_addr *mac;
	int err, found = 0, master;

	if (!sk)
		return -ENOMEM;
	err = nl_connect(sk, NETLINK_ROUTE);
	if (!err)
		err = rtnl_link_alloc_cache(sk, AF_UNSPEC, &cache);
	if (err) {
		nl_socket_free(sk);
		return -EIO;
	}
	br = rtnl_link_get_by_name(cache, bridge);
	mac = br ? rtnl_link_get_addr(br) : NULL;
	if (!br || !mac) {
		err = -ENODEV;
		goto out;
	}
	master = rtnl_link_get_master(br) ?: rtnl_link_get_ifindex(br);
	for (o = nl_cache_get_first(cache); o; o = nl_cache_get_next(o)) {
		struct rtnl_link *l = (struct rtnl_link *)o;
		struct nl_addr *a = rtnl_link_get_addr(l);

		if (l == br || rtnl_link_get_master(l) != master || !a || nl_addr_cmp(a, mac))
			continue;
		if (!found++)
			snprintf(ifname, IF_NAMESIZE, "%s", rtnl_link_get_name(l));
	}
	err = found == 1 ? 0 : found ? -EEXIST : -ENOENT;
out:
	rtnl_link_put(br);
	nl_cache_free(cache);
	nl_socket_free(sk);
	return err;
}
