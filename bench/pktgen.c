// SPDX-License-Identifier: GPL-2.0-only
/*
 * Live-frames packet generator and receiver counter (see pktgen.bpf.c).
 *
 *   pktgen rx-attach IFNAME PIN        attach the counter, pin its map at PIN
 *   pktgen rx-read PIN                 print the packets counted so far
 *   pktgen tx IFNAME DSTMAC SRC DST SIZE COUNT [FLOWS]
 *                                      send COUNT routable UDP frames (IPv4 or
 *                                      IPv6 by address), SIZE bytes, TTL 64,
 *                                      over FLOWS source ports; prints the
 *                                      elapsed seconds
 *
 * Each command runs in the caller's network namespace (use nsenter).
 * xdp-trafficgen's udp mode sends IPv6 with hop limit 1 only, which a
 * router must not forward: hence this sender.
 */
#define _GNU_SOURCE /* sendmmsg */
#include <arpa/inet.h>
#include <errno.h>
#include <net/if.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <linux/if_link.h>
#include <linux/if_packet.h>
#include <sys/socket.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "prefix.h"

static const char *obj_path = "build/bench/pktgen.bpf.o";

#define PKTGEN_RUN 192 /* frames per live run: below a veth ring (256) */

static struct bpf_object *load(void)
{
	struct bpf_object *o = bpf_object__open_file(obj_path, NULL);

	if (libbpf_get_error(o) || bpf_object__load(o)) {
		fprintf(stderr, "cannot load %s\n", obj_path);
		exit(1);
	}
	return o;
}

static uint16_t csum(const uint8_t *p, size_t n)
{
	uint32_t s = 0;

	for (size_t i = 0; i + 1 < n; i += 2)
		s += p[i] << 8 | p[i + 1];
	while (s >> 16)
		s = (s & 0xffff) + (s >> 16);
	return ~s;
}

static size_t build(uint8_t *f, const uint8_t *dmac, const char *src, const char *dst, size_t size,
		    uint16_t sport)
{
	bool v6 = strchr(dst, ':');
	size_t l3 = 14, ip = v6 ? 40 : 20, udp = 8;

	if (size < l3 + ip + udp)
		size = l3 + ip + udp;
	memset(f, 0, size);
	memcpy(f, dmac, 6);
	f[6] = 0x02;
	f[11] = 0x01;
	f[12] = v6 ? 0x86 : 0x08;
	f[13] = v6 ? 0xdd : 0x00;
	if (v6) {
		f[l3] = 0x60;
		f[l3 + 4] = (size - l3 - ip) >> 8;
		f[l3 + 5] = (size - l3 - ip);
		f[l3 + 6] = 17;
		f[l3 + 7] = 64;
		inet_pton(AF_INET6, src, f + l3 + 8);
		inet_pton(AF_INET6, dst, f + l3 + 24);
	} else {
		uint16_t c;

		f[l3] = 0x45;
		f[l3 + 2] = (size - l3) >> 8;
		f[l3 + 3] = size - l3;
		f[l3 + 8] = 64;
		f[l3 + 9] = 17;
		inet_pton(AF_INET, src, f + l3 + 12);
		inet_pton(AF_INET, dst, f + l3 + 16);
		c = csum(f + l3, 20);
		f[l3 + 10] = c >> 8;
		f[l3 + 11] = c;
	}
	f[l3 + ip] = sport >> 8;
	f[l3 + ip + 1] = sport;
	f[l3 + ip + 2] = 0x1f; /* dport 8080 */
	f[l3 + ip + 3] = 0x90;
	f[l3 + ip + 4] = (size - l3 - ip) >> 8;
	f[l3 + ip + 5] = size - l3 - ip;
	return size;
}

int main(int argc, char **argv)
{
	if (getenv("PKTGEN_OBJ"))
		obj_path = getenv("PKTGEN_OBJ");
	if (argc >= 4 && !strcmp(argv[1], "rx-attach")) {
		struct bpf_object *o = load();
		int fd = bpf_program__fd(bpf_object__find_program_by_name(o, "xdp_rx_count"));
		int ifindex = if_nametoindex(argv[2]);

		if (!ifindex || bpf_xdp_attach(ifindex, fd, XDP_FLAGS_DRV_MODE, NULL) ||
		    bpf_map__pin(bpf_object__find_map_by_name(o, "rx_count"), argv[3])) {
			fprintf(stderr, "rx-attach %s: %s\n", argv[2], strerror(errno));
			return 1;
		}
		return 0;
	}
	if (argc >= 3 && !strcmp(argv[1], "rx-read")) {
		int fd = bpf_obj_get(argv[2]), n = libbpf_num_possible_cpus();
		uint64_t v[n], sum = 0;
		uint32_t zero = 0;

		if (fd < 0 || bpf_map_lookup_elem(fd, &zero, v)) {
			fprintf(stderr, "rx-read %s: %s\n", argv[2], strerror(errno));
			return 1;
		}
		for (int i = 0; i < n; i++)
			sum += v[i];
		printf("%llu\n", (unsigned long long)sum);
		return 0;
	}
	if (argc >= 8 && !strcmp(argv[1], "tx")) {
		struct bpf_object *o = load();
		int fd = bpf_program__fd(bpf_object__find_program_by_name(o, "xdp_gen_tx"));
		int ifindex = if_nametoindex(argv[2]);
		size_t size = atoi(argv[6]);
		long count = atol(argv[7]), flows = argc > 8 ? atol(argv[8]) : 1, sent = 0;
		uint8_t dmac[6], frame[2048];
		struct timespec t0, t1;

		if (!ifindex || pr_mac_parse(argv[3], dmac) || size > sizeof(frame) || count < 1 ||
		    flows < 1) {
			fprintf(stderr, "tx: bad arguments\n");
			return 2;
		}
		clock_gettime(CLOCK_MONOTONIC, &t0);
		/*
		 * Runs of PKTGEN_RUN frames, flows in turn (they differ in source
		 * port). A veth queues XDP frames for its peer in a 256-slot ring
		 * that the peer's NAPI drains between our syscalls: one huge run
		 * would overflow it and measure the ring, not the path.
		 */
		while (sent < count) {
			for (long f = 0; f < flows && sent < count; f++) {
				size_t len = build(frame, dmac, argv[4], argv[5], size, 10000 + f);
				struct xdp_md ctx = { .data_end = len, .ingress_ifindex = ifindex };
				long n = count - sent < PKTGEN_RUN ? count - sent : PKTGEN_RUN;
				LIBBPF_OPTS(bpf_test_run_opts, opts, .data_in = frame, .data_size_in = len,
					    .ctx_in = &ctx, .ctx_size_in = sizeof(ctx),
					    .flags = BPF_F_TEST_XDP_LIVE_FRAMES, .repeat = n,
					    .batch_size = 64);

				if (bpf_prog_test_run_opts(fd, &opts)) {
					fprintf(stderr, "tx: live frames on %s: %s\n", argv[2], strerror(errno));
					return 1;
				}
				sent += n;
			}
		}
		clock_gettime(CLOCK_MONOTONIC, &t1);
		printf("%.6f %ld\n", (t1.tv_sec - t0.tv_sec) + (t1.tv_nsec - t0.tv_nsec) / 1e9, sent);
		return 0;
	}
	if (argc >= 8 && !strcmp(argv[1], "txpkt")) {
		/* AF_PACKET, qdisc bypassed, sendmmsg in batches of 64: the frame
		 * enters the peer (the node) as a veth receive, like a NIC's. */
		int ifindex = if_nametoindex(argv[2]), sk, one = 1;
		size_t size = atoi(argv[6]);
		long count = atol(argv[7]), flows = argc > 8 ? atol(argv[8]) : 1, sent = 0;
		static uint8_t frames[64][2048];
		struct mmsghdr msgs[64];
		struct iovec iov[64];
		struct sockaddr_ll to = { .sll_family = AF_PACKET, .sll_ifindex = ifindex, .sll_halen = 6 };
		uint8_t dmac[6];
		size_t len = 0;
		struct timespec t0, t1;

		sk = socket(AF_PACKET, SOCK_RAW, 0);
		if (!ifindex || sk < 0 || pr_mac_parse(argv[3], dmac) || size > 2048 || count < 1 || flows < 1) {
			fprintf(stderr, "txpkt: bad arguments or socket: %s\n", strerror(errno));
			return 2;
		}
		setsockopt(sk, SOL_PACKET, PACKET_QDISC_BYPASS, &one, sizeof(one));
		memcpy(to.sll_addr, dmac, 6);
		for (int i = 0; i < 64; i++) {
			len = build(frames[i], dmac, argv[4], argv[5], size, 10000 + i % flows);
			iov[i] = (struct iovec){ frames[i], len };
			msgs[i] = (struct mmsghdr){ .msg_hdr = { .msg_name = &to, .msg_namelen = sizeof(to),
								   .msg_iov = &iov[i], .msg_iovlen = 1 } };
		}
		clock_gettime(CLOCK_MONOTONIC, &t0);
		while (sent < count) {
			int n = sendmmsg(sk, msgs, count - sent < 64 ? count - sent : 64, 0);

			if (n < 0) {
				if (errno == ENOBUFS || errno == EAGAIN)
					continue;
				fprintf(stderr, "txpkt: sendmmsg: %s\n", strerror(errno));
				return 1;
			}
			sent += n;
		}
		clock_gettime(CLOCK_MONOTONIC, &t1);
		printf("%.6f %ld\n", (t1.tv_sec - t0.tv_sec) + (t1.tv_nsec - t0.tv_nsec) / 1e9, sent);
		return 0;
	}
	fprintf(stderr, "usage: pktgen rx-attach IFNAME PIN | rx-read PIN | "
			"tx IFNAME DSTMAC SRC DST SIZE COUNT [FLOWS] | txpkt (same arguments)\n");
	return 2;
}
