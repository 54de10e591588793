/* SPDX-License-Identifier: GPL-2.0-only */
/* A Warning Event from the config sidecar, posted to the API server. */
#ifndef PR_KUBE_EVENT_H
#define PR_KUBE_EVENT_H

#include <stddef.h>

#include "config/k8s_render.h"
#include "config/kube_api.h"

/*
 * A Warning Event (core v1, reason reason) about o, or about Node node when
 * o names no object (o->kind empty), reported by podroute on node: POST
 * /api/v1/namespaces/<o's namespace, or "default">/events. 0, or -1 with
 * the reason in why (e.g. "403 Forbidden: ..." without RBAC).
 */
int kube_post_event(const struct kube_api *api, const char *node, const struct pr_render_object *o,
		    const char *reason, const char *message, char *why, size_t len);

#endif
