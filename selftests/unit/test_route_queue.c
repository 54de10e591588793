// SPDX-License-Identifier: GPL-2.0-only
/* Unit tests: the agent's queue of learned-route changes (routeq.c). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "agent/route_queue.h"

static struct pr_prefix P(const char *s)
{
	struct pr_prefix p;

	assert_int_equal(pr_prefix_parse(s, &p, NULL), 0);
	return p;
}

static void test_dedup_keeps_first_time_and_order(void **state)
{
	struct pr_routeq q;
	struct pr_prefix a = P("10.1.0.0/16"), b = P("10.1.0.0/24"), c = P("fd00::/64");

	(void)state;
	assert_int_equal(pr_routeq_init(&q, 8), 0);
	pr_routeq_push(&q, 254, &a, 1.0);
	pr_routeq_push(&q, 254, &b, 2.0);
	pr_routeq_push(&q, 254, &a, 3.0);  /* again: stays first, time of the first */
	pr_routeq_push(&q, 1001, &a, 4.0); /* another table: another key */
	pr_routeq_push(&q, 254, &c, 5.0);
	assert_int_equal(q.n, 4);
	assert_false(q.overflow);
	assert_true(pr_prefix_equal(&q.items[0].dst, &a));
	assert_int_equal(q.items[0].table, 254);
	assert_true(q.items[0].since_ms == 1.0);
	assert_true(pr_prefix_equal(&q.items[1].dst, &b));
	assert_int_equal(q.items[2].table, 1001);
	assert_true(pr_prefix_equal(&q.items[3].dst, &c));
	pr_routeq_reset(&q);
	assert_int_equal(q.n, 0);
	pr_routeq_push(&q, 254, &a, 6.0); /* forgotten after reset: queued anew */
	assert_int_equal(q.n, 1);
	assert_true(q.items[0].since_ms == 6.0);
	pr_routeq_free(&q);
}

static void test_overflow_is_sticky_until_reset(void **state)
{
	struct pr_routeq q;
	struct pr_prefix p[4] = { P("10.0.0.0/16"), P("10.1.0.0/16"), P("10.2.0.0/16"), P("10.3.0.0/16") };

	(void)state;
	assert_int_equal(pr_routeq_init(&q, 2), 0);
	pr_routeq_push(&q, 254, &p[0], 0);
	pr_routeq_push(&q, 254, &p[1], 0);
	assert_false(q.overflow);
	pr_routeq_push(&q, 254, &p[0], 0); /* already queued: not an overflow */
	assert_false(q.overflow);
	pr_routeq_push(&q, 254, &p[2], 0);
	assert_true(q.overflow);
	pr_routeq_push(&q, 254, &p[3], 0);
	assert_true(q.overflow);
	assert_int_equal(q.n, 2);
	pr_routeq_reset(&q);
	assert_false(q.overflow);
	pr_routeq_push(&q, 254, &p[3], 0);
	assert_int_equal(q.n, 1);
	pr_routeq_free(&q);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_dedup_keeps_first_time_and_order),
		cmocka_unit_test(test_overflow_is_sticky_until_reset),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
