// SPDX-License-Identifier: GPL-2.0-only
/*
 * `podroute check`: the drift check (datapath/drift_check.h) once, from the
 * command line. A difference must be seen twice, --settle apart, to count:
 * a route that changes between the kernel's dump and the maps' reading is
 * the agent's next write, not drift. The agent runs the same check
 * periodically and exports podroute_drift_differences.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli/cli.h"
#include "config/config.h"
#include "datapath/drift_check.h"
#include "datapath/pins.h"

static const char check_help[] =
	"Usage: podroute check [--config FILE] [--settle MS]\n"
	"The drift check: is what the datapath holds what the agent would write?\n"
	"Compares the pinned maps with the desired state that the agent's own code\n"
	"computes from the config file and a fresh dump of the kernel (routes the\n"
	"route policy selects, their next hops and neighbour MACs, links), and\n"
	"checks that every configured interface exists and carries podroute's hooks.\n"
	"Each difference is named: the object, what the map holds, what is\n"
	"expected. Next hops are compared through the routes that use them (their\n"
	"ids are the agent's choice). A difference must be seen in two passes,\n"
	"--settle apart, so that a route changing during the check is not reported.\n"
	"Where ovs-vsctl is installed and a br-ex is configured: Open vSwitch has that\n"
	"bridge, and each underlay NIC is its port. No OpenFlow flows are compared:\n"
	"podroute installs none (it enters OVN through its management port or VRF).\n"
	"  --config FILE   the agent's config (default /etc/podroute/config.yaml)\n"
	"  --settle MS     wait between the two passes (default 1000; 0: one pass)\n"
	"Exit: 0 no difference, 1 differences (each printed) or a runtime error,\n"
	"2 usage error, 3 not attached. The agent runs the same check every 30 s\n"
	"(see `podroute agent --help`) and exports podroute_drift_differences.\n";

static int check_once(const struct pr_pins *p, const struct pr_config *cfg, struct pr_drift_list *out)
{
	int err = pr_drift_check(p->fd, cfg, NULL, out);

	if (err)
		return cli_error(PR_EXIT_FAIL, "check: cannot read the kernel's state or the maps: %s",
				 strerror(-err));
	return 0;
}

int cmd_check_drift(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "config", required_argument, NULL, 'c' }, { "settle", required_argument, NULL, 's' },
		{ "help", no_argument, NULL, 'h' }, { NULL, 0, NULL, 0 },
	};
	const char *path = "/etc/podroute/config.yaml";
	struct pr_drift_list first = {}, second = {}, *res = &first;
	struct pr_config cfg;
	struct pr_cfg_error e;
	struct pr_pins p;
	long settle = 1000;
	char msg[600], *end;
	int c, rc;

	while ((c = getopt_long(argc, argv, "c:h", opts, NULL)) != -1) {
		switch (c) {
		case 'c': path = optarg; break;
		case 's':
			settle = strtol(optarg, &end, 10);
			if (!*optarg || *end || settle < 0 || settle > 60000)
				return cli_usage_error("check", "--settle: \"%s\" is not 0..60000 (milliseconds)",
						       optarg);
			break;
		case 'h': fputs(check_help, stdout); return 0;
		default: return cli_usage_error("check", "bad option");
		}
	}
	if (optind < argc)
		return cli_usage_error("check", "unexpected argument \"%s\"", argv[optind]);
	if (pr_config_load_file(path, &cfg, &e))
		return cli_error(PR_EXIT_FAIL, "check: config: %s", pr_cfg_error_str(&e, msg, sizeof(msg)));
	rc = cli_open_pins(&p);
	if (rc)
		goto out_cfg;
	rc = check_once(&p, &cfg, &first);
	if (!rc && first.n && settle) {
		struct timespec ts = { settle / 1000, (settle % 1000) * 1000000L };

		nanosleep(&ts, NULL);
		rc = check_once(&p, &cfg, &second);
		if (!rc) {
			pr_drift_keep_common(&second, &first);
			res = &second;
		}
	}
	if (rc)
		goto out;
	if (cli.json) {
		jw_init(&cli.jw, stdout, cli.pretty);
		jw_obj_begin(&cli.jw);
		jw_kstr(&cli.jw, "config", path);
		jw_ku64(&cli.jw, "differences", res->n);
		jw_key(&cli.jw, "items");
		jw_arr_begin(&cli.jw);
		for (size_t i = 0; i < res->n; i++)
			jw_str(&cli.jw, res->items[i]);
		jw_arr_end(&cli.jw);
		jw_obj_end(&cli.jw);
		jw_done(&cli.jw);
	} else if (!res->n) {
		printf("no difference: the maps hold what the config and the kernel's routes ask for\n");
	} else {
		for (size_t i = 0; i < res->n; i++)
			printf("DIFF %s\n", res->items[i]);
		printf("%zu difference%s\n", res->n, res->n == 1 ? "" : "s");
	}
	rc = res->n ? PR_EXIT_FAIL : PR_EXIT_OK;
out:
	pr_drift_free(&first);
	pr_drift_free(&second);
	pr_pins_close(&p);
out_cfg:
	pr_config_free(&cfg);
	return rc;
}
