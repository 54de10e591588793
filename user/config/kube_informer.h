/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The objects the renderer needs, kept current the way a controller keeps
 * them: for each resource LIST (paged), then WATCH from the list's
 * resourceVersion (bookmarks on), applying events as they stream in; a
 * watch that ends or drops is resumed from the last resourceVersion seen;
 * 410 Gone (as the HTTP status or as an ERROR event) means the history is
 * compacted: LIST again. Failures back off (kube_backoff_ms), per
 * resource. A resource the server does not serve (404: the CRD is not
 * installed, e.g. no UDNs in this cluster) is an empty list, asked again
 * every minute. One thread: every transfer runs in one libcurl multi
 * handle, polled with the caller's own fd (e.g. a signalfd).
 *
 * Resources: k8s.ovn.org/v1 routeadvertisements, clusteruserdefinednetworks,
 * userdefinednetworks; k8s.cni.cncf.io/v1 network-attachment-definitions;
 * v1 namespaces; and the one v1 Node named node (fieldSelector).
 */
#ifndef PR_KUBE_INFORMER_H
#define PR_KUBE_INFORMER_H

#include <stdbool.h>
#include <stddef.h>
#include <jansson.h>

#include "config/kube_api.h"

struct kube_informer;

struct kube_informer *kube_informer_new(const struct kube_api *api, const char *node);
void kube_informer_free(struct kube_informer *k);

/*
 * Run the transfers for up to timeout_ms (less when a retry falls due or
 * something changed). 1 when extra_fd (if >= 0) became readable, else 0.
 */
int kube_informer_run(struct kube_informer *k, int extra_fd, int timeout_ms);

/* Every resource listed at least once (or found not served). */
bool kube_informer_synced(const struct kube_informer *k);
/* Moves on every change to the objects (a list, an applied event). */
unsigned long kube_informer_generation(const struct kube_informer *k);
/* LIST attempts that failed so far, and the last failure, for --once. */
unsigned kube_informer_list_failures(const struct kube_informer *k, const char **last);
/* Every object as one {"kind": "List", "items": [...]} (a new reference). */
json_t *kube_informer_objects(const struct kube_informer *k);
/* Malformed watch events skipped so far. */
unsigned long kube_informer_malformed(const struct kube_informer *k);

#endif
