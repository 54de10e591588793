/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * What bench/lookup_cost.bpf.c and bench/lookup_cost.c share: the layout
 * of the destination arrays, the per-run parameters and results, and the
 * keys and encodings of the prototype structures (per-length hash, IPv4
 * DIR-24-8). Nothing here is podroute's ABI: the trie and the lookup index
 * use include/podroute_abi.h's keys and maps unchanged.
 */
#ifndef LOOKUP_COST_H
#define LOOKUP_COST_H

#include <linux/types.h>

#include "podroute_abi.h"

/* Destinations: four sets (hit/miss x IPv4/IPv6) of up to LK_KEYS_MAX
 * addresses each, one 16-byte slot per address (IPv4 in the first 4). */
#define LK_KEYS_MAX (1U << 20)
enum lk_set { LK_SET_HIT4, LK_SET_MISS4, LK_SET_HIT6, LK_SET_MISS6, LK_SET__COUNT };

struct lk_addr {
	__u8 a[16]; /* network byte order */
};

/* Prefix lengths a per-length structure probes, longest first, each with
 * its mask (network byte order) so that masking costs four ANDs. */
#define LK_MAX_LENS 16

struct lk_lenent {
	__u32 len;
	__be32 mask[4];
};

struct lk_lenset {
	__u32 n;
	__u32 pad;
	struct lk_lenent e[LK_MAX_LENS];
};

/* lk_lens index */
enum { LK_LENS4, LK_LENS6, LK_LENS__COUNT };

/*
 * Route values are interned, as the agent would do it: prefixes share a
 * small set of distinct values (network, action, next-hop group), here
 * LK_NVALUES of them spread pseudo-randomly over the prefixes, so that an
 * answer naming the wrong prefix is caught with probability 4095/4096 per
 * destination by the check program.
 */
#define LK_NVALUES 4096

/* Per-length hash keys: (domain, length, address masked to length). */
struct lk_h4_key {
	__u32 domain;
	__u32 len;
	__u8 addr[4];
};

struct lk_h6_key {
	__u32 domain;
	__u32 len;
	__u8 addr[16];
};

/*
 * DIR-24-8 entries (u32). First level, indexed by the top 24 bits:
 *   LK_D_CHUNK set: the low 31 bits name a 256-entry chunk of the
 *     second level, indexed by the last 8 bits;
 *   otherwise: bits 24..29 the matched prefix length, bits 0..23 the
 *     route's value id + 1 (lk_rtval; 0: no prefix covers this /24).
 * Second level entries: length and value id + 1, as above.
 * The length is only for the writer (a longer prefix must not be painted
 * over by a shorter one); the reader uses the value id.
 */
#define LK_D_CHUNK (1U << 31)
/*
 * Array maps store each value at an 8-byte stride, so u32 values would
 * waste half of every mmapped table: the first level is kept as 64-byte
 * blocks of 16 entries (one cache line), the second as 256-entry chunks.
 */
struct lk_d24_blk {
	__u32 e[16];
};

struct lk_d8_chunk {
	__u32 e[256];
};

#define LK_D_LEN_SHIFT 24
#define LK_D_LEN_MASK 0x3fU
#define LK_D_SLOT_MASK 0xffffffU

/* Set before every run (lk_params[0]). */
struct lk_params {
	__u32 base;    /* index of the set's first destination in lk_keys */
	__u32 mask;    /* destinations in the set - 1 (a power of two) */
	__u32 start;   /* first destination of this run, within the set */
	__u32 count;   /* iterations (destinations) in this run */
	__u32 family;  /* 4 or 6 */
	__u32 ifindex; /* the FIB variant's ingress device */
};

/* lk_result.bad_mask */
#define LK_BAD_LENHASH (1U << 0)
#define LK_BAD_BSL (1U << 1)
#define LK_BAD_DIR (1U << 2)

/* Written by every run (lk_result[0]). */
struct lk_result {
	__u64 sink;       /* every answer folded in: nothing is optimised away */
	__u64 hits;       /* found a prefix / FIB success / XDP_REDIRECT */
	__u64 others;     /* the rest */
	__u64 mismatches; /* check program: structures that disagree with the trie */
	__u32 bad_idx;    /* check program: a disagreeing destination (the last) */
	__u32 done;       /* iterations bpf_loop really ran */
	__u32 bad_mask;   /* check program: which disagreed (LK_BAD_*) */
	__u32 pad;
};

#endif /* LOOKUP_COST_H */
