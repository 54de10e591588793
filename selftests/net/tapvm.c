// SPDX-License-Identifier: GPL-2.0-only
/*
 * tapvm: a VM-like endpoint for the namespace tests. It holds a tap device
 * the way QEMU holds a KubeVirt VM's tap (IFF_TAP | IFF_NO_PI, in the
 * virt-launcher pod's namespace, behind a bridge with the pod's eth0), and
 * is the guest's network stack reduced to what a test needs: it answers ARP
 * for its address and ICMP echo requests to it, and prints one line per
 * echo request with the source address and the TTL it arrived with, so a
 * test can prove delivery, no NAT and the hop count from outside. Any other
 * frame is counted and ignored.
 *
 * Usage: tapvm --tap NAME --ip A.B.C.D --mac MAC
 * Prints "ready" once the tap is open; exits 0 on SIGTERM/SIGINT, printing
 * its counters.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <linux/if_tun.h>
#include <net/if.h>
#include <net/if_arp.h>
#include <netinet/if_ether.h>
#include <netinet/ip.h>
#include <netinet/ip_icmp.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

static volatile sig_atomic_t stop;

static void on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

static uint16_t csum(const void *data, size_t len)
{
	const uint8_t *p = data;
	uint32_t s = 0;

	for (size_t i = 0; i + 1 < len; i += 2)
		s += (uint32_t)p[i] << 8 | p[i + 1];
	if (len & 1)
		s += (uint32_t)p[len - 1] << 8;
	while (s >> 16)
		s = (s & 0xffff) + (s >> 16);
	return htons(~s & 0xffff);
}

struct vm {
	int fd;
	struct in_addr ip;
	uint8_t mac[ETH_ALEN];
	unsigned long arp, echo, other;
};

static void reply(struct vm *vm, uint8_t *f, size_t len)
{
	if (write(vm->fd, f, len) != (ssize_t)len)
		fprintf(stderr, "tapvm: write: %s\n", strerror(errno));
}

/* ARP request for our address: answer in place. */
static bool handle_arp(struct vm *vm, uint8_t *f, size_t len)
{
	struct ether_header *eth = (void *)f;
	struct ether_arp *a = (void *)(eth + 1);

	if (len < sizeof(*eth) + sizeof(*a) || ntohs(a->arp_op) != ARPOP_REQUEST ||
	    memcmp(a->arp_tpa, &vm->ip, 4))
		return false;
	memcpy(eth->ether_dhost, a->arp_sha, ETH_ALEN);
	memcpy(eth->ether_shost, vm->mac, ETH_ALEN);
	a->arp_op = htons(ARPOP_REPLY);
	memcpy(a->arp_tha, a->arp_sha, ETH_ALEN);
	memcpy(a->arp_tpa, a->arp_spa, 4);
	memcpy(a->arp_sha, vm->mac, ETH_ALEN);
	memcpy(a->arp_spa, &vm->ip, 4);
	reply(vm, f, sizeof(*eth) + sizeof(*a));
	vm->arp++;
	return true;
}

/* ICMP echo request to us: report it, answer to the sender's MAC. */
static bool handle_icmp(struct vm *vm, uint8_t *f, size_t len)
{
	struct ether_header *eth = (void *)f;
	struct iphdr *ip = (void *)(eth + 1);
	struct icmphdr *ic;
	size_t ihl, tot;
	char src[INET_ADDRSTRLEN];
	struct in_addr tmp;

	if (len < sizeof(*eth) + sizeof(*ip) || ip->version != 4 || ip->protocol != IPPROTO_ICMP ||
	    ip->daddr != vm->ip.s_addr)
		return false;
	ihl = ip->ihl * 4u;
	tot = ntohs(ip->tot_len);
	if (ihl < sizeof(*ip) || tot < ihl + sizeof(*ic) || sizeof(*eth) + tot > len)
		return false;
	ic = (void *)((uint8_t *)ip + ihl);
	if (ic->type != ICMP_ECHO)
		return false;
	tmp.s_addr = ip->saddr;
	printf("echo src %s ttl %u id %u seq %u\n", inet_ntop(AF_INET, &tmp, src, sizeof(src)), ip->ttl,
	       ntohs(ic->un.echo.id), ntohs(ic->un.echo.sequence));
	vm->echo++;
	memcpy(eth->ether_dhost, eth->ether_shost, ETH_ALEN);
	memcpy(eth->ether_shost, vm->mac, ETH_ALEN);
	ip->daddr = ip->saddr;
	ip->saddr = vm->ip.s_addr;
	ip->ttl = 64;
	ip->check = 0;
	ip->check = csum(ip, ihl);
	ic->type = ICMP_ECHOREPLY;
	ic->checksum = 0;
	ic->checksum = csum(ic, tot - ihl);
	reply(vm, f, sizeof(*eth) + tot);
	return true;
}

static int parse_mac(const char *s, uint8_t mac[ETH_ALEN])
{
	unsigned v[ETH_ALEN];

	if (sscanf(s, "%2x:%2x:%2x:%2x:%2x:%2x", &v[0], &v[1], &v[2], &v[3], &v[4], &v[5]) != 6 ||
	    strlen(s) != 17)
		return -1;
	for (int i = 0; i < ETH_ALEN; i++)
		mac[i] = v[i];
	return 0;
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "tap", required_argument, NULL, 't' }, { "ip", required_argument, NULL, 'i' },
		{ "mac", required_argument, NULL, 'm' }, { "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct vm vm = { .fd = -1 };
	const char *tap = NULL;
	bool have_ip = false, have_mac = false;
	struct ifreq ifr = {};
	uint8_t frame[9216];
	int c;

	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (c) {
		case 't': tap = optarg; break;
		case 'i': have_ip = inet_pton(AF_INET, optarg, &vm.ip) == 1; break;
		case 'm': have_mac = !parse_mac(optarg, vm.mac); break;
		case 'h':
			printf("Usage: tapvm --tap NAME --ip A.B.C.D --mac MAC\n");
			return 0;
		default: return 2;
		}
	}
	if (!tap || strlen(tap) >= IFNAMSIZ || !have_ip || !have_mac) {
		fprintf(stderr, "tapvm: need --tap NAME, a valid --ip and a valid --mac\n");
		return 2;
	}
	vm.fd = open("/dev/net/tun", O_RDWR | O_CLOEXEC);
	if (vm.fd < 0) {
		fprintf(stderr, "tapvm: /dev/net/tun: %s\n", strerror(errno));
		return 1;
	}
	ifr.ifr_flags = IFF_TAP | IFF_NO_PI;
	strcpy(ifr.ifr_name, tap);
	if (ioctl(vm.fd, TUNSETIFF, &ifr) < 0) {
		fprintf(stderr, "tapvm: attaching to tap %s: %s\n", tap, strerror(errno));
		return 1;
	}
	signal(SIGTERM, on_signal);
	signal(SIGINT, on_signal);
	setvbuf(stdout, NULL, _IOLBF, 0);
	printf("ready\n");
	while (!stop) {
		struct pollfd p = { .fd = vm.fd, .events = POLLIN };
		ssize_t n;

		if (poll(&p, 1, -1) <= 0)
			continue;
		n = read(vm.fd, frame, sizeof(frame));
		if (n < (ssize_t)sizeof(struct ether_header))
			continue;
		switch (ntohs(((struct ether_header *)frame)->ether_type)) {
		case ETHERTYPE_ARP:
			if (!handle_arp(&vm, frame, n))
				vm.other++;
			break;
		case ETHERTYPE_IP:
			if (!handle_icmp(&vm, frame, n))
				vm.other++;
			break;
		default:
			vm.other++;
		}
	}
	printf("stats arp %lu echo %lu other %lu\n", vm.arp, vm.echo, vm.other);
	close(vm.fd);
	return 0;
}
