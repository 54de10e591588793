/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Crafted frames for the program tests: Ethernet, 0-3 VLAN tags, IPv4
 * (with an options area) or IPv6 (optionally with a hop-by-hop header),
 * UDP or ICMP, a patterned payload. Each knob a test needs to break a header on
 * purpose is a field here.
 */
#ifndef PKTBUILD_H
#define PKTBUILD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define PKT_MAX 2048

struct pkt_spec {
	uint8_t dmac[6], smac[6];
	uint16_t vlan_proto[3]; /* tags in order, 0 = end (max 3) */
	uint16_t ethertype;     /* 0: from family */
	int family;             /* AF_INET / AF_INET6 */
	const char *src, *dst;
	uint8_t ttl;            /* TTL or hop limit */
	const uint8_t *ipopt;   /* IPv4 options (padded by the caller to 4n) */
	unsigned ipopt_len;
	bool hopopts;           /* IPv6: insert a hop-by-hop header */
	uint16_t sport, dport;
	unsigned payload_len;
	uint16_t frag_off;      /* IPv4 frag_off field, host order */
	uint16_t ip_id;         /* IPv4 identification; 0 means 0x1234 */
	/* deliberate damage */
	int version_override;   /* 0: correct */
	int ihl_override;       /* 0: correct */
	int totlen_delta;       /* added to IPv4 tot_len / IPv6 payload_len */
	bool bad_csum;          /* IPv4 header checksum off by one */
	uint8_t icmp_type;      /* nonzero: ICMP / ICMPv6 of this type instead of UDP */
};

/* Build the frame into buf (PKT_MAX); returns its length. l3_off/l4_off out. */
size_t pkt_build(const struct pkt_spec *s, uint8_t *buf, size_t *l3_off);

/* RFC 791 checksum over an IPv4 header with the checksum field as is. */
uint16_t ipv4_csum(const uint8_t *hdr, size_t len);

#endif
