/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Packet parsing shared by every podroute program: Ethernet (untagged),
 * IPv4 (options walked, not skipped blindly) and IPv6, plus the L4 ports
 * the kernel's multipath hash may use.
 *
 * Each parser is bounds-checked against data_end and reports one
 * enum pr_reason on failure, so that the caller counts it and passes the
 * packet untouched. Header checks use the linear area; length checks of
 * the whole L3 packet use pkt_len (an skb's payload may be non-linear).
 */
#ifndef PR_PARSE_H
#define PR_PARSE_H

#include <stdbool.h>
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/in.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <bpf/bpf_endian.h>
#include <bpf/bpf_helpers.h>

#include "podroute_abi.h"

#define PR_IPV4_OPT_MAX 40

/* What the parser found; offsets are from the start of the frame. */
struct pr_pkt {
	void *data;
	void *data_end;
	__u32 pkt_len;      /* whole frame, for byte counters and L3 length checks */
	struct ethhdr *eth;
	__u16 l3_proto;     /* ETH_P_IP / ETH_P_IPV6, host order */
	__u8 l4_proto;
	__u16 l3_off;
	struct iphdr *ip4;
	struct ipv6hdr *ip6;
	__be16 sport, dport; /* 0 when not available (fragment, ext header) */
	bool icmp_error;     /* ICMP/ICMPv6 error message (carries an inner header) */
};

/*
 * Ethernet. A VLAN tag (802.1Q or 802.1ad) names another device, the VLAN
 * device the kernel would hand the frame to, with its own VRF, addresses
 * and forwarding settings; or, with none for that tag, the kernel drops
 * the frame. Either way it is not this device's packet to decide: tagged
 * frames take the slow path, and podroute attached to the VLAN device
 * itself (which sees them untagged) decides there. Returns 0 or an enum
 * pr_reason.
 */
static __always_inline int pr_parse_l2(struct pr_pkt *p)
{
	struct ethhdr *eth = p->data;
	__u16 proto;

	if ((void *)(eth + 1) > p->data_end)
		return PR_R_MALFORMED;
	p->eth = eth;
	proto = bpf_ntohs(eth->h_proto);
	if (proto == ETH_P_8021Q || proto == ETH_P_8021AD)
		return PR_R_VLAN_TAGS;
	if (proto != ETH_P_IP && proto != ETH_P_IPV6)
		return PR_R_NOT_IP;
	p->l3_proto = proto;
	p->l3_off = sizeof(*eth);
	return 0;
}

/*
 * IPv4 options other than NOP/EOL padding (router alert, source routes,
 * record route, timestamps) ask every router for per-hop processing that
 * the kernel does and we do not: such packets take the slow path. The walk
 * is bounded by the 40 option bytes an IHL of 15 allows (a bounded loop the
 * verifier walks; clang cannot unroll it because of the early exits).
 */
static __always_inline int pr_ipv4_options_need_slow_path(struct pr_pkt *p, __u8 *opt, __u32 optlen)
{
	for (__u32 i = 0; i < PR_IPV4_OPT_MAX; i++) {
		if (i >= optlen)
			break;
		if ((void *)(opt + i + 1) > p->data_end)
			return 1;
		if (opt[i] == IPOPT_END)
			break;
		if (opt[i] != IPOPT_NOOP)
			return 1;
	}
	return 0;
}

static __always_inline void pr_parse_ports(struct pr_pkt *p, void *l4)
{
	__be16 *ports = l4;
	__u8 *type = l4;

	/* ICMP errors: destination unreachable, source quench, redirect, time
	 * exceeded, parameter problem; ICMPv6: types below 128. */
	if (p->l4_proto == IPPROTO_ICMP || p->l4_proto == IPPROTO_ICMPV6) {
		if ((void *)(type + 1) > p->data_end)
			return;
		if (p->l4_proto == IPPROTO_ICMP)
			p->icmp_error = *type == 3 || *type == 4 || *type == 5 || *type == 11 || *type == 12;
		else
			p->icmp_error = *type < 128;
		return;
	}
	if (p->l4_proto != IPPROTO_TCP && p->l4_proto != IPPROTO_UDP &&
	    p->l4_proto != IPPROTO_SCTP)
		return;
	if ((void *)(ports + 2) > p->data_end)
		return;
	p->sport = ports[0];
	p->dport = ports[1];
}

/* RFC 1812 5.2.2: a router discards an IPv4 packet whose header checksum is
 * wrong (the kernel does, in ip_rcv). The ones' complement sum over the
 * header, checksum included, folds to 0xffff when it is right. */
static __always_inline bool pr_ipv4_csum_ok(struct pr_pkt *p, struct iphdr *ip)
{
	__u32 *w = (__u32 *)ip;
	__u64 sum;

	/* The fixed header's five words with one bounds check, then options,
	 * which nearly no header has. */
	if ((void *)(w + 5) > p->data_end)
		return false;
	sum = (__u64)w[0] + w[1] + w[2] + w[3] + w[4];
#pragma unroll
	for (__u32 i = 5; i < 15; i++) {
		if (i >= ip->ihl)
			break;
		if ((void *)(w + i + 1) > p->data_end)
			return false;
		sum += w[i];
	}
	sum = (sum & 0xffffffff) + (sum >> 32);
	sum = (sum & 0xffffffff) + (sum >> 32);
	sum = (sum & 0xffff) + (sum >> 16);
	sum = (sum & 0xffff) + (sum >> 16);
	return sum == 0xffff;
}

static __always_inline int pr_parse_ipv4(struct pr_pkt *p)
{
	struct iphdr *ip = p->data + p->l3_off;
	__u32 ihl_bytes, avail;

	if ((void *)(ip + 1) > p->data_end)
		return PR_R_MALFORMED;
	if (ip->version != 4 || ip->ihl < 5)
		return PR_R_MALFORMED;
	ihl_bytes = ip->ihl * 4;
	if ((void *)ip + ihl_bytes > p->data_end)
		return PR_R_MALFORMED;
	avail = p->pkt_len - p->l3_off;
	if (bpf_ntohs(ip->tot_len) < ihl_bytes || bpf_ntohs(ip->tot_len) > avail)
		return PR_R_MALFORMED;
	if (!pr_ipv4_csum_ok(p, ip))
		return PR_R_BAD_CSUM;
	p->ip4 = ip;
	p->l4_proto = ip->protocol;
	if (ihl_bytes > sizeof(*ip) &&
	    pr_ipv4_options_need_slow_path(p, (__u8 *)(ip + 1), ihl_bytes - sizeof(*ip)))
		return PR_R_IP_OPTIONS;
	/* Ports only in the first fragment (offset 0, no MF) of a flow. */
	if (!(ip->frag_off & bpf_htons(0x3fff)))
		pr_parse_ports(p, (void *)ip + ihl_bytes);
	return 0;
}

static __always_inline int pr_parse_ipv6(struct pr_pkt *p)
{
	struct ipv6hdr *ip6 = p->data + p->l3_off;

	if ((void *)(ip6 + 1) > p->data_end)
		return PR_R_MALFORMED;
	if (ip6->version != 6)
		return PR_R_MALFORMED;
	if (bpf_ntohs(ip6->payload_len) + sizeof(*ip6) > p->pkt_len - p->l3_off)
		return PR_R_MALFORMED;
	p->ip6 = ip6;
	p->l4_proto = ip6->nexthdr;
	/* Hop-by-hop options are for every router to read (MLD, RSVP). */
	if (ip6->nexthdr == IPPROTO_HOPOPTS)
		return PR_R_IP_OPTIONS;
	pr_parse_ports(p, ip6 + 1);
	return 0;
}

/* Destinations and sources no router forwards, checked before any lookup. */
static __always_inline int pr_ipv4_martian(__be32 a)
{
	__u32 h = bpf_ntohl(a);

	return (h >> 24) == 0 || (h >> 24) == 127 || (h >> 28) == 0xe || /* 0/8, 127/8, 224/4 */
	       (h >> 16) == 0xa9fe || h == 0xffffffff;                     /* 169.254/16, bcast */
}

static __always_inline int pr_ipv6_martian(const struct in6_addr *a)
{
	__u32 w0 = bpf_ntohl(a->in6_u.u6_addr32[0]);

	if ((w0 >> 24) == 0xff || (w0 >> 22) == (0xfe80 >> 6)) /* ff00::/8, fe80::/10 */
		return 1;
	/* :: and ::1 */
	return w0 == 0 && a->in6_u.u6_addr32[1] == 0 && a->in6_u.u6_addr32[2] == 0 &&
	       (bpf_ntohl(a->in6_u.u6_addr32[3]) >> 1) == 0;
}

/*
 * Branch on the family by l3_proto, never by which pointer is NULL: the
 * verifier does not know a packet pointer is non-NULL and would follow the
 * other family's branch with a NULL header.
 */
static __always_inline bool pr_is_ipv4(const struct pr_pkt *p)
{
	return p->l3_proto == ETH_P_IP;
}

static __always_inline int pr_parse_l3(struct pr_pkt *p)
{
	int r;

	if (p->l3_proto == ETH_P_IP) {
		r = pr_parse_ipv4(p);
		if (r)
			return r;
		if (pr_ipv4_martian(p->ip4->daddr) || pr_ipv4_martian(p->ip4->saddr))
			return PR_R_MARTIAN;
		return 0;
	}
	r = pr_parse_ipv6(p);
	if (r)
		return r;
	if (pr_ipv6_martian(&p->ip6->daddr) || pr_ipv6_martian(&p->ip6->saddr))
		return PR_R_MARTIAN;
	return 0;
}

#endif /* PR_PARSE_H */
