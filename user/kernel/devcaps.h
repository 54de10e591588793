/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * What a device can take and what its packets carry, asked of the kernel:
 * the two facts that decide between XDP and TC (docs/design.md, "Invariants":
 * XDP or TC, per device).
 *
 *   receive  XDP sees a frame, not the skb: the partial checksum of a
 *            packet from a local socket, GSO, and a VLAN tag the kernel or
 *            the NIC already moved into metadata are invisible to it, and
 *            an XDP redirect drops that state. Only a NIC that receives
 *            from a wire and leaves VLAN tags in the frame is safe for XDP;
 *            veth, tap, OVS internal ports and other virtual devices hand
 *            over local packets and get TC.
 *   transmit Only devices with ndo_xdp_xmit take XDP frames (a veth only
 *            while its peer has NAPI); a redirect into any other is dropped
 *            silently. The kernel says which (netdev family, 6.3+).
 */
#ifndef PR_DEVCAPS_H
#define PR_DEVCAPS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* 1 when native or generic XDP on the device sees what the kernel would,
 * 0 when not (why says so, for the operator), -errno on error. */
int pr_dev_rx_xdp_safe(int ifindex, char *why, size_t why_len);

/* Devices that take XDP frames: calls fn for each ifindex the kernel
 * reports with ndo_xdp_xmit. Kernels before 6.3 cannot say: then only tun
 * devices count (XDP hands every other target to TC, which is always
 * correct). Returns 0 or -errno. */
int pr_dev_xdp_xmit_each(void (*fn)(void *arg, uint32_t ifindex), void *arg);

/* One device's answer of pr_dev_xdp_xmit_each. */
bool pr_dev_xdp_xmit(uint32_t ifindex);

#endif
