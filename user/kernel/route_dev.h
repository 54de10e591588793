/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The device the kernel reaches an address through, as `ip route get`
 * answers (RTM_GETROUTE): what `underlay: auto` resolves to. For one of the
 * node's own addresses (a local route, through lo) it is the device that
 * holds the address.
 */
#ifndef PR_KERNEL_ROUTE_DEV_H
#define PR_KERNEL_ROUTE_DEV_H

#include <net/if.h>
#include <stddef.h>

#include "lib/prefix.h"

/*
 * addr is a host prefix. 0 and ifname set; or -errno: -ENETUNREACH (or
 * -EHOSTUNREACH) without a route, -ENODEV when a local address is on no
 * device; why (may be NULL) says it in words.
 */
int pr_route_dev(const struct pr_prefix *addr, char ifname[IF_NAMESIZE], char *why, size_t len);

/*
 * The NIC under a bridge that holds the node's address (br-ex): the one
 * port with the bridge's own MAC, as OVN-Kubernetes sets br-ex up (it
 * gives the bridge its uplink's MAC). A port is a device whose master is
 * the bridge (a Linux bridge) or, for Open vSwitch, the bridge's own
 * master (ovs-system, shared by every OVS bridge: the MAC tells them
 * apart). 0 and ifname set; -ENOENT when no port, -EEXIST when several
 * ports, have the MAC; -errno on a netlink error.
 */
int pr_bridge_uplink(const char *bridge, char ifname[IF_NAMESIZE]);

#endif
