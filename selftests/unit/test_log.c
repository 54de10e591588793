// SPDX-License-Identifier: GPL-2.0-only
/*
 * Unit tests: the log line formatter (lib/log.c), both formats. A JSON
 * line is checked by parsing it with jansson, which refuses invalid UTF-8
 * and unescaped control characters, so "one valid JSON object per event"
 * is what is asserted, whatever the message holds.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include <jansson.h>

#include "lib/log.h"

/* 2026-12-07T15:39:42Z */
#define T0 1796657982

/* The line log_format_line writes, in a malloc'd string. */
static char *format(enum log_format fmt, long nsec, enum log_level lvl, const char *msg,
		    const struct log_field *f, size_t nf)
{
	struct timespec ts = { .tv_sec = T0, .tv_nsec = nsec };
	char *buf = NULL;
	size_t len = 0;
	FILE *m = open_memstream(&buf, &len);

	assert_non_null(m);
	log_format_line(m, fmt, &ts, lvl, msg, f, nf);
	assert_int_equal(fclose(m), 0);
	return buf;
}

/* Exactly one line: one newline, the last byte. */
static void assert_one_line(const char *line)
{
	const char *nl = strchr(line, '\n');

	assert_non_null(nl);
	assert_int_equal(nl[1], '\0');
}

static json_t *parse(const char *line)
{
	json_error_t e;
	json_t *j;

	assert_one_line(line);
	j = json_loads(line, 0, &e);
	if (!j)
		fail_msg("not JSON (%s at %d): %s", e.text, e.position, line);
	assert_true(json_is_object(j));
	return j;
}

static void test_text_line(void **state)
{
	char *l;

	(void)state;
	l = format(LOG_FORMAT_TEXT, 123456789, LOG_LEVEL_INFO, "in0: attached", NULL, 0);
	assert_string_equal(l, "2026-12-07T15:39:42.123Z info: in0: attached\n");
	free(l);
	/* Milliseconds truncated, never rounded up into the next second. */
	l = format(LOG_FORMAT_TEXT, 999999999, LOG_LEVEL_ERR, "x", NULL, 0);
	assert_string_equal(l, "2026-12-07T15:39:42.999Z error: x\n");
	free(l);
	l = format(LOG_FORMAT_TEXT, 0, LOG_LEVEL_WARN, "x", NULL, 0);
	assert_string_equal(l, "2026-12-07T15:39:42.000Z warn: x\n");
	free(l);
}

static void test_text_fields(void **state)
{
	char *l;

	(void)state;
	l = format(LOG_FORMAT_TEXT, 0, LOG_LEVEL_DEBUG, "reconcile: done\n\n",
		   LOG_FIELDS(LOG_STR("ifname", "in0"), LOG_INT("written", -3),
			      LOG_STR("error", "bad prefix \"10.0.0.1/8\""), LOG_STR("empty", ""),
			      LOG_STR("null", NULL), LOG_STR("eq", "a=b"), LOG_STR("utf8", "é"),
			      LOG_STR("ctl", "a\nb"), LOG_STR("bad", "\xff")));
	assert_string_equal(l, "2026-12-07T15:39:42.000Z debug: reconcile: done ifname=in0 written=-3 "
			       "error=\"bad prefix \\\"10.0.0.1/8\\\"\" empty=\"\" null=\"\" eq=\"a=b\" "
			       "utf8=é ctl=\"a\\nb\" bad=\"\xef\xbf\xbd\"\n");
	free(l);
}

/* A message that would break a naive line: each event stays one line. */
static void test_text_escapes_control(void **state)
{
	char *l;

	(void)state;
	l = format(LOG_FORMAT_TEXT, 0, LOG_LEVEL_INFO, "a\nb\r\tc\x01 \"q\"", NULL, 0);
	assert_string_equal(l, "2026-12-07T15:39:42.000Z info: a\\nb\\r\\tc\\u0001 \"q\"\n");
	free(l);
}

static void test_json_line(void **state)
{
	char *l;
	json_t *j;

	(void)state;
	l = format(LOG_FORMAT_JSON, 5000000, LOG_LEVEL_INFO, "config applied: 2 networks\n",
		   LOG_FIELDS(LOG_STR("config", "/run/podroute/config.yaml"), LOG_INT("networks", 2)));
	assert_string_equal(l, "{\"ts\":\"2026-12-07T15:39:42.005Z\",\"level\":\"info\","
			       "\"msg\":\"config applied: 2 networks\","
			       "\"config\":\"/run/podroute/config.yaml\",\"networks\":2}\n");
	j = parse(l);
	assert_int_equal(json_integer_value(json_object_get(j, "networks")), 2);
	json_decref(j);
	free(l);
}

static void test_json_levels(void **state)
{
	static const char *const names[] = { "error", "warn", "info", "debug" };

	(void)state;
	for (int lvl = LOG_LEVEL_ERR; lvl <= LOG_LEVEL_DEBUG; lvl++) {
		char *l = format(LOG_FORMAT_JSON, 0, lvl, "m", NULL, 0);
		json_t *j = parse(l);

		assert_string_equal(json_string_value(json_object_get(j, "level")), names[lvl]);
		json_decref(j);
		free(l);
	}
}

/*
 * Quotes, backslashes, newlines, other control characters and invalid
 * UTF-8 (a stray continuation byte, a truncated sequence, an overlong
 * "/", a surrogate, past U+10FFFF), in the message and in a field: one
 * valid JSON line, the valid characters kept, each bad byte U+FFFD.
 */
static void test_json_hostile(void **state)
{
	static const char hostile[] = "q\"b\\n\nt\tc\x01\x1f\x7f|\x80|\xe2\x82|\xc0\xaf|\xed\xa0\x80|"
				      "\xf4\x90\x80\x80|é€\xf0\x9f\x98\x80";
	static const char want[] = "q\"b\\n\nt\tc\x01\x1f\x7f|\xef\xbf\xbd|\xef\xbf\xbd\xef\xbf\xbd|"
				   "\xef\xbf\xbd\xef\xbf\xbd|\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd|"
				   "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd|é€\xf0\x9f\x98\x80";
	char *l;
	json_t *j;

	(void)state;
	l = format(LOG_FORMAT_JSON, 0, LOG_LEVEL_ERR, hostile,
		   LOG_FIELDS(LOG_STR("error", hostile), LOG_STR("msg2", "")));
	j = parse(l);
	assert_string_equal(json_string_value(json_object_get(j, "msg")), want);
	assert_string_equal(json_string_value(json_object_get(j, "error")), want);
	assert_string_equal(json_string_value(json_object_get(j, "msg2")), "");
	assert_int_equal(json_object_size(j), 5);
	json_decref(j);
	free(l);
}

/* A message cut in the middle of a character (vsnprintf's 1024 bytes). */
static void test_json_truncated_utf8(void **state)
{
	char *l;
	json_t *j;

	(void)state;
	l = format(LOG_FORMAT_JSON, 0, LOG_LEVEL_INFO, "end \xf0\x9f", NULL, 0);
	j = parse(l);
	assert_string_equal(json_string_value(json_object_get(j, "msg")), "end \xef\xbf\xbd\xef\xbf\xbd");
	json_decref(j);
	free(l);
}

static void test_parse_format(void **state)
{
	enum log_format f = LOG_FORMAT_TEXT;

	(void)state;
	assert_int_equal(log_parse_format("json", &f), 0);
	assert_int_equal(f, LOG_FORMAT_JSON);
	assert_int_equal(log_parse_format("text", &f), 0);
	assert_int_equal(f, LOG_FORMAT_TEXT);
	assert_int_equal(log_parse_format("JSON", &f), -EINVAL);
	assert_int_equal(log_parse_format("", &f), -EINVAL);
	assert_int_equal(f, LOG_FORMAT_TEXT);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_text_line),
		cmocka_unit_test(test_text_fields),
		cmocka_unit_test(test_text_escapes_control),
		cmocka_unit_test(test_json_line),
		cmocka_unit_test(test_json_levels),
		cmocka_unit_test(test_json_hostile),
		cmocka_unit_test(test_json_truncated_utf8),
		cmocka_unit_test(test_parse_format),
	};
	return cmocka_run_group_tests_name("log", tests, NULL, NULL);
}
