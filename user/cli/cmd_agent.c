// SPDX-License-Identifier: GPL-2.0-only
/* `podroute agent`: its options and help; the agent itself is agent/agent.c. */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "agent/agent.h"
#include "agent/drift_watch.h"
#include "agent/health_file.h"
#include "agent/metrics.h"
#include "cli/cli.h"
#include "cli/sizes.h"
#include "lib/log.h"

static const char agent_help[] =
	"Usage: podroute agent [--config FILE] [--metrics-listen ADDR:PORT] [--health-file PATH]\n"
	"                      [--detach-on-exit] [--once] [--check-interval SECONDS]\n"
	"                      [--routes4-max N] [--routes6-max N] [--index4-max N] [--index6-max N]\n"
	"Run the node agent. It attaches the datapath to the interfaces the config\n"
	"names, then keeps the pinned maps equal to the advertised networks of the\n"
	"config and the BGP-learned routes of the kernel (as FRR installs them),\n"
	"continuously. A restart adopts the pinned maps and programs without a\n"
	"flush: forwarding never stops.\n"
	"  --config FILE      YAML config (default /etc/podroute/config.yaml); watched,\n"
	"                     re-read on change and on SIGHUP\n"
	"  --health-file PATH rewrite the liveness and readiness verdicts there every\n"
	"                     second, for `podroute health` (exec probes that no HTTP\n"
	"                     client can stall; default " PR_HEALTHFILE_DEFAULT ", none: off)\n"
	"  --metrics-listen ADDR:PORT\n"
	"                     serve /metrics (Prometheus), /healthz and /readyz here\n"
	"                     (default " PR_METRICS_LISTEN_DEFAULT "; [::]:9473 for IPv6; none: off).\n"
	"                     /healthz: 200 while the datapath is attached on every\n"
	"                     underlay interface and the last reconcile succeeded;\n"
	"                     /readyz also wants the last config load to have\n"
	"                     succeeded, no reconcile owed, brex/ovn attached\n"
	"  --detach-on-exit   on SIGTERM/SIGINT remove the datapath (default: leave it)\n"
	"  --once             reconcile once and exit (for tests and scripts; no metrics)\n"
	"  --check-interval SECONDS\n"
	"                     run the drift check (`podroute check`) this often, off\n"
	"                     the datapath, into podroute_drift_differences (default 30,\n"
	"                     0: never)\n"
	PR_CLI_SIZE_HELP
	"Global options apply too, e.g. -d (debug) and --log-format json (one JSON\n"
	"object per log line; `podroute --help`).\n";

int cmd_agent(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "config", required_argument, NULL, 'c' }, { "detach-on-exit", no_argument, NULL, 'D' },
		{ "metrics-listen", required_argument, NULL, 'm' },
		{ "health-file", required_argument, NULL, 'H' },
		{ "once", no_argument, NULL, '1' }, PR_CLI_SIZE_OPTIONS,
		{ "check-interval", required_argument, NULL, 'C' },
		{ "help", no_argument, NULL, 'h' }, { NULL, 0, NULL, 0 },
	};
	struct pr_agent_opts o = {
		.config_path = "/etc/podroute/config.yaml",
		.health_file = PR_HEALTHFILE_DEFAULT,
		.metrics_listen = PR_METRICS_LISTEN_DEFAULT,
		.check_interval = PR_DRIFT_INTERVAL_DEFAULT,
		.loader = { .pin_dir = cli.pin_dir },
	};
	char *end;
	long v;
	int c;

	/* getopt's own complaint is plain text: in JSON mode, ours alone. */
	opterr = log_get_format() == LOG_FORMAT_TEXT;
	while ((c = getopt_long(argc, argv, "c:h", opts, NULL)) != -1) {
		switch (c) {
		case 'c': o.config_path = optarg; break;
		case 'C':
			v = strtol(optarg, &end, 10);
			if (!*optarg || *end || v < 0 || v > 86400)
				return cli_usage_error("agent", "--check-interval: \"%s\" is not 0..86400 (seconds)",
						       optarg);
			o.check_interval = v;
			break;
		case 'D': o.detach_on_exit = true; break;
		case 'm': o.metrics_listen = optarg; break;
		case 'H': o.health_file = strcmp(optarg, "none") ? optarg : NULL; break;
		case '1': o.once = true; break;
		case '4':
		case '6':
		case 'i':
		case 'j':
			if (pr_cli_size_option("agent", c, optarg, &o.loader))
				return PR_EXIT_USAGE;
			break;
		case 'h': fputs(agent_help, stdout); return 0;
		default: return cli_usage_error("agent", "bad option \"%s\"", argv[optind - 1]);
		}
	}
	if (optind < argc)
		return cli_usage_error("agent", "unexpected argument \"%s\"", argv[optind]);
	switch (pr_agent_main(&o)) {
	case 0: return PR_EXIT_OK;
	case -EINVAL:
		if (!cli.json && log_get_format() == LOG_FORMAT_TEXT)
			fprintf(stderr, "see `podroute agent --help`\n");
		return PR_EXIT_USAGE;
	default: return PR_EXIT_FAIL;
	}
}
