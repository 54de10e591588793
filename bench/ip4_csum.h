/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The IPv4 header checksum for the benches' crafted frames: the datapath
 * passes a header whose checksum is wrong (the kernel discards it), so a
 * frame without a valid one would measure that pass, not the decision.
 */
#ifndef BENCH_IP4_CSUM_H
#define BENCH_IP4_CSUM_H

#include <stdint.h>

/* Write the checksum of the 20-byte header at hdr (its field zeroed first). */
static inline void ip4_csum_set(uint8_t *hdr)
{
	uint32_t sum = 0;

	hdr[10] = hdr[11] = 0;
	for (int i = 0; i < 20; i += 2)
		sum += hdr[i] << 8 | hdr[i + 1];
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	sum = ~sum & 0xffff;
	hdr[10] = sum >> 8;
	hdr[11] = sum;
}

#endif
