// SPDX-License-Identifier: GPL-2.0-only
/*
 * Program tests that sweep a dimension instead of listing rows: ECMP over
 * many flows (each flow's next hop must be the one the kernel itself picks
 * for that flow, under both multipath hash policies, and every next hop
 * must be used), and frames truncated at every
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

/* The router the kernel's own input route lookup picks for the flow, as if
 * it arrived on ovn0: 1 (R1), 2 (R2), or 0 if it cannot say. */
static int kernel_router(int family, const char *src, const char *dst, uint16_t sport, uint16_t dport)
{
	char cmd[256], out[512] = "";
	FILE *f;
	size_t n;

	snprintf(cmd, sizeof(cmd), "ip -%d -j route get %s from %s iif ovn0 ipproto udp sport %u dport %u",
		 family == AF_INET ? 4 : 6, dst, src, sport, dport);
	f = popen(cmd, "r");
	if (!f)
		return 0;
	n = fread(out, 1, sizeof(out) - 1, f);
	out[n] = 0;
	pclose(f);
	if (strstr(out, family == AF_INET ? "\"192.0.2.1\"" : "\"fd00:192::1\""))
		return 1;
	if (strstr(out, family == AF_INET ? "\"192.0.2.2\"" : "\"fd00:192::2\""))
		return 2;
	return 0;
}

static bool set_hash_policy(int family, int policy)
{
	char path[96];
	FILE *f;

	snprintf(path, sizeof(path), "/proc/sys/net/ipv%d/fib_multipath_hash_policy",
		 family == AF_INET ? 4 : 6);
	f = fopen(path, "w");
	if (!f)
		return false;
	fprintf(f, "%d\n", policy);
	return !fclose(f);
}

/* 64 flows (addresses and ports vary) over the 2-way routes 10.201/16 and
 * fd00:201::/32: the program must send each to the router the kernel picks. */
static bool ecmp_flows(enum pr_prog_id id, int family, int policy)
{
	unsigned used[2] = { 0, 0 };
	uint8_t in[PKT_MAX], out[PKT_MAX + 64];
	uint32_t out_len, retval;
	struct pkt_spec s = { .family = family, .ttl = 64, .dport = 443, .payload_len = 16 };
	char src[64], dst[64];
	size_t len, l3_off;
	bool ok = true;

	if (!set_hash_policy(family, policy))
		return check_fail("cannot set fib_multipath_hash_policy %d", policy);
	memcpy(s.dmac, E.mac_ovn, 6);
	memcpy(s.smac, MAC_PEER, 6);
	s.src = src;
	s.dst = dst;
	for (unsigned f = 0; f < 64 && ok; f++) {
		int r;

		snprintf(src, sizeof(src), family == AF_INET ? "10.128.1.%u" : "fd00:10:128:1::%x", 10 + f);
		snprintf(dst, sizeof(dst), family == AF_INET ? "10.201.%u.7" : "fd00:201::%x:7", f * 3);
		s.sport = 20000 + f * 7;
		len = pkt_build(&s, in, &l3_off);
		/* ip route get cannot give a flow label; the kernel hashes it. */
		if (family == AF_INET6)
			in[l3_off + 1] = 0;
		r = kernel_router(family, src, dst, s.sport, s.dport);
		if (!r) {
			ok = check_fail("flow %u: ip route get gave no router", f);
			break;
		}
		for (int rep = 0; rep < 2; rep++) { /* and the same answer twice */
			int err = run_prog(id, E.if_ovn, in, len, out, &out_len, &retval);

			if (err)
				ok = check_fail("test run: %s", strerror(-err));
			else if (retval != (id == PR_PROG_XDP_OVN ? XDP_REDIRECT : TC_ACT_REDIRECT))
				ok = check_fail("flow %u: verdict %u", f, retval);
			else if (!check_forwarded(in, len, l3_off, out, out_len, r == 1 ? MAC_R1 : MAC_R2,
						  E.mac_ul1))
				ok = check_fail("flow %s -> %s sport %u: not to R%d, the kernel's choice",
						src, dst, s.sport, r);
			if (!ok)
				break;
		}
		used[r - 1]++;
	}
	set_hash_policy(family, 0);
	if (ok && (!used[0] || !used[1]))
		return check_fail("64 flows all took one next hop (%u / %u)", used[0], used[1]);
	return ok;
}

void run_ecmp_tests(const char *only)
{
	static const struct { enum pr_prog_id id; int family; } t[] = {
		{ PR_PROG_XDP_OVN, AF_INET }, { PR_PROG_TC_OVN, AF_INET },
		{ PR_PROG_XDP_OVN, AF_INET6 }, { PR_PROG_TC_OVN, AF_INET6 },
	};
	char name[128];

	for (int policy = 0; policy <= 1; policy++) {
		for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
			snprintf(name, sizeof(name), "%s: ECMP %s flows take the kernel's next hop (hash policy %d)",
				 t[i].id == PR_PROG_XDP_OVN ? "xdp" : "tc",
				 t[i].family == AF_INET ? "v4" : "v6", policy);
			if (only && !strstr(name, only))
				continue;
			tap_begin();
			tap_end(name, ecmp_flows(t[i].id, t[i].family, policy));
		}
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
	struct pkt_spec v4opts = v4, v6 = v4;
	struct { const char *name; const struct pkt_spec *s; } shapes[] = {
		{ "v4", &v4 }, { "v4, IHL 7", &v4opts }, { "v6", &v6 },
	};
	char name[128];

	memcpy(v4.dmac, E.mac_in, 6);
	memcpy(v4.smac, MAC_PEER, 6);
	v4opts = v4;
	v4opts.ipopt = nop8;
	v4opts.ipopt_len = 8;
	v6 = v4;
	v6.family = AF_INET6;
	v6.src = "2001:db8::10";
	v6.dst = "fd00:10:128:1::5";

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
