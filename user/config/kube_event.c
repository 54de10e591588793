// SPDX-License-Identifier: GPL-2.0-only
/* The sidecar's Warning Events (see kube_event.h). */
#include "config/kube_event.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <jansson.h>

/* RFC 3339 in UTC, as the API server writes times. */
static void now_rfc3339(char *buf, size_t len)
{
	time_t t = time(NULL);
	struct tm tm;

	gmtime_r(&t, &tm);
	strftime(buf, len, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

int kube_post_event(const struct kube_api *api, const char *node, const struct pr_render_object *o,
		    const char *reason, const char *message, char *why, size_t len)
{
	bool about_node = !o->kind[0];
	const char *ns = !about_node && o->namespace_[0] ? o->namespace_ : "default";
	char now[32], path[256];
	json_t *ev, *inv;
	char *text;
	long code;

	now_rfc3339(now, sizeof(now));
	inv = about_node ? json_pack("{s:s, s:s, s:s}", "apiVersion", "v1", "kind", "Node", "name", node)
			 : json_pack("{s:s, s:s, s:s}", "apiVersion", o->api_version, "kind", o->kind,
				     "name", o->name);
	if (inv && !about_node && o->namespace_[0])
		json_object_set_new(inv, "namespace", json_string(o->namespace_));
	/* Events of cluster-scoped objects live in "default", as kubectl's. */
	ev = json_pack("{s:s, s:s, s:{s:s, s:s}, s:o, s:s, s:s, s:s, s:{s:s, s:s}, s:s, s:s, s:s, s:s, s:i}",
		       "apiVersion", "v1", "kind", "Event",
		       "metadata", "generateName", "podroute-refused-", "namespace", ns,
		       "involvedObject", inv,
		       "type", "Warning", "reason", reason, "message", message,
		       "source", "component", "podroute-config-sync", "host", node,
		       "reportingComponent", "podroute-config-sync", "reportingInstance", node,
		       "firstTimestamp", now, "lastTimestamp", now, "count", 1);
	text = ev ? json_dumps(ev, JSON_COMPACT) : NULL;
	json_decref(ev);
	if (!text) {
		snprintf(why, len, "cannot build the Event (out of memory?)");
		return -1;
	}
	snprintf(path, sizeof(path), "/api/v1/namespaces/%s/events", ns);
	code = kube_api_post(api, path, text, why, len);
	free(text);
	return code >= 200 && code <= 299 ? 0 : -1;
}
