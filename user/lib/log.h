/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Leveled logging to stderr, one line per event, in one of two formats:
 *   text: 2026-12-07T15:39:42.123Z info: eth0: attached ifname=eth0
 *   json: {"ts":"2026-12-07T15:39:42.123Z","level":"info","msg":"eth0: attached","ifname":"eth0"}
 * The timestamp is RFC 3339, UTC, milliseconds. JSON (--log-format json)
 * is for log collectors, as Kubernetes components emit it: every line is
 * one valid JSON object whatever the message holds (quotes, newlines,
 * invalid UTF-8, replaced by U+FFFD). Key/value fields (log_kv) carry the
 * facts a collector filters on (an interface, counts); the text format
 * appends them as key=value, so neither format loses them.
 *
 * libbpf's own messages are routed through it one level lower
 * (log_route_libbpf), so that a normal run is not drowned in them.
 */
#ifndef PR_LOG_H
#define PR_LOG_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <time.h>

enum log_level { LOG_LEVEL_ERR, LOG_LEVEL_WARN, LOG_LEVEL_INFO, LOG_LEVEL_DEBUG };
enum log_format { LOG_FORMAT_TEXT, LOG_FORMAT_JSON };

enum log_field_type { LOG_FIELD_STR, LOG_FIELD_INT };

/* One structured field; build them with LOG_STR / LOG_INT. */
struct log_field {
	const char *key; /* [a-z_]+ by convention: never escaped in text */
	enum log_field_type type;
	const char *s;   /* LOG_FIELD_STR (NULL: "") */
	long long i;     /* LOG_FIELD_INT */
};

#define LOG_STR(k, v) ((struct log_field){ .key = (k), .type = LOG_FIELD_STR, .s = (v) })
#define LOG_INT(k, v) ((struct log_field){ .key = (k), .type = LOG_FIELD_INT, .i = (long long)(v) })
/* The fields argument pair of log_kv: an array and its length. */
#define LOG_FIELDS(...)                                                                        \
	(const struct log_field[]){ __VA_ARGS__ },                                             \
		sizeof((const struct log_field[]){ __VA_ARGS__ }) / sizeof(struct log_field)

void log_set_level(enum log_level lvl);
enum log_level log_get_level(void);
void log_set_format(enum log_format fmt);
enum log_format log_get_format(void);
/* "text" or "json": 0, or -EINVAL. */
int log_parse_format(const char *name, enum log_format *fmt);

void log_msg(enum log_level lvl, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* A message with fields: log_kv(LOG_LEVEL_INFO, LOG_FIELDS(LOG_STR("ifname", n)), "%s: up", n). */
void log_kv(enum log_level lvl, const struct log_field *fields, size_t nfields, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

/*
 * The formatter, pure (unit-tested): one line for an event at time ts,
 * newline included, written to out. Trailing newlines of msg are dropped;
 * other control characters are escaped in both formats, so an event is
 * always exactly one line.
 */
void log_format_line(FILE *out, enum log_format fmt, const struct timespec *ts, enum log_level lvl,
		     const char *msg, const struct log_field *fields, size_t nfields);

void log_route_libbpf(void);
/* Around calls whose libbpf warnings are expected (probes): log them as debug. */
void log_libbpf_quiet(bool quiet);

#define log_err(...) log_msg(LOG_LEVEL_ERR, __VA_ARGS__)
#define log_warn(...) log_msg(LOG_LEVEL_WARN, __VA_ARGS__)
#define log_info(...) log_msg(LOG_LEVEL_INFO, __VA_ARGS__)
#define log_debug(...) log_msg(LOG_LEVEL_DEBUG, __VA_ARGS__)

#endif
