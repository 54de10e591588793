// SPDX-License-Identifier: GPL-2.0-only
/* The render's objects: loaded inputs, JSON paths, label selectors and
 * refusals (see config/k8s_ctx.h). */
#include "config/k8s_ctx.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int k8s_fail(struct ctx *c, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(c->err, c->errlen, fmt, ap);
	va_end(ap);
	return -EINVAL;
}

/* The object `what` names, as written by udn_names and nad_what:
 * Kind "name" or Kind "namespace/name". */
static void what_object(const char *what, struct pr_render_object *o)
{
	static const struct { const char *kind, *api; } kinds[] = {
		{ "ClusterUserDefinedNetwork", "k8s.ovn.org/v1" },
		{ "UserDefinedNetwork", "k8s.ovn.org/v1" },
		{ "RouteAdvertisements", "k8s.ovn.org/v1" },
		{ "NetworkAttachmentDefinition", "k8s.cni.cncf.io/v1" },
	};
	const char *q = strchr(what, '"'), *end, *slash;

	memset(o, 0, sizeof(*o));
	end = q ? strchr(q + 1, '"') : NULL;
	for (size_t i = 0; end && i < sizeof(kinds) / sizeof(kinds[0]); i++) {
		size_t klen = strlen(kinds[i].kind);

		if (strncmp(what, kinds[i].kind, klen) || what + klen + 1 != q)
			continue;
		slash = memchr(q + 1, '/', (size_t)(end - q - 1));
		if (slash)
			snprintf(o->namespace_, sizeof(o->namespace_), "%.*s", (int)(slash - q - 1), q + 1);
		snprintf(o->name, sizeof(o->name), "%.*s", (int)(end - (slash ? slash : q) - 1),
			 (slash ? slash : q) + 1);
		snprintf(o->kind, sizeof(o->kind), "%s", kinds[i].kind);
		snprintf(o->api_version, sizeof(o->api_version), "%s", kinds[i].api);
		return;
	}
}

/* Refuse one network (or ignore one object): "refused: <what>: <reason>". */
void k8s_refuse(struct ctx *c, const char *what, const char *fmt, ...)
{
	struct pr_render_report *r = c->rep;
	char msg[PR_RENDER_REFUSED_LEN];
	int n;
	va_list ap;

	n = snprintf(msg, sizeof(msg), "refused: %s: ", what);
	if (n < 0 || (size_t)n >= sizeof(msg))
		n = (int)sizeof(msg) - 1;
	va_start(ap, fmt);
	vsnprintf(msg + n, sizeof(msg) - (size_t)n, fmt, ap);
	va_end(ap);
	for (unsigned i = 0; i < r->nmsgs; i++)
		if (!strcmp(r->refused[i], msg))
			return;
	r->nrefused++;
	if (r->nmsgs < PR_RENDER_MAX_REFUSED) {
		what_object(what, &r->object[r->nmsgs]);
		memcpy(r->refused[r->nmsgs++], msg, sizeof(msg));
	}
}

const char *k8s_str_at(json_t *o, const char *path)
{
	char key[64];
	const char *dot;

	while (o && (dot = strchr(path, '.'))) {
		snprintf(key, sizeof(key), "%.*s", (int)(dot - path), path);
		o = json_object_get(o, key);
		path = dot + 1;
	}
	o = o ? json_object_get(o, path) : NULL;
	return json_is_string(o) ? json_string_value(o) : NULL;
}

/* A string member whose key may contain dots (annotations, network names). */
const char *k8s_str_key(json_t *o, const char *key)
{
	json_t *v = o ? json_object_get(o, key) : NULL;

	return json_is_string(v) ? json_string_value(v) : NULL;
}

json_t *k8s_obj_at(json_t *o, const char *a, const char *b, const char *cc)
{
	o = o ? json_object_get(o, a) : NULL;
	if (o && b)
		o = json_object_get(o, b);
	if (o && cc)
		o = json_object_get(o, cc);
	return o;
}

const char *k8s_name_of(json_t *o)
{
	const char *n = k8s_str_at(o, "metadata.name");

	return n ? n : "?";
}

/* ---------- inputs ---------- */

static int add_item(struct ctx *c, json_t *it, const char *file)
{
	const char *kind = k8s_str_at(it, "kind");
	json_t *to;

	if (!kind)
		return k8s_fail(c, "%s: an item without \"kind\"", file);
	if (!strcmp(kind, "RouteAdvertisements"))
		to = c->ras;
	else if (!strcmp(kind, "ClusterUserDefinedNetwork"))
		to = c->cudns;
	else if (!strcmp(kind, "UserDefinedNetwork"))
		to = c->udns;
	else if (!strcmp(kind, "NetworkAttachmentDefinition"))
		to = c->nads;
	else if (!strcmp(kind, "Node"))
		to = c->nodes;
	else if (!strcmp(kind, "Namespace"))
		to = c->namespaces;
	else
		return 0; /* other kinds are not ours to read */
	if (!k8s_str_at(it, "metadata.name"))
		return k8s_fail(c, "%s: %s without metadata.name", file, kind);
	return json_array_append(to, it) ? -ENOMEM : 0;
}

int k8s_load_input(struct ctx *c, const char *path)
{
	json_error_t je;
	json_t *doc = json_load_file(path, 0, &je), *items;
	const char *kind;
	size_t i;
	json_t *it;
	int err;

	if (!doc)
		return k8s_fail(c, "%s:%d:%d: not valid JSON: %s", path, je.line, je.column, je.text);
	json_array_append_new(c->docs, doc);
	if (!json_is_object(doc))
		return k8s_fail(c, "%s: expected an object (kubectl get -o json), got %s", path,
			    json_is_array(doc) ? "an array" : "a scalar");
	kind = k8s_str_at(doc, "kind");
	items = json_object_get(doc, "items");
	if (kind && strlen(kind) >= 4 && !strcmp(kind + strlen(kind) - 4, "List")) {
		if (!json_is_array(items))
			return k8s_fail(c, "%s: %s without an \"items\" array", path, kind);
		json_array_foreach(items, i, it) {
			err = add_item(c, it, path);
			if (err)
				return err;
		}
		return 0;
	}
	return add_item(c, doc, path);
}

/* ---------- label selectors (metav1.LabelSelector) ---------- */

int k8s_selector_match(struct ctx *c, json_t *sel, json_t *labels, const char *where, bool *match)
{
	json_t *ml = json_object_get(sel, "matchLabels"), *me = json_object_get(sel, "matchExpressions");
	const char *k;
	json_t *v, *e;
	size_t i;

	*match = true;
	if (!sel || json_is_null(sel))
		return 0;
	if (!json_is_object(sel))
		return k8s_fail(c, "%s: not a label selector", where);
	json_object_foreach(ml, k, v) {
		json_t *have = json_object_get(labels, k);

		if (!have || !json_is_string(v) || !json_equal(have, v))
			*match = false;
	}
	json_array_foreach(me, i, e) {
		const char *key = k8s_str_at(e, "key"), *op = k8s_str_at(e, "operator");
		json_t *vals = json_object_get(e, "values"), *have = key ? json_object_get(labels, key) : NULL;
		bool in = false;
		size_t j;
		json_t *x;

		if (!key || !op)
			return k8s_fail(c, "%s: matchExpressions[%zu] needs key and operator", where, i);
		json_array_foreach(vals, j, x)
			in |= have && json_equal(have, x);
		if (!strcmp(op, "In"))
			*match &= in;
		else if (!strcmp(op, "NotIn"))
			*match &= !in;
		else if (!strcmp(op, "Exists"))
			*match &= have != NULL;
		else if (!strcmp(op, "DoesNotExist"))
			*match &= have == NULL;
		else
			return k8s_fail(c, "%s: matchExpressions[%zu]: unknown operator \"%s\"", where, i, op);
	}
	return 0;
}

