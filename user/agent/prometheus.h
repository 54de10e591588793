/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The Prometheus text exposition format (0.0.4), written into a growable
 * buffer, and histograms with fixed bounds. Pure: no kernel, no socket.
 */
#ifndef PR_PROMETHEUS_H
#define PR_PROMETHEUS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* ---- a growable text buffer (an allocation failure sticks: failed) ---- */

struct pr_sbuf {
	char *buf; /* NUL-terminated while !failed */
	size_t len, cap;
	bool failed;
};

void pr_sbuf_printf(struct pr_sbuf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void pr_sbuf_free(struct pr_sbuf *b);

/* ---- histograms with fixed upper bounds (Prometheus "le", inclusive) ---- */

#define PR_HIST_MAX_BUCKETS 16

struct pr_hist {
	unsigned nbuckets;                        /* finite bounds in le[] */
	double le[PR_HIST_MAX_BUCKETS];           /* strictly increasing */
	uint64_t counts[PR_HIST_MAX_BUCKETS + 1]; /* per bucket, not cumulative;
						   * [nbuckets]: above the last bound */
	uint64_t count;
	double sum;
};

/* -EINVAL unless 1 <= n <= PR_HIST_MAX_BUCKETS and le[] strictly increases. */
int pr_hist_init(struct pr_hist *h, const double *le, unsigned n);
/* Record n observations of value v (n > 1: a batch that waited together). */
void pr_hist_observe(struct pr_hist *h, double v, uint64_t n);

/* Bounds the agent uses, in seconds: 100 us .. 10 s. */
extern const double pr_metrics_latency_buckets[];
extern const unsigned pr_metrics_latency_nbuckets;

/* ---- exposition helpers ----
 * Labels are given as a NULL-terminated list of name, value pairs; values
 * are escaped (backslash, double quote, newline), HELP text too (backslash,
 * newline). */

void pr_prom_family(struct pr_sbuf *b, const char *name, const char *type, const char *help);
void pr_prom_u64(struct pr_sbuf *b, const char *name, const char *const *labels, uint64_t v);
void pr_prom_double(struct pr_sbuf *b, const char *name, const char *const *labels, double v);
/* A family with one unlabelled sample: HELP, TYPE, name v. */
void pr_prom_one(struct pr_sbuf *b, const char *name, const char *type, const char *help,
		 uint64_t v);
/* name_bucket{...,le="x"} cumulative, le="+Inf", name_sum, name_count. */
void pr_prom_histogram(struct pr_sbuf *b, const char *name, const char *const *labels,
		       const struct pr_hist *h);
/* A float as the format wants it: "+Inf", "-Inf", "NaN", else %.15g. */
void pr_prom_format_double(char *buf, size_t len, double v);

#endif
