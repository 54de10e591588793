// SPDX-License-Identifier: GPL-2.0-only
/* Leveled logging to stderr, text or JSON lines (see log.h). */
#include "lib/log.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <bpf/libbpf.h>
#include <xdp/libxdp.h>

static enum log_level cur_level = LOG_LEVEL_INFO;
static enum log_format cur_format = LOG_FORMAT_TEXT;
static int libbpf_quiet; /* > 0: an expected-to-fail probe is running */
static const char *const level_names[] = { "error", "warn", "info", "debug" };

void log_set_level(enum log_level lvl)
{
	cur_level = lvl;
}

enum log_level log_get_level(void)
{
	return cur_level;
}

void log_set_format(enum log_format fmt)
{
	cur_format = fmt;
}

enum log_format log_get_format(void)
{
	return cur_format;
}

int log_parse_format(const char *name, enum log_format *fmt)
{
	if (!strcmp(name, "text"))
		*fmt = LOG_FORMAT_TEXT;
	else if (!strcmp(name, "json"))
		*fmt = LOG_FORMAT_JSON;
	else
		return -EINVAL;
	return 0;
}

/*
 * Length of the well-formed UTF-8 sequence at s (1 to 4), or 0 if the
 * bytes there are not one (a stray continuation byte, a truncated
 * sequence, an overlong form, a surrogate, past U+10FFFF): RFC 3629.
 */
static size_t utf8_len(const unsigned char *s)
{
	unsigned char c = s[0];
	size_t n;
	unsigned cp;

	if (c < 0x80)
		return 1;
	if (c >= 0xc2 && c <= 0xdf)
		n = 2, cp = c & 0x1f;
	else if (c >= 0xe0 && c <= 0xef)
		n = 3, cp = c & 0x0f;
	else if (c >= 0xf0 && c <= 0xf4)
		n = 4, cp = c & 0x07;
	else
		return 0;
	for (size_t i = 1; i < n; i++) {
		if ((s[i] & 0xc0) != 0x80) /* also stops at the terminating NUL */
			return 0;
		cp = cp << 6 | (s[i] & 0x3f);
	}
	if ((n == 3 && cp < 0x800) || (n == 4 && (cp < 0x10000 || cp > 0x10ffff)) ||
	    (cp >= 0xd800 && cp <= 0xdfff))
		return 0;
	return n;
}

/*
 * s escaped as the inside of a JSON string (RFC 8259): quotes, backslashes
 * and control characters escaped, invalid UTF-8 replaced byte by byte with
 * U+FFFD. The text format uses the same escaping for its quoted values and
 * its message (there a quote is left alone: the message is not quoted).
 */
static void put_escaped(FILE *out, const char *str, bool quote)
{
	const unsigned char *s = (const unsigned char *)str;

	while (*s) {
		size_t n = utf8_len(s);

		if (!n) {
			fputs("\xef\xbf\xbd", out);
			s++;
			continue;
		}
		if ((*s == '"' && quote) || *s == '\\')
			fprintf(out, "\\%c", *s);
		else if (*s == '\n')
			fputs("\\n", out);
		else if (*s == '\r')
			fputs("\\r", out);
		else if (*s == '\t')
			fputs("\\t", out);
		else if (*s < 0x20 || *s == 0x7f)
			fprintf(out, "\\u%04x", *s);
		else
			fwrite(s, 1, n, out);
		s += n;
	}
}

static void put_json_string(FILE *out, const char *s)
{
	fputc('"', out);
	put_escaped(out, s ? s : "", true);
	fputc('"', out);
}

/* A text value bare when it reads unambiguously (no space, quote, "=",
 * backslash, control character or invalid UTF-8), else quoted as JSON. */
static void put_text_value(FILE *out, const char *s)
{
	const unsigned char *p = (const unsigned char *)s;
	bool bare = s && *s;

	while (bare && *p) {
		size_t n = utf8_len(p);

		bare = n && *p > 0x20 && *p != 0x7f && *p != '"' && *p != '=' && *p != '\\';
		p += n;
	}
	if (bare)
		fputs(s, out);
	else
		put_json_string(out, s);
}

void log_format_line(FILE *out, enum log_format fmt, const struct timespec *ts, enum log_level lvl,
		     const char *msg, const struct log_field *f, size_t nf)
{
	char when[48], date[32];
	struct tm tm;
	char *trimmed = NULL;
	size_t len = strlen(msg);

	/* The caller's trailing newlines are not part of the event (libbpf
	 * ends its messages with one). */
	if (len && msg[len - 1] == '\n') {
		while (len && msg[len - 1] == '\n')
			len--;
		trimmed = strndup(msg, len);
		if (trimmed)
			msg = trimmed;
	}
	if (!gmtime_r(&ts->tv_sec, &tm) || !strftime(date, sizeof(date), "%Y-%m-%dT%H:%M:%S", &tm))
		snprintf(date, sizeof(date), "1970-01-01T00:00:00");
	snprintf(when, sizeof(when), "%s.%03ldZ", date, ts->tv_nsec / 1000000);

	if (fmt == LOG_FORMAT_JSON) {
		fprintf(out, "{\"ts\":\"%s\",\"level\":\"%s\",\"msg\":", when, level_names[lvl]);
		put_json_string(out, msg);
		for (size_t i = 0; i < nf; i++) {
			fputc(',', out);
			put_json_string(out, f[i].key);
			fputc(':', out);
			if (f[i].type == LOG_FIELD_INT)
				fprintf(out, "%lld", f[i].i);
			else
				put_json_string(out, f[i].s);
		}
		fputs("}\n", out);
	} else {
		fprintf(out, "%s %s: ", when, level_names[lvl]);
		put_escaped(out, msg, false);
		for (size_t i = 0; i < nf; i++) {
			fprintf(out, " %s=", f[i].key);
			if (f[i].type == LOG_FIELD_INT)
				fprintf(out, "%lld", f[i].i);
			else
				put_text_value(out, f[i].s);
		}
		fputc('\n', out);
	}
	free(trimmed);
}

static void vlog(enum log_level lvl, const struct log_field *f, size_t nf, const char *fmt, va_list ap)
{
	struct timespec ts;
	char msg[1024], *line = NULL;
	size_t linelen = 0;
	FILE *mem;

	if (lvl > cur_level)
		return;
	clock_gettime(CLOCK_REALTIME, &ts);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	/* Built in memory, then written in one call: the metrics thread logs
	 * too, and two events must never interleave within a line. */
	mem = open_memstream(&line, &linelen);
	if (!mem) {
		log_format_line(stderr, cur_format, &ts, lvl, msg, f, nf);
		return;
	}
	log_format_line(mem, cur_format, &ts, lvl, msg, f, nf);
	if (!fclose(mem))
		fwrite(line, 1, linelen, stderr);
	free(line);
}

void log_msg(enum log_level lvl, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vlog(lvl, NULL, 0, fmt, ap);
	va_end(ap);
}

void log_kv(enum log_level lvl, const struct log_field *fields, size_t nfields, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vlog(lvl, fields, nfields, fmt, ap);
	va_end(ap);
}

static int libbpf_print(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	/* libbpf warnings are our info, its info our debug, its debug dropped. */
	enum log_level lvl = level == LIBBPF_WARN && !libbpf_quiet ? LOG_LEVEL_INFO : LOG_LEVEL_DEBUG;

	if (level == LIBBPF_DEBUG)
		return 0;
	/* Netlink extack text of probes that are expected to fail (no clsact
	 * yet, no filter of ours yet): the caller reports real failures. */
	if (strstr(fmt, "Kernel error message"))
		lvl = LOG_LEVEL_DEBUG;
	vlog(lvl, LOG_FIELDS(LOG_STR("source", "libbpf")), fmt, ap);
	return 0;
}

void log_libbpf_quiet(bool quiet)
{
	libbpf_quiet += quiet ? 1 : -1;
}

static int libxdp_print(enum libxdp_print_level level, const char *fmt, va_list ap)
{
	/* libxdp explains its own fallbacks (no freplace: single program);
	 * podroute logs the outcome itself. */
	(void)level;
	vlog(LOG_LEVEL_DEBUG, LOG_FIELDS(LOG_STR("source", "libxdp")), fmt, ap);
	return 0;
}

void log_route_libbpf(void)
{
	libbpf_set_print(libbpf_print);
	libxdp_set_print(libxdp_print);
}
