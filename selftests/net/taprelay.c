// SPDX-License-Identifier: GPL-2.0-only
/*
 * taprelay: a "VM" for the equivalence suite's tap cells. It holds a tap
 * device (IFF_VNET_HDR, with checksum and TSO offloads, as QEMU's
 * virtio-net backend does) in one network namespace and relays every frame
 * between it and a veth in the namespace it runs in, with the virtio-net
 * header of each: a pod's socket traffic on the veth's far end (partial
 * checksums, GSO) reaches the tap's host side exactly as a KubeVirt VM's
 * would, and what the host sends into the tap comes back the same way.
 *
 *   taprelay --tap NAME --tap-netns PATH --veth IF
 *
 * Prints "ready" once both ends are open; runs until killed.
 */
#define _GNU_SOURCE /* setns */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <net/if.h>
#include <poll.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>
#include <linux/if_ether.h>
#include <linux/if_packet.h>
#include <linux/if_tun.h>
#include <linux/virtio_net.h>

#define BUF (sizeof(struct virtio_net_hdr) + 65536 + 64)

static int open_tap(const char *name, const char *netns)
{
	struct ifreq ifr = { .ifr_flags = IFF_TAP | IFF_NO_PI | IFF_VNET_HDR };
	int self = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);
	int ns = open(netns, O_RDONLY | O_CLOEXEC);
	int fd = -1;

	if (self < 0 || ns < 0 || setns(ns, CLONE_NEWNET)) {
		fprintf(stderr, "taprelay: %s: %s\n", netns, strerror(errno));
		goto out;
	}
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", name);
	fd = open("/dev/net/tun", O_RDWR | O_CLOEXEC);
	if (fd < 0 || ioctl(fd, TUNSETIFF, &ifr) ||
	    ioctl(fd, TUNSETOFFLOAD, TUN_F_CSUM | TUN_F_TSO4 | TUN_F_TSO6)) {
		fprintf(stderr, "taprelay: tap %s: %s\n", name, strerror(errno));
		if (fd >= 0)
			close(fd);
		fd = -1;
	}
	if (setns(self, CLONE_NEWNET)) {
		fprintf(stderr, "taprelay: back to our namespace: %s\n", strerror(errno));
		if (fd >= 0)
			close(fd);
		fd = -1;
	}
out:
	if (self >= 0)
		close(self);
	if (ns >= 0)
		close(ns);
	return fd;
}

static int open_veth(const char *ifname)
{
	struct sockaddr_ll ll = { .sll_family = AF_PACKET, .sll_protocol = htons(ETH_P_ALL) };
	int fd = socket(AF_PACKET, SOCK_RAW | SOCK_CLOEXEC, htons(ETH_P_ALL)), one = 1;

	ll.sll_ifindex = if_nametoindex(ifname);
	/* Not our own sends back: they would loop into the tap. */
	if (fd < 0 || !ll.sll_ifindex ||
	    setsockopt(fd, SOL_PACKET, PACKET_VNET_HDR, &one, sizeof(one)) ||
	    setsockopt(fd, SOL_PACKET, PACKET_IGNORE_OUTGOING, &one, sizeof(one)) ||
	    bind(fd, (void *)&ll, sizeof(ll))) {
		fprintf(stderr, "taprelay: %s: %s\n", ifname, strerror(errno));
		return -1;
	}
	return fd;
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "tap", required_argument, NULL, 't' }, { "tap-netns", required_argument, NULL, 'n' },
		{ "veth", required_argument, NULL, 'v' }, { "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *tap = NULL, *netns = NULL, *veth = NULL;
	static unsigned char buf[BUF];
	struct pollfd p[2];
	int c;

	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (c) {
		case 't': tap = optarg; break;
		case 'n': netns = optarg; break;
		case 'v': veth = optarg; break;
		default:
			fputs("Usage: taprelay --tap NAME --tap-netns PATH --veth IF\n", c == 'h' ? stdout : stderr);
			return c == 'h' ? 0 : 2;
		}
	}
	if (!tap || !netns || !veth) {
		fputs("Usage: taprelay --tap NAME --tap-netns PATH --veth IF\n", stderr);
		return 2;
	}
	p[0] = (struct pollfd){ .fd = open_tap(tap, netns), .events = POLLIN };
	p[1] = (struct pollfd){ .fd = open_veth(veth), .events = POLLIN };
	if (p[0].fd < 0 || p[1].fd < 0)
		return 1;
	printf("ready\n");
	fflush(stdout);
	for (;;) {
		if (poll(p, 2, -1) < 0) {
			if (errno == EINTR)
				continue;
			perror("taprelay: poll");
			return 1;
		}
		/* Both directions carry the virtio-net header in front. */
		for (int i = 0; i < 2; i++) {
			ssize_t n;

			if (!(p[i].revents & POLLIN))
				continue;
			n = read(p[i].fd, buf, sizeof(buf));
			if (n <= (ssize_t)sizeof(struct virtio_net_hdr))
				continue;
			if (write(p[1 - i].fd, buf, n) != n && errno != ENOBUFS && errno != EAGAIN)
				fprintf(stderr, "taprelay: %s -> %s: %s\n", i ? veth : tap, i ? tap : veth,
					strerror(errno));
		}
	}
}
