// SPDX-License-Identifier: GPL-2.0-only
/*
 * `podroute health [--ready]`: the agent's liveness (or readiness) from the
 * health file its loop rewrites every second (healthfile.h), for
 * Kubernetes exec probes: exit 0 healthy, 1 not (the reason on stdout).
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "agent/health_file.h"

static const char health_help[] =
	"Usage: podroute health [--ready] [--file PATH] [--max-age SECONDS]\n"
	"Is the agent alive (ready, with --ready)? Reads the health file the agent's\n"
	"loop rewrites every second (where the agent was told to write it, default\n"
	PR_HEALTHFILE_DEFAULT ") and exits 0 if so, 1 if not, saying why. A file\n"
	"older than --max-age (default 10 s) means the loop stopped. For exec\n"
	"probes: it uses no network, so no client of the metrics port can fail it.\n"
	"  --ready          readiness instead of liveness\n"
	"  --file PATH      the health file\n"
	"  --max-age S      how old the file may be\n";

int cmd_health(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "ready", no_argument, NULL, 'r' }, { "file", required_argument, NULL, 'f' },
		{ "max-age", required_argument, NULL, 'a' }, { "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *path = PR_HEALTHFILE_DEFAULT;
	double max_age = 10;
	bool ready = false;
	char why[2200], *end;
	int c, rc;

	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (c) {
		case 'r': ready = true; break;
		case 'f': path = optarg; break;
		case 'a':
			max_age = strtod(optarg, &end);
			if (*end || max_age <= 0)
				return cli_usage_error("health", "--max-age: \"%s\" is not a positive number", optarg);
			break;
		case 'h': fputs(health_help, stdout); return 0;
		default: return cli_usage_error("health", "bad option");
		}
	}
	if (optind < argc)
		return cli_usage_error("health", "unexpected argument \"%s\"", argv[optind]);
	rc = pr_healthfile_check(path, ready, max_age, why, sizeof(why));
	if (rc < 0)
		return cli_error(PR_EXIT_FAIL, "%s: %s (is the agent running with this --health-file?)", path,
				 strerror(-rc));
	printf("%s\n", why);
	return rc ? PR_EXIT_FAIL : 0;
}
