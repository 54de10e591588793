/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The lookup index (layout and purpose: include/podroute_abi.h): a faster
 * copy of the prefix tries that the datapath reads while it is current.
 *
 * Two layers. The builder and the search are pure functions on memory, so
 * unit tests check them against a brute-force longest match. struct pr_lookup_index
 * is the index on the pinned maps (mmapped): note every trie change before
 * writing it, publish a new build into the idle table after.
 */
#ifndef PR_LSX_H
#define PR_LSX_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "podroute_abi.h"

/* One prefix of a trie, as the index takes it. */
struct pr_lookup_index_entry {
	uint32_t domain;
	uint8_t len;
	uint8_t addr[16]; /* network byte order, bits past len zero; IPv4 first 4 bytes */
	struct pr_route r;
};

struct pr_lookup_index_build_stats {
	size_t prefixes;          /* prefixes indexed */
	size_t skipped;           /* prefixes the trie serves: domains above PR_LSX_MAX_DOMAIN,
				   * or past the first PR_LSX_MAX_DOMAINS */
	size_t domains;           /* domains indexed */
	size_t nodes, cleaves;    /* node and compressed-leaf elements */
	size_t skips;             /* skip elements */
	size_t words;             /* direct-array and leaf words */
	size_t routes;            /* distinct routes */
	size_t elements;          /* elements used in all (words and routes included) */
};

/*
 * Build a table of a family into elements [base, base + nelems) of map (a
 * whole pr_lsx4/6 map: indices in the table are absolute) from n
 * prefixes, and its header into *t. Returns 0, -ENOSPC when the table is
 * too small, or -E2BIG with more than PR_LSX_MAX_ROUTES distinct routes.
 * On error the table holds garbage: it must not be published.
 */
int pr_lookup_index_fill(union pr_lsx_elem *map, uint32_t base, uint32_t nelems, bool v6,
			 const struct pr_lookup_index_entry *e, size_t n, struct pr_lsx_table *t,
			 struct pr_lookup_index_build_stats *st);

/*
 * The datapath's search, step for step (bpf/pr_lsx.h): whether table t
 * (of map, map_elems elements) answers for addr in domain, and then *out,
 * the longest prefix's route or NULL. False: the trie must answer (not
 * built, domain not indexed, or an index outside the map).
 */
bool pr_lookup_index_search(const union pr_lsx_elem *map, uint32_t map_elems, const struct pr_lsx_table *t,
			    bool v6, uint32_t domain, const uint8_t *addr, const struct pr_route **out);

/* The entry of a pr_routes4 (v6: pr_routes6) key and its struct pr_route
 * value. 0 or -EINVAL. */
int pr_lookup_index_entry_from_key(bool v6, const void *key, const void *route, struct pr_lookup_index_entry *e);

/* ---- the index on the pinned maps ---- */

/* The map sizes: PR_LSX_MAX_PREFIXES, PR_LSX_MAP_ELEMS in podroute_abi.h. */

struct pr_grace_period;

struct pr_lookup_index {
	struct pr_lsx_ctl *ctl;         /* mmapped pr_lsx_ctl */
	union pr_lsx_elem *elems[2];    /* mmapped pr_lsx4 / pr_lsx6 (both tables) */
	uint32_t nelems[2];             /* elements per table */
	int fd_chg[2][2];               /* [family][table]: its set of changed prefixes */
	uint64_t *chgbits;              /* mmapped pr_lsx_chgbits: the sets' filters */
	struct pr_grace_period *gp;         /* grace periods */
	uint64_t gp_ticket[2];          /* the table not current may be written once it ended */
	bool builder;                   /* this process builds (else another agent does) */
	unsigned last[2];               /* table most recently published */
	bool stale[2];                  /* a trie changed since the last publish */
	/* for logs, status and metrics */
	uint64_t builds, failures;
	double last_build_ms[2];
	size_t entries[2];              /* elements the current build uses */
	size_t changed[2];              /* prefixes in the current table's set */
	char why_off[2][96];            /* "" while current, else why the trie serves */
	/* [family][table]: the keys this process wrote to the set, so that a
	 * build empties it with one batch delete rather than a scan and a
	 * delete per key; while !known (a set an earlier process wrote, or a
	 * record that could not grow), the scan. */
	struct pr_lsx_chg_keys {
		uint8_t *keys; /* the family's trie key size each */
		size_t n, cap;
		bool known;
	} chg_keys[2][2];
};

/* The index's maps (the fds stay their owner's). */
struct pr_lookup_index_fds {
	int lines[2]; /* pr_lsx4, pr_lsx6 */
	int ctl;      /* pr_lsx_ctl */
	int chg[2][2]; /* pr_lsx_chg4_0, _1, pr_lsx_chg6_0, _1 */
	int chgbits;  /* pr_lsx_chgbits */
};

/* Fill fds from fd_of_map, indexed by enum pr_map (struct pr_datapath's
 * and struct pr_pins's map_fd / fd). */
void pr_lookup_index_fds_from(struct pr_lookup_index_fds *fds, const int *fd_of_map);
/* Fill fds by map name through fd_of (-1 or -errno for a missing map), for
 * objects other than the datapath's (benchmarks). */
void pr_lookup_index_fds_by_name(struct pr_lookup_index_fds *fds, int (*fd_of)(void *ctx, const char *name), void *ctx);

/* Map the maps, become the index's builder unless another live process is
 * (x->builder says which), and start the grace-period thread. 0 or
 * -errno. */
int pr_lookup_index_open(struct pr_lookup_index *x, const struct pr_lookup_index_fds *fds);
void pr_lookup_index_close(struct pr_lookup_index *x);
/* The datapath reads family v6's trie from now on, until the next publish. */
void pr_lookup_index_invalidate(struct pr_lookup_index *x, bool v6);
/* The same through pr_lsx_ctl's fd alone (hand edits of the tries). */
int pr_lookup_index_invalidate_fd(int fd_ctl, bool v6);
/* As the builder, before the first build: the tables may not match the
 * tries any more (another agent's, or hand edits), the tries serve. A
 * process that is not the builder leaves the index alone. */
void pr_lookup_index_reset(struct pr_lookup_index *x);
/* Not the builder: become it if the one that was has gone (then reset, and
 * the next builds are ours). Whether this process is the builder now. */
bool pr_lookup_index_try_claim(struct pr_lookup_index *x);
/*
 * Before writing or deleting the prefix trie_key (a pr_lpm4_key or
 * pr_lpm6_key) in family v6's trie: the current table keeps answering for
 * every destination the prefix does not cover, and sends those it covers
 * to the trie. When the change cannot be recorded (the set is full), or
 * this process is not the builder (whose next build would not know the
 * change), the index goes off instead. Either way the family is stale.
 */
void pr_lookup_index_note_change(struct pr_lookup_index *x, bool v6, const void *trie_key);
/* Whether the table a publish would write is free (the grace period since
 * the datapath stopped reading it has ended): a publish now would not wait. */
bool pr_lookup_index_writable(struct pr_lookup_index *x, bool v6);
/* Build the idle table from the family's whole trie content and make it
 * current (waiting first for the grace period, if it has not ended). 0,
 * -EBUSY when another process is the builder, or -errno with the index left
 * off (the trie serves). */
int pr_lookup_index_publish(struct pr_lookup_index *x, bool v6, const struct pr_lookup_index_entry *e, size_t n);

#endif
