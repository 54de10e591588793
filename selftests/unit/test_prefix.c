// SPDX-License-Identifier: GPL-2.0-only
/* Unit tests: prefix parsing/formatting, containment, LPM key encoding. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>
#include <cmocka.h>

#include "lib/prefix.h"

static void parse_ok(const char *in, const char *canon, int family, unsigned len)
{
	struct pr_prefix p;
	char buf[PR_PREFIX_STRLEN];
	const char *why = NULL;

	assert_int_equal(pr_prefix_parse(in, &p, &why), 0);
	assert_int_equal(p.family, family);
	assert_int_equal(p.len, len);
	assert_string_equal(pr_prefix_format(&p, buf, sizeof(buf)), canon);
}

static void parse_bad(const char *in, const char *expect_why)
{
	struct pr_prefix p;
	const char *why = NULL;

	assert_int_equal(pr_prefix_parse(in, &p, &why), -EINVAL);
	assert_non_null(why);
	assert_string_equal(why, expect_why);
}

static void test_parse_valid(void **state)
{
	(void)state;
	parse_ok("10.0.0.0/8", "10.0.0.0/8", AF_INET, 8);
	parse_ok("10.128.1.0/24", "10.128.1.0/24", AF_INET, 24);
	parse_ok("192.0.2.7", "192.0.2.7/32", AF_INET, 32);
	parse_ok("0.0.0.0/0", "0.0.0.0/0", AF_INET, 0);
	parse_ok("fd00:10:128:1::/64", "fd00:10:128:1::/64", AF_INET6, 64);
	parse_ok("FD00::1", "fd00::1/128", AF_INET6, 128);
	parse_ok("::/0", "::/0", AF_INET6, 0);
}

static void test_parse_invalid(void **state)
{
	(void)state;
	parse_bad("", "empty prefix");
	parse_bad("10.0.0/8", "not an IPv4 or IPv6 address");
	parse_bad("10.0.0.1/8", "host bits set beyond the prefix length");
	parse_bad("10.0.0.0/33", "prefix length exceeds 32");
	parse_bad("fd00::/129", "prefix length exceeds 128");
	parse_bad("10.0.0.0/", "prefix length is not a number");
	parse_bad("10.0.0.0/-1", "prefix length is not a number");
	parse_bad("10.0.0.0/8x", "prefix length is not a number");
	parse_bad("hello", "not an IPv4 or IPv6 address");
	parse_bad("fd00::1/64", "host bits set beyond the prefix length");
}

static struct pr_prefix P(const char *s)
{
	struct pr_prefix p;

	assert_int_equal(pr_prefix_parse(s, &p, NULL), 0);
	return p;
}

static void test_contains_overlaps(void **state)
{
	struct pr_prefix a = P("10.0.0.0/8"), b = P("10.1.0.0/16"), c = P("11.0.0.0/8");
	struct pr_prefix d = P("10.1.2.3"), v6 = P("::/0");

	(void)state;
	assert_true(pr_prefix_contains(&a, &b));
	assert_false(pr_prefix_contains(&b, &a));
	assert_true(pr_prefix_contains(&b, &d));
	assert_false(pr_prefix_contains(&c, &b));
	assert_true(pr_prefix_overlaps(&b, &a));
	assert_false(pr_prefix_overlaps(&a, &c));
	assert_false(pr_prefix_overlaps(&a, &v6));
	assert_true(pr_prefix_equal(&a, &a));
	assert_false(pr_prefix_equal(&a, &b));
	/* a non-byte-aligned boundary: 10.1.128.0/17 vs 10.1.0.0/17 */
	struct pr_prefix e = P("10.1.128.0/17"), f = P("10.1.0.0/17"), g = P("10.1.200.1");
	assert_false(pr_prefix_overlaps(&e, &f));
	assert_true(pr_prefix_contains(&e, &g));
	assert_false(pr_prefix_contains(&f, &g));
}

static void test_key_roundtrip(void **state)
{
	struct pr_prefix p4 = P("10.128.1.0/24"), p6 = P("fd00:10::/48"), back;
	struct pr_lpm4_key k4;
	struct pr_lpm6_key k6;
	/* prefixlen = 32 domain bits + 24 (host order u32), the domain (VRF
	 * table 1001, host order), then the address in network order */
	const unsigned char want4[12] = {56, 0, 0, 0, 0xe9, 0x03, 0, 0, 10, 128, 1, 0};
	uint32_t domain = 0;

	(void)state;
	assert_int_equal(pr_prefix_to_key4(&p4, 1001, &k4), 0);
	assert_memory_equal(&k4, want4, sizeof(want4));
	assert_int_equal(pr_prefix_from_key4(&back, &domain, &k4), 0);
	assert_true(pr_prefix_equal(&back, &p4));
	assert_int_equal(domain, 1001);

	assert_int_equal(pr_prefix_to_key6(&p6, 0, &k6), 0);
	assert_int_equal(k6.prefixlen, 32 + 48);
	assert_int_equal(k6.domain, 0);
	assert_int_equal(k6.addr[0], 0xfd);
	assert_int_equal(k6.addr[3], 0x10);
	assert_int_equal(pr_prefix_from_key6(&back, NULL, &k6), 0);
	assert_true(pr_prefix_equal(&back, &p6));

	assert_int_equal(pr_prefix_to_key4(&p6, 0, &k4), -EINVAL);
	assert_int_equal(pr_prefix_to_key6(&p4, 0, &k6), -EINVAL);
	k4.prefixlen = 32 + 33;
	assert_int_equal(pr_prefix_from_key4(&back, NULL, &k4), -EINVAL);
	/* a key that does not cover its whole domain is not one of ours */
	k4.prefixlen = 31;
	assert_int_equal(pr_prefix_from_key4(&back, NULL, &k4), -EINVAL);
}

static void test_mac(void **state)
{
	uint8_t mac[6];
	char buf[PR_MAC_STRLEN];

	(void)state;
	assert_int_equal(pr_mac_parse("0a:58:0A:80:01:ff", mac), 0);
	assert_string_equal(pr_mac_format(mac, buf, sizeof(buf)), "0a:58:0a:80:01:ff");
	assert_int_equal(pr_mac_parse("0a:58:0a:80:01", mac), -EINVAL);
	assert_int_equal(pr_mac_parse("0a:58:0a:80:01:ff:00", mac), -EINVAL);
	assert_int_equal(pr_mac_parse("0a-58-0a-80-01-ff", mac), -EINVAL);
	assert_int_equal(pr_mac_parse("zz:58:0a:80:01:ff", mac), -EINVAL);
	/* What sscanf's %2x takes and a MAC is not: signs, spaces, one digit. */
	assert_int_equal(pr_mac_parse("+a:58:0a:80:01:ff", mac), -EINVAL);
	assert_int_equal(pr_mac_parse(" a:58:0a:80:01:ff", mac), -EINVAL);
	assert_int_equal(pr_mac_parse("0a:58:0a:80:1:fff", mac), -EINVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_valid),
		cmocka_unit_test(test_parse_invalid),
		cmocka_unit_test(test_contains_overlaps),
		cmocka_unit_test(test_key_roundtrip),
		cmocka_unit_test(test_mac),
	};
	return cmocka_run_group_tests_name("prefix", tests, NULL, NULL);
}
