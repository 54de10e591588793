// SPDX-License-Identifier: GPL-2.0-only
/*
 * The table of program-test cases: one frame, one expected verdict, the
 * counters that must move, and, for redirects, where the frame goes. Each
 * row runs through the XDP and the TC entry point of its side, as two
 * subtests. The fixture the rows rely on is env_fixture() in test_progs.c:
 *
 *   10.128.0.0/16 -> net 2 (tgt1)   10.128.1.0/24 -> net 1 (tgt0)
 *   10.128.1.7/32 -> net 3 (tgt2)   fd00:10:128::/48 -> net 2, .../64 -> net 1
 *   10.50/16, fd00:50::/32 -> net 4, FIB in table 100 (neighbour known)
 *   10.51/16 -> FIB, no neighbour    10.52/16 -> FIB, blackhole
 *   10.60/16 pass   10.61/16 drop    10.62/16 shadow net   10.63/16 skb-only target
 *   10.64/16 no anti-spoofing        10.65/16 invalid net  10.66/16 target not allowed
 *   10.67/16 drop in a shadow net    10.68/16 FIB, skb-only
 *   10.69/16 target without XDP transmit (in1)
 *   east-west (the kernel's routes, run.sh): 10.200/16 + fd00:200::/32 via
 *              R1; 10.201/16 ECMP R1,R2; 10.202/16 via an unresolved
 *              gateway; 10.203/16 no kernel route; inside 10.200/16: .7.7
 *              local, .5/24 blackhole, .6/24 via in1p (not a target),
 *              .4/24 connected (10.200.4.4 delivered directly); ul1 MTU 1400
 */
#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <linux/bpf.h>
#include <linux/pkt_cls.h>

#include "kernel/features.h"
#include "pktbuild.h"
#include "progtest.h"

enum dm { DM_RMAC, DM_BRMAC, DM_OTHER, DM_BCAST, DM_MCAST };
enum expv { X_PASS, X_DROP, X_REDIRECT, X_DEFER };
enum tgt { T_NONE, T_NET1, T_NET2, T_NET3, T_FIB4, T_FIB6, T_NH1, T_DIRECT, T_IN1 };
enum only { BOTH, XDP_ONLY, TC_ONLY };
enum side { UL, OVN };

struct tcase {
	const char *name;
	enum side side;
	enum dm dm;
	uint16_t vlans[3];
	uint16_t ethertype;
	int family;
	const char *src, *dst;
	uint8_t ttl; /* 0 means 64 unless ttl0 */
	bool ttl0;
	const uint8_t *opt;
	unsigned optlen;
	bool hopopts;
	uint16_t frag;
	int ver, ihl, totd;
	unsigned plen; /* UDP payload, 0 means 32 */
	int csum_edge; /* IPv4: pick an IP id so the checksum starts as this value (or, if
			* negative, any value whose high byte is 0xff) */
	enum expv exp;
	uint32_t net, reason, reason2;
	enum tgt tgt;
	enum only only;
	bool unknown_iface;
	bool vrf_in;   /* received on in1, the underlay device in table 100's VRF */
	bool global_shadow;
	bool skb_only;  /* the target takes no XDP frames (X_DEFER says so by itself) */
	bool no_antispoof; /* pr_config: PR_G_F_NO_ANTISPOOF (the agent: no network has it on) */
	bool agent_gone; /* the agent's heartbeat older than its bound (else fresh) */
	bool badck;     /* IPv4 header checksum off by one */
	uint8_t icmp;   /* ICMP / ICMPv6 of this type instead of UDP */
};

static const uint8_t OPT_NOP4[4] = { 1, 1, 1, 0 };
static const uint8_t OPT_NOP40[40] = { 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
				       1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0 };
static const uint8_t OPT_RA[4] = { 0x94, 4, 0, 0 };          /* router alert */
static const uint8_t OPT_RR[8] = { 7, 7, 4, 0, 0, 0, 0, 1 }; /* record route, then NOP */
static const uint8_t OPT_LSRR[8] = { 1, 0x83, 7, 4, 10, 0, 0, 1 };

#define V4 .family = AF_INET
#define V6 .family = AF_INET6
#define Q 0x8100
#define AD 0x88a8
#define HIT(n, t) .exp = X_REDIRECT, .net = n, .reason = PR_R_REDIRECT, .tgt = t
#define PASS(n, r) .exp = X_PASS, .net = n, .reason = r
#define DROP(n, r) .exp = X_DROP, .net = n, .reason = r

static const struct tcase cases[] = {
	/* longest-prefix match and the redirect action */
	{ "v4 /24 beats /16", UL, V4, .dst = "10.128.1.5", HIT(1, T_NET1) },
	{ "v4 /16 only", UL, V4, .dst = "10.128.9.5", HIT(2, T_NET2) },
	{ "v4 /32 beats /24", UL, V4, .dst = "10.128.1.7", HIT(3, T_NET3) },
	{ "v4 miss", UL, V4, .dst = "10.129.0.1", PASS(0, PR_R_MISS) },
	{ "v6 /64 beats /48", UL, V6, .dst = "fd00:10:128:1::5", HIT(1, T_NET1) },
	{ "v6 /48 only", UL, V6, .dst = "fd00:10:128:9::5", HIT(2, T_NET2) },
	{ "v6 miss", UL, V6, .dst = "fd00:99::1", PASS(0, PR_R_MISS) },
	/* VLAN tags */
	{ "v4 one 802.1Q tag: the VLAN device's", UL, .vlans = { Q }, V4, .dst = "10.128.1.5", PASS(0, PR_R_VLAN_TAGS) },
	{ "v4 802.1ad+802.1Q tags: the VLAN device's", UL, .vlans = { AD, Q }, V4, .dst = "10.128.1.5", PASS(0, PR_R_VLAN_TAGS) },
	{ "v6 two tags: the VLAN device's", UL, .vlans = { AD, Q }, V6, .dst = "fd00:10:128:1::5", PASS(0, PR_R_VLAN_TAGS) },
	{ "v4 three tags", UL, .vlans = { AD, Q, Q }, V4, .dst = "10.128.1.5", PASS(0, PR_R_VLAN_TAGS) },
	{ "v4 one tag, no prefix either", UL, .vlans = { Q }, V4, .dst = "10.129.0.1", PASS(0, PR_R_VLAN_TAGS) },
	/* L2 filtering */
	{ "ARP", UL, .ethertype = 0x0806, V4, PASS(0, PR_R_NOT_IP) },
	{ "ARP behind a tag", UL, .vlans = { Q }, .ethertype = 0x0806, V4, PASS(0, PR_R_VLAN_TAGS) },
	{ "LLDP", UL, .ethertype = 0x88cc, V4, PASS(0, PR_R_NOT_IP) },
	{ "broadcast MAC", UL, .dm = DM_BCAST, V4, .dst = "10.128.1.5", PASS(0, PR_R_NOT_FOR_US) },
	{ "multicast MAC", UL, .dm = DM_MCAST, V4, .dst = "10.128.1.5", PASS(0, PR_R_NOT_FOR_US) },
	{ "someone else's MAC", UL, .dm = DM_OTHER, V4, .dst = "10.128.1.5", PASS(0, PR_R_NOT_FOR_US) },
	{ "v6 someone else's MAC", UL, .dm = DM_OTHER, V6, .dst = "fd00:10:128:1::5", PASS(0, PR_R_NOT_FOR_US) },
	{ "bridge's MAC accepted", UL, .dm = DM_BRMAC, V4, .dst = "10.128.1.5", HIT(1, T_NET1) },
	{ "receiving device not configured", UL, V4, .dst = "10.128.1.5", .unknown_iface = true, PASS(0, PR_R_NO_IFACE) },
	/* TTL / hop limit */
	{ "TTL 0 passes", UL, V4, .dst = "10.128.1.5", .ttl0 = true, PASS(1, PR_R_TTL) },
	{ "TTL 1 passes", UL, V4, .dst = "10.128.1.5", .ttl = 1, PASS(1, PR_R_TTL) },
	{ "TTL 2 forwarded as 1", UL, V4, .dst = "10.128.1.5", .ttl = 2, HIT(1, T_NET1) },
	{ "TTL 255 forwarded as 254", UL, V4, .dst = "10.128.1.5", .ttl = 255, HIT(1, T_NET1) },
	{ "checksum 0xffxx (the carry edge on big-endian hosts)", UL, V4, .dst = "10.128.1.5", .csum_edge = -1, HIT(1, T_NET1) },
	{ "checksum 0xfeff becomes 0x0000", UL, V4, .dst = "10.128.1.5", .csum_edge = 0xfeff, HIT(1, T_NET1) },
	{ "hop limit 0 passes", UL, V6, .dst = "fd00:10:128:1::5", .ttl0 = true, PASS(1, PR_R_TTL) },
	{ "hop limit 1 passes", UL, V6, .dst = "fd00:10:128:1::5", .ttl = 1, PASS(1, PR_R_TTL) },
	{ "hop limit 2 forwarded as 1", UL, V6, .dst = "fd00:10:128:1::5", .ttl = 2, HIT(1, T_NET1) },
	{ "hop limit 255 forwarded", UL, V6, .dst = "fd00:10:128:1::5", .ttl = 255, HIT(1, T_NET1) },
	/* IPv4 options, IPv6 hop-by-hop */
	{ "IHL 6, NOP padding", UL, V4, .dst = "10.128.1.5", .opt = OPT_NOP4, .optlen = 4, HIT(1, T_NET1) },
	{ "IHL 15, 40 bytes of NOP", UL, V4, .dst = "10.128.1.5", .opt = OPT_NOP40, .optlen = 40, HIT(1, T_NET1) },
	{ "IHL 6 behind two tags", UL, .vlans = { AD, Q }, V4, .dst = "10.128.1.5", .opt = OPT_NOP4, .optlen = 4, PASS(0, PR_R_VLAN_TAGS) },
	{ "router alert option", UL, V4, .dst = "10.128.1.5", .opt = OPT_RA, .optlen = 4, PASS(0, PR_R_IP_OPTIONS) },
	{ "record route option", UL, V4, .dst = "10.128.1.5", .opt = OPT_RR, .optlen = 8, PASS(0, PR_R_IP_OPTIONS) },
	{ "loose source route after NOP", UL, V4, .dst = "10.128.1.5", .opt = OPT_LSRR, .optlen = 8, PASS(0, PR_R_IP_OPTIONS) },
	{ "v6 hop-by-hop header", UL, V6, .dst = "fd00:10:128:1::5", .hopopts = true, PASS(0, PR_R_IP_OPTIONS) },
	{ "v4 first fragment", UL, V4, .dst = "10.128.1.5", .frag = 0x2000, HIT(1, T_NET1) },
	{ "v4 later fragment", UL, V4, .dst = "10.128.1.5", .frag = 0x0010, HIT(1, T_NET1) },
	/* malformed headers */
	{ "v4 version 5", UL, V4, .dst = "10.128.1.5", .ver = 5, PASS(0, PR_R_MALFORMED) },
	{ "v4 IHL 4", UL, V4, .dst = "10.128.1.5", .ihl = 4, PASS(0, PR_R_MALFORMED) },
	{ "v4 IHL beyond frame", UL, V4, .dst = "10.128.1.5", .ihl = 15, .plen = 8, PASS(0, PR_R_MALFORMED) },
	{ "v4 tot_len beyond frame", UL, V4, .dst = "10.128.1.5", .totd = 1, PASS(0, PR_R_MALFORMED) },
	{ "v4 tot_len below IHL", UL, V4, .dst = "10.128.1.5", .totd = -(8 + 32 + 1), PASS(0, PR_R_MALFORMED) },
	{ "v4 short tot_len (L2 padding) ok", UL, V4, .dst = "10.128.1.5", .totd = -16, HIT(1, T_NET1) },
	{ "v6 version 4", UL, V6, .dst = "fd00:10:128:1::5", .ver = 4, PASS(0, PR_R_MALFORMED) },
	{ "v6 payload_len beyond frame", UL, V6, .dst = "fd00:10:128:1::5", .totd = 1, PASS(0, PR_R_MALFORMED) },
	/* martians */
	{ "v4 loopback destination", UL, V4, .dst = "127.0.0.1", PASS(0, PR_R_MARTIAN) },
	{ "v4 multicast destination", UL, V4, .dst = "224.0.0.5", PASS(0, PR_R_MARTIAN) },
	{ "v4 zero source", UL, V4, .src = "0.0.0.0", .dst = "10.128.1.5", PASS(0, PR_R_MARTIAN) },
	{ "v6 link-local destination", UL, V6, .dst = "fe80::1", PASS(0, PR_R_MARTIAN) },
	{ "v6 multicast destination", UL, V6, .dst = "ff02::1", PASS(0, PR_R_MARTIAN) },
	{ "v6 loopback source", UL, V6, .src = "::1", .dst = "fd00:10:128:1::5", PASS(0, PR_R_MARTIAN) },
	/* anti-spoofing */
	{ "spoofed v4 source dropped", UL, V4, .src = "10.128.1.9", .dst = "10.128.9.5", DROP(1, PR_R_SPOOF) },
	{ "spoofed from a /16 network", UL, V4, .src = "10.128.200.1", .dst = "10.128.1.5", DROP(2, PR_R_SPOOF) },
	{ "spoofed v6 source dropped", UL, V6, .src = "fd00:10:128:1::9", .dst = "fd00:10:128:1::5", DROP(1, PR_R_SPOOF) },
	{ "source in a network without anti-spoofing", UL, V4, .src = "10.64.0.9", .dst = "10.128.1.5", HIT(1, T_NET1) },
	/* The flag is the agent's promise that no network has it on; a
	 * datapath that skips the source lookup on it forwards the spoof. */
	{ "spoofed v4 source, pr_config says no anti-spoofing: not looked up", UL, V4, .src = "10.128.1.9", .dst = "10.128.9.5", .no_antispoof = true, HIT(2, T_NET2) },
	{ "spoofed v6 source, pr_config says no anti-spoofing: not looked up", UL, V6, .src = "fd00:10:128:1::9", .dst = "fd00:10:128:1::5", .no_antispoof = true, HIT(1, T_NET1) },
	/* FIB action (VRF table 100), received on that VRF's underlay device */
	{ "FIB v4 resolved", UL, V4, .dst = "10.50.1.1", .vrf_in = true, HIT(4, T_FIB4) },
	{ "FIB v4 no neighbour", UL, V4, .dst = "10.51.0.1", .vrf_in = true, PASS(4, PR_R_NO_NEIGH) },
	{ "FIB v4 blackhole", UL, V4, .dst = "10.52.0.1", .vrf_in = true, PASS(4, PR_R_NOT_FWD) },
	{ "FIB v4 behind a tag", UL, V4, .dst = "10.50.1.1", .vlans = { Q }, .vrf_in = true, PASS(0, PR_R_VLAN_TAGS) },
	{ "FIB v6 resolved", UL, V6, .dst = "fd00:50::1", .vrf_in = true, HIT(4, T_FIB6) },
	{ "FIB v6 no route in table", UL, V6, .dst = "fd00:50:1::1", .vrf_in = true, PASS(4, PR_R_NOT_FWD) },
	{ "FIB TTL 1 passes", UL, V4, .dst = "10.50.1.1", .ttl = 1, .vrf_in = true, PASS(4, PR_R_TTL) },
	/* VRF isolation: only the ingress VRF's networks are reachable */
	{ "VRF network from the default VRF's underlay", UL, V4, .dst = "10.50.1.1", PASS(0, PR_R_MISS) },
	{ "default network from a VRF's underlay", UL, V4, .dst = "10.128.1.5", .vrf_in = true, PASS(0, PR_R_MISS) },
	{ "v6 VRF network from the default VRF", UL, V6, .dst = "fd00:50::1", PASS(0, PR_R_MISS) },
	/* one prefix in two VRFs: each ingress VRF finds its own network */
	{ "shared prefix from the default VRF", UL, V4, .dst = "10.70.1.5", HIT(1, T_NET1) },
	{ "shared prefix from the VRF", UL, V4, .dst = "10.70.1.5", .vrf_in = true, PASS(4, PR_R_NOT_FWD) },
	{ "v6 shared prefix from the default VRF", UL, V6, .dst = "fd00:70::5", HIT(1, T_NET1) },
	{ "v6 shared prefix from the VRF", UL, V6, .dst = "fd00:70::5", .vrf_in = true, PASS(4, PR_R_NOT_FWD) },
	{ "route naming another VRF's network", UL, V4, .dst = "10.71.0.1", PASS(0, PR_R_MISS) },
	/* pass / drop / shadow / skb-only / bad targets */
	{ "pass action", UL, V4, .dst = "10.60.0.1", PASS(5, PR_R_PASS_ACT) },
	{ "drop action", UL, V4, .dst = "10.61.0.1", DROP(6, PR_R_DROP_ACT) },
	{ "shadow network: counted, passed", UL, V4, .dst = "10.62.0.1", .exp = X_PASS, .net = 7, .reason = PR_R_REDIRECT, .reason2 = PR_R_SHADOW },
	{ "shadow network: drop passed", UL, V4, .dst = "10.67.0.1", .exp = X_PASS, .net = 12, .reason = PR_R_DROP_ACT, .reason2 = PR_R_SHADOW },
	{ "global shadow", UL, V4, .dst = "10.128.1.5", .global_shadow = true, .exp = X_PASS, .net = 1, .reason = PR_R_REDIRECT, .reason2 = PR_R_SHADOW },
	{ "skb-only target in global shadow: counted as enforcing would", UL, V4, .dst = "10.63.0.1", .global_shadow = true, .skb_only = true, .exp = X_PASS, .net = 8, .reason = PR_R_REDIRECT, .reason2 = PR_R_SHADOW },
	{ "global shadow spoof passed", UL, V4, .src = "10.128.1.9", .dst = "10.128.9.5", .global_shadow = true, .exp = X_PASS, .net = 1, .reason = PR_R_SPOOF, .reason2 = PR_R_SHADOW },
	{ "skb-only target: XDP defers to TC", UL, V4, .dst = "10.63.0.1", .exp = X_DEFER, .net = 8, .tgt = T_NET2 },
	{ "skb-only target v4 behind two tags", UL, .vlans = { AD, Q }, V4, .dst = "10.63.0.1", PASS(0, PR_R_VLAN_TAGS) },
	{ "skb-only FIB target defers", UL, V4, .dst = "10.68.1.1", .vrf_in = true, .exp = X_DEFER, .net = 13, .tgt = T_FIB4 },
	{ "target without XDP transmit: XDP defers to TC", UL, V4, .dst = "10.69.0.1", .exp = X_DEFER, .net = 14, .tgt = T_IN1 },
	{ "v4 bad header checksum: the kernel discards it", UL, V4, .dst = "10.128.1.5", .badck = true, PASS(0, PR_R_BAD_CSUM) },
	{ "v4 bad header checksum with NOP options", UL, V4, .dst = "10.128.1.5", .opt = OPT_NOP4, .optlen = 4, .badck = true, PASS(0, PR_R_BAD_CSUM) },
	{ "east-west bad header checksum", OVN, V4, .src = "10.128.1.5", .dst = "10.200.3.4", .badck = true, PASS(0, PR_R_BAD_CSUM) },
	{ "invalid network entry", UL, V4, .dst = "10.65.0.1", PASS(10, PR_R_NO_TARGET) },
	{ "target not in the allow-list", UL, V4, .dst = "10.66.0.1", PASS(11, PR_R_NO_TARGET) },
	{ "remote prefix from the underlay", UL, V4, .dst = "10.200.0.1", PASS(0, PR_R_MISS) },
	/* east-west from the OVN side */
	{ "east-west v4 to BGP next hop", OVN, V4, .src = "10.128.1.5", .dst = "10.200.3.4", HIT(1, T_NH1) },
	{ "east-west v6 to BGP next hop", OVN, V6, .src = "fd00:10:128:1::5", .dst = "fd00:200::4", HIT(1, T_NH1) },
	/* The agent gone longer than its bound: learned routes to the kernel, ingress goes on. */
	{ "east-west, agent gone", OVN, V4, .src = "10.128.1.5", .dst = "10.200.3.4", .agent_gone = true, PASS(1, PR_R_AGENT_GONE) },
	{ "east-west v6, agent gone", OVN, V6, .src = "fd00:10:128:1::5", .dst = "fd00:200::4", .agent_gone = true, PASS(1, PR_R_AGENT_GONE) },
	{ "ingress, agent gone: goes on", UL, V4, .dst = "10.128.1.5", .agent_gone = true, HIT(1, T_NET1) },
	{ "east-west with a tag", OVN, .vlans = { Q }, V4, .src = "10.128.1.5", .dst = "10.200.3.4", PASS(0, PR_R_VLAN_TAGS) },
	{ "east-west TTL 1", OVN, V4, .src = "10.128.1.5", .dst = "10.200.3.4", .ttl = 1, PASS(1, PR_R_TTL) },
	{ "east-west unresolved next hop", OVN, V4, .src = "10.128.1.5", .dst = "10.202.0.1", PASS(1, PR_R_NO_NEIGH) },
	{ "east-west: the kernel has no route", OVN, V4, .src = "10.128.1.5", .dst = "10.203.0.1", PASS(1, PR_R_NOT_FWD) },
	{ "east-west: the node's own address", OVN, V4, .src = "10.128.1.5", .dst = "10.200.7.7", PASS(1, PR_R_NOT_FWD) },
	{ "east-west: a kernel blackhole", OVN, V4, .src = "10.128.1.5", .dst = "10.200.5.1", PASS(1, PR_R_NOT_FWD) },
	{ "east-west: a static route to a device not ours", OVN, V4, .src = "10.128.1.5", .dst = "10.200.6.1", PASS(1, PR_R_NO_TARGET) },
	{ "east-west: a connected host is reached directly", OVN, V4, .src = "10.128.1.5", .dst = "10.200.4.4", HIT(1, T_DIRECT) },
	{ "east-west: above the route's MTU", OVN, V4, .src = "10.128.1.5", .dst = "10.200.3.4", .plen = 1400, PASS(1, PR_R_FRAG_NEEDED) },
	{ "east-west v6: above the route's MTU", OVN, V6, .src = "fd00:10:128:1::5", .dst = "fd00:200::4", .plen = 1400, PASS(1, PR_R_FRAG_NEEDED) },
	{ "east-west ICMP error", OVN, V4, .src = "10.128.1.5", .dst = "10.200.3.4", .icmp = 3, PASS(1, PR_R_ICMP_ERROR) },
	{ "east-west ICMPv6 error", OVN, V6, .src = "fd00:10:128:1::5", .dst = "fd00:200::4", .icmp = 1, PASS(1, PR_R_ICMP_ERROR) },
	{ "east-west ICMP echo is forwarded", OVN, V4, .src = "10.128.1.5", .dst = "10.200.3.4", .icmp = 8, HIT(1, T_NH1) },
	{ "east-west ICMPv6 echo is forwarded", OVN, V6, .src = "fd00:10:128:1::5", .dst = "fd00:200::4", .icmp = 128, HIT(1, T_NH1) },
	{ "east-west to a local prefix", OVN, V4, .src = "10.128.1.5", .dst = "10.128.9.9", PASS(0, PR_R_MISS) },
	{ "east-west miss", OVN, V4, .src = "10.128.1.5", .dst = "192.0.2.1", PASS(0, PR_R_MISS) },
	{ "east-west wrong MAC", OVN, .dm = DM_OTHER, V4, .src = "10.128.1.5", .dst = "10.200.3.4", PASS(0, PR_R_NOT_FOR_US) },
	{ "east-west no anti-spoofing on OVN side", OVN, V4, .src = "10.128.1.9", .dst = "10.200.3.4", HIT(1, T_NH1) },
};

static void target_macs(enum tgt t, const uint8_t **dmac, const uint8_t **smac, uint32_t *ifindex)
{
	switch (t) {
	case T_NET1: *dmac = MAC_POD1; *smac = E.mac_tgt0; *ifindex = E.if_tgt0; break;
	case T_NET2: *dmac = MAC_POD2; *smac = E.mac_tgt1; *ifindex = E.if_tgt1; break;
	case T_NET3: *dmac = MAC_POD3; *smac = E.mac_tgt2; *ifindex = E.if_tgt2; break;
	case T_FIB4: *dmac = MAC_FIB4; *smac = E.mac_tgt1; *ifindex = E.if_tgt1; break;
	case T_FIB6: *dmac = MAC_FIB6; *smac = E.mac_tgt1; *ifindex = E.if_tgt1; break;
	case T_NH1: *dmac = MAC_R1; *smac = E.mac_ul1; *ifindex = E.if_ul1; break;
	case T_DIRECT: *dmac = MAC_DIRECT; *smac = E.mac_ul1; *ifindex = E.if_ul1; break;
	case T_IN1: *dmac = MAC_POD1; *smac = E.mac_in1; *ifindex = E.if_in1; break;
	default: *dmac = *smac = NULL; *ifindex = 0;
	}
}

/*
 * The frame a redirect emits: untagged, MACs of the target, TTL / hop limit
 * one lower, a valid IPv4 checksum, every other L3 byte and the payload
 * unchanged. Shared with the ECMP and live tests.
 */
bool check_forwarded(const uint8_t *in, size_t in_len, size_t l3_off, const uint8_t *out,
		     size_t out_len, const uint8_t *dmac, const uint8_t *smac)
{
	const uint8_t *il3 = in + l3_off, *ol3 = out + 14;
	size_t l3_len = in_len - l3_off;
	bool v4 = (il3[0] >> 4) == 4;

	if (out_len != 14 + l3_len)
		return check_fail("out length %zu, want %zu (tags removed)", out_len, 14 + l3_len);
	if (memcmp(out, dmac, 6) || memcmp(out + 6, smac, 6))
		return check_fail("MACs %02x:..:%02x / %02x:..:%02x not the target's", out[0], out[5],
				  out[6], out[11]);
	if (out[12] != (v4 ? 0x08 : 0x86) || out[13] != (v4 ? 0x00 : 0xdd))
		return check_fail("ethertype %02x%02x", out[12], out[13]);
	if (v4) {
		size_t ihl = (il3[0] & 0xf) * 4;
		uint8_t hdr[60];

		if (ol3[8] != il3[8] - 1)
			return check_fail("TTL %u, want %u", ol3[8], il3[8] - 1);
		memcpy(hdr, ol3, ihl);
		hdr[10] = hdr[11] = 0;
		if (memcmp(&ol3[10], (uint16_t[]){ ipv4_csum(hdr, ihl) }, 2))
			return check_fail("IPv4 checksum %02x%02x is not the one computed from scratch",
					  ol3[10], ol3[11]);
		if (memcmp(ol3, il3, 8) || ol3[9] != il3[9] || memcmp(ol3 + 12, il3 + 12, l3_len - 12))
			return check_fail("IPv4 header or payload changed beyond TTL and checksum");
	} else {
		if (ol3[7] != il3[7] - 1)
			return check_fail("hop limit %u, want %u", ol3[7], il3[7] - 1);
		if (memcmp(ol3, il3, 7) || memcmp(ol3 + 8, il3 + 8, l3_len - 8))
			return check_fail("IPv6 header or payload changed beyond the hop limit");
	}
	return true;
}

static void fill_spec(const struct tcase *c, struct pkt_spec *s, const uint8_t *rmac)
{
	static const uint8_t bcast[6] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };
	static const uint8_t mcast[6] = { 0x01, 0x00, 0x5e, 0x00, 0x00, 0x05 };

	memset(s, 0, sizeof(*s));
	switch (c->dm) {
	case DM_RMAC: memcpy(s->dmac, rmac, 6); break;
	case DM_BRMAC: memcpy(s->dmac, MAC_BR, 6); break;
	case DM_OTHER: memcpy(s->dmac, MAC_OTHER, 6); break;
	case DM_BCAST: memcpy(s->dmac, bcast, 6); break;
	case DM_MCAST: memcpy(s->dmac, mcast, 6); break;
	}
	memcpy(s->smac, MAC_PEER, 6);
	memcpy(s->vlan_proto, c->vlans, sizeof(c->vlans));
	s->ethertype = c->ethertype;
	s->family = c->family;
	s->src = c->src ? c->src : (c->family == AF_INET ? "198.51.100.10" : "2001:db8::10");
	s->dst = c->dst ? c->dst : (c->family == AF_INET ? "10.128.1.5" : "fd00:10:128:1::5");
	s->ttl = c->ttl0 ? 0 : (c->ttl ? c->ttl : 64);
	s->ipopt = c->opt;
	s->ipopt_len = c->optlen;
	s->hopopts = c->hopopts;
	s->sport = 1234;
	s->dport = 80;
	s->payload_len = c->plen ? c->plen : 32;
	s->frag_off = c->frag;
	s->version_override = c->ver;
	s->ihl_override = c->ihl;
	s->totlen_delta = c->totd;
	s->bad_csum = c->badck;
	s->icmp_type = c->icmp;
}

static bool run_one(const struct tcase *c, bool xdp)
{
	enum pr_prog_id id = c->side == UL ? (xdp ? PR_PROG_XDP_UNDERLAY : PR_PROG_TC_INGRESS)
					   : (xdp ? PR_PROG_XDP_OVN : PR_PROG_TC_OVN);
	uint32_t ifindex = c->side == UL ? (c->vrf_in ? E.if_in1 : E.if_in) : E.if_ovn;
	const uint8_t *rmac = c->side == UL ? (c->vrf_in ? E.mac_in1 : E.mac_in) : E.mac_ovn;
	uint8_t in[PKT_MAX], out[PKT_MAX + 64];
	uint32_t out_len, retval, want_ret = 0;
	struct stat_exp st[2];
	unsigned nst = 0;
	struct pkt_spec s;
	size_t len, l3_off;
	const uint8_t *dmac, *smac;
	uint32_t tgt_if;
	/* A kernel that refuses XDP metadata (or PODROUTE_NO_XDP_META=1):
	 * XDP cannot hand over, and passes the frame untouched instead. */
	bool no_handoff = (c->exp == X_DEFER || c->skb_only) && xdp && !pr_kernel_has_xdp_meta();
	enum expv exp = no_handoff ? X_PASS : c->exp;
	bool ok;
	int err;

	fill_spec(c, &s, rmac);
	len = pkt_build(&s, in, &l3_off);
	for (unsigned id = 1; c->csum_edge && id < 65536; id++) {
		uint16_t ck = in[l3_off + 10] << 8 | in[l3_off + 11];

		if (c->csum_edge < 0 ? (ck >> 8) == 0xff : ck == c->csum_edge)
			break;
		s.ip_id = id;
		len = pkt_build(&s, in, &l3_off);
	}
	if (c->unknown_iface)
		ifindex = E.if_tgt2;
	target_macs(c->tgt, &dmac, &smac, &tgt_if);

	stats_clear();
	set_global_flags((c->global_shadow ? PR_G_F_SHADOW : 0) | (c->no_antispoof ? PR_G_F_NO_ANTISPOOF : 0));
	set_heartbeat(c->agent_gone ? HB_GONE : HB_FRESH);
	err = run_prog(id, ifindex, in, len, out, &out_len, &retval);
	set_global_flags(0);
	set_heartbeat(HB_OFF);
	if (err)
		return check_fail("BPF_PROG_TEST_RUN: %s", strerror(-err));

	switch (exp) {
	case X_PASS: want_ret = xdp ? XDP_PASS : TC_ACT_OK; break;
	case X_DROP: want_ret = xdp ? XDP_DROP : TC_ACT_SHOT; break;
	case X_REDIRECT: want_ret = xdp ? XDP_REDIRECT : TC_ACT_REDIRECT; break;
	case X_DEFER: want_ret = xdp ? XDP_PASS : TC_ACT_REDIRECT; break;
	}
	if (retval != want_ret)
		return check_fail("verdict %u, want %u", retval, want_ret);

	st[nst++] = (struct stat_exp){ c->net, no_handoff	     ? PR_R_NO_HANDOFF
						: c->exp == X_DEFER ? (xdp ? PR_R_DEFER_TC : PR_R_REDIRECT)
								    : c->reason };
	if (c->reason2 && !no_handoff)
		st[nst++] = (struct stat_exp){ c->net, c->reason2 };
	if (!stats_expect(st, nst, len))
		return false;

	if (exp == X_PASS || exp == X_DROP) {
		if (out_len != len || memcmp(out, in, len))
			return check_fail("a %s frame was modified", exp == X_PASS ? "passed" : "dropped");
		return true;
	}
	if (c->exp == X_DEFER && xdp) {
		struct pr_xdp_meta m;

		memcpy(&m, out, sizeof(m));
		if (m.magic != PR_META_MAGIC || m.ifindex != tgt_if || m.net_id != c->net)
			return check_fail("metadata magic %#x ifindex %u net %u, want %#x %u %u",
					  m.magic, m.ifindex, m.net_id, PR_META_MAGIC, tgt_if, c->net);
		ok = check_forwarded(in, len, l3_off, out + sizeof(m), out_len - sizeof(m), dmac, smac);
		return ok;
	}
	return check_forwarded(in, len, l3_off, out, out_len, dmac, smac);
}

void run_case_table(const char *only, const char *label)
{
	char name[160];

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		for (int xdp = 1; xdp >= 0; xdp--) {
			const struct tcase *c = &cases[i];

			if ((c->only == XDP_ONLY && !xdp) || (c->only == TC_ONLY && xdp))
				continue;
			snprintf(name, sizeof(name), "%s%s: %s", label, xdp ? "xdp" : "tc", c->name);
			if (only && !strstr(name, only))
				continue;
			tap_begin();
			tap_end(name, run_one(c, xdp));
		}
	}
}
