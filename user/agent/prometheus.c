// SPDX-License-Identifier: GPL-2.0-only
/* The Prometheus text exposition format and histograms (agent/prometheus.h). */
#include "agent/prometheus.h"

#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- text buffer ---- */

void pr_sbuf_printf(struct pr_sbuf *b, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (b->failed)
		return;
	for (;;) {
		size_t room = b->cap - b->len;

		va_start(ap, fmt);
		n = vsnprintf(b->buf ? b->buf + b->len : NULL, b->buf ? room : 0, fmt, ap);
		va_end(ap);
		if (n < 0) {
			b->failed = true;
			return;
		}
		if (b->buf && (size_t)n < room) {
			b->len += n;
			return;
		}
		size_t cap = b->cap ? b->cap : 4096;
		while (cap - b->len <= (size_t)n)
			cap *= 2;
		char *p = realloc(b->buf, cap);

		if (!p) {
			b->failed = true;
			return;
		}
		b->buf = p;
		b->cap = cap;
	}
}

void pr_sbuf_free(struct pr_sbuf *b)
{
	free(b->buf);
	memset(b, 0, sizeof(*b));
}

/* ---- histograms ---- */

const double pr_metrics_latency_buckets[] = { 0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01,
					      0.025,  0.05,    0.1,    0.25,  0.5,    1,     2.5,
					      5,      10 };
const unsigned pr_metrics_latency_nbuckets =
	sizeof(pr_metrics_latency_buckets) / sizeof(pr_metrics_latency_buckets[0]);

int pr_hist_init(struct pr_hist *h, const double *le, unsigned n)
{
	memset(h, 0, sizeof(*h));
	if (!n || n > PR_HIST_MAX_BUCKETS)
		return -EINVAL;
	for (unsigned i = 0; i < n; i++) {
		if (isnan(le[i]) || isinf(le[i]) || (i && le[i] <= le[i - 1]))
			return -EINVAL;
		h->le[i] = le[i];
	}
	h->nbuckets = n;
	return 0;
}

void pr_hist_observe(struct pr_hist *h, double v, uint64_t n)
{
	unsigned i = 0;

	if (!n || isnan(v))
		return;
	/* "le" is inclusive: a value equal to a bound belongs to its bucket. */
	while (i < h->nbuckets && v > h->le[i])
		i++;
	h->counts[i] += n;
	h->count += n;
	h->sum += v * n;
}

/* ---- exposition ---- */

void pr_prom_format_double(char *buf, size_t len, double v)
{
	if (isnan(v))
		snprintf(buf, len, "NaN");
	else if (isinf(v))
		snprintf(buf, len, v > 0 ? "+Inf" : "-Inf");
	else
		snprintf(buf, len, "%.15g", v);
}

static void put_escaped(struct pr_sbuf *b, const char *s, bool quote)
{
	for (; *s; s++) {
		if (*s == '\\')
			pr_sbuf_printf(b, "\\\\");
		else if (*s == '\n')
			pr_sbuf_printf(b, "\\n");
		else if (*s == '"' && quote)
			pr_sbuf_printf(b, "\\\"");
		else
			pr_sbuf_printf(b, "%c", *s);
	}
}

void pr_prom_family(struct pr_sbuf *b, const char *name, const char *type, const char *help)
{
	pr_sbuf_printf(b, "# HELP %s ", name);
	put_escaped(b, help, false);
	pr_sbuf_printf(b, "\n# TYPE %s %s\n", name, type);
}

/* name{labels...,extra="x"} with a trailing space, ready for the value. */
static void sample_head(struct pr_sbuf *b, const char *name, const char *suffix,
			const char *const *labels, const char *extra, const char *extra_val)
{
	bool any = false;

	pr_sbuf_printf(b, "%s%s", name, suffix);
	for (const char *const *l = labels; l && l[0] && l[1]; l += 2) {
		pr_sbuf_printf(b, "%s%s=\"", any ? "," : "{", l[0]);
		put_escaped(b, l[1], true);
		pr_sbuf_printf(b, "\"");
		any = true;
	}
	if (extra) {
		pr_sbuf_printf(b, "%s%s=\"", any ? "," : "{", extra);
		put_escaped(b, extra_val, true);
		pr_sbuf_printf(b, "\"");
		any = true;
	}
	pr_sbuf_printf(b, "%s ", any ? "}" : "");
}

void pr_prom_u64(struct pr_sbuf *b, const char *name, const char *const *labels, uint64_t v)
{
	sample_head(b, name, "", labels, NULL, NULL);
	pr_sbuf_printf(b, "%" PRIu64 "\n", v);
}

void pr_prom_one(struct pr_sbuf *b, const char *name, const char *type, const char *help,
		 uint64_t v)
{
	pr_prom_family(b, name, type, help);
	pr_prom_u64(b, name, NULL, v);
}

void pr_prom_double(struct pr_sbuf *b, const char *name, const char *const *labels, double v)
{
	char num[40];

	pr_prom_format_double(num, sizeof(num), v);
	sample_head(b, name, "", labels, NULL, NULL);
	pr_sbuf_printf(b, "%s\n", num);
}

void pr_prom_histogram(struct pr_sbuf *b, const char *name, const char *const *labels,
		       const struct pr_hist *h)
{
	uint64_t cum = 0;
	char le[40];

	for (unsigned i = 0; i < h->nbuckets; i++) {
		cum += h->counts[i];
		pr_prom_format_double(le, sizeof(le), h->le[i]);
		sample_head(b, name, "_bucket", labels, "le", le);
		pr_sbuf_printf(b, "%" PRIu64 "\n", cum);
	}
	/* +Inf holds every observation, so it always equals _count. */
	sample_head(b, name, "_bucket", labels, "le", "+Inf");
	pr_sbuf_printf(b, "%" PRIu64 "\n", h->count);
	sample_head(b, name, "_sum", labels, NULL, NULL);
	pr_prom_format_double(le, sizeof(le), h->sum);
	pr_sbuf_printf(b, "%s\n", le);
	sample_head(b, name, "_count", labels, NULL, NULL);
	pr_sbuf_printf(b, "%" PRIu64 "\n", h->count);
}
