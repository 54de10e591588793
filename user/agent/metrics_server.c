// SPDX-License-Identifier: GPL-2.0-only
/*
 * The agent's Prometheus endpoint's server (see metrics.h): its listen
 * address, and the libmicrohttpd server that reads the kernel at scrape
 * time. The agent loop only ever takes the snapshot mutex
 * for a memcpy; every slow part of a scrape (map reads, netlink queries for
 * the hooks, formatting) runs on the server's thread without it.
 */
#include "agent/metrics.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <math.h>
#include <netinet/in.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <linux/if_link.h>
#include <microhttpd.h>

#include "datapath/hook_state.h"
#include "kernel/features.h"
#include "lib/log.h"
#include "lib/names.h"

#ifndef PODROUTE_VERSION
#define PODROUTE_VERSION "unknown"
#endif

/* ---- listen address ---- */

int pr_metrics_parse_listen(const char *spec, struct sockaddr_storage *ss, socklen_t *sslen,
			    char *why, size_t len)
{
	char host[INET6_ADDRSTRLEN + 1];
	const char *port, *end;
	unsigned long p;
	size_t hl;
	bool v6;

	memset(ss, 0, sizeof(*ss));
	if (!strcmp(spec, "none"))
		return 1;
	if (spec[0] == '[') {
		end = strchr(spec, ']');
		if (!end || end[1] != ':') {
			snprintf(why, len, "\"%s\": expected [IPV6]:PORT", spec);
			return -EINVAL;
		}
		hl = end - spec - 1;
		spec++;
		port = end + 2;
		v6 = true;
	} else {
		end = strrchr(spec, ':');
		if (!end) {
			snprintf(why, len, "\"%s\": expected ADDR:PORT (or [IPV6]:PORT, or none)", spec);
			return -EINVAL;
		}
		hl = end - spec;
		port = end + 1;
		v6 = false;
		if (memchr(spec, ':', hl)) {
			snprintf(why, len, "\"%s\": an IPv6 address goes in brackets: [ADDR]:PORT", spec);
			return -EINVAL;
		}
	}
	if (!hl || hl >= sizeof(host)) {
		snprintf(why, len, "\"%.*s\": not a numeric IP%s address", (int)hl, spec, v6 ? "v6" : "v4");
		return -EINVAL;
	}
	memcpy(host, spec, hl);
	host[hl] = '\0';
	if (!*port || strlen(port) > 5 || strspn(port, "0123456789") != strlen(port) ||
	    (p = strtoul(port, NULL, 10)) > 65535) {
		snprintf(why, len, "\"%s\": not a port number (0..65535)", port);
		return -EINVAL;
	}
	if (v6) {
		struct sockaddr_in6 *a = (struct sockaddr_in6 *)ss;

		a->sin6_family = AF_INET6;
		a->sin6_port = htons(p);
		if (inet_pton(AF_INET6, host, &a->sin6_addr) != 1)
			goto bad_host;
		*sslen = sizeof(*a);
	} else {
		struct sockaddr_in *a = (struct sockaddr_in *)ss;

		a->sin_family = AF_INET;
		a->sin_port = htons(p);
		if (inet_pton(AF_INET, host, &a->sin_addr) != 1)
			goto bad_host;
		*sslen = sizeof(*a);
	}
	return 0;
bad_host:
	snprintf(why, len, "\"%s\": not a numeric IP%s address", host, v6 ? "v6" : "v4");
	return -EINVAL;
}

static void format_addr(const struct sockaddr_storage *ss, char *buf, size_t len)
{
	char host[INET6_ADDRSTRLEN];

	if (ss->ss_family == AF_INET6) {
		const struct sockaddr_in6 *a = (const void *)ss;

		inet_ntop(AF_INET6, &a->sin6_addr, host, sizeof(host));
		snprintf(buf, len, "[%s]:%u", host, ntohs(a->sin6_port));
	} else {
		const struct sockaddr_in *a = (const void *)ss;

		inet_ntop(AF_INET, &a->sin_addr, host, sizeof(host));
		snprintf(buf, len, "%s:%u", host, ntohs(a->sin_port));
	}
}

/* ---- the server ---- */

struct pr_metrics {
	int fd; /* listening socket until MHD owns it */
	bool v6;
	char addr[INET6_ADDRSTRLEN + 8];
	char release[65];
	bool vrf_fib, xdp_meta;
	struct MHD_Daemon *mhd;

	pthread_mutex_t lock; /* guards snap and published */
	struct pr_metrics_snap snap;
	bool published;

	/* The server thread's own (MHD runs one thread: no sharing). */
	struct pr_metrics_snap scratch;
	struct pr_metrics_live *live;
	int map_fd[PR_MAP__COUNT];
	struct bpf_map_info info[PR_MAP__COUNT];
	int ncpu;
	void *buf; /* batch lookups: keys then values */
	size_t buf_size;
};

int pr_metrics_open(const char *spec, struct pr_metrics **out, char *err, size_t len)
{
	struct sockaddr_storage ss;
	socklen_t sl = 0;
	struct pr_metrics *m;
	struct utsname u;
	char why[160];
	int rc, one = 1;

	*out = NULL;
	rc = pr_metrics_parse_listen(spec, &ss, &sl, why, sizeof(why));
	if (rc < 0) {
		snprintf(err, len, "--metrics-listen %s", why);
		return rc;
	}
	if (rc == 1)
		return 0;
	m = calloc(1, sizeof(*m));
	if (!m) {
		snprintf(err, len, "metrics: out of memory");
		return -ENOMEM;
	}
	for (int i = 0; i < PR_MAP__COUNT; i++)
		m->map_fd[i] = -1;
	pthread_mutex_init(&m->lock, NULL);
	m->v6 = ss.ss_family == AF_INET6;
	format_addr(&ss, m->addr, sizeof(m->addr));
	if (!uname(&u))
		snprintf(m->release, sizeof(m->release), "%s", u.release);
	m->vrf_fib = pr_kernel_has_vrf_fib();
	m->xdp_meta = pr_kernel_has_xdp_meta();
	m->fd = socket(ss.ss_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (m->fd < 0 || setsockopt(m->fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) ||
	    bind(m->fd, (struct sockaddr *)&ss, sl) || listen(m->fd, 64)) {
		rc = -errno;
		snprintf(err, len, "metrics: cannot listen on %s: %s%s", m->addr, strerror(-rc),
			 rc == -EADDRINUSE ? " (another process holds it: choose another "
					     "--metrics-listen ADDR:PORT, or none)"
			 : rc == -EADDRNOTAVAIL ? " (no interface of this network namespace has "
						  "that address)"
						: "");
		pr_metrics_close(m);
		return rc;
	}
	/* Port 0: say which one the kernel chose. */
	sl = sizeof(ss);
	if (!getsockname(m->fd, (struct sockaddr *)&ss, &sl))
		format_addr(&ss, m->addr, sizeof(m->addr));
	*out = m;
	return 0;
}

const char *pr_metrics_address(const struct pr_metrics *m)
{
	return m ? m->addr : "none";
}

void pr_metrics_publish(struct pr_metrics *m, const struct pr_metrics_snap *s)
{
	if (!m)
		return;
	pthread_mutex_lock(&m->lock);
	memcpy(&m->snap, s, sizeof(*s));
	m->published = true;
	pthread_mutex_unlock(&m->lock);
}

/* The hooks as datapath/hook_state.c reads them (the one reading status
 * shares), kept to what the health rules and the gauges need. */
static void read_if(int ifaces_fd, const char *name, struct pr_metrics_ifstate *st)
{
	struct pr_if_hooks h;

	memset(st, 0, sizeof(*st));
	st->ifindex = if_nametoindex(name);
	if (!st->ifindex)
		return;
	pr_if_hooks_read(ifaces_fd, st->ifindex, &h);
	st->in_ifaces = h.in_ifaces;
	st->if_flags = h.if_flags;
	st->tc = h.tc.ours;
	st->xdp = h.xdp.ours;
	st->xdp_mode = h.xdp.ours ? h.xdp.xdp_mode : NULL;
}

/* Sum pr_stats over CPUs with batched lookups. */
static int read_stats(struct pr_metrics *m, struct pr_metrics_live *l)
{
	const uint32_t chunk = 256, n = PR_MAX_NETS * PR_R_MAX;
	uint32_t *keys = m->buf, batch = 0, count;
	struct pr_counter *vals = (void *)(keys + chunk);
	bool first = true;
	int err;

	LIBBPF_OPTS(bpf_map_batch_opts, o);
	for (;;) {
		count = chunk;
		err = bpf_map_lookup_batch(m->map_fd[PR_MAP_STATS], first ? NULL : &batch, &batch, keys,
					   vals, &count, &o);
		if (err && err != -ENOENT)
			return err;
		for (uint32_t i = 0; i < count; i++) {
			if (keys[i] >= n)
				continue;
			for (int c = 0; c < m->ncpu; c++) {
				l->stats[keys[i]].packets += vals[i * m->ncpu + c].packets;
				l->stats[keys[i]].bytes += vals[i * m->ncpu + c].bytes;
			}
		}
		if (err == -ENOENT)
			return 0;
		first = false;
	}
}

static bool all_zero(const uint8_t *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (p[i])
			return false;
	return true;
}

/* Entries of a map: arrays count non-zero values (as the reconciler does). */
static int count_entries(struct pr_metrics *m, int i, uint64_t *out)
{
	const struct bpf_map_info *inf = &m->info[i];
	uint8_t key[64], next[64];
	void *prev = NULL;
	uint64_t n = 0;
	int err;

	if (inf->type == BPF_MAP_TYPE_ARRAY) {
		uint32_t *keys = m->buf, batch = 0, count, chunk = 1024;
		uint8_t *vals = (uint8_t *)(keys + chunk);
		bool first = true;

		LIBBPF_OPTS(bpf_map_batch_opts, o);
		for (;;) {
			count = chunk;
			err = bpf_map_lookup_batch(m->map_fd[i], first ? NULL : &batch, &batch, keys, vals,
						   &count, &o);
			if (err && err != -ENOENT)
				return err;
			for (uint32_t k = 0; k < count; k++)
				n += !all_zero(vals + (size_t)k * inf->value_size, inf->value_size);
			if (err == -ENOENT)
				break;
			first = false;
		}
		*out = n;
		return 0;
	}
	if (inf->key_size > sizeof(key))
		return -E2BIG;
	/* Bounded: a map that changes under the walk cannot loop forever. */
	while (n <= inf->max_entries && !bpf_map_get_next_key(m->map_fd[i], prev, next)) {
		memcpy(key, next, inf->key_size);
		prev = key;
		n++;
	}
	if (errno != ENOENT && n <= inf->max_entries)
		return -errno;
	*out = n;
	return 0;
}

static void collect(struct pr_metrics *m, const struct pr_metrics_snap *s, struct pr_metrics_live *l,
		    bool full)
{
	memset(l, 0, sizeof(*l));
	snprintf(l->kernel_release, sizeof(l->kernel_release), "%s", m->release);
	l->vrf_fib = m->vrf_fib;
	l->xdp_meta = m->xdp_meta;
	for (unsigned i = 0; i < s->nifs && i < PR_ATTACH_MAX; i++)
		read_if(m->map_fd[PR_MAP_IFACES], s->ifs[i].name, &l->ifs[i]);
	if (!full)
		return;
	l->have_stats = !read_stats(m, l);
	for (int i = 0; i < PR_MAP__COUNT; i++) {
		struct pr_metrics_map *mm = &l->maps[i];

		mm->have_capacity = true;
		mm->capacity = m->info[i].max_entries;
		/* Every slot of a per-CPU array always exists; the lookup index's
		 * entries are podroute_lookup_index_entries and _changed_prefixes
		 * (no walk of its lines or sets). */
		if (i == PR_MAP_STATS || i >= PR_MAP_LSX4)
			continue;
		if (s->map_entries[i] >= 0) {
			mm->entries = s->map_entries[i];
			mm->have_entries = true;
		} else {
			mm->have_entries = !count_entries(m, i, &mm->entries);
		}
	}
}

void pr_health_eval(int ifaces_fd, const struct pr_metrics_snap *s, bool *live, char *live_why,
		    bool *ready, char *ready_why, size_t len)
{
	static struct pr_metrics_live l; /* the agent's thread only */

	memset(l.ifs, 0, sizeof(l.ifs));
	for (unsigned i = 0; i < s->nifs && i < PR_ATTACH_MAX; i++)
		read_if(ifaces_fd, s->ifs[i].name, &l.ifs[i]);
	*live = pr_metrics_health(s, &l, false, live_why, len);
	*ready = pr_metrics_health(s, &l, true, ready_why, len);
}

static enum MHD_Result reply(struct MHD_Connection *c, unsigned status, char *body, size_t len,
			     bool must_free, const char *ctype)
{
	struct MHD_Response *r =
		MHD_create_response_from_buffer(len, body, must_free ? MHD_RESPMEM_MUST_FREE
								    : MHD_RESPMEM_MUST_COPY);
	enum MHD_Result ret;

	if (!r) {
		if (must_free)
			free(body);
		return MHD_NO;
	}
	MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, ctype);
	if (status == MHD_HTTP_METHOD_NOT_ALLOWED)
		MHD_add_response_header(r, MHD_HTTP_HEADER_ALLOW, "GET, HEAD");
	ret = MHD_queue_response(c, status, r);
	MHD_destroy_response(r);
	return ret;
}

static enum MHD_Result reply_text(struct MHD_Connection *c, unsigned status, const char *text)
{
	return reply(c, status, (char *)text, strlen(text), false, "text/plain; charset=utf-8");
}

static enum MHD_Result handle(void *cls, struct MHD_Connection *c, const char *url,
			      const char *method, const char *version, const char *upload,
			      size_t *upload_size, void **req)
{
	struct pr_metrics *m = cls;
	bool metrics = !strcmp(url, "/metrics"), health = !strcmp(url, "/healthz"),
	     ready = !strcmp(url, "/readyz"), published;
	char why[1024];

	(void)version, (void)upload, (void)upload_size, (void)req;
	if (strcmp(method, MHD_HTTP_METHOD_GET) && strcmp(method, MHD_HTTP_METHOD_HEAD))
		return reply_text(c, MHD_HTTP_METHOD_NOT_ALLOWED, "only GET and HEAD\n");
	if (!metrics && !health && !ready)
		return reply_text(c, MHD_HTTP_NOT_FOUND, "not found: try /metrics, /healthz, /readyz\n");

	/* The only moment the agent and a scrape share anything: a memcpy. */
	pthread_mutex_lock(&m->lock);
	published = m->published;
	if (published)
		memcpy(&m->scratch, &m->snap, sizeof(m->scratch));
	pthread_mutex_unlock(&m->lock);
	if (!published)
		return reply_text(c, MHD_HTTP_SERVICE_UNAVAILABLE, "starting\n");

	collect(m, &m->scratch, m->live, metrics);
	if (metrics) {
		struct pr_sbuf b = {};

		pr_metrics_render(&b, &m->scratch, m->live);
		if (b.failed) {
			pr_sbuf_free(&b);
			return reply_text(c, MHD_HTTP_INTERNAL_SERVER_ERROR, "out of memory\n");
		}
		return reply(c, MHD_HTTP_OK, b.buf, b.len, true, "text/plain; version=0.0.4; charset=utf-8");
	}
	if (pr_metrics_health(&m->scratch, m->live, ready, why, sizeof(why)))
		return reply_text(c, MHD_HTTP_OK, "ok\n");
	strncat(why, "\n", sizeof(why) - strlen(why) - 1);
	return reply(c, MHD_HTTP_SERVICE_UNAVAILABLE, why, strlen(why), false,
		     "text/plain; charset=utf-8");
}

static void mhd_log(void *cls, const char *fmt, va_list ap)
{
	struct pr_metrics *m = cls;
	char msg[256];
	size_t n;

	vsnprintf(msg, sizeof(msg), fmt, ap);
	n = strlen(msg);
	while (n && msg[n - 1] == '\n')
		msg[--n] = '\0';
	log_warn("metrics %s: %s", m->addr, msg);
}

int pr_metrics_start(struct pr_metrics *m, const struct pr_datapath *dp)
{
	sigset_t all, old;
	size_t need;

	m->ncpu = libbpf_num_possible_cpus();
	if (m->ncpu <= 0)
		return m->ncpu ? m->ncpu : -EINVAL;
	for (int i = 0; i < PR_MAP__COUNT; i++) {
		uint32_t len = sizeof(m->info[i]);
		int fd = pr_datapath_map_fd(dp, i);

		if (fd < 0 || (m->map_fd[i] = fcntl(fd, F_DUPFD_CLOEXEC, 3)) < 0 ||
		    bpf_obj_get_info_by_fd(m->map_fd[i], &m->info[i], &len)) {
			log_err("metrics: map %s: %s", pr_maps[i].name,
				fd < 0 ? "missing" : strerror(errno));
			return -ENOENT;
		}
	}
	/* One buffer for both kinds of batch: 256 per-CPU counters, or 1024
	 * array values of the widest map. */
	need = 256 * (4 + (size_t)m->ncpu * sizeof(struct pr_counter));
	for (int i = 0; i < PR_MAP__COUNT; i++)
		if (m->info[i].type == BPF_MAP_TYPE_ARRAY &&
		    1024 * (4 + (size_t)m->info[i].value_size) > need)
			need = 1024 * (4 + (size_t)m->info[i].value_size);
	m->buf = malloc(need);
	m->buf_size = need;
	m->live = malloc(sizeof(*m->live));
	if (!m->buf || !m->live)
		return -ENOMEM;
	/* The server's thread inherits this mask: every signal stays with the
	 * agent's signalfd, none may end up on (and kill through) this thread. */
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	m->mhd = MHD_start_daemon(MHD_USE_AUTO | MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_ERROR_LOG |
					  (m->v6 ? MHD_USE_IPv6 : 0),
				  0, NULL, NULL, handle, m, MHD_OPTION_EXTERNAL_LOGGER, mhd_log, m,
				  MHD_OPTION_LISTEN_SOCKET, m->fd, MHD_OPTION_CONNECTION_LIMIT, 32u,
				  MHD_OPTION_PER_IP_CONNECTION_LIMIT, 4u,
				  MHD_OPTION_CONNECTION_TIMEOUT, 5u, MHD_OPTION_END);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (!m->mhd) {
		log_err("metrics %s: libmicrohttpd did not start", m->addr);
		return -EIO;
	}
	m->fd = -1; /* MHD owns it now and closes it when stopped */
	log_info("metrics: serving /metrics, /healthz, /readyz on %s", m->addr);
	return 0;
}

void pr_metrics_close(struct pr_metrics *m)
{
	if (!m)
		return;
	if (m->mhd)
		MHD_stop_daemon(m->mhd);
	if (m->fd >= 0)
		close(m->fd);
	for (int i = 0; i < PR_MAP__COUNT; i++)
		if (m->map_fd[i] >= 0)
			close(m->map_fd[i]);
	pthread_mutex_destroy(&m->lock);
	free(m->buf);
	free(m->live);
	free(m);
}
