/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * A hash table of fixed-size records, each starting with its key (a byte
 * string of fixed length). Chained, power-of-two buckets, grown at load 1.
 * Used for the kernel-state cache and the reconciler's map mirrors. Our
 * own rather than glib's GHashTable (a pointer per entry, a second
 * allocation per record, and glib for one table); the hash is libxxhash's
 * XXH3, seeded at start.
 */
#ifndef PR_HASHTAB_H
#define PR_HASHTAB_H

#include <stddef.h>
#include <stdint.h>

struct pr_htab_entry;

struct pr_htab {
	struct pr_htab_entry **b;
	size_t nbuckets, count, rec_size, key_size;
};

struct pr_htab_iter {
	size_t bucket;
	struct pr_htab_entry *e;
};

void pr_htab_init(struct pr_htab *t, size_t rec_size, size_t key_size);
void pr_htab_clear(struct pr_htab *t);
void pr_htab_free(struct pr_htab *t);
/* Insert or replace the record (its first key_size bytes are the key). */
int pr_htab_set(struct pr_htab *t, const void *rec);
void pr_htab_del(struct pr_htab *t, const void *key);
const void *pr_htab_get(const struct pr_htab *t, const void *key);
/* Iterate: it zeroed first; returns the next record or NULL. Do not
 * modify the table while iterating. */
const void *pr_htab_next(const struct pr_htab *t, struct pr_htab_iter *it);

#endif
