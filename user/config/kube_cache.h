/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * One resource's objects as the sidecar knows them, and the pure parts of
 * list/watch (no I/O, unit-tested): reading a LIST page, applying one watch
 * event line, and the reconnect backoff.
 *
 * Objects are keyed by "namespace/name" (cluster-scoped: "/name"), what the
 * renderer sees. LIST items come without kind and apiVersion (the server
 * gives them once, for the list); they are filled in from the list's, so
 * every stored object is whole, as a watch event delivers it.
 */
#ifndef PR_KUBE_CACHE_H
#define PR_KUBE_CACHE_H

#include <stdbool.h>
#include <stddef.h>
#include <jansson.h>

struct kube_cache {
	json_t *objs;  /* "namespace/name" -> object (owned) */
	char rv[128];  /* resourceVersion to watch from */
};

void kube_cache_init(struct kube_cache *c);
void kube_cache_clear(struct kube_cache *c);
/* Move from into to (to's objects dropped); from ends empty. */
void kube_cache_take(struct kube_cache *to, struct kube_cache *from);

/*
 * Add one LIST page (body) to c: its items, and c->rv from
 * metadata.resourceVersion. cont gets metadata.continue ("" on the last
 * page). 0, or -EINVAL with err (not JSON, not a List, an item without a
 * name).
 */
int kube_cache_list_page(struct kube_cache *c, const char *body, size_t len, char *cont,
			 size_t contlen, char *err, size_t errlen);

enum kube_event {
	KUBE_EV_CHANGED,   /* ADDED, MODIFIED or DELETED applied */
	KUBE_EV_BOOKMARK,  /* only the resourceVersion moved */
	KUBE_EV_GONE,      /* ERROR with code 410: the RV is too old, re-list */
	KUBE_EV_ERROR,     /* another ERROR (why says which) */
	KUBE_EV_MALFORMED, /* not an event (why says how) */
};

/* Apply one watch event (one line of the stream) to c. */
enum kube_event kube_cache_apply(struct kube_cache *c, const char *line, size_t len, char *why,
				 size_t whylen);

/* The wait before attempt failures+1 after failures failed ones: 0.5 s
 * doubling to 30 s, then jittered into [d/2, d) by rnd (any value), so
 * that a restarted API server does not get every node back at once. */
unsigned kube_backoff_ms(unsigned failures, unsigned rnd);

#endif
