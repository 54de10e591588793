/* SPDX-License-Identifier: GPL-2.0-only */
/* Shared by bench/lpm_scale.bpf.c and bench/lpm_scale.c. */
#ifndef LPM_SCALE_H
#define LPM_SCALE_H

#define MAX_LENS 16
#define NKEYS_MAX 65536

enum { M_NOOP, M_TRIE, M_HASH, M_FIB, M_CHECK, M__COUNT };

/* The key of both the trie and the hash: podroute's LPM key layout. */
struct lkey {
	__u32 prefixlen; /* 32 domain bits + the prefix length */
	__u32 domain;
	__u8 addr[16];
};

struct lpm_scale_globals {
	__u32 mode, family, nkeys_mask, nlens, lens[MAX_LENS], ifindex;
	__u64 acc, hits, mismatches;
};

#endif
