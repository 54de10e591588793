/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The config sidecar's use of kubectl: run it with its output in a file,
 * and post a Warning Event about an object the renderer refused.
 */
#ifndef PR_KUBECTL_H
#define PR_KUBECTL_H

#include <stddef.h>

#include "config/k8s_render.h"

/* Run argv (argv[0] looked up in PATH), its stdout into path. 0, or -1
 * with "<argv0> <argv1> <argv2> exited N: <first line of stderr>" in why. */
int pr_kubectl_run(char *const *argv, const char *path, char *why, size_t len);

/*
 * A Warning Event (core v1, reason reason) about o, or about Node node when
 * o names no object (o->kind empty), reported by podroute on node. The
 * Event's JSON is written to dir/event.json and created with
 * `kubectl create -f`. 0, or -1 with the reason in why (e.g. RBAC).
 */
int pr_kubectl_event(const char *kubectl, const char *dir, const char *node,
		     const struct pr_render_object *o, const char *reason, const char *message,
		     char *why, size_t len);

#endif
