// SPDX-License-Identifier: GPL-2.0-only
/*
 * flowprobe: the traffic of the equivalence suite, sent and received by
 * ordinary sockets with the devices' default offloads, so that what the
 * suite compares is what applications see.
 *
 *   flowprobe send --dst ADDR --port P [--src A[,B...]] [--flows N]
 *                  [--per-flow K (2)] [--size BYTES (200)] [--tcp BYTES] [--frag]
 *     UDP: N flows, flow i from source address src[i % count] and port
 *     40000 + i, K datagrams of BYTES each (--frag: let the kernel
 *     fragment datagrams above the MTU). TCP (--tcp): N connections, each
 *     a stream of BYTES (GSO/TSO-sized writes), closed by the sender, then
 *     read to the end. Payloads are a function of (flow, offset). Exits 1
 *     if a TCP connection failed.
 *
 *   flowprobe raw --if IF --dmac MAC --src A --dst B --port P [--count N]
 *                 [--tags N] [--bad-ip-csum]
 *     N crafted Ethernet frames (IPv4/UDP from source port 39000 + i, valid
 *     UDP checksums) written to IF with AF_PACKET: behind N VLAN tags
 *     (802.1ad outermost), or with a wrong IPv4 header checksum.
 *
 *   flowprobe recv --port P [--udp N] [--tcp M] [--timeout S]
 *     Until N datagrams and M TCP streams arrived, or S seconds passed,
 *     prints one line each (and one for each datagram queued beyond N),
 *     sorted by the caller:
 *       udp SRC SPORT if=IF ttl=T len=L sum=H    (IF: the receiving device)
 *       tcp SRC SPORT bytes=L sum=H
 *     and last "received udp=X tcp=Y". The UDP checksum is checked by the
 *     kernel: a datagram with a wrong one never reaches this socket.
 */
#define _GNU_SOURCE /* accept4, struct in6_pktinfo */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <net/if.h>
#include <linux/if_packet.h>
#include <sys/ioctl.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define MAX_SRC 64
#define MAX_CONN 256
#define BUF 65536

static const char usage[] =
	"Usage: flowprobe send --dst ADDR --port P [--src A[,B...]] [--flows N] [--per-flow K]\n"
	"                      [--size BYTES] [--tcp BYTES] [--frag]\n"
	"       flowprobe raw --if IF --dmac MAC --src A --dst B --port P [--count N] [--tags N]\n"
	"                     [--bad-ip-csum]\n"
	"       flowprobe recv --port P [--udp N] [--tcp M] [--timeout S]\n";

static uint8_t pattern(unsigned flow, uint64_t off)
{
	uint64_t x = (flow + 1) * 0x9e3779b97f4a7c15ULL ^ (off / 8) * 0xff51afd7ed558ccdULL;

	x ^= x >> 29;
	return (uint8_t)(x >> (8 * (off % 8)));
}

static uint64_t fnv(uint64_t h, const uint8_t *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		h = (h ^ p[i]) * 0x100000001b3ULL;
	return h;
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static int sockaddr_of(const char *a, uint16_t port, struct sockaddr_storage *ss, socklen_t *len)
{
	struct sockaddr_in *s4 = (void *)ss;
	struct sockaddr_in6 *s6 = (void *)ss;

	memset(ss, 0, sizeof(*ss));
	if (inet_pton(AF_INET, a, &s4->sin_addr) == 1) {
		s4->sin_family = AF_INET;
		s4->sin_port = htons(port);
		*len = sizeof(*s4);
		return AF_INET;
	}
	if (inet_pton(AF_INET6, a, &s6->sin6_addr) == 1) {
		s6->sin6_family = AF_INET6;
		s6->sin6_port = htons(port);
		*len = sizeof(*s6);
		return AF_INET6;
	}
	return -1;
}

static void addr_str(const struct sockaddr_storage *ss, char *buf, size_t len, unsigned *port)
{
	if (ss->ss_family == AF_INET) {
		const struct sockaddr_in *s = (const void *)ss;

		inet_ntop(AF_INET, &s->sin_addr, buf, len);
		*port = ntohs(s->sin_port);
	} else {
		const struct sockaddr_in6 *s = (const void *)ss;

		inet_ntop(AF_INET6, &s->sin6_addr, buf, len);
		*port = ntohs(s->sin6_port);
	}
}

/* A socket of the destination's family bound to (src, sport). */
static int bound_socket(int type, int family, const char *src, uint16_t sport)
{
	struct sockaddr_storage ss;
	socklen_t len;
	int fd = socket(family, type | SOCK_CLOEXEC, 0), one = 1;

	if (fd < 0)
		return -1;
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (family == AF_INET6) /* IPv4 has its own sockets */
		setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof(one));
	if (sockaddr_of(src ? src : (family == AF_INET ? "0.0.0.0" : "::"), sport, &ss, &len) != family ||
	    bind(fd, (void *)&ss, len)) {
		fprintf(stderr, "flowprobe: bind %s:%u: %s\n", src ? src : "*", sport, strerror(errno));
		close(fd);
		return -1;
	}
	return fd;
}

static int send_udp(int family, const struct sockaddr_storage *dst, socklen_t dlen, char **src,
		    unsigned nsrc, unsigned flows, unsigned per_flow, unsigned size, bool frag)
{
	static uint8_t buf[BUF];
	int failed = 0;

	for (unsigned f = 0; f < flows; f++) {
		int fd = bound_socket(SOCK_DGRAM, family, nsrc ? src[f % nsrc] : NULL, 40000 + f);

		if (fd < 0)
			return 1;
		if (frag) {
			int v = family == AF_INET ? IP_PMTUDISC_DONT : IPV6_PMTUDISC_DONT;

			setsockopt(fd, family == AF_INET ? IPPROTO_IP : IPPROTO_IPV6,
				   family == AF_INET ? IP_MTU_DISCOVER : IPV6_MTU_DISCOVER, &v, sizeof(v));
		}
		for (unsigned k = 0; k < per_flow; k++) {
			for (unsigned i = 0; i < size; i++)
				buf[i] = pattern(f, (uint64_t)k * size + i);
			if (sendto(fd, buf, size, 0, (const void *)dst, dlen) != (ssize_t)size) {
				fprintf(stderr, "flowprobe: flow %u: sendto: %s\n", f, strerror(errno));
				failed = 1;
			}
		}
		close(fd);
	}
	return failed;
}

static int send_tcp(int family, const struct sockaddr_storage *dst, socklen_t dlen, char **src,
		    unsigned nsrc, unsigned flows, uint64_t bytes)
{
	static uint8_t buf[BUF];
	struct timeval tv = { .tv_sec = 5 };
	int failed = 0;

	for (unsigned f = 0; f < flows; f++) {
		int fd = bound_socket(SOCK_STREAM, family, nsrc ? src[f % nsrc] : NULL, 41000 + f);
		uint64_t off = 0;

		if (fd < 0)
			return 1;
		setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
		setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
		if (connect(fd, (const void *)dst, dlen)) {
			fprintf(stderr, "flowprobe: tcp flow %u: connect: %s\n", f, strerror(errno));
			failed = 1;
			close(fd);
			continue;
		}
		while (off < bytes) {
			size_t n = bytes - off < BUF ? bytes - off : BUF;
			ssize_t w;

			for (size_t i = 0; i < n; i++)
				buf[i] = pattern(f, off + i);
			w = write(fd, buf, n);
			if (w <= 0) {
				fprintf(stderr, "flowprobe: tcp flow %u: write: %s\n", f, strerror(errno));
				failed = 1;
				break;
			}
			off += w;
		}
		shutdown(fd, SHUT_WR);
		/* The receiver closes once it has read everything. */
		if (read(fd, buf, 1) < 0) {
			fprintf(stderr, "flowprobe: tcp flow %u: no close from the receiver: %s\n", f,
				strerror(errno));
			failed = 1;
		}
		close(fd);
	}
	return failed;
}

static int cmd_send(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "dst", required_argument, NULL, 'd' }, { "port", required_argument, NULL, 'p' },
		{ "src", required_argument, NULL, 's' }, { "flows", required_argument, NULL, 'n' },
		{ "per-flow", required_argument, NULL, 'k' }, { "size", required_argument, NULL, 'z' },
		{ "tcp", required_argument, NULL, 't' }, { "frag", no_argument, NULL, 'f' },
		{ NULL, 0, NULL, 0 },
	};
	char *dst = NULL, *src[MAX_SRC], *srcs = NULL;
	unsigned port = 0, flows = 16, per_flow = 2, size = 200, nsrc = 0;
	uint64_t tcp = 0;
	struct sockaddr_storage ss;
	socklen_t len;
	bool frag = false;
	int c, family;

	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case 'd': dst = optarg; break;
		case 'p': port = strtoul(optarg, NULL, 0); break;
		case 's': srcs = optarg; break;
		case 'n': flows = strtoul(optarg, NULL, 0); break;
		case 'k': per_flow = strtoul(optarg, NULL, 0); break;
		case 'z': size = strtoul(optarg, NULL, 0); break;
		case 't': tcp = strtoull(optarg, NULL, 0); break;
		case 'f': frag = true; break;
		default: fputs(usage, stderr); return 2;
		}
	}
	if (!dst || !port || port > 65535 || size > BUF || !flows || flows > 1000) {
		fputs(usage, stderr);
		return 2;
	}
	for (char *t = srcs ? strtok(srcs, ",") : NULL; t && nsrc < MAX_SRC; t = strtok(NULL, ","))
		src[nsrc++] = t;
	family = sockaddr_of(dst, port, &ss, &len);
	if (family < 0) {
		fprintf(stderr, "flowprobe: bad address %s\n", dst);
		return 2;
	}
	if (tcp)
		return send_tcp(family, &ss, len, src, nsrc, flows, tcp);
	return send_udp(family, &ss, len, src, nsrc, flows, per_flow, size, frag);
}

static uint16_t csum_fold(uint32_t sum)
{
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return ~sum & 0xffff;
}

static uint32_t csum_add(uint32_t sum, const uint8_t *p, size_t n)
{
	for (size_t i = 0; i + 1 < n; i += 2)
		sum += p[i] << 8 | p[i + 1];
	if (n & 1)
		sum += p[n - 1] << 8;
	return sum;
}

static void put16(uint8_t *p, uint16_t v)
{
	p[0] = v >> 8;
	p[1] = v;
}

static int cmd_raw(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "if", required_argument, NULL, 'i' }, { "dmac", required_argument, NULL, 'm' },
		{ "src", required_argument, NULL, 's' }, { "dst", required_argument, NULL, 'd' },
		{ "port", required_argument, NULL, 'p' }, { "count", required_argument, NULL, 'n' },
		{ "tags", required_argument, NULL, 't' }, { "bad-ip-csum", no_argument, NULL, 'b' },
		{ NULL, 0, NULL, 0 },
	};
	const char *ifname = NULL, *dmac = NULL, *src = NULL, *dst = NULL;
	unsigned port = 0, count = 1, tags = 0, mac[6];
	bool bad = false;
	uint8_t f[256] = {}, *ip, *udp;
	struct sockaddr_ll ll = { .sll_family = AF_PACKET, .sll_halen = 6 };
	struct ifreq ifr = {};
	int c, fd, failed = 0;

	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case 'i': ifname = optarg; break;
		case 'm': dmac = optarg; break;
		case 's': src = optarg; break;
		case 'd': dst = optarg; break;
		case 'p': port = strtoul(optarg, NULL, 0); break;
		case 'n': count = strtoul(optarg, NULL, 0); break;
		case 't': tags = strtoul(optarg, NULL, 0); break;
		case 'b': bad = true; break;
		default: fputs(usage, stderr); return 2;
		}
	}
	if (!ifname || !dmac || !src || !dst || !port || tags > 3 ||
	    sscanf(dmac, "%x:%x:%x:%x:%x:%x", &mac[0], &mac[1], &mac[2], &mac[3], &mac[4], &mac[5]) != 6) {
		fputs(usage, stderr);
		return 2;
	}
	fd = socket(AF_PACKET, SOCK_RAW | SOCK_CLOEXEC, 0);
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", ifname);
	if (fd < 0 || ioctl(fd, SIOCGIFHWADDR, &ifr)) {
		fprintf(stderr, "flowprobe: %s: %s\n", ifname, strerror(errno));
		return 1;
	}
	for (int i = 0; i < 6; i++)
		f[i] = mac[i];
	memcpy(f + 6, ifr.ifr_hwaddr.sa_data, 6);
	ip = f + 12;
	for (unsigned t = 0; t < tags; t++) {
		put16(ip, t == 0 && tags > 1 ? 0x88a8 : 0x8100);
		put16(ip + 2, 100 + t);
		ip += 4;
	}
	put16(ip, 0x0800);
	ip += 2;
	udp = ip + 20;
	ll.sll_ifindex = if_nametoindex(ifname);
	memcpy(ll.sll_addr, f, 6);
	for (unsigned k = 0; k < count; k++) {
		unsigned plen = 32, ulen = 8 + plen;
		uint32_t sum;

		ip[0] = 0x45;
		put16(ip + 2, 20 + ulen);
		put16(ip + 4, k);
		ip[8] = 64;
		ip[9] = 17;
		ip[10] = ip[11] = 0;
		inet_pton(AF_INET, src, ip + 12);
		inet_pton(AF_INET, dst, ip + 16);
		put16(ip + 10, csum_fold(csum_add(0, ip, 20)) ^ (bad ? 1 : 0));
		put16(udp, 39000 + k);
		put16(udp + 2, port);
		put16(udp + 4, ulen);
		udp[6] = udp[7] = 0;
		for (unsigned i = 0; i < plen; i++)
			udp[8 + i] = pattern(k, i);
		sum = csum_add(0, ip + 12, 8) + 17 + ulen;
		put16(udp + 6, csum_fold(csum_add(sum, udp, ulen)));
		if (sendto(fd, f, udp + ulen - f, 0, (void *)&ll, sizeof(ll)) < 0) {
			fprintf(stderr, "flowprobe: sendto %s: %s\n", ifname, strerror(errno));
			failed = 1;
		}
	}
	close(fd);
	return failed;
}

struct conn {
	int fd;
	char src[INET6_ADDRSTRLEN];
	unsigned sport;
	uint64_t bytes, sum;
};

static void print_udp(int fd)
{
	static uint8_t buf[BUF];
	char cbuf[256], src[INET6_ADDRSTRLEN], ifname[IF_NAMESIZE] = "?";
	struct sockaddr_storage ss;
	struct iovec iov = { buf, sizeof(buf) };
	struct msghdr m = { .msg_name = &ss, .msg_namelen = sizeof(ss), .msg_iov = &iov,
			    .msg_iovlen = 1, .msg_control = cbuf, .msg_controllen = sizeof(cbuf) };
	unsigned port, ifindex = 0;
	int ttl = -1;
	ssize_t n = recvmsg(fd, &m, 0);

	if (n < 0)
		return;
	for (struct cmsghdr *c = CMSG_FIRSTHDR(&m); c; c = CMSG_NXTHDR(&m, c)) {
		if (c->cmsg_level == IPPROTO_IP && c->cmsg_type == IP_TTL)
			memcpy(&ttl, CMSG_DATA(c), sizeof(ttl));
		else if (c->cmsg_level == IPPROTO_IP && c->cmsg_type == IP_PKTINFO)
			ifindex = ((struct in_pktinfo *)CMSG_DATA(c))->ipi_ifindex;
		else if (c->cmsg_level == IPPROTO_IPV6 && c->cmsg_type == IPV6_HOPLIMIT)
			memcpy(&ttl, CMSG_DATA(c), sizeof(ttl));
		else if (c->cmsg_level == IPPROTO_IPV6 && c->cmsg_type == IPV6_PKTINFO)
			ifindex = ((struct in6_pktinfo *)CMSG_DATA(c))->ipi6_ifindex;
	}
	if (ifindex)
		if_indextoname(ifindex, ifname);
	addr_str(&ss, src, sizeof(src), &port);
	printf("udp %s %u if=%s ttl=%d len=%zd sum=%016llx\n", src, port, ifname, ttl, n,
	       (unsigned long long)fnv(0xcbf29ce484222325ULL, buf, n));
}

static int listener(int family, int type, unsigned port)
{
	int fd = bound_socket(type, family, NULL, port), one = 1;

	if (fd < 0)
		return -1;
	if (type == SOCK_DGRAM) {
		/* Room for every datagram of a cell even if this process is slow
		 * to run (a busy machine): a datagram from a veth or tap can take
		 * 16 KiB of the buffer, and the default buffer then holds 13. */
		int big = 32 << 20;

		if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &big, sizeof(big)))
			setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &big, sizeof(big));
		if (family == AF_INET) {
			setsockopt(fd, IPPROTO_IP, IP_RECVTTL, &one, sizeof(one));
			setsockopt(fd, IPPROTO_IP, IP_PKTINFO, &one, sizeof(one));
		} else {
			setsockopt(fd, IPPROTO_IPV6, IPV6_RECVHOPLIMIT, &one, sizeof(one));
			setsockopt(fd, IPPROTO_IPV6, IPV6_RECVPKTINFO, &one, sizeof(one));
		}
	} else if (listen(fd, 128)) {
		close(fd);
		return -1;
	}
	return fd;
}

static int cmd_recv(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "port", required_argument, NULL, 'p' }, { "udp", required_argument, NULL, 'u' },
		{ "tcp", required_argument, NULL, 't' }, { "timeout", required_argument, NULL, 'T' },
		{ NULL, 0, NULL, 0 },
	};
	unsigned port = 0, want_udp = 0, want_tcp = 0, got_udp = 0, got_tcp = 0, nconn = 0;
	double timeout = 5, deadline;
	struct conn conns[MAX_CONN];
	int c, fds[4];

	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case 'p': port = strtoul(optarg, NULL, 0); break;
		case 'u': want_udp = strtoul(optarg, NULL, 0); break;
		case 't': want_tcp = strtoul(optarg, NULL, 0); break;
		case 'T': timeout = strtod(optarg, NULL); break;
		default: fputs(usage, stderr); return 2;
		}
	}
	if (!port || port > 65535) {
		fputs(usage, stderr);
		return 2;
	}
	fds[0] = listener(AF_INET, SOCK_DGRAM, port);
	fds[1] = listener(AF_INET6, SOCK_DGRAM, port);
	fds[2] = listener(AF_INET, SOCK_STREAM, port);
	fds[3] = listener(AF_INET6, SOCK_STREAM, port);
	for (int i = 0; i < 4; i++)
		if (fds[i] < 0)
			return 1;
	/* Ready: the caller waits for this line before it sends. */
	printf("listening %u\n", port);
	fflush(stdout);
	deadline = now() + timeout;
	while ((got_udp < want_udp || got_tcp < want_tcp) && now() < deadline) {
		struct pollfd p[4 + MAX_CONN];
		unsigned np = 0;
		int n;

		for (int i = 0; i < 4; i++)
			p[np++] = (struct pollfd){ .fd = fds[i], .events = POLLIN };
		for (unsigned i = 0; i < nconn; i++)
			p[np++] = (struct pollfd){ .fd = conns[i].fd, .events = POLLIN };
		n = poll(p, np, (int)((deadline - now()) * 1000) + 1);
		if (n <= 0)
			continue;
		for (int i = 0; i < 2; i++)
			if (p[i].revents & POLLIN) {
				print_udp(fds[i]);
				got_udp++;
			}
		for (int i = 2; i < 4; i++) {
			struct sockaddr_storage ss;
			socklen_t sl = sizeof(ss);
			int fd;

			if (!(p[i].revents & POLLIN) || nconn >= MAX_CONN)
				continue;
			fd = accept4(fds[i], (void *)&ss, &sl, SOCK_CLOEXEC | SOCK_NONBLOCK);
			if (fd < 0)
				continue;
			conns[nconn] = (struct conn){ .fd = fd, .sum = 0xcbf29ce484222325ULL };
			addr_str(&ss, conns[nconn].src, sizeof(conns[nconn].src), &conns[nconn].sport);
			nconn++;
		}
		for (unsigned i = 0; i < nconn; i++) {
			static uint8_t buf[BUF];
			struct conn *k = &conns[i];
			ssize_t r;

			if (!(p[4 + i].revents & (POLLIN | POLLHUP | POLLERR)))
				continue;
			while ((r = read(k->fd, buf, sizeof(buf))) > 0) {
				k->sum = fnv(k->sum, buf, r);
				k->bytes += r;
			}
			if (r == 0 || (r < 0 && errno != EAGAIN)) {
				if (r == 0)
					printf("tcp %s %u bytes=%llu sum=%016llx\n", k->src, k->sport,
					       (unsigned long long)k->bytes, (unsigned long long)k->sum);
				close(k->fd);
				k->fd = -1;
				got_tcp += r == 0;
			}
		}
		/* Drop closed connections (their poll slots shift with them). */
		for (unsigned i = 0; i < nconn;)
			if (conns[i].fd < 0)
				conns[i] = conns[--nconn];
			else
				i++;
	}
	/* What is queued beyond the count is news too (duplicates, extras). */
	for (int i = 0; i < 2; i++) {
		struct pollfd p = { .fd = fds[i], .events = POLLIN };

		while (poll(&p, 1, 0) > 0 && (p.revents & POLLIN)) {
			print_udp(fds[i]);
			got_udp++;
		}
	}
	printf("received udp=%u tcp=%u\n", got_udp, got_tcp);
	return 0;
}

int main(int argc, char **argv)
{
	if (argc >= 2 && !strcmp(argv[1], "send"))
		return cmd_send(argc - 1, argv + 1);
	if (argc >= 2 && !strcmp(argv[1], "recv"))
		return cmd_recv(argc - 1, argv + 1);
	if (argc >= 2 && !strcmp(argv[1], "raw"))
		return cmd_raw(argc - 1, argv + 1);
	fputs(usage, argc >= 2 && !strcmp(argv[1], "--help") ? stdout : stderr);
	return argc >= 2 && !strcmp(argv[1], "--help") ? 0 : 2;
}
