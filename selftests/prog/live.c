// SPDX-License-Identifier: GPL-2.0-only
/*
 * Live tests: what BPF_PROG_TEST_RUN's copy-out cannot show. Frames are
 * really sent and captured with AF_PACKET on the far end of the target
 * veth, so the redirect target is proved by delivery, not inferred:
 *   - XDP redirect through the device map: xdp_underlay attached natively
 *     to in0, the frame sent from its peer in0p, as from the wire (not
 *     BPF_F_TEST_XDP_LIVE_FRAMES, which some kernel builds refuse);
 *   - the XDP -> TC hand-off for skb-only targets: XDP passes the frame
 *     with metadata, the kernel builds the skb, tc_ingress redirects it;
 *     on a kernel that refuses XDP metadata (or with
 *     PODROUTE_NO_XDP_META=1), XDP passes it untouched as no-handoff;
 *   - truncated IPv4/IPv6 frames sent through a real device into
 *     tc_ingress (lengths BPF_PROG_TEST_RUN refuses to build for TC).
 * The far ends (tgt0p, tgt1p) have GRO on: a veth drops XDP frames
 * redirected into it unless its peer runs NAPI (GRO or an XDP program).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <linux/if_ether.h>
#include <linux/if_packet.h>
#include <net/if.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "datapath/attach.h"
#include "kernel/features.h"
#include "pktbuild.h"
#include "progtest.h"

static int capture_open(const char *dev)
{
	struct sockaddr_ll sll = { .sll_family = AF_PACKET, .sll_protocol = htons(ETH_P_ALL) };
	int fd = socket(AF_PACKET, SOCK_RAW | SOCK_NONBLOCK, htons(ETH_P_ALL));

	if (fd < 0)
		return -errno;
	sll.sll_ifindex = if_nametoindex(dev);
	if (bind(fd, (struct sockaddr *)&sll, sizeof(sll))) {
		close(fd);
		return -errno;
	}
	return fd;
}

static long ms_left(const struct timespec *deadline)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return (deadline->tv_sec - now.tv_sec) * 1000 + (deadline->tv_nsec - now.tv_nsec) / 1000000;
}

/* Wait (up to 3 s) for a frame addressed to dmac; other traffic is skipped. */
static ssize_t capture_wait(int fd, const uint8_t *dmac, uint8_t *buf, size_t size)
{
	struct timespec deadline;
	struct pollfd p = { .fd = fd, .events = POLLIN };

	clock_gettime(CLOCK_MONOTONIC, &deadline);
	deadline.tv_sec += 3;
	while (ms_left(&deadline) > 0) {
		ssize_t n;

		if (poll(&p, 1, ms_left(&deadline)) <= 0)
			continue;
		n = recv(fd, buf, size, 0);
		if (n >= 6 && !memcmp(buf, dmac, 6))
			return n;
	}
	return -ETIMEDOUT;
}

/* Count frames addressed to dmac that are already queued (no waiting). */
static unsigned capture_drain(int fd, const uint8_t *dmac)
{
	uint8_t buf[PKT_MAX];
	unsigned n = 0;
	ssize_t r;

	while ((r = recv(fd, buf, sizeof(buf), 0)) > 0)
		n += r >= 6 && !memcmp(buf, dmac, 6);
	return n;
}

/* Send a frame to in0 as from the wire (from its peer in0p) with XDP
 * program id attached to in0 natively; it stays attached, for the frame's
 * way on, until the caller detaches it (pr_xdp_detach). */
static int run_live(enum pr_prog_id id, const uint8_t *in, size_t len)
{
	struct sockaddr_ll to = { .sll_family = AF_PACKET, .sll_halen = 6 };
	int tx, err = pr_xdp_attach(E.if_in, E.prog[id], PR_XDP_NATIVE);

	if (err)
		return err;
	tx = socket(AF_PACKET, SOCK_RAW, 0);
	to.sll_ifindex = if_nametoindex("in0p");
	memcpy(to.sll_addr, E.mac_in, 6);
	if (tx < 0 || sendto(tx, in, len, 0, (struct sockaddr *)&to, sizeof(to)) != (ssize_t)len)
		err = -errno;
	if (tx >= 0)
		close(tx);
	if (err)
		pr_xdp_detach(E.if_in);
	return err;
}

/* Wait (up to 3 s) for counter (net, reason) to count a packet: delivery
 * into a veth's peer is asynchronous. Whether it did. */
static bool counter_wait(uint32_t net, uint32_t reason)
{
	uint32_t k = pr_stats_index(net, reason);
	struct timespec deadline;

	clock_gettime(CLOCK_MONOTONIC, &deadline);
	deadline.tv_sec += 3;
	do {
		struct pr_counter pc[E.ncpus];

		if (!bpf_map_lookup_elem(E.fd_stats, &k, pc))
			for (int c = 0; c < E.ncpus; c++)
				if (pc[c].packets)
					return true;
		poll(NULL, 0, 1);
	} while (ms_left(&deadline) > 0);
	return false;
}

static void build_to(const char *dst, uint8_t *frame, size_t *len, size_t *l3_off)
{
	struct pkt_spec s = { .family = AF_INET, .src = "198.51.100.10", .dst = dst, .ttl = 64,
			      .sport = 5000, .dport = 6000, .payload_len = 64 };

	memcpy(s.dmac, E.mac_in, 6);
	memcpy(s.smac, MAC_PEER, 6);
	*len = pkt_build(&s, frame, l3_off);
}

static bool live_xdp_redirect(void)
{
	uint8_t in[PKT_MAX], got[PKT_MAX];
	size_t len, l3_off;
	ssize_t n;
	int fd = capture_open("tgt0p"), err;
	struct stat_exp st = { 1, PR_R_REDIRECT };

	if (fd < 0)
		return check_fail("capture on tgt0p: %s", strerror(-fd));
	build_to("10.128.1.5", in, &len, &l3_off);
	stats_clear();
	err = run_live(PR_PROG_XDP_UNDERLAY, in, len);
	if (err) {
		close(fd);
		return check_fail("XDP on in0, a frame from in0p: %s", strerror(-err));
	}
	n = capture_wait(fd, MAC_POD1, got, sizeof(got));
	pr_xdp_detach(E.if_in);
	close(fd);
	if (n < 0)
		return check_fail("nothing arrived at tgt0p (the network's target)");
	return stats_expect(&st, 1, len) && check_forwarded(in, len, l3_off, got, n, MAC_POD1, E.mac_tgt0);
}

static bool live_defer_to_tc(void)
{
	uint8_t in[PKT_MAX], got[PKT_MAX];
	size_t len, l3_off;
	ssize_t n = -1;
	int fd = capture_open("tgt1p"), err;
	const struct stat_exp st[] = { { 8, PR_R_DEFER_TC }, { 8, PR_R_REDIRECT } };
	const struct stat_exp passed = { 8, PR_R_NO_HANDOFF };
	bool ok, meta = pr_kernel_has_xdp_meta();

	if (fd < 0)
		return check_fail("capture on tgt1p: %s", strerror(-fd));
	err = pr_tc_attach(E.if_in, E.prog[PR_PROG_TC_INGRESS]);
	if (err) {
		close(fd);
		return check_fail("tc attach on in0: %s", strerror(-err));
	}
	set_iface_flags(E.if_in, PR_IF_F_UNDERLAY | PR_IF_F_XDP);
	build_to("10.63.0.1", in, &len, &l3_off);
	stats_clear();
	err = run_live(PR_PROG_XDP_UNDERLAY, in, len);
	if (!err && meta)
		n = capture_wait(fd, MAC_POD2, got, sizeof(got));
	else if (!err && !counter_wait(passed.net, passed.reason))
		err = -ETIMEDOUT;
	pr_xdp_detach(E.if_in);
	set_iface_flags(E.if_in, PR_IF_F_UNDERLAY);
	pr_tc_detach(E.if_in);
	if (!err && !meta) {
		/* No hand-off: XDP passed it as it came, TC found no metadata
		 * and left it to the kernel, which has no route to 10.63.0.1. */
		ok = stats_expect(&passed, 1, len);
		if (ok && capture_drain(fd, MAC_POD2))
			ok = check_fail("a frame reached tgt1p without the hand-off");
		close(fd);
		return ok;
	}
	close(fd);
	if (err)
		return check_fail("XDP on in0, a frame from in0p: %s", strerror(-err));
	if (n < 0)
		return check_fail("nothing arrived at tgt1p: the TC half did not redirect");
	ok = stats_expect(st, 2, len);
	/* The counters above saw the frame at its length before the hand-off. */
	return ok && check_forwarded(in, len, l3_off, got, n, MAC_POD2, E.mac_tgt1);
}

/* Send every truncation of a frame into in0 (tc_ingress attached). */
static bool live_tc_truncated(int family)
{
	struct pkt_spec s = { .family = family, .ttl = 64, .sport = 1, .dport = 2, .payload_len = 8 };
	struct sockaddr_ll to = { .sll_family = AF_PACKET, .sll_halen = 6 };
	uint8_t in[PKT_MAX];
	size_t full, l3_off, first, last, sent = 0;
	int tx = socket(AF_PACKET, SOCK_RAW, 0), rx = capture_open("tgt0p"), err;
	struct stat_exp st = { 0, PR_R_MALFORMED };
	bool ok = true;

	if (tx < 0 || rx < 0)
		return check_fail("AF_PACKET sockets: %s", strerror(errno));
	s.src = family == AF_INET ? "198.51.100.10" : "2001:db8::10";
	s.dst = family == AF_INET ? "10.128.1.5" : "fd00:10:128:1::5";
	memcpy(s.dmac, E.mac_in, 6);
	memcpy(s.smac, MAC_PEER, 6);
	full = pkt_build(&s, in, &l3_off);
	/* Exactly the lengths BPF_PROG_TEST_RUN refuses to build for TC. */
	first = 15;
	last = l3_off + (family == AF_INET ? 20 : 40) - 1;
	if (last >= full) {
		close(tx);
		close(rx);
		return check_fail("frame shorter than its headers");
	}
	to.sll_ifindex = if_nametoindex("in0p");
	memcpy(to.sll_addr, E.mac_in, 6);
	err = pr_tc_attach(E.if_in, E.prog[PR_PROG_TC_INGRESS]);
	if (err) {
		close(tx);
		close(rx);
		return check_fail("tc attach on in0: %s", strerror(-err));
	}
	for (size_t l = first; l <= last && ok; l++) {
		stats_clear();
		if (sendto(tx, in, l, 0, (struct sockaddr *)&to, sizeof(to)) != (ssize_t)l) {
			ok = check_fail("send %zu bytes: %s", l, strerror(errno));
			break;
		}
		sent++;
		counter_wait(0, PR_R_MALFORMED);
		if (!stats_expect(&st, 1, l))
			ok = check_fail("length %zu through in0: not counted as malformed once", l);
	}
	pr_tc_detach(E.if_in);
	if (ok && capture_drain(rx, MAC_POD1))
		ok = check_fail("a truncated frame was redirected to tgt0");
	close(tx);
	close(rx);
	return ok && sent == last - first + 1;
}

void run_live_tests(const char *only)
{
	static const char *const names[] = {
		"live: XDP redirect is delivered at the target's far end",
		"live: skb-only target: XDP hands over, TC redirects, frame delivered (without XDP metadata: passed untouched, no-handoff)",
		"live: tc: truncated IPv4 frames through a real device pass as malformed",
		"live: tc: truncated IPv6 frames through a real device pass as malformed",
	};

	for (int i = 0; i < 4; i++) {
		bool ok;

		if (only && !strstr(names[i], only))
			continue;
		tap_begin();
		switch (i) {
		case 0: ok = live_xdp_redirect(); break;
		case 1: ok = live_defer_to_tc(); break;
		case 2: ok = live_tc_truncated(AF_INET); break;
		default: ok = live_tc_truncated(AF_INET6); break;
		}
		tap_end(names[i], ok);
	}
}
