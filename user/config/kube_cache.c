// SPDX-License-Identifier: GPL-2.0-only
/* A resource's objects and the pure list/watch steps (see kube_cache.h). */
#include "config/kube_cache.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#define BACKOFF_FIRST_MS 500u
#define BACKOFF_MAX_MS 30000u

void kube_cache_init(struct kube_cache *c)
{
	c->objs = json_object();
	c->rv[0] = '\0';
}

void kube_cache_clear(struct kube_cache *c)
{
	json_decref(c->objs);
	c->objs = NULL;
	c->rv[0] = '\0';
}

void kube_cache_take(struct kube_cache *to, struct kube_cache *from)
{
	kube_cache_clear(to);
	*to = *from;
	kube_cache_init(from);
}

static const char *meta_str(json_t *o, const char *key)
{
	return json_string_value(json_object_get(json_object_get(o, "metadata"), key));
}

/* "namespace/name", or -1 without a name. */
static int key_of(json_t *o, char *key, size_t len)
{
	const char *name = meta_str(o, "name"), *ns = meta_str(o, "namespace");

	if (!name || !*name)
		return -1;
	snprintf(key, len, "%s/%s", ns ? ns : "", name);
	return 0;
}

int kube_cache_list_page(struct kube_cache *c, const char *body, size_t len, char *cont,
			 size_t contlen, char *err, size_t errlen)
{
	json_error_t je;
	json_t *doc = json_loadb(body, len, 0, &je), *items, *it;
	const char *kind, *api, *rv, *next;
	char ikind[64], key[512];
	size_t i;
	int rc = -EINVAL;

	if (!doc) {
		snprintf(err, errlen, "list: not JSON (%d:%d: %s)", je.line, je.column, je.text);
		return -EINVAL;
	}
	kind = json_string_value(json_object_get(doc, "kind"));
	api = json_string_value(json_object_get(doc, "apiVersion"));
	items = json_object_get(doc, "items");
	if (!kind || strlen(kind) < 5 || strcmp(kind + strlen(kind) - 4, "List") || !api ||
	    !(json_is_array(items) || json_is_null(items))) {
		snprintf(err, errlen, "list: not a List (kind %s)", kind ? kind : "missing");
		goto out;
	}
	snprintf(ikind, sizeof(ikind), "%.*s", (int)(strlen(kind) - 4), kind);
	json_array_foreach(items, i, it) {
		if (!json_is_object(it) || key_of(it, key, sizeof(key))) {
			snprintf(err, errlen, "list: item %zu has no metadata.name", i);
			goto out;
		}
		if (!json_object_get(it, "kind"))
			json_object_set_new(it, "kind", json_string(ikind));
		if (!json_object_get(it, "apiVersion"))
			json_object_set_new(it, "apiVersion", json_string(api));
		json_object_set(c->objs, key, it);
	}
	rv = meta_str(doc, "resourceVersion");
	next = meta_str(doc, "continue");
	snprintf(c->rv, sizeof(c->rv), "%s", rv ? rv : "");
	snprintf(cont, contlen, "%s", next ? next : "");
	rc = 0;
out:
	json_decref(doc);
	return rc;
}

enum kube_event kube_cache_apply(struct kube_cache *c, const char *line, size_t len, char *why,
				 size_t whylen)
{
	json_error_t je;
	json_t *ev = json_loadb(line, len, 0, &je), *obj;
	const char *type, *rv;
	enum kube_event r = KUBE_EV_MALFORMED;
	char key[512];

	if (!ev) {
		snprintf(why, whylen, "not JSON (column %d: %s)", je.column, je.text);
		return KUBE_EV_MALFORMED;
	}
	type = json_string_value(json_object_get(ev, "type"));
	obj = json_object_get(ev, "object");
	if (!type || !json_is_object(obj)) {
		snprintf(why, whylen, "no type or object");
		goto out;
	}
	if (!strcmp(type, "ERROR")) {
		json_int_t code = json_integer_value(json_object_get(obj, "code"));
		const char *msg = json_string_value(json_object_get(obj, "message"));

		snprintf(why, whylen, "ERROR %lld: %s", (long long)code, msg ? msg : "(no message)");
		r = code == 410 ? KUBE_EV_GONE : KUBE_EV_ERROR;
		goto out;
	}
	rv = meta_str(obj, "resourceVersion");
	if (!rv || !*rv) {
		snprintf(why, whylen, "%s without metadata.resourceVersion", type);
		goto out;
	}
	if (!strcmp(type, "BOOKMARK")) {
		r = KUBE_EV_BOOKMARK;
	} else if (key_of(obj, key, sizeof(key))) {
		snprintf(why, whylen, "%s without metadata.name", type);
		goto out;
	} else if (!strcmp(type, "ADDED") || !strcmp(type, "MODIFIED")) {
		json_object_set(c->objs, key, obj);
		r = KUBE_EV_CHANGED;
	} else if (!strcmp(type, "DELETED")) {
		json_object_del(c->objs, key);
		r = KUBE_EV_CHANGED;
	} else {
		snprintf(why, whylen, "unknown event type \"%.32s\"", type);
		goto out;
	}
	snprintf(c->rv, sizeof(c->rv), "%s", rv);
out:
	json_decref(ev);
	return r;
}

unsigned kube_backoff_ms(unsigned failures, unsigned rnd)
{
	unsigned d = BACKOFF_FIRST_MS;

	if (!failures)
		return 0;
	for (unsigned i = 1; i < failures && d < BACKOFF_MAX_MS; i++)
		d *= 2;
	if (d > BACKOFF_MAX_MS)
		d = BACKOFF_MAX_MS;
	return d / 2 + rnd % (d / 2);
}
