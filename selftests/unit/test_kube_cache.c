// SPDX-License-Identifier: GPL-2.0-only
/* Unit tests: the sidecar's list/watch steps (config/kube_cache.h): LIST
 * pages, watch events of each type, ERROR 410, malformed lines, backoff. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>
#include <cmocka.h>

#include "config/kube_cache.h"

#define S(x) x, strlen(x)

static json_t *obj(struct kube_cache *c, const char *key)
{
	return json_object_get(c->objs, key);
}

static const char *str(json_t *o, const char *a, const char *b)
{
	return json_string_value(json_object_get(b ? json_object_get(o, a) : o, b ? b : a));
}

/* Items get the list's kind and apiVersion; pages add up; continue and RV read. */
static void test_list_pages(void **state)
{
	struct kube_cache c;
	char cont[64], err[256];

	(void)state;
	kube_cache_init(&c);
	assert_int_equal(kube_cache_list_page(&c, S("{\"kind\":\"NetworkAttachmentDefinitionList\","
		"\"apiVersion\":\"k8s.cni.cncf.io/v1\",\"metadata\":{\"resourceVersion\":\"7\",\"continue\":\"abc\"},"
		"\"items\":[{\"metadata\":{\"name\":\"a\",\"namespace\":\"ns1\"}}]}"), cont, sizeof(cont), err, sizeof(err)), 0);
	assert_string_equal(cont, "abc");
	assert_string_equal(c.rv, "7");
	assert_string_equal(str(obj(&c, "ns1/a"), "kind", NULL), "NetworkAttachmentDefinition");
	assert_string_equal(str(obj(&c, "ns1/a"), "apiVersion", NULL), "k8s.cni.cncf.io/v1");
	assert_int_equal(kube_cache_list_page(&c, S("{\"kind\":\"NetworkAttachmentDefinitionList\","
		"\"apiVersion\":\"k8s.cni.cncf.io/v1\",\"metadata\":{\"resourceVersion\":\"9\"},"
		"\"items\":[{\"metadata\":{\"name\":\"b\"}}]}"), cont, sizeof(cont), err, sizeof(err)), 0);
	assert_string_equal(cont, "");
	assert_string_equal(c.rv, "9");
	assert_int_equal(json_object_size(c.objs), 2);
	assert_non_null(obj(&c, "/b"));
	kube_cache_clear(&c);
}

static void test_list_bad(void **state)
{
	struct kube_cache c;
	char cont[64], err[256];

	(void)state;
	kube_cache_init(&c);
	assert_int_equal(kube_cache_list_page(&c, S("{\"kind\":"), cont, sizeof(cont), err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "not JSON"));
	assert_int_equal(kube_cache_list_page(&c, S("{\"kind\":\"Status\",\"apiVersion\":\"v1\"}"), cont,
					      sizeof(cont), err, sizeof(err)), -EINVAL);
	assert_string_equal(err, "list: not a List (kind Status)");
	assert_int_equal(kube_cache_list_page(&c, S("{\"kind\":\"NodeList\",\"apiVersion\":\"v1\","
		"\"items\":[{\"metadata\":{}}]}"), cont, sizeof(cont), err, sizeof(err)), -EINVAL);
	assert_string_equal(err, "list: item 0 has no metadata.name");
	kube_cache_clear(&c);
}

static void test_events(void **state)
{
	struct kube_cache c;
	char why[256];

	(void)state;
	kube_cache_init(&c);
	assert_int_equal(kube_cache_apply(&c, S("{\"type\":\"ADDED\",\"object\":{\"kind\":\"Node\","
		"\"metadata\":{\"name\":\"n1\",\"resourceVersion\":\"11\",\"labels\":{\"a\":\"1\"}}}}"), why, sizeof(why)),
		KUBE_EV_CHANGED);
	assert_string_equal(c.rv, "11");
	assert_non_null(obj(&c, "/n1"));
	assert_int_equal(kube_cache_apply(&c, S("{\"type\":\"MODIFIED\",\"object\":{\"kind\":\"Node\","
		"\"metadata\":{\"name\":\"n1\",\"resourceVersion\":\"12\",\"labels\":{\"a\":\"2\"}}}}"), why, sizeof(why)),
		KUBE_EV_CHANGED);
	assert_string_equal(str(json_object_get(obj(&c, "/n1"), "metadata"), "labels", "a"), "2");
	assert_int_equal(kube_cache_apply(&c, S("{\"type\":\"BOOKMARK\",\"object\":{\"kind\":\"Node\","
		"\"metadata\":{\"resourceVersion\":\"20\"}}}"), why, sizeof(why)), KUBE_EV_BOOKMARK);
	assert_string_equal(c.rv, "20");
	assert_int_equal(json_object_size(c.objs), 1);
	assert_int_equal(kube_cache_apply(&c, S("{\"type\":\"DELETED\",\"object\":{\"kind\":\"Node\","
		"\"metadata\":{\"name\":\"n1\",\"resourceVersion\":\"21\"}}}"), why, sizeof(why)), KUBE_EV_CHANGED);
	assert_int_equal(json_object_size(c.objs), 0);
	assert_string_equal(c.rv, "21");
	kube_cache_clear(&c);
}

/* ERROR 410 says re-list; another ERROR is one; the RV does not move. */
static void test_error_events(void **state)
{
	struct kube_cache c;
	char why[256];

	(void)state;
	kube_cache_init(&c);
	strcpy(c.rv, "5");
	assert_int_equal(kube_cache_apply(&c, S("{\"type\":\"ERROR\",\"object\":{\"kind\":\"Status\",\"code\":410,"
		"\"message\":\"too old resource version: 5 (9)\"}}"), why, sizeof(why)), KUBE_EV_GONE);
	assert_string_equal(why, "ERROR 410: too old resource version: 5 (9)");
	assert_int_equal(kube_cache_apply(&c, S("{\"type\":\"ERROR\",\"object\":{\"kind\":\"Status\",\"code\":500}}"),
					  why, sizeof(why)), KUBE_EV_ERROR);
	assert_string_equal(c.rv, "5");
	kube_cache_clear(&c);
}

/* Anything else is malformed, and changes nothing. */
static void test_malformed(void **state)
{
	static const char *bad[] = {
		"{\"type\":\"ADDED\",\"object\":{this is not json",
		"[1,2]",
		"{\"type\":\"ADDED\"}",
		"{\"type\":\"ADDED\",\"object\":{\"metadata\":{\"name\":\"x\"}}}",          /* no RV */
		"{\"type\":\"ADDED\",\"object\":{\"metadata\":{\"resourceVersion\":\"3\"}}}", /* no name */
		"{\"type\":\"RENAMED\",\"object\":{\"metadata\":{\"name\":\"x\",\"resourceVersion\":\"3\"}}}",
	};
	struct kube_cache c;
	char why[256];

	(void)state;
	kube_cache_init(&c);
	strcpy(c.rv, "2");
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		why[0] = '\0';
		assert_int_equal(kube_cache_apply(&c, bad[i], strlen(bad[i]), why, sizeof(why)), KUBE_EV_MALFORMED);
		assert_true(why[0]);
	}
	assert_int_equal(json_object_size(c.objs), 0);
	assert_string_equal(c.rv, "2");
	kube_cache_clear(&c);
}

/* 0.5 s doubling to 30 s, jittered into [d/2, d). */
static void test_backoff(void **state)
{
	static const unsigned d[] = { 500, 1000, 2000, 4000, 8000, 16000, 30000, 30000, 30000 };

	(void)state;
	assert_int_equal(kube_backoff_ms(0, 12345), 0);
	for (unsigned f = 1; f <= 9; f++) {
		assert_int_equal(kube_backoff_ms(f, 0), d[f - 1] / 2);
		assert_int_equal(kube_backoff_ms(f, d[f - 1] / 2 - 1), d[f - 1] - 1);
		assert_true(kube_backoff_ms(f, 0xffffffffu) < d[f - 1]);
	}
	assert_int_equal(kube_backoff_ms(1000, 0), 15000);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_list_pages),  cmocka_unit_test(test_list_bad),
		cmocka_unit_test(test_events),      cmocka_unit_test(test_error_events),
		cmocka_unit_test(test_malformed),   cmocka_unit_test(test_backoff),
	};

	return cmocka_run_group_tests_name("kube_cache", tests, NULL, NULL);
}
