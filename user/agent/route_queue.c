// SPDX-License-Identifier: GPL-2.0-only
/* The agent's queue of learned-route changes (see routeq.h). */
#include "agent/route_queue.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

/* The dedup key: table and prefix, padding zeroed. */
struct seen_key {
	uint32_t table;
	uint8_t family, len;
	uint8_t addr[16];
};

static void seen_key(struct seen_key *k, uint32_t table, const struct pr_prefix *dst)
{
	memset(k, 0, sizeof(*k));
	k->table = table;
	k->family = dst->family;
	k->len = dst->len;
	memcpy(k->addr, dst->addr, dst->family == AF_INET ? 4 : 16);
}

int pr_routeq_init(struct pr_routeq *q, size_t cap)
{
	memset(q, 0, sizeof(*q));
	q->items = calloc(cap, sizeof(*q->items));
	if (!q->items)
		return -ENOMEM;
	q->cap = cap;
	pr_htab_init(&q->seen, sizeof(struct seen_key), sizeof(struct seen_key));
	return 0;
}

void pr_routeq_free(struct pr_routeq *q)
{
	free(q->items);
	pr_htab_free(&q->seen);
	memset(q, 0, sizeof(*q));
}

void pr_routeq_push(struct pr_routeq *q, uint32_t table, const struct pr_prefix *dst, double now_ms)
{
	struct seen_key k;

	if (q->overflow)
		return;
	seen_key(&k, table, dst);
	if (pr_htab_get(&q->seen, &k))
		return;
	if (q->n == q->cap || pr_htab_set(&q->seen, &k)) {
		q->overflow = true;
		return;
	}
	q->items[q->n++] = (struct pr_routeq_item){ .table = table, .dst = *dst, .since_ms = now_ms };
}

void pr_routeq_reset(struct pr_routeq *q)
{
	q->n = 0;
	q->overflow = false;
	pr_htab_clear(&q->seen);
}
