// SPDX-License-Identifier: GPL-2.0-only
/* What a device can take and what its packets carry (see devcaps.h). */
#include "kernel/devcaps.h"

#include <errno.h>
#include <net/if.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>
#include <linux/ethtool.h>
#include <linux/sockios.h>
#include <netlink/genl/ctrl.h>
#include <netlink/genl/genl.h>
#include <netlink/route/link.h>

/* The kernel's netdev family (linux/netdev.h, 6.3+; Debian 12's UAPI
 * headers predate it). */
#define NETDEV_FAMILY "netdev"
#define NETDEV_CMD_DEV_GET 1
#define NETDEV_A_DEV_IFINDEX 1
#define NETDEV_A_DEV_XDP_FEATURES 3
#define NETDEV_XDP_ACT_NDO_XMIT 4

/* Whether the NIC strips VLAN tags before XDP (rx-vlan-hw-parse or the
 * 802.1ad one active). 1 yes, 0 no, -errno when ethtool cannot say. */
static int strips_vlan_tags(const char *ifname)
{
	static const char *const names[] = { "rx-vlan-hw-parse", "rx-vlan-stag-hw-parse" };
	struct {
		struct ethtool_sset_info hdr;
		uint32_t len;
	} sset = { .hdr = { .cmd = ETHTOOL_GSSET_INFO, .sset_mask = 1ULL << ETH_SS_FEATURES } };
	struct ethtool_gstrings *strs = NULL;
	struct ethtool_gfeatures *feat = NULL;
	struct ifreq ifr = {};
	int fd, ret = -ENOMEM;
	uint32_t n, blocks;

	fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", ifname);
	ifr.ifr_data = (void *)&sset;
	if (ioctl(fd, SIOCETHTOOL, &ifr)) {
		ret = -errno;
		goto out;
	}
	n = sset.len;
	blocks = (n + 31) / 32;
	strs = calloc(1, sizeof(*strs) + (size_t)n * ETH_GSTRING_LEN);
	feat = calloc(1, sizeof(*feat) + blocks * sizeof(feat->features[0]));
	if (!strs || !feat)
		goto out;
	strs->cmd = ETHTOOL_GSTRINGS;
	strs->string_set = ETH_SS_FEATURES;
	strs->len = n;
	ifr.ifr_data = (void *)strs;
	feat->cmd = ETHTOOL_GFEATURES;
	feat->size = blocks;
	if (ioctl(fd, SIOCETHTOOL, &ifr)) {
		ret = -errno;
		goto out;
	}
	ifr.ifr_data = (void *)feat;
	if (ioctl(fd, SIOCETHTOOL, &ifr)) {
		ret = -errno;
		goto out;
	}
	ret = 0;
	for (uint32_t i = 0; i < n && !ret; i++) {
		const char *s = (const char *)strs->data + (size_t)i * ETH_GSTRING_LEN;

		for (size_t k = 0; k < sizeof(names) / sizeof(names[0]); k++)
			if (!strncmp(s, names[k], ETH_GSTRING_LEN) &&
			    (feat->features[i / 32].active & (1U << (i % 32))))
				ret = 1;
	}
out:
	free(strs);
	free(feat);
	close(fd);
	return ret;
}

int pr_dev_rx_xdp_safe(int ifindex, char *why, size_t why_len)
{
	struct nl_sock *sk = nl_socket_alloc();
	struct rtnl_link *l = NULL;
	char name[IF_NAMESIZE] = "";
	const char *kind;
	int ret, strips;

	if (!sk)
		return -ENOMEM;
	ret = nl_connect(sk, NETLINK_ROUTE);
	if (!ret)
		ret = rtnl_link_get_kernel(sk, ifindex, NULL, &l);
	if (ret) {
		ret = -ENODEV;
		goto out;
	}
	snprintf(name, sizeof(name), "%s", rtnl_link_get_name(l) ?: "");
	kind = rtnl_link_get_type(l);
	if (kind || (rtnl_link_get_flags(l) & IFF_LOOPBACK)) {
		snprintf(why, why_len, "a %s device hands over packets of local sockets (partial "
			 "checksums, GSO, VLAN tags in the skb) that XDP cannot see", kind ?: "loopback");
		ret = 0;
		goto out;
	}
	strips = strips_vlan_tags(name);
	if (strips) {
		snprintf(why, why_len, strips > 0 ? "the NIC strips VLAN tags before XDP sees them "
			 "(ethtool -K %s rxvlan off)" : "ethtool cannot say whether %s strips VLAN tags",
			 name);
		ret = 0;
		goto out;
	}
	ret = 1;
out:
	rtnl_link_put(l);
	nl_socket_free(sk);
	return ret;
}

struct xmit_walk {
	void (*fn)(void *arg, uint32_t ifindex);
	void *arg;
};

static int netdev_msg(struct nl_msg *msg, void *arg)
{
	struct xmit_walk *w = arg;
	struct nlattr *tb[NETDEV_A_DEV_XDP_FEATURES + 1];

	if (genlmsg_parse(nlmsg_hdr(msg), 0, tb, NETDEV_A_DEV_XDP_FEATURES, NULL))
		return NL_SKIP;
	if (tb[NETDEV_A_DEV_IFINDEX] && tb[NETDEV_A_DEV_XDP_FEATURES] &&
	    (nla_get_u64(tb[NETDEV_A_DEV_XDP_FEATURES]) & NETDEV_XDP_ACT_NDO_XMIT))
		w->fn(w->arg, nla_get_u32(tb[NETDEV_A_DEV_IFINDEX]));
	return NL_OK;
}

/* Before 6.3: tun devices always take XDP frames; any other might not. */
static int xmit_by_kind(struct xmit_walk *w)
{
	struct nl_sock *sk = nl_socket_alloc();
	struct nl_cache *cache = NULL;
	int err = -ENOMEM;

	if (!sk)
		return err;
	err = nl_connect(sk, NETLINK_ROUTE) ?: rtnl_link_alloc_cache(sk, AF_UNSPEC, &cache);
	if (err) {
		err = -EIO;
		goto out;
	}
	for (struct nl_object *o = nl_cache_get_first(cache); o; o = nl_cache_get_next(o)) {
		struct rtnl_link *l = (struct rtnl_link *)o;
		const char *kind = rtnl_link_get_type(l);

		if (kind && !strcmp(kind, "tun"))
			w->fn(w->arg, rtnl_link_get_ifindex(l));
	}
out:
	nl_cache_free(cache);
	nl_socket_free(sk);
	return err;
}

int pr_dev_xdp_xmit_each(void (*fn)(void *arg, uint32_t ifindex), void *arg)
{
	struct xmit_walk w = { fn, arg };
	struct nl_sock *sk = nl_socket_alloc();
	struct nl_msg *msg = NULL;
	int family, err = -ENOMEM;

	if (!sk)
		return err;
	if (genl_connect(sk)) {
		err = -EIO;
		goto out;
	}
	family = genl_ctrl_resolve(sk, NETDEV_FAMILY);
	if (family < 0) {
		nl_socket_free(sk);
		return xmit_by_kind(&w);
	}
	msg = nlmsg_alloc();
	if (!msg || !genlmsg_put(msg, NL_AUTO_PORT, NL_AUTO_SEQ, family, 0, NLM_F_DUMP,
				 NETDEV_CMD_DEV_GET, 1))
		goto out;
	nl_socket_modify_cb(sk, NL_CB_VALID, NL_CB_CUSTOM, netdev_msg, &w);
	err = nl_send_auto(sk, msg) < 0 || nl_recvmsgs_default(sk) < 0 ? -EIO : 0;
out:
	nlmsg_free(msg);
	nl_socket_free(sk);
	return err;
}

struct xmit_one {
	uint32_t ifindex;
	bool found;
};

static void match_one(void *arg, uint32_t ifindex)
{
	struct xmit_one *o = arg;

	if (ifindex == o->ifindex)
		o->found = true;
}

bool pr_dev_xdp_xmit(uint32_t ifindex)
{
	struct xmit_one o = { .ifindex = ifindex };

	return !pr_dev_xdp_xmit_each(match_one, &o) && o.found;
}
