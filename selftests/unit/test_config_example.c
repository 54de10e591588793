// SPDX-License-Identifier: GPL-2.0-only
/* The shipped example config parses and says what its comments say. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <cmocka.h>

#include "config/config.h"

static void test_example_parses(void **state)
{
	struct pr_config c;
	struct pr_cfg_error e;
	char buf[512];
	int err;

	(void)state;
	err = pr_config_load_file(SRCDIR "/deploy/config.example.yaml", &c, &e);
	if (err)
		fail_msg("%s", pr_cfg_error_str(&e, buf, sizeof(buf)));
	assert_int_equal(c.nnetworks, 2);
	assert_int_equal(c.networks[1].vrf_table, 1001);
	assert_int_equal(c.networks[1].target, PR_TGT_VRF);
	assert_true(c.networks[1].shadow);
	assert_int_equal(c.max_learned_routes, 100000);
	pr_config_free(&c);
}

int main(void)
{
	const struct CMUnitTest tests[] = { cmocka_unit_test(test_example_parses) };

	return cmocka_run_group_tests_name("config_example", tests, NULL, NULL);
}
