// SPDX-License-Identifier: GPL-2.0-only
/* List/watch of the renderer's resources over one libcurl multi handle
 * (see kube_informer.h). */
#define _GNU_SOURCE /* memmem */
#include "config/kube_informer.h"

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "config/kube_cache.h"
#include "lib/log.h"

#define LIST_LIMIT 500
#define WATCH_TIMEOUT_S 290    /* the server ends a watch after this; resumed at once */
#define NOT_SERVED_RETRY_MS 60000
#define MAX_BODY (64u << 20)   /* a LIST page larger than this is refused */
#define WATCH_HEALTHY_MS 10000 /* a watch that lasted this long worked, events or not */

struct spec {
	const char *name; /* for messages */
	const char *path; /* collection URL */
	bool node_only;   /* fieldSelector=metadata.name=<node> */
};

static const struct spec specs[] = {
	{ "routeadvertisements", "/apis/k8s.ovn.org/v1/routeadvertisements", false },
	{ "clusteruserdefinednetworks", "/apis/k8s.ovn.org/v1/clusteruserdefinednetworks", false },
	{ "userdefinednetworks", "/apis/k8s.ovn.org/v1/userdefinednetworks", false },
	{ "network-attachment-definitions", "/apis/k8s.cni.cncf.io/v1/network-attachment-definitions", false },
	{ "namespaces", "/api/v1/namespaces", false },
	{ "nodes", "/api/v1/nodes", true },
};
#define NRES (sizeof(specs) / sizeof(specs[0]))

enum op { OP_LIST, OP_WATCH };

struct res {
	const struct spec *spec;
	struct kube_cache live;    /* what the renderer sees */
	struct kube_cache pending; /* a LIST in progress, page by page */
	char cont[2048];           /* the next page's continue token */
	enum op next;              /* what to start when due */
	int64_t due_ms;            /* when; 0 = running */
	unsigned failures;         /* in a row, for the backoff */
	bool synced, not_served;
	/* the transfer in flight */
	CURL *easy;
	struct curl_slist *hdrs;
	char *buf;                 /* LIST body, or the watch's unfinished line */
	size_t len, cap;
	unsigned long events;      /* events this watch delivered */
	int64_t started_ms;        /* when this transfer started */
	bool gone, broken;         /* ERROR 410 seen; a malformed event seen */
	char why[512];             /* the watch's ending, from the stream */
};

struct kube_informer {
	const struct kube_api *api;
	char node[256];
	CURLM *multi;
	struct res res[NRES];
	unsigned long generation, malformed;
	unsigned list_failures;
	char last_failure[768];
	unsigned seed;
};

static int64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

struct kube_informer *kube_informer_new(const struct kube_api *api, const char *node)
{
	struct kube_informer *k = calloc(1, sizeof(*k));

	if (!k)
		return NULL;
	k->api = api;
	snprintf(k->node, sizeof(k->node), "%s", node);
	k->multi = curl_multi_init();
	if (!k->multi) {
		free(k);
		return NULL;
	}
	k->seed = (unsigned)now_ms() ^ (unsigned)(uintptr_t)k;
	for (unsigned i = 0; i < NRES; i++) {
		k->res[i].spec = &specs[i];
		kube_cache_init(&k->res[i].live);
		kube_cache_init(&k->res[i].pending);
		k->res[i].next = OP_LIST;
		k->res[i].due_ms = 1; /* now */
	}
	return k;
}

static void end_transfer(struct kube_informer *k, struct res *r)
{
	if (r->easy) {
		curl_multi_remove_handle(k->multi, r->easy);
		curl_easy_cleanup(r->easy);
		r->easy = NULL;
	}
	curl_slist_free_all(r->hdrs);
	r->hdrs = NULL;
	r->len = 0;
}

void kube_informer_free(struct kube_informer *k)
{
	if (!k)
		return;
	for (unsigned i = 0; i < NRES; i++) {
		end_transfer(k, &k->res[i]);
		free(k->res[i].buf);
		kube_cache_clear(&k->res[i].live);
		kube_cache_clear(&k->res[i].pending);
	}
	curl_multi_cleanup(k->multi);
	free(k);
}

static int append(struct res *r, const char *p, size_t n)
{
	if (r->len + n + 1 > r->cap) {
		size_t cap = (r->len + n + 1) * 2;
		char *nb;

		if (cap > MAX_BODY)
			return -1;
		nb = realloc(r->buf, cap);
		if (!nb)
			return -1;
		r->buf = nb;
		r->cap = cap;
	}
	memcpy(r->buf + r->len, p, n);
	r->len += n;
	r->buf[r->len] = '\0';
	return 0;
}

static long status_of(struct res *r)
{
	long code = 0;

	curl_easy_getinfo(r->easy, CURLINFO_RESPONSE_CODE, &code);
	return code;
}

static size_t on_list_data(char *p, size_t size, size_t n, void *arg)
{
	return append(arg, p, size * n) ? 0 : size * n;
}

/* Apply every whole line the watch has sent; stop the transfer (return
 * short) on a malformed event or an ERROR, to resume or re-list. */
static size_t on_watch_data(char *p, size_t size, size_t n, void *arg)
{
	struct res *r = arg;
	struct kube_informer *k;
	char *nl, why[512];
	size_t done = 0;

	curl_easy_getinfo(r->easy, CURLINFO_PRIVATE, (char **)&k);
	if (append(r, p, size * n))
		return 0;
	if (status_of(r) != 200)
		return size * n; /* an error body: read at the end */
	while ((nl = memchr(r->buf + done, '\n', r->len - done))) {
		size_t linelen = (size_t)(nl - (r->buf + done));
		enum kube_event e = linelen ? kube_cache_apply(&r->live, r->buf + done, linelen, why, sizeof(why))
					    : KUBE_EV_BOOKMARK;

		done += linelen + 1;
		switch (e) {
		case KUBE_EV_CHANGED:
			k->generation++;
			/* fallthrough */
		case KUBE_EV_BOOKMARK:
			r->events++;
			break;
		case KUBE_EV_GONE:
			r->gone = true;
			snprintf(r->why, sizeof(r->why), "%s", why);
			return 0;
		case KUBE_EV_ERROR:
			snprintf(r->why, sizeof(r->why), "%s", why);
			r->broken = true;
			return 0;
		case KUBE_EV_MALFORMED:
			k->malformed++;
			log_warn("config sync: %s: malformed watch event (%lu so far): %s; resuming from resourceVersion %s",
				 r->spec->name, k->malformed, why, r->live.rv);
			snprintf(r->why, sizeof(r->why), "malformed event");
			r->broken = true;
			return 0;
		}
	}
	memmove(r->buf, r->buf + done, r->len - done);
	r->len -= done;
	return size * n;
}

static void query_escape(char *out, size_t len, const char *s)
{
	char *e = curl_easy_escape(NULL, s, 0);

	snprintf(out, len, "%s", e ? e : "");
	curl_free(e);
}

static void retry(struct kube_informer *k, struct res *r, enum op next, const char *what);

static void start(struct kube_informer *k, struct res *r)
{
	char url[4096], sel[600] = "", rv[400], err[512], cont[2200] = "";
	bool list = r->next == OP_LIST;

	if (r->spec->node_only) {
		char esc[512];

		query_escape(esc, sizeof(esc), k->node);
		snprintf(sel, sizeof(sel), "&fieldSelector=metadata.name%%3D%s", esc);
	}
	if (list) {
		if (r->cont[0]) {
			char esc[2100];

			query_escape(esc, sizeof(esc), r->cont);
			snprintf(cont, sizeof(cont), "&continue=%s", esc);
		} else {
			kube_cache_clear(&r->pending);
			kube_cache_init(&r->pending);
		}
		snprintf(url, sizeof(url), "%s?limit=%d%s%s", r->spec->path, LIST_LIMIT, cont, sel);
	} else {
		query_escape(rv, sizeof(rv), r->live.rv);
		snprintf(url, sizeof(url), "%s?watch=true&resourceVersion=%s&allowWatchBookmarks=true&timeoutSeconds=%d%s",
			 r->spec->path, rv, WATCH_TIMEOUT_S, sel);
	}
	r->easy = kube_api_get(k->api, url, &r->hdrs, err, sizeof(err));
	if (!r->easy) {
		/* e.g. the token file missing: a failed attempt like any */
		retry(k, r, r->next, err);
		return;
	}
	r->len = 0;
	r->started_ms = now_ms();
	r->events = 0;
	r->gone = r->broken = false;
	r->why[0] = '\0';
	curl_easy_setopt(r->easy, CURLOPT_PRIVATE, (char *)k);
	curl_easy_setopt(r->easy, CURLOPT_WRITEFUNCTION, list ? on_list_data : on_watch_data);
	curl_easy_setopt(r->easy, CURLOPT_WRITEDATA, r);
	/* A LIST has a minute; a watch as long as the server keeps it, and
	 * a minute more (keepalive finds a dead peer sooner). */
	curl_easy_setopt(r->easy, CURLOPT_TIMEOUT, list ? 60L : (long)WATCH_TIMEOUT_S + 60);
	curl_multi_add_handle(k->multi, r->easy);
	r->due_ms = 0;
	log_debug("config sync: GET %s", url);
}

/* Try again after the backoff; what says what failed (logged). */
static void retry(struct kube_informer *k, struct res *r, enum op next, const char *what)
{
	unsigned wait;

	r->failures++;
	wait = kube_backoff_ms(r->failures, rand_r(&k->seed));
	r->next = next;
	r->due_ms = now_ms() + wait;
	log_warn("config sync: %s: %s; %s again in %u.%01u s", r->spec->name, what,
		 next == OP_LIST ? "listing" : "watching", wait / 1000, wait % 1000 / 100);
	if (next == OP_LIST && !r->cont[0]) {
		k->list_failures++;
		snprintf(k->last_failure, sizeof(k->last_failure), "%s: %s", r->spec->name, what);
	}
}

static void list_done(struct kube_informer *k, struct res *r, CURLcode cc, long code)
{
	char what[768], next[2048];

	if (cc != CURLE_OK) {
		snprintf(what, sizeof(what), "list: %s", curl_easy_strerror(cc));
		r->cont[0] = '\0';
		return retry(k, r, OP_LIST, what);
	}
	if (code == 404 && !r->cont[0]) {
		/* Not served: the CRD is not installed. Nothing of it exists. */
		if (!r->not_served)
			log_info("config sync: %s: not served by the API server (404): none", r->spec->name);
		r->not_served = r->synced = true;
		if (json_object_size(r->live.objs))
			k->generation++;
		kube_cache_clear(&r->live);
		kube_cache_init(&r->live);
		r->failures = 0;
		r->next = OP_LIST;
		r->due_ms = now_ms() + NOT_SERVED_RETRY_MS;
		return;
	}
	if (code == 410 && r->cont[0]) {
		/* The continue token expired between pages: from the start. */
		log_info("config sync: %s: list continuation expired (410): listing again", r->spec->name);
		r->cont[0] = '\0';
		r->next = OP_LIST;
		r->due_ms = 1;
		return;
	}
	if (code != 200) {
		kube_status_text(code, r->buf, r->len, what, sizeof(what));
		r->cont[0] = '\0';
		return retry(k, r, OP_LIST, what);
	}
	if (kube_cache_list_page(&r->pending, r->buf ? r->buf : "", r->len, next, sizeof(next), what,
				 sizeof(what))) {
		r->cont[0] = '\0';
		return retry(k, r, OP_LIST, what);
	}
	snprintf(r->cont, sizeof(r->cont), "%s", next);
	r->next = OP_LIST;
	r->due_ms = 1;
	if (next[0])
		return; /* the next page, now */
	if (r->not_served)
		log_info("config sync: %s: served now", r->spec->name);
	r->not_served = false;
	kube_cache_take(&r->live, &r->pending);
	log_info("config sync: %s: listed %zu at resourceVersion %s", r->spec->name,
		 json_object_size(r->live.objs), r->live.rv);
	r->synced = true;
	r->failures = 0;
	k->generation++;
	r->next = OP_WATCH;
}

static void watch_done(struct kube_informer *k, struct res *r, CURLcode cc, long code)
{
	char what[768];

	if (code == 410 || r->gone) {
		log_info("config sync: %s: watch from resourceVersion %s expired (410 Gone%s%s): listing again",
			 r->spec->name, r->live.rv, r->why[0] ? ": " : "", r->why);
		r->next = OP_LIST;
		r->cont[0] = '\0';
		r->due_ms = 1;
		return;
	}
	if (code == 404) {
		/* The CRD went away: a list says what is left (none). */
		r->next = OP_LIST;
		r->due_ms = 1;
		return;
	}
	if (code && code != 200) {
		kube_status_text(code, r->buf, r->len, what, sizeof(what));
		return retry(k, r, OP_WATCH, what);
	}
	/* Events arrived, or it lasted: this connection worked, whatever
	 * ended it (the server ends every watch after timeoutSeconds; a
	 * quiet resource may have sent nothing by then). */
	bool worked = r->events || now_ms() - r->started_ms >= WATCH_HEALTHY_MS;

	if (worked)
		r->failures = 0;
	if (cc == CURLE_OK && !r->broken) {
		log_debug("config sync: %s: watch ended after %lu events: resuming from resourceVersion %s",
			  r->spec->name, r->events, r->live.rv);
		if (worked) {
			r->next = OP_WATCH;
			r->due_ms = 1;
			return;
		}
		return retry(k, r, OP_WATCH, "watch ended without an event");
	}
	snprintf(what, sizeof(what), "watch dropped (%s) after %lu events: resuming from resourceVersion %s",
		 r->why[0] ? r->why : curl_easy_strerror(cc), r->events, r->live.rv);
	retry(k, r, OP_WATCH, what);
}

int kube_informer_run(struct kube_informer *k, int extra_fd, int timeout_ms)
{
	struct curl_waitfd w = { .fd = extra_fd, .events = CURL_WAIT_POLLIN };
	int64_t now = now_ms(), soonest = now + timeout_ms;
	int running, numfds, left;
	CURLMsg *m;

	for (unsigned i = 0; i < NRES; i++) {
		struct res *r = &k->res[i];

		if (r->due_ms && r->due_ms <= now)
			start(k, r);
		if (r->due_ms && r->due_ms < soonest)
			soonest = r->due_ms;
	}
	curl_multi_perform(k->multi, &running);
	w.revents = 0;
	curl_multi_poll(k->multi, extra_fd >= 0 ? &w : NULL, extra_fd >= 0 ? 1 : 0,
			(int)(soonest > now ? soonest - now : 0), &numfds);
	curl_multi_perform(k->multi, &running);
	while ((m = curl_multi_info_read(k->multi, &left))) {
		struct res *r = NULL;

		if (m->msg != CURLMSG_DONE)
			continue;
		for (unsigned i = 0; i < NRES; i++)
			if (k->res[i].easy == m->easy_handle)
				r = &k->res[i];
		if (!r)
			continue;
		long code = status_of(r);
		CURLcode cc = m->data.result;
		bool list = r->next == OP_LIST;

		if (list)
			list_done(k, r, cc, code);
		else
			watch_done(k, r, cc, code);
		end_transfer(k, r);
	}
	return extra_fd >= 0 && (w.revents & CURL_WAIT_POLLIN);
}

bool kube_informer_synced(const struct kube_informer *k)
{
	for (unsigned i = 0; i < NRES; i++)
		if (!k->res[i].synced)
			return false;
	return true;
}

unsigned long kube_informer_generation(const struct kube_informer *k)
{
	return k->generation;
}

unsigned kube_informer_list_failures(const struct kube_informer *k, const char **last)
{
	*last = k->last_failure;
	return k->list_failures;
}

unsigned long kube_informer_malformed(const struct kube_informer *k)
{
	return k->malformed;
}

json_t *kube_informer_objects(const struct kube_informer *k)
{
	json_t *items = json_array();
	const char *key;
	json_t *o;

	for (unsigned i = 0; i < NRES; i++)
		json_object_foreach(k->res[i].live.objs, key, o)
			json_array_append(items, o);
	return json_pack("{s:s, s:s, s:o}", "apiVersion", "v1", "kind", "List", "items", items);
}
