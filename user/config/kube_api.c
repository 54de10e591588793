// SPDX-License-Identifier: GPL-2.0-only
/* The sidecar's API server connection (see kube_api.h). */
#include "config/kube_api.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <jansson.h>

static void copy(char *to, size_t len, const char *from)
{
	snprintf(to, len, "%s", from);
}

int kube_api_init(struct kube_api *a, const char *server, const char *token_file,
		  const char *ca_file, char *err, size_t errlen)
{
	static int curl_ready;

	if (!curl_ready) {
		if (curl_global_init(CURL_GLOBAL_DEFAULT)) {
			snprintf(err, errlen, "cannot initialise libcurl");
			return -EINVAL;
		}
		curl_ready = 1;
	}
	memset(a, 0, sizeof(*a));
	if (server) {
		if (strncmp(server, "https://", 8) && strncmp(server, "http://", 7)) {
			snprintf(err, errlen, "--api-server \"%s\": expected https://HOST[:PORT] (or http:// for a test server)",
				 server);
			return -EINVAL;
		}
		copy(a->server, sizeof(a->server), server);
		a->server[strcspn(a->server, "?#")] = '\0';
		while (a->server[0] && a->server[strlen(a->server) - 1] == '/')
			a->server[strlen(a->server) - 1] = '\0';
	} else {
		const char *host = getenv("KUBERNETES_SERVICE_HOST"), *port = getenv("KUBERNETES_SERVICE_PORT");

		if (!host || !*host) {
			snprintf(err, errlen, "not in a pod (KUBERNETES_SERVICE_HOST unset) and no --api-server given");
			return -EINVAL;
		}
		/* An IPv6 service address needs brackets in a URL. */
		snprintf(a->server, sizeof(a->server), strchr(host, ':') ? "https://[%s]:%s" : "https://%s:%s",
			 host, port && *port ? port : "443");
	}
	if (token_file)
		copy(a->token_file, sizeof(a->token_file), token_file);
	else if (!access(KUBE_SA_DIR "/token", R_OK))
		copy(a->token_file, sizeof(a->token_file), KUBE_SA_DIR "/token");
	if (ca_file)
		copy(a->ca_file, sizeof(a->ca_file), ca_file);
	else if (!access(KUBE_SA_DIR "/ca.crt", R_OK))
		copy(a->ca_file, sizeof(a->ca_file), KUBE_SA_DIR "/ca.crt");
	return 0;
}

/* "Authorization: Bearer <token>" from the file as it is now. */
static int auth_header(const struct kube_api *a, char *out, size_t len, char *err, size_t errlen)
{
	char tok[4096];
	size_t n;
	FILE *f;

	out[0] = '\0';
	if (!a->token_file[0])
		return 0;
	f = fopen(a->token_file, "re");
	if (!f) {
		snprintf(err, errlen, "token %s: %s", a->token_file, strerror(errno));
		return -1;
	}
	n = fread(tok, 1, sizeof(tok) - 1, f);
	fclose(f);
	tok[n] = '\0';
	tok[strcspn(tok, "\r\n")] = '\0';
	if (!tok[0]) {
		snprintf(err, errlen, "token %s: empty", a->token_file);
		return -1;
	}
	snprintf(out, len, "Authorization: Bearer %s", tok);
	return 0;
}

static CURL *handle(const struct kube_api *a, const char *path, struct curl_slist **hdrs, char *err,
		    size_t errlen)
{
	char url[4096], auth[4200];
	CURL *h;

	*hdrs = NULL;
	if (auth_header(a, auth, sizeof(auth), err, errlen))
		return NULL;
	h = curl_easy_init();
	if (!h) {
		snprintf(err, errlen, "cannot create a transfer (out of memory?)");
		return NULL;
	}
	snprintf(url, sizeof(url), "%s%s", a->server, path);
	*hdrs = curl_slist_append(*hdrs, "Accept: application/json");
	if (auth[0])
		*hdrs = curl_slist_append(*hdrs, auth);
	curl_easy_setopt(h, CURLOPT_URL, url);
	curl_easy_setopt(h, CURLOPT_HTTPHEADER, *hdrs);
	curl_easy_setopt(h, CURLOPT_USERAGENT, "podroute-config-sync");
	curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT, 10L);
	/* A watch is quiet for minutes: keepalive finds a dead peer. */
	curl_easy_setopt(h, CURLOPT_TCP_KEEPALIVE, 1L);
	curl_easy_setopt(h, CURLOPT_TCP_KEEPIDLE, 30L);
	curl_easy_setopt(h, CURLOPT_TCP_KEEPINTVL, 10L);
	curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(h, CURLOPT_FOLLOWLOCATION, 0L);
	if (a->ca_file[0])
		curl_easy_setopt(h, CURLOPT_CAINFO, a->ca_file);
	return h;
}

CURL *kube_api_get(const struct kube_api *a, const char *path_query, struct curl_slist **hdrs,
		   char *err, size_t errlen)
{
	return handle(a, path_query, hdrs, err, errlen);
}

void kube_status_text(long code, const char *body, size_t len, char *out, size_t outlen)
{
	json_t *st = body && len ? json_loadb(body, len, 0, NULL) : NULL;
	const char *reason = json_string_value(json_object_get(st, "reason"));
	const char *msg = json_string_value(json_object_get(st, "message"));

	if (msg)
		snprintf(out, outlen, "%ld %s: %s", code, reason ? reason : "", msg);
	else
		snprintf(out, outlen, "HTTP %ld: %.*s", code, (int)(len > 200 ? 200 : len), body ? body : "");
	out[strcspn(out, "\n")] = '\0';
	json_decref(st);
}

struct sink {
	char buf[4096];
	size_t len;
};

static size_t to_sink(char *p, size_t size, size_t n, void *arg)
{
	struct sink *s = arg;
	size_t take = size * n;

	if (take > sizeof(s->buf) - 1 - s->len)
		take = sizeof(s->buf) - 1 - s->len;
	memcpy(s->buf + s->len, p, take);
	s->len += take;
	return size * n;
}

long kube_api_post(const struct kube_api *a, const char *path, const char *body, char *why,
		   size_t whylen)
{
	struct curl_slist *hdrs;
	struct sink s = { .len = 0 };
	long code = -1;
	CURL *h = handle(a, path, &hdrs, why, whylen);
	CURLcode rc;

	if (!h)
		return -1;
	hdrs = curl_slist_append(hdrs, "Content-Type: application/json");
	curl_easy_setopt(h, CURLOPT_HTTPHEADER, hdrs);
	curl_easy_setopt(h, CURLOPT_POSTFIELDS, body);
	curl_easy_setopt(h, CURLOPT_TIMEOUT, 10L);
	curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, to_sink);
	curl_easy_setopt(h, CURLOPT_WRITEDATA, &s);
	rc = curl_easy_perform(h);
	if (rc != CURLE_OK) {
		snprintf(why, whylen, "POST %s: %s", path, curl_easy_strerror(rc));
	} else {
		curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &code);
		if (code < 200 || code > 299)
			kube_status_text(code, s.buf, s.len, why, whylen);
	}
	curl_easy_cleanup(h);
	curl_slist_free_all(hdrs);
	return code;
}
