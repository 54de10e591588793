// SPDX-License-Identifier: GPL-2.0-only
/*
 * A small Kubernetes API server for test_config_sync.sh: it speaks the
 * list/watch protocol the sidecar uses, on 127.0.0.1 only, for the six
 * resources the renderer reads, with one resourceVersion counter for all
 * (as etcd's). It is not a mock of the sidecar's calls: it answers any
 * client the way the API server would, and the test drives the cluster
 * through control endpoints:
 *
 *   LIST   GET <collection>?limit=N[&continue=T][&fieldSelector=metadata.name=X]
 *          a *List with metadata.resourceVersion; items without kind and
 *          apiVersion (as the API server sends them); at most --max-page
 *          items a page, with metadata.continue for the rest.
 *   WATCH  GET <collection>?watch=true&resourceVersion=RV...: a chunked
 *          stream of one JSON event a line, every event after RV, then
 *          new ones as they happen. RV older than the last compaction:
 *          HTTP 410 (or, after compact how=event, an ERROR event of kind
 *          Status, code 410).
 *   Events POST /api/v1/namespaces/NS/events: kept, one line each, in
 *          --events FILE; 403 Forbidden while forbidden.
 *   404 for a resource marked missing (a CRD not installed).
 *
 *   POST /_ctl/apply[?quiet=1]   body: an object or a List; ADDED/MODIFIED
 *                                (quiet: changed with no event: only a
 *                                new LIST shows it)
 *   POST /_ctl/delete            body: an object or a List; DELETED
 *   POST /_ctl/bookmark?r=RES    a BOOKMARK at a new resourceVersion
 *   POST /_ctl/junk?r=RES        a line that is not JSON into the stream
 *   POST /_ctl/drop?r=RES        end RES's watches mid-stream (no final chunk)
 *   POST /_ctl/compact?r=RES&how=http|event
 *                                history before now is gone; open
 *                                watches are dropped (http) or get the
 *                                ERROR 410 event (event)
 *   POST /_ctl/missing?r=RES&on=1|0, /_ctl/forbid-events?on=1|0
 *
 * Every API request is appended to --requests FILE as
 * "METHOD PATH?ARGS auth=<Authorization header or ->", so the test can
 * say what the client asked, in what order, with what token.
 *
 * Usage: kubeapi_server --port-file F --requests F --events F
 *                       [--port N] [--max-page N]
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <pthread.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <jansson.h>
#include <microhttpd.h>

struct entry {
	long rv;
	char *line; /* the event, with its newline */
	char name[256]; /* the object's name ("" for junk and bookmarks) */
};

struct resource {
	const char *name, *path, *kind, *api;
	json_t *objs; /* "ns/name" -> object */
	struct entry *log;
	size_t nlog;
	long compacted;
	bool compact_event, missing;
	unsigned drop_gen, expire_gen;
};

static struct resource res[] = {
	{ "routeadvertisements", "/apis/k8s.ovn.org/v1/routeadvertisements", "RouteAdvertisements", "k8s.ovn.org/v1" },
	{ "clusteruserdefinednetworks", "/apis/k8s.ovn.org/v1/clusteruserdefinednetworks",
	  "ClusterUserDefinedNetwork", "k8s.ovn.org/v1" },
	{ "userdefinednetworks", "/apis/k8s.ovn.org/v1/userdefinednetworks", "UserDefinedNetwork", "k8s.ovn.org/v1" },
	{ "network-attachment-definitions", "/apis/k8s.cni.cncf.io/v1/network-attachment-definitions",
	  "NetworkAttachmentDefinition", "k8s.cni.cncf.io/v1" },
	{ "namespaces", "/api/v1/namespaces", "Namespace", "v1" },
	{ "nodes", "/api/v1/nodes", "Node", "v1" },
};
#define NRES (sizeof(res) / sizeof(res[0]))

static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t changed = PTHREAD_COND_INITIALIZER;
static long cur_rv = 100;
static bool forbid_events, quitting;
static unsigned max_page = 500;
static const char *requests_file, *events_file;

static struct resource *by_name(const char *n)
{
	for (size_t i = 0; n && i < NRES; i++)
		if (!strcmp(res[i].name, n))
			return &res[i];
	return NULL;
}

static struct resource *by_kind(const char *k)
{
	for (size_t i = 0; k && i < NRES; i++)
		if (!strcmp(res[i].kind, k))
			return &res[i];
	return NULL;
}

static struct resource *by_path(const char *p)
{
	for (size_t i = 0; i < NRES; i++)
		if (!strcmp(res[i].path, p))
			return &res[i];
	return NULL;
}

static void append_line(const char *file, const char *line)
{
	FILE *f = fopen(file, "ae");

	if (f) {
		fprintf(f, "%s\n", line);
		fclose(f);
	}
}

/* Under mu. */
static void log_event(struct resource *r, long rv, const char *line, const char *name)
{
	struct entry *e = realloc(r->log, (r->nlog + 1) * sizeof(*e));

	if (!e)
		abort();
	r->log = e;
	e += r->nlog++;
	e->rv = rv;
	if (asprintf(&e->line, "%s\n", line) < 0)
		abort();
	snprintf(e->name, sizeof(e->name), "%s", name ? name : "");
	pthread_cond_broadcast(&changed);
}

static void event_of(struct resource *r, const char *type, json_t *obj, long rv)
{
	json_t *ev = json_pack("{s:s, s:O}", "type", type, "object", obj);
	char *text = json_dumps(ev, JSON_COMPACT);
	const char *name = json_string_value(json_object_get(json_object_get(obj, "metadata"), "name"));

	log_event(r, rv, text, name);
	free(text);
	json_decref(ev);
}

static const char *meta(json_t *o, const char *k)
{
	return json_string_value(json_object_get(json_object_get(o, "metadata"), k));
}

static void key_of(json_t *o, char *key, size_t len)
{
	snprintf(key, len, "%s/%s", meta(o, "namespace") ? meta(o, "namespace") : "",
		 meta(o, "name") ? meta(o, "name") : "");
}

/* apply / delete each object of body (an object or a List). Under mu. */
static int change(const char *body, size_t len, bool del, bool quiet, char *err, size_t errlen)
{
	json_t *doc = json_loadb(body, len, 0, NULL), *items, *it;
	size_t i;

	if (!doc) {
		snprintf(err, errlen, "body: not JSON");
		return -1;
	}
	items = json_object_get(doc, "items");
	if (!json_is_array(items)) {
		items = json_array();
		json_array_append(items, doc);
	} else {
		json_incref(items);
	}
	json_array_foreach(items, i, it) {
		struct resource *r = by_kind(json_string_value(json_object_get(it, "kind")));
		char key[600], rvs[32];
		json_t *old;

		if (!r || !meta(it, "name"))
			continue; /* not a kind served here */
		key_of(it, key, sizeof(key));
		old = json_object_get(r->objs, key);
		snprintf(rvs, sizeof(rvs), "%ld", ++cur_rv);
		if (del) {
			if (!old)
				continue;
			json_incref(old);
			json_object_del(r->objs, key);
			json_object_set_new(json_object_get(old, "metadata"), "resourceVersion", json_string(rvs));
			event_of(r, "DELETED", old, cur_rv);
			json_decref(old);
			continue;
		}
		it = json_deep_copy(it);
		if (!json_object_get(it, "metadata"))
			json_object_set_new(it, "metadata", json_object());
		json_object_set_new(json_object_get(it, "metadata"), "resourceVersion", json_string(rvs));
		if (!meta(it, "uid")) {
			char uid[64];

			snprintf(uid, sizeof(uid), "uid-%ld", cur_rv);
			json_object_set_new(json_object_get(it, "metadata"), "uid", json_string(uid));
		}
		if (!quiet)
			event_of(r, old ? "MODIFIED" : "ADDED", it, cur_rv);
		json_object_set_new(r->objs, key, it);
	}
	json_decref(items);
	json_decref(doc);
	pthread_cond_broadcast(&changed);
	return 0;
}

static enum MHD_Result reply(struct MHD_Connection *c, unsigned code, const char *body)
{
	struct MHD_Response *rsp =
		MHD_create_response_from_buffer(strlen(body), (void *)body, MHD_RESPMEM_MUST_COPY);
	enum MHD_Result ret;

	MHD_add_response_header(rsp, "Content-Type", "application/json");
	ret = MHD_queue_response(c, code, rsp);
	MHD_destroy_response(rsp);
	return ret;
}

static enum MHD_Result status(struct MHD_Connection *c, unsigned code, const char *reason, const char *msg)
{
	json_t *st = json_pack("{s:s, s:s, s:{}, s:s, s:s, s:s, s:i}", "kind", "Status", "apiVersion", "v1",
			       "metadata", "status", "Failure", "message", msg, "reason", reason, "code", code);
	char *text = json_dumps(st, JSON_COMPACT);
	enum MHD_Result ret = reply(c, code, text);

	free(text);
	json_decref(st);
	return ret;
}

static enum MHD_Result list(struct MHD_Connection *c, struct resource *r)
{
	const char *lim = MHD_lookup_connection_value(c, MHD_GET_ARGUMENT_KIND, "limit");
	const char *cont = MHD_lookup_connection_value(c, MHD_GET_ARGUMENT_KIND, "continue");
	const char *fs = MHD_lookup_connection_value(c, MHD_GET_ARGUMENT_KIND, "fieldSelector");
	unsigned limit = lim ? (unsigned)strtoul(lim, NULL, 10) : 0, skip = cont ? (unsigned)atoi(cont) : 0, n = 0, at = 0;
	json_t *items = json_array(), *doc, *o;
	char kind[96], rvs[32], next[32] = "";
	const char *key;
	enum MHD_Result ret;
	char *text;

	if (!limit || limit > max_page)
		limit = max_page;
	if (fs && strncmp(fs, "metadata.name=", 14))
		return status(c, 400, "BadRequest", "only fieldSelector=metadata.name=X is served here");
	pthread_mutex_lock(&mu);
	json_object_foreach(r->objs, key, o) {
		json_t *copy;

		if (fs && strcmp(fs + 14, meta(o, "name")))
			continue;
		if (at++ < skip)
			continue;
		if (n == limit) {
			snprintf(next, sizeof(next), "%u", at - 1);
			break;
		}
		copy = json_deep_copy(o);
		json_object_del(copy, "kind");
		json_object_del(copy, "apiVersion");
		json_array_append_new(items, copy);
		n++;
	}
	snprintf(rvs, sizeof(rvs), "%ld", cur_rv);
	pthread_mutex_unlock(&mu);
	snprintf(kind, sizeof(kind), "%sList", r->kind);
	doc = json_pack("{s:s, s:s, s:{s:s}, s:o}", "kind", kind, "apiVersion", r->api, "metadata",
			"resourceVersion", rvs, "items", items);
	if (next[0])
		json_object_set_new(json_object_get(doc, "metadata"), "continue", json_string(next));
	text = json_dumps(doc, JSON_COMPACT);
	ret = reply(c, 200, text);
	free(text);
	json_decref(doc);
	return ret;
}

struct stream {
	struct resource *r;
	size_t next;      /* index into r->log */
	char name[256];   /* fieldSelector metadata.name, "" = all */
	unsigned drop_gen, expire_gen;
	bool ending;      /* the ERROR event is out: end the stream */
	char *pending;    /* a line larger than the buffer MHD gave */
	size_t off;
};

static const char gone_event[] =
	"{\"type\":\"ERROR\",\"object\":{\"kind\":\"Status\",\"apiVersion\":\"v1\",\"metadata\":{},"
	"\"status\":\"Failure\",\"message\":\"too old resource version\",\"reason\":\"Expired\",\"code\":410}}\n";

static ssize_t put(struct stream *s, char *buf, size_t max)
{
	size_t n = strlen(s->pending + s->off);

	if (n > max)
		n = max;
	memcpy(buf, s->pending + s->off, n);
	s->off += n;
	if (!s->pending[s->off]) {
		free(s->pending);
		s->pending = NULL;
		s->off = 0;
	}
	return (ssize_t)n;
}

/* MHD's content reader for a watch: this connection's own thread (thread
 * per connection), so it may wait for the next event. Events logged
 * before a drop are sent before it: the test's order is the stream's. */
static ssize_t watch_read(void *arg, uint64_t pos, char *buf, size_t max)
{
	struct stream *s = arg;
	ssize_t ret;

	(void)pos;
	pthread_mutex_lock(&mu);
	for (;;) {
		if (s->pending) {
			ret = put(s, buf, max);
			break;
		}
		if (quitting || s->ending) {
			ret = MHD_CONTENT_READER_END_OF_STREAM;
			break;
		}
		if (s->next < s->r->nlog) {
			struct entry *e = &s->r->log[s->next++];

			if (!s->name[0] || !e->name[0] || !strcmp(s->name, e->name))
				s->pending = strdup(e->line);
			continue;
		}
		if (s->drop_gen != s->r->drop_gen) {
			ret = MHD_CONTENT_READER_END_WITH_ERROR;
			break;
		}
		if (s->expire_gen != s->r->expire_gen) {
			s->ending = true;
			s->pending = strdup(gone_event);
			continue;
		}
		struct timespec ts;

		clock_gettime(CLOCK_REALTIME, &ts);
		ts.tv_nsec += 200 * 1000000L;
		if (ts.tv_nsec >= 1000000000L) {
			ts.tv_sec++;
			ts.tv_nsec -= 1000000000L;
		}
		pthread_cond_timedwait(&changed, &mu, &ts);
	}
	pthread_mutex_unlock(&mu);
	return ret;
}

static void watch_free(void *arg)
{
	struct stream *s = arg;

	free(s->pending);
	free(s);
}

static enum MHD_Result watch(struct MHD_Connection *c, struct resource *r)
{
	const char *rvs = MHD_lookup_connection_value(c, MHD_GET_ARGUMENT_KIND, "resourceVersion");
	const char *fs = MHD_lookup_connection_value(c, MHD_GET_ARGUMENT_KIND, "fieldSelector");
	struct stream *s = calloc(1, sizeof(*s));
	struct MHD_Response *rsp;
	enum MHD_Result ret;
	long from;

	if (!s)
		return MHD_NO;
	from = rvs && *rvs ? atol(rvs) : 0;
	s->r = r;
	if (fs && !strncmp(fs, "metadata.name=", 14))
		snprintf(s->name, sizeof(s->name), "%s", fs + 14);
	pthread_mutex_lock(&mu);
	if (from && from < r->compacted && !r->compact_event) {
		pthread_mutex_unlock(&mu);
		free(s);
		return status(c, 410, "Expired", "too old resource version");
	}
	if (from && from < r->compacted) {
		s->ending = true;
		s->pending = strdup(gone_event);
	}
	while (s->next < r->nlog && r->log[s->next].rv <= from)
		s->next++;
	s->drop_gen = r->drop_gen;
	s->expire_gen = r->expire_gen;
	pthread_mutex_unlock(&mu);
	rsp = MHD_create_response_from_callback(MHD_SIZE_UNKNOWN, 4096, watch_read, s, watch_free);
	MHD_add_response_header(rsp, "Content-Type", "application/json");
	ret = MHD_queue_response(c, 200, rsp);
	MHD_destroy_response(rsp);
	return ret;
}

static enum MHD_Result arg_cat(void *cls, enum MHD_ValueKind kind, const char *k, const char *v)
{
	char *q = cls;
	size_t n = strlen(q);

	(void)kind;
	snprintf(q + n, 4096 - n, "%s%s=%s", n ? "&" : "", k, v ? v : "");
	return MHD_YES;
}

struct upload {
	char *body;
	size_t len;
};

static enum MHD_Result control(struct MHD_Connection *c, const char *what, const char *body, size_t len)
{
	struct resource *r = by_name(MHD_lookup_connection_value(c, MHD_GET_ARGUMENT_KIND, "r"));
	const char *on = MHD_lookup_connection_value(c, MHD_GET_ARGUMENT_KIND, "on");
	const char *how = MHD_lookup_connection_value(c, MHD_GET_ARGUMENT_KIND, "how");
	char err[256] = "", out[64];
	int rc = 0;

	pthread_mutex_lock(&mu);
	if (!strcmp(what, "apply") || !strcmp(what, "delete")) {
		rc = change(body ? body : "", len, what[0] == 'd',
			    MHD_lookup_connection_value(c, MHD_GET_ARGUMENT_KIND, "quiet") != NULL, err, sizeof(err));
	} else if (!strcmp(what, "forbid-events")) {
		forbid_events = on && *on == '1';
	} else if (!r) {
		snprintf(err, sizeof(err), "r=RESOURCE missing or unknown");
		rc = -1;
	} else if (!strcmp(what, "bookmark")) {
		char line[256];

		snprintf(line, sizeof(line), "{\"type\":\"BOOKMARK\",\"object\":{\"kind\":\"%s\",\"apiVersion\":\"%s\","
			 "\"metadata\":{\"resourceVersion\":\"%ld\"}}}", r->kind, r->api, ++cur_rv);
		log_event(r, cur_rv, line, NULL);
	} else if (!strcmp(what, "junk")) {
		log_event(r, cur_rv, "{\"type\":\"ADDED\",\"object\":{this is not json", NULL);
	} else if (!strcmp(what, "drop")) {
		r->drop_gen++;
	} else if (!strcmp(what, "compact")) {
		r->compacted = ++cur_rv;
		r->compact_event = how && !strcmp(how, "event");
		for (size_t i = 0; i < r->nlog; i++)
			free(r->log[i].line);
		free(r->log);
		r->log = NULL;
		r->nlog = 0;
		if (r->compact_event)
			r->expire_gen++;
		else
			r->drop_gen++;
	} else if (!strcmp(what, "missing")) {
		r->missing = on && *on == '1';
	} else {
		snprintf(err, sizeof(err), "unknown control %s", what);
		rc = -1;
	}
	snprintf(out, sizeof(out), "%ld\n", cur_rv);
	pthread_cond_broadcast(&changed);
	pthread_mutex_unlock(&mu);
	return rc ? status(c, 400, "BadRequest", err) : reply(c, 200, out);
}

static enum MHD_Result handle(void *cls, struct MHD_Connection *c, const char *url, const char *method,
			      const char *version, const char *data, size_t *size, void **state)
{
	struct upload *up = *state;
	char q[4096] = "", line[8192], ns[256];
	const char *auth, *w;
	struct resource *r;

	(void)cls;
	(void)version;
	if (!up) {
		up = calloc(1, sizeof(*up));
		*state = up;
		return up ? MHD_YES : MHD_NO;
	}
	if (*size) {
		char *nb = realloc(up->body, up->len + *size + 1);

		if (!nb)
			return MHD_NO;
		memcpy(nb + up->len, data, *size);
		up->body = nb;
		up->len += *size;
		up->body[up->len] = '\0';
		*size = 0;
		return MHD_YES;
	}
	if (!strncmp(url, "/_ctl/", 6))
		return control(c, url + 6, up->body, up->len);
	MHD_get_connection_values(c, MHD_GET_ARGUMENT_KIND, arg_cat, q);
	auth = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Authorization");
	snprintf(line, sizeof(line), "%s %s%s%s auth=%s", method, url, q[0] ? "?" : "", q, auth ? auth : "-");
	pthread_mutex_lock(&mu);
	append_line(requests_file, line);
	pthread_mutex_unlock(&mu);
	if (!strcmp(method, "POST") && sscanf(url, "/api/v1/namespaces/%255[^/]/events", ns) == 1) {
		if (forbid_events)
			return status(c, 403, "Forbidden",
				      "events is forbidden: User \"system:serviceaccount:podroute:podroute\" cannot "
				      "create resource \"events\" in API group \"\" in the namespace");
		pthread_mutex_lock(&mu);
		append_line(events_file, up->body ? up->body : "{}");
		pthread_mutex_unlock(&mu);
		return reply(c, 201, up->body ? up->body : "{}");
	}
	r = by_path(url);
	if (!r || strcmp(method, "GET"))
		return status(c, 404, "NotFound", "the server could not find the requested resource");
	pthread_mutex_lock(&mu);
	bool missing = r->missing;
	pthread_mutex_unlock(&mu);
	if (missing)
		return status(c, 404, "NotFound", "the server could not find the requested resource");
	w = MHD_lookup_connection_value(c, MHD_GET_ARGUMENT_KIND, "watch");
	if (w && (!strcmp(w, "true") || !strcmp(w, "1")))
		return watch(c, r);
	return list(c, r);
}

static void done(void *cls, struct MHD_Connection *c, void **state, enum MHD_RequestTerminationCode t)
{
	struct upload *up = *state;

	(void)cls;
	(void)c;
	(void)t;
	if (up) {
		free(up->body);
		free(up);
	}
	*state = NULL;
}

int main(int argc, char **argv)
{
	const char *port_file = NULL;
	char tmp[4096];
	struct sockaddr_in sa = { .sin_family = AF_INET };
	struct MHD_Daemon *d;
	const union MHD_DaemonInfo *info;
	unsigned port = 0;
	sigset_t mask;
	int sig;
	FILE *f;

	for (int i = 1; i + 1 < argc; i += 2) {
		if (!strcmp(argv[i], "--port"))
			port = (unsigned)atoi(argv[i + 1]);
		else if (!strcmp(argv[i], "--port-file"))
			port_file = argv[i + 1];
		else if (!strcmp(argv[i], "--requests"))
			requests_file = argv[i + 1];
		else if (!strcmp(argv[i], "--events"))
			events_file = argv[i + 1];
		else if (!strcmp(argv[i], "--max-page"))
			max_page = (unsigned)atoi(argv[i + 1]);
		else
			break;
	}
	if (!port_file || !requests_file || !events_file || !max_page) {
		fprintf(stderr, "usage: kubeapi_server --port-file F --requests F --events F [--port N] [--max-page N]\n");
		return 2;
	}
	for (size_t i = 0; i < NRES; i++)
		res[i].objs = json_object();
	sigemptyset(&mask);
	sigaddset(&mask, SIGTERM);
	sigaddset(&mask, SIGINT);
	pthread_sigmask(SIG_BLOCK, &mask, NULL); /* inherited by MHD's threads */
	sa.sin_port = htons((uint16_t)port);
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	d = MHD_start_daemon(MHD_USE_THREAD_PER_CONNECTION | MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_ERROR_LOG,
			     0, NULL, NULL, handle, NULL, MHD_OPTION_SOCK_ADDR, &sa,
			     MHD_OPTION_NOTIFY_COMPLETED, done, NULL, MHD_OPTION_END);
	if (!d) {
		fprintf(stderr, "kubeapi_server: cannot listen on 127.0.0.1:%u: %s\n", port, strerror(errno));
		return 1;
	}
	info = MHD_get_daemon_info(d, MHD_DAEMON_INFO_BIND_PORT);
	/* Written whole, then renamed: the test polls for the file. */
	snprintf(tmp, sizeof(tmp), "%s.tmp", port_file);
	f = fopen(tmp, "we");
	if (!f || !info)
		return 1;
	fprintf(f, "%u\n", info->port);
	if (fclose(f) || rename(tmp, port_file))
		return 1;
	sigwait(&mask, &sig);
	pthread_mutex_lock(&mu);
	quitting = true;
	pthread_cond_broadcast(&changed);
	pthread_mutex_unlock(&mu);
	MHD_stop_daemon(d);
	return 0;
}
