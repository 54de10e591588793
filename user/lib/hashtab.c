// SPDX-License-Identifier: GPL-2.0-only
/* Fixed-record hash table (see hashtab.h). */
#include "lib/hashtab.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

struct pr_htab_entry {
	struct pr_htab_entry *next;
	uint32_t hash;
	/* Records hold 8-byte fields: keep them aligned (UBSan checks). */
	unsigned char data[] __attribute__((aligned(8)));
};

static uint32_t fnv1a(const void *p, size_t n)
{
	const unsigned char *c = p;
	uint32_t h = 2166136261u;

	while (n--)
		h = (h ^ *c++) * 16777619u;
	return h;
}

void pr_htab_init(struct pr_htab *t, size_t rec_size, size_t key_size)
{
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
	uint32_t h = fnv1a(rec, t->key_size);
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
	struct pr_htab_entry **pp = find(t, key, fnv1a(key, t->key_size)), *e;

	if (!pp || !*pp)
		return;
	e = *pp;
	*pp = e->next;
	free(e);
	t->count--;
}

const void *pr_htab_get(const struct pr_htab *t, const void *key)
{
	struct pr_htab_entry **pp = find(t, key, fnv1a(key, t->key_size));

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
