// SPDX-License-Identifier: GPL-2.0-only
/* Frame builder for the program tests (see pktbuild.h). */
#include "pktbuild.h"

#include <arpa/inet.h>
#include <assert.h>
#include <string.h>
#include <sys/socket.h>

uint16_t ipv4_csum(const uint8_t *hdr, size_t len)
{
	uint32_t sum = 0;

	for (size_t i = 0; i + 1 < len; i += 2)
		sum += (hdr[i] << 8) | hdr[i + 1];
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return htons(~sum & 0xffff);
}

static uint8_t *put16(uint8_t *p, uint16_t v)
{
	p[0] = v >> 8;
	p[1] = v;
	return p + 2;
}

size_t pkt_build(const struct pkt_spec *s, uint8_t *buf, size_t *l3_off_out)
{
	uint8_t *p = buf, *l3, *l4;
	unsigned l4_len = 8 + s->payload_len;
	uint16_t et = s->ethertype ? s->ethertype : (s->family == AF_INET6 ? 0x86dd : 0x0800);

	memset(buf, 0, PKT_MAX);
	memcpy(p, s->dmac, 6);
	memcpy(p + 6, s->smac, 6);
	p += 12;
	for (int i = 0; i < 3 && s->vlan_proto[i]; i++) {
		p = put16(p, s->vlan_proto[i]);
		p = put16(p, 100 + i); /* TCI: VLAN id 100+i */
	}
	p = put16(p, et);
	l3 = p;
	if (l3_off_out)
		*l3_off_out = l3 - buf;
	if (et == 0x0806) { /* ARP request, enough to look real */
		memset(p, 0x11, 28);
		return p + 28 - buf;
	}
	if (s->family == AF_INET) {
		unsigned ihl = 5 + s->ipopt_len / 4;
		unsigned tot = ihl * 4 + l4_len;

		assert(s->ipopt_len % 4 == 0 && s->ipopt_len <= 40);
		p[0] = ((s->version_override ? s->version_override : 4) << 4) |
		       (s->ihl_override ? (unsigned)s->ihl_override : ihl);
		p[1] = 0;
		put16(p + 2, tot + s->totlen_delta);
		put16(p + 4, s->ip_id ? s->ip_id : 0x1234);
		put16(p + 6, s->frag_off);
		p[8] = s->ttl;
		p[9] = s->icmp_type ? 1 : 17; /* ICMP or UDP */
		inet_pton(AF_INET, s->src, p + 12);
		inet_pton(AF_INET, s->dst, p + 16);
		memcpy(p + 20, s->ipopt, s->ipopt_len);
		memcpy(p + 10, (uint16_t[]){ ipv4_csum(p, ihl * 4) }, 2);
		if (s->bad_csum)
			p[11] ^= 1;
		l4 = p + ihl * 4;
	} else {
		unsigned ext = s->hopopts ? 8 : 0;

		p[0] = (s->version_override ? s->version_override : 6) << 4;
		p[1] = 0x0a; /* some flow label bits */
		put16(p + 4, ext + l4_len + s->totlen_delta);
		p[6] = s->hopopts ? 0 : s->icmp_type ? 58 : 17;
		p[7] = s->ttl;
		inet_pton(AF_INET6, s->src, p + 8);
		inet_pton(AF_INET6, s->dst, p + 24);
		l4 = p + 40;
		if (s->hopopts) {
			l4[0] = s->icmp_type ? 58 : 17; /* next header, length 0 (8 bytes) */
			l4[2] = 5;  /* router alert option */
			l4[3] = 2;
			l4 += 8;
		}
	}
	if (s->icmp_type) { /* type, code 0, checksum left 0: the datapath does not read it */
		l4[0] = s->icmp_type;
		l4[1] = 0;
		put16(l4 + 4, s->sport);
	} else {
		put16(l4, s->sport);
		put16(l4 + 2, s->dport);
		put16(l4 + 4, l4_len);
	}
	for (unsigned i = 0; i < s->payload_len; i++)
		l4[8 + i] = (uint8_t)(i * 7 + 3);
	return l4 + l4_len - buf;
}
