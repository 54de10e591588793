// SPDX-License-Identifier: GPL-2.0-only
/*
 * Program tests that sweep a dimension instead of listing rows: ECMP over
 * many flows (each flow's next hop must be the one the ABI's flow hash
 * names, and every next hop must be used), and frames truncated at every
 * byte offset of every header (each must pass untouched, counted as
 * malformed, never redirect).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <linux/bpf.h>
#include <linux/pkt_cls.h>

#include "pktbuild.h"
#include "progtest.h"

/* The datapath's flow hash, from the ABI's mixing functions. */
static uint32_t flow_hash(const uint8_t *l3, int family, uint16_t sport_raw, uint16_t dport_raw)
{
	uint32_t h = PR_HASH_SEED, w;

	if (family == AF_INET) {
		memcpy(&w, l3 + 12, 4);
		h = pr_hash_mix(h, w);
		memcpy(&w, l3 + 16, 4);
		h = pr_hash_mix(h, w);
	} else {
		for (int i = 0; i < 4; i++) {
			memcpy(&w, l3 + 8 + 4 * i, 4);
			h = pr_hash_mix(h, w);
			memcpy(&w, l3 + 24 + 4 * i, 4);
			h = pr_hash_mix(h, w);
		}
	}
	h = pr_hash_mix(h, ((uint32_t)sport_raw << 16) | dport_raw);
	h = pr_hash_mix(h, 17);
	return pr_hash_final(h);
}

static bool ecmp_flows(enum pr_prog_id id, int family)
{
	unsigned used[2] = { 0, 0 };
	uint8_t in[PKT_MAX], out[PKT_MAX + 64];
	uint32_t out_len, retval;
	struct pkt_spec s = { .family = family, .ttl = 64, .dport = 443, .payload_len = 16 };
	size_t len, l3_off;

	memcpy(s.dmac, E.mac_ovn, 6);
	memcpy(s.smac, MAC_PEER, 6);
	s.src = family == AF_INET ? "10.128.1.5" : "fd00:10:128:1::5";
	s.dst = family == AF_INET ? "10.201.7.7" : "fd00:201::7";
	for (unsigned f = 0; f < 64; f++) {
		uint16_t sp, dp;
		const uint8_t *want;
		unsigned slot;

		s.sport = 20000 + f * 7;
		len = pkt_build(&s, in, &l3_off);
		memcpy(&sp, in + l3_off + (family == AF_INET ? 20 : 40), 2);
		memcpy(&dp, in + l3_off + (family == AF_INET ? 22 : 42), 2);
		slot = flow_hash(in + l3_off, family, sp, dp) % 2;
		want = slot == 0 ? MAC_R1 : MAC_R2;
		for (int rep = 0; rep < 2; rep++) { /* and the same answer twice */
			int err = run_prog(id, E.if_ovn, in, len, out, &out_len, &retval);

			if (err)
				return check_fail("test run: %s", strerror(-err));
			if (retval != (id == PR_PROG_XDP_OVN ? XDP_REDIRECT : TC_ACT_REDIRECT))
				return check_fail("flow %u: verdict %u", f, retval);
			if (!check_forwarded(in, len, l3_off, out, out_len, want, E.mac_ul1))
				return check_fail("flow %u (sport %u) did not take slot %u", f, s.sport, slot);
		}
		used[slot]++;
	}
	if (!used[0] || !used[1])
		return check_fail("64 flows all took one next hop (%u / %u)", used[0], used[1]);
	return true;
}

void run_ecmp_tests(const char *only)
{
	static const struct { const char *name; enum pr_prog_id id; int family; } t[] = {
		{ "xdp: ECMP v4 flows follow the flow hash over 2 next hops", PR_PROG_XDP_OVN, AF_INET },
		{ "tc: ECMP v4 flows follow the flow hash over 2 next hops", PR_PROG_TC_OVN, AF_INET },
		{ "xdp: ECMP v6 flows follow the flow hash over 2 next hops", PR_PROG_XDP_OVN, AF_INET6 },
		{ "tc: ECMP v6 flows follow the flow hash over 2 next hops", PR_PROG_TC_OVN, AF_INET6 },
	};

	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		if (only && !strstr(t[i].name, only))
			continue;
		tap_begin();
		tap_end(t[i].name, ecmp_flows(t[i].id, t[i].family));
	}
}

/*
 * What BPF_PROG_TEST_RUN itself refuses: any frame shorter than Ethernet,
 * and, for an skb whose outer ethertype is IPv4 / IPv6, one without the
 * fixed IP header (the kernel checks it while building the skb).
 */
static bool kernel_refuses(bool xdp, const uint8_t *frame, size_t len)
{
	uint16_t et;

	if (len < 14)
		return true;
	if (xdp)
		return false;
	et = frame[12] << 8 | frame[13];
	return (et == 0x0800 && len < 14 + 20) || (et == 0x86dd && len < 14 + 40);
}

/* Every length from 0 to the end of the L4 header, one frame shape. */
static bool truncations(enum pr_prog_id id, const struct pkt_spec *s)
{
	uint8_t in[PKT_MAX], out[PKT_MAX + 64];
	uint32_t out_len, retval;
	size_t full, l3_off, hdr_end;
	bool xdp = id == PR_PROG_XDP_UNDERLAY;

	full = pkt_build(s, in, &l3_off);
	hdr_end = l3_off + (s->family == AF_INET ? 20 + s->ipopt_len : 40) + 8;
	for (size_t l = 0; l < hdr_end && l < full; l++) {
		struct stat_exp st = { 0, PR_R_MALFORMED };
		int err;

		stats_clear();
		err = run_prog(id, E.if_in, in, l, out, &out_len, &retval);
		if (kernel_refuses(xdp, in, l)) {
			/* Such frames never reach a program through BPF_PROG_TEST_RUN
			 * (the live tests send them through a real device instead). */
			if (err != -EINVAL)
				return check_fail("length %zu: test run gave %d, want -EINVAL", l, err);
			continue;
		}
		if (err)
			return check_fail("length %zu: test run: %s", l, strerror(-err));
		if (retval != (xdp ? XDP_PASS : TC_ACT_OK))
			return check_fail("length %zu: verdict %u, want pass", l, retval);
		if (out_len != l || memcmp(out, in, l))
			return check_fail("length %zu: frame modified", l);
		if (!stats_expect(&st, 1, l))
			return check_fail("length %zu: not counted as malformed", l);
	}
	return true;
}

void run_truncation_tests(const char *only)
{
	static const uint8_t nop8[8] = { 1, 1, 1, 1, 1, 1, 1, 0 };
	struct pkt_spec v4 = { .family = AF_INET, .src = "198.51.100.10", .dst = "10.128.1.5",
			       .ttl = 64, .sport = 1, .dport = 2, .payload_len = 8 };
	struct pkt_spec v4tags = v4, v6 = v4;
	struct { const char *name; const struct pkt_spec *s; } shapes[] = {
		{ "v4", &v4 }, { "v4, 2 tags, IHL 7", &v4tags }, { "v6, 1 tag", &v6 },
	};
	char name[128];

	memcpy(v4.dmac, E.mac_in, 6);
	memcpy(v4.smac, MAC_PEER, 6);
	v4tags = v4;
	v4tags.vlan_proto[0] = 0x88a8;
	v4tags.vlan_proto[1] = 0x8100;
	v4tags.ipopt = nop8;
	v4tags.ipopt_len = 8;
	v6 = v4;
	v6.family = AF_INET6;
	v6.src = "2001:db8::10";
	v6.dst = "fd00:10:128:1::5";
	v6.vlan_proto[0] = 0x8100;

	for (size_t i = 0; i < sizeof(shapes) / sizeof(shapes[0]); i++) {
		for (int xdp = 1; xdp >= 0; xdp--) {
			snprintf(name, sizeof(name), "%s: %s frame truncated at every header byte",
				 xdp ? "xdp" : "tc", shapes[i].name);
			if (only && !strstr(name, only))
				continue;
			tap_begin();
			tap_end(name, truncations(xdp ? PR_PROG_XDP_UNDERLAY : PR_PROG_TC_INGRESS,
						  shapes[i].s));
		}
	}
}
