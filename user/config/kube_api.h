/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The config sidecar's connection to the Kubernetes API server, as a
 * controller in a pod makes it: the server from KUBERNETES_SERVICE_HOST and
 * _PORT, the pod's service-account token and cluster CA, each overridable
 * (--api-server, --token-file, --ca-file). The token is read again for
 * every request: projected tokens rotate under a running process. Plain
 * http only when the server is given as an explicit http:// URL (tests).
 */
#ifndef PR_KUBE_API_H
#define PR_KUBE_API_H

#include <stddef.h>
#include <curl/curl.h>

#define KUBE_SA_DIR "/var/run/secrets/kubernetes.io/serviceaccount"

struct kube_api {
	char server[512];     /* scheme://host:port, no trailing slash */
	char token_file[512]; /* "" = send no token */
	char ca_file[512];    /* "" = the system's CAs */
};

/*
 * Fill a from the options (any may be NULL: the in-cluster default). 0, or
 * -EINVAL with the reason in err (no server known, a URL that is neither
 * https:// nor http://).
 */
int kube_api_init(struct kube_api *a, const char *server, const char *token_file,
		  const char *ca_file, char *err, size_t errlen);

/*
 * An easy handle for GET path_query ("/api/v1/nodes?limit=500"): the
 * token read now, the CA, connect timeout and TCP keepalive set; the
 * caller adds the write callback. *hdrs is for the caller to free
 * (curl_slist_free_all) after the transfer. NULL with err on failure
 * (the token file unreadable).
 */
CURL *kube_api_get(const struct kube_api *a, const char *path_query, struct curl_slist **hdrs,
		   char *err, size_t errlen);

/*
 * POST body (JSON) to path, waiting for the answer (at most 10 s).
 * Returns the HTTP status (2xx: done), or -1 when there was no answer;
 * why gets "<status> <reason>: <message>" from a Status answer, or the
 * transport's error.
 */
long kube_api_post(const struct kube_api *a, const char *path, const char *body, char *why,
		   size_t whylen);

/* "<code> <reason>: <message>" from a metav1.Status body, or the start of
 * the body when it is not one. */
void kube_status_text(long code, const char *body, size_t len, char *out, size_t outlen);

#endif
