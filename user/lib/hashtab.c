// SPDX-License-Identifier: GPL-2.0-only
/* Fixed-record hash table (see hashtab.h). */
#include "lib/hashtab.h"

#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/random.h>
#include <xxhash.h>

struct pr_htab_entry {
	struct pr_htab_entry *next;
	uint32_t hash;
	/* Records hold 8-byte fields: keep them aligned (UBSan checks). */
	unsigned char data[] __attribute__((aligned(8)));
};

/*
 * Keys come from outside: prefixes a BGP peer announces, neighbours and
 * links. With a fixed hash a peer could pick prefixes that share a bucket
 * and make every lookup walk them all; a seed drawn at start (XXH3, from
 * libxxhash) leaves it nothing to aim at.
 */
static uint64_t seed;
static pthread_once_t seed_once = PTHREAD_ONCE_INIT;

static void seed_init(void)
{
	if (getrandom(&seed, sizeof(seed), GRND_NONBLOCK) != sizeof(seed))
		seed = (uint64_t)time(NULL) ^ ((uint64_t)getpid() << 32) ^ (uintptr_t)&seed;
}

static uint32_t hash_key(const void *p, size_t n)
{
	return (uint32_t)XXH3_64bits_withSeed(p, n, seed);
}

void pr_htab_init(struct pr_htab *t, size_t rec_size, size_t key_size)
{
	pthread_once(&seed_once, seed_init);
	memset(t, 0, sizeof(*t));
	t->rec_size = rec_size;
	t->key_size = key_size;
}

void pr_htab_clear(struct pr_htab *t)
{
	for (size_t i = 0; i < t->nbuckets; i++) {
		struct pr_htab_entry *e = t->b[i], *n;

		for (; e; e = n) {
			n = e->next;
			free(e);
		}
		t->b[i] = NULL;
	}
	t->count = 0;
}

void pr_htab_free(struct pr_htab *t)
{
	pr_htab_clear(t);
	free(t->b);
	t->b = NULL;
	t->nbuckets = 0;
}

static int grow(struct pr_htab *t)
{
	size_t nb = t->nbuckets ? t->nbuckets * 2 : 64;
	struct pr_htab_entry **b = calloc(nb, sizeof(*b));

	if (!b)
		return -ENOMEM;
	for (size_t i = 0; i < t->nbuckets; i++) {
		struct pr_htab_entry *e = t->b[i], *n;

		for (; e; e = n) {
			n = e->next;
			e->next = b[e->hash & (nb - 1)];
			b[e->hash & (nb - 1)] = e;
		}
	}
	free(t->b);
	t->b = b;
	t->nbuckets = nb;
	return 0;
}

static struct pr_htab_entry **find(const struct pr_htab *t, const void *key, uint32_t h)
{
	struct pr_htab_entry **pp;

	if (!t->nbuckets)
		return NULL;
	for (pp = &t->b[h & (t->nbuckets - 1)]; *pp; pp = &(*pp)->next)
		if ((*pp)->hash == h && !memcmp((*pp)->data, key, t->key_size))
			return pp;
	return pp;
}

int pr_htab_set(struct pr_htab *t, const void *rec)
{
	uint32_t h = hash_key(rec, t->key_size);
	struct pr_htab_entry **pp, *e;

	if (t->count >= t->nbuckets && grow(t))
		return -ENOMEM;
	pp = find(t, rec, h);
	if (*pp) {
		memcpy((*pp)->data, rec, t->rec_size);
		return 0;
	}
	e = malloc(sizeof(*e) + t->rec_size);
	if (!e)
		return -ENOMEM;
	e->next = NULL;
	e->hash = h;
	memcpy(e->data, rec, t->rec_size);
	*pp = e;
	t->count++;
	return 0;
}

void pr_htab_del(struct pr_htab *t, const void *key)
{
	struct pr_htab_entry **pp = find(t, key, hash_key(key, t->key_size)), *e;

	if (!pp || !*pp)
		return;
	e = *pp;
	*pp = e->next;
	free(e);
	t->count--;
}

const void *pr_htab_get(const struct pr_htab *t, const void *key)
{
	struct pr_htab_entry **pp = find(t, key, hash_key(key, t->key_size));

	return pp && *pp ? (*pp)->data : NULL;
}

const void *pr_htab_next(const struct pr_htab *t, struct pr_htab_iter *it)
{
	if (it->e)
		it->e = it->e->next;
	while (!it->e && it->bucket < t->nbuckets)
		it->e = t->b[it->bucket++];
	return it->e ? it->e->data : NULL;
}
