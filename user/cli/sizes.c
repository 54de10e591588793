// SPDX-License-Identifier: GPL-2.0-only
/* The map-sizing options of attach and agent (see cli_sizes.h). */
#include "cli/sizes.h"

#include <errno.h>
#include <stdlib.h>

#include "cli/cli.h"
#include "reconcile/lookup_index.h"

int pr_cli_size_option(const char *cmd, int opt, const char *arg, struct pr_loader_opts *lo)
{
	unsigned long v;
	char *end;

	errno = 0;
	v = strtoul(arg, &end, 10);
	if (opt == '4' || opt == '6') {
		if (errno || *end || !*arg || arg[0] == '-' || !v || v > UINT32_MAX)
			return cli_usage_error(cmd, "--routes%c-max: \"%s\" is not a positive number", opt, arg);
		*(opt == '4' ? &lo->routes4_max : &lo->routes6_max) = (uint32_t)v;
		return 0;
	}
	if (errno || *end || !*arg || arg[0] == '-' || v > PR_LSX_MAX_PREFIXES)
		return cli_usage_error(cmd, "--index%c-max: \"%s\" is not a number from 0 to %u",
				       opt == 'i' ? '4' : '6', arg, PR_LSX_MAX_PREFIXES);
	*(opt == 'i' ? &lo->lsx4_max : &lo->lsx6_max) = v ? (uint32_t)v : PR_LSX_OFF;
	return 0;
}
