// SPDX-License-Identifier: GPL-2.0-only
/* Live-frame tests: placeholder until the live harness lands. */
#include "progtest.h"

void run_live_tests(const char *only)
{
	(void)only;
}
