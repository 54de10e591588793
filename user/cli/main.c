// SPDX-License-Identifier: GPL-2.0-only
/*
 * podroute: one binary, a table of commands (bpftool-style). Global
 * options, before or after the command: -j JSON, -p pretty JSON, -d debug
 * logging, --log-format text|json, --pin-dir DIR.
 */
#include <errno.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/utsname.h>
#include <bpf/libbpf.h>

#include "cli/cli.h"
#include "datapath/load.h"
#include "kernel/features.h"
#include "lib/log.h"
#include "datapath/pins.h"

struct pr_cli cli = { .pin_dir = PR_PIN_DIR_DEFAULT };

static const struct cli_cmd cmds[] = {
	{ "agent", cmd_agent, "run the node agent: follow config and BGP routes, keep the maps equal" },
	{ "attach", cmd_attach, "load/pin the datapath and attach it to interfaces" },
	{ "detach", cmd_detach, "remove podroute's programs from interfaces (and optionally its pins)" },
	{ "status", cmd_status, "what is attached where, map occupancy, global mode" },
	{ "health", cmd_health, "the agent's liveness or readiness, for exec probes (exit 0 / 1)" },
	{ "routes", cmd_routes, "prefixes in the maps: network, action, next hops" },
	{ "networks", cmd_networks, "networks: targets, VRF tables, flags" },
	{ "nexthops", cmd_nexthops, "east-west next-hop groups and next hops" },
	{ "stats", cmd_stats, "per-network, per-reason packet and byte counters" },
	{ "monitor", cmd_monitor, "sampled per-packet decisions (time, interface, addresses, verdict, reason)" },
	{ "explain", cmd_explain, "what the datapath would do with a packet, beside the kernel's route" },
	{ "check", cmd_check_drift, "drift: maps vs the kernel's routes vs the config (exit 1 naming each)" },
	{ "net", cmd_net, "set or delete a network entry by hand (debugging)" },
	{ "prefix", cmd_prefix, "add or delete a prefix by hand (debugging)" },
	{ "shadow", cmd_shadow, "global shadow mode on/off (decide and count, but pass)" },
	{ "config", cmd_config, "config check; render one node's config from RouteAdvertisements; the sync sidecar" },
	{ "debug", cmd_debug, "debug tools: `debug netlink` prints what the agent's netlink follower sees" },
};

static void usage(FILE *f)
{
	fprintf(f, "Usage: podroute [-j] [-p] [-d] [--log-format text|json] [--pin-dir DIR]\n"
		   "                <command> [args]\n"
		   "       podroute <command> --help\n"
		   "       podroute --version\n\n"
		   "podroute: an XDP/TC fast path for BGP-advertised pod and UDN prefixes.\n\n"
		   "Commands:\n");
	for (size_t i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++)
		fprintf(f, "  %-9s %s\n", cmds[i].name, cmds[i].summary);
	fprintf(f, "\nGlobal options (before or after the command):\n"
		   "  -j, --json        JSON output (errors too)\n"
		   "  -p, --pretty      pretty-printed JSON (implies -j)\n"
		   "  -d, --debug       debug logging (includes libbpf's messages)\n"
		   "  --log-format text|json\n"
		   "                    log lines (stderr) as text (default) or one JSON object\n"
		   "                    each: {\"ts\",\"level\",\"msg\", fields}; both timestamped\n"
		   "                    (RFC 3339, UTC, milliseconds)\n"
		   "  --pin-dir DIR     bpffs directory of the pinned maps (default %s)\n"
		   "  -V, --version     print the version\n"
		   "  -h, --help        this help\n\n"
		   "Exit codes: 0 success, 1 runtime error, 2 usage error, 3 not attached.\n",
		PR_PIN_DIR_DEFAULT);
}

static void verror(const char *fmt, va_list ap)
{
	char msg[1024];

	vsnprintf(msg, sizeof(msg), fmt, ap);
	if (cli.json) {
		jw_init(&cli.jw, stdout, cli.pretty);
		jw_obj_begin(&cli.jw);
		jw_kstr(&cli.jw, "error", msg);
		jw_obj_end(&cli.jw);
		jw_done(&cli.jw);
	} else if (log_get_format() == LOG_FORMAT_JSON) {
		/* A collector reading JSON lines gets this one as JSON too. */
		log_err("%s", msg);
	} else {
		fprintf(stderr, "error: %s\n", msg);
	}
}

int cli_usage_error(const char *cmd, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	verror(fmt, ap);
	va_end(ap);
	if (!cli.json && log_get_format() == LOG_FORMAT_TEXT)
		fprintf(stderr, "see `podroute %s --help`\n", cmd);
	return PR_EXIT_USAGE;
}

int cli_error(int code, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	verror(fmt, ap);
	va_end(ap);
	return code;
}

int cli_dispatch(const char *parent, const struct cli_cmd *cmds, size_t n, const char *help,
		 int argc, char **argv)
{
	char choices[256] = "";
	size_t len = 0;

	if (argc >= 2 && (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h"))) {
		if (help) {
			fputs(help, stdout);
			return 0;
		}
		printf("Usage: podroute %s <command> [args]\n\nCommands:\n", parent);
		for (size_t i = 0; i < n; i++)
			printf("  %-9s %s\n", cmds[i].name, cmds[i].summary);
		return 0;
	}
	for (size_t i = 0; argc >= 2 && i < n; i++) {
		if (!strcmp(argv[1], cmds[i].name)) {
			optind = 0; /* full getopt reset for the command's own options */
			return cmds[i].fn(argc - 1, argv + 1);
		}
	}
	for (size_t i = 0; i < n && len < sizeof(choices); i++)
		len += snprintf(choices + len, sizeof(choices) - len, "%s%s",
				i == 0 ? "" : i + 1 == n ? " or " : ", ", cmds[i].name);
	if (argc < 2)
		return cli_usage_error(parent, "expected %s", choices);
	return cli_usage_error(parent, "unknown command \"%s\": expected %s", argv[1], choices);
}

int cli_open_pins(struct pr_pins *p)
{
	int err = pr_pins_open(p, cli.pin_dir);

	if (err == -ENOENT)
		return cli_error(PR_EXIT_NOT_ATTACHED, "no pinned datapath under %s (podroute attach first)",
				 cli.pin_dir);
	if (err)
		return cli_error(PR_EXIT_FAIL, "cannot open the pinned maps under %s: %s", cli.pin_dir,
				 strerror(-err));
	return 0;
}

int cli_args_done_open_pins(const char *cmd, int argc, char **argv, struct pr_pins *p)
{
	if (optind < argc)
		return cli_usage_error(cmd, "unexpected argument \"%s\"", argv[optind]);
	return cli_open_pins(p);
}

void cli_list_begin(void)
{
	if (cli.json) {
		jw_init(&cli.jw, stdout, cli.pretty);
		jw_arr_begin(&cli.jw);
	}
}

void cli_list_end(void)
{
	if (cli.json) {
		jw_arr_end(&cli.jw);
		jw_done(&cli.jw);
	}
}

int cli_list_done(struct pr_pins *p)
{
	cli_list_end();
	pr_pins_close(p);
	return PR_EXIT_OK;
}

bool cli_wants_help(int argc, char **argv)
{
	for (int i = 1; i < argc; i++)
		if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help"))
			return true;
	return false;
}

/* --log-format's value: false (and the error said) if it is neither. */
static bool take_log_format(const char *v)
{
	enum log_format f;

	if (log_parse_format(v, &f)) {
		cli_error(PR_EXIT_USAGE, "bad --log-format \"%s\": expected text or json", v);
		return false;
	}
	log_set_format(f);
	return true;
}

/*
 * Global options after the command (`podroute status -j`, as operators
 * type them): taken out of argv[first + 1..] before the command parses its
 * own, up to a "--". No command has an option of these names. Returns the
 * new argc, or -1 after a bad value (said).
 */
static int take_globals(int argc, char **argv, int first)
{
	int out = first + 1, i;

	for (i = first + 1; i < argc && strcmp(argv[i], "--"); i++) {
		const char *a = argv[i];

		if (!strcmp(a, "-j") || !strcmp(a, "--json"))
			cli.json = true;
		else if (!strcmp(a, "-p") || !strcmp(a, "--pretty"))
			cli.json = cli.pretty = true;
		else if (!strcmp(a, "-d") || !strcmp(a, "--debug"))
			log_set_level(LOG_LEVEL_DEBUG);
		else if (!strcmp(a, "--pin-dir") && i + 1 < argc)
			cli.pin_dir = argv[++i];
		else if (!strncmp(a, "--pin-dir=", 10))
			cli.pin_dir = a + 10;
		else if (!strcmp(a, "--log-format") && i + 1 < argc) {
			if (!take_log_format(argv[++i]))
				return -1;
		} else if (!strncmp(a, "--log-format=", 13)) {
			if (!take_log_format(a + 13))
				return -1;
		} else {
			argv[out++] = argv[i];
		}
	}
	while (i < argc)
		argv[out++] = argv[i++];
	argv[out] = NULL;
	return out;
}

/* --version: ours, the libraries', and the kernel features podroute uses
 * (probed, as the agent does; "unknown" without the privileges to probe). */
static int print_version(void)
{
	struct utsname u;
	bool btf = !access("/sys/kernel/btf/vmlinux", R_OK);
	bool vrf_fib = pr_kernel_has_vrf_fib(), xdp_meta = pr_kernel_has_xdp_meta();

	if (uname(&u))
		snprintf(u.release, sizeof(u.release), "unknown");
	if (cli.json) {
		jw_init(&cli.jw, stdout, cli.pretty);
		jw_obj_begin(&cli.jw);
		jw_kstr(&cli.jw, "version", PODROUTE_VERSION);
		jw_ku64(&cli.jw, "map_abi", PR_ABI_VERSION);
		jw_kstr(&cli.jw, "libbpf", libbpf_version_string());
		jw_kstr(&cli.jw, "libxdp", PR_LIBXDP_VERSION);
		jw_key(&cli.jw, "kernel");
		jw_obj_begin(&cli.jw);
		jw_kstr(&cli.jw, "release", u.release);
		jw_kbool(&cli.jw, "btf", btf);
		jw_kbool(&cli.jw, "vrf_fib_lookup", vrf_fib);
		jw_kbool(&cli.jw, "xdp_metadata", xdp_meta);
		jw_obj_end(&cli.jw);
		jw_obj_end(&cli.jw);
		jw_done(&cli.jw);
		return PR_EXIT_OK;
	}
	printf("podroute %s (map ABI %d)\n", PODROUTE_VERSION, PR_ABI_VERSION);
	printf("libbpf %s, libxdp %s (built against)\n", libbpf_version_string(), PR_LIBXDP_VERSION);
	printf("kernel %s: BTF %s, bpf_fib_lookup in a VRF's table %s, XDP metadata (the hand-off to TC) %s\n",
	       u.release, btf ? "yes" : "no", vrf_fib ? "yes" : "no (or not probed: needs CAP_BPF)",
	       xdp_meta ? "yes" : "no: skb-only targets take the slow path from XDP");
	return PR_EXIT_OK;
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "json", no_argument, NULL, 'j' }, { "pretty", no_argument, NULL, 'p' },
		{ "debug", no_argument, NULL, 'd' }, { "pin-dir", required_argument, NULL, 'P' },
		{ "version", no_argument, NULL, 'V' }, { "help", no_argument, NULL, 'h' },
		{ "log-format", required_argument, NULL, 'L' },
		{ NULL, 0, NULL, 0 },
	};
	bool version = false;
	int c;

	log_route_libbpf();
	/* '+': stop at the command, whose own options follow it. */
	while ((c = getopt_long(argc, argv, "+jpdVh", opts, NULL)) != -1) {
		switch (c) {
		case 'j': cli.json = true; break;
		case 'p': cli.json = cli.pretty = true; break;
		case 'd': log_set_level(LOG_LEVEL_DEBUG); break;
		case 'P': cli.pin_dir = optarg; break;
		case 'L':
			if (!take_log_format(optarg))
				return PR_EXIT_USAGE;
			break;
		case 'V': version = true; break;
		case 'h': usage(stdout); return 0;
		default: usage(stderr); return PR_EXIT_USAGE;
		}
	}
	if (version)
		return print_version();
	if (optind >= argc) {
		usage(stderr);
		return PR_EXIT_USAGE;
	}
	for (size_t i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++) {
		if (!strcmp(argv[optind], cmds[i].name)) {
			int first = optind;

			argc = take_globals(argc, argv, first);
			if (argc < 0)
				return PR_EXIT_USAGE;

			optind = 0; /* full getopt reset for the command's own options */
			return cmds[i].fn(argc - first, argv + first);
		}
	}
	return cli_usage_error("--help", "unknown command \"%s\"", argv[optind]);
}
