/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The `podroute` command line: global options and one function per
 * command. Every read command prints JSON with -j (errors too).
 *
 * Exit codes: 0 success; 1 runtime error (kernel, maps, devices);
 * 2 usage error (bad arguments); 3 not attached (no pinned datapath).
 */
#ifndef PR_CLI_H
#define PR_CLI_H

#include <stdbool.h>
#include <stddef.h>

#include "lib/json.h"

#define PR_EXIT_OK 0
#define PR_EXIT_FAIL 1
#define PR_EXIT_USAGE 2
#define PR_EXIT_NOT_ATTACHED 3

struct pr_cli {
	bool json;
	bool pretty;
	const char *pin_dir;
	struct jw jw;
};

extern struct pr_cli cli;

/* Report a usage error (as JSON with -j) and return PR_EXIT_USAGE. */
int cli_usage_error(const char *cmd, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Report a runtime error (as JSON with -j) and return code. */
int cli_error(int code, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* A command: argv[0] is its own name, as for main(); returns an exit code. */
struct cli_cmd {
	const char *name;
	int (*fn)(int argc, char **argv);
	const char *summary;
};

/*
 * Run the command argv[1] names from a table of sub-commands of `parent`
 * ("config", "debug"). -h/--help prints help (when given) or the table;
 * anything else is a usage error that names the choices.
 */
int cli_dispatch(const char *parent, const struct cli_cmd *cmds, size_t n, const char *help,
		 int argc, char **argv);
#define CLI_DISPATCH(parent, table, help, argc, argv)                                   \
	cli_dispatch(parent, table, sizeof(table) / sizeof((table)[0]), help, argc, argv)

int cmd_status(int argc, char **argv);
int cmd_routes(int argc, char **argv);
int cmd_networks(int argc, char **argv);
int cmd_nexthops(int argc, char **argv);
int cmd_stats(int argc, char **argv);
int cmd_monitor(int argc, char **argv);
int cmd_attach(int argc, char **argv);
int cmd_config(int argc, char **argv);
int cmd_detach(int argc, char **argv);
int cmd_net(int argc, char **argv);
int cmd_prefix(int argc, char **argv);
int cmd_shadow(int argc, char **argv);
int cmd_agent(int argc, char **argv);
int cmd_debug(int argc, char **argv);
int cmd_health(int argc, char **argv);
int cmd_check_drift(int argc, char **argv);
int cmd_explain(int argc, char **argv);

struct pr_pins;
/* Open the pinned maps, reporting a failure (exit code 3 if none). */
int cli_open_pins(struct pr_pins *p);
/* After a command's options: a usage error if an argument remains, else
 * cli_open_pins. */
int cli_args_done_open_pins(const char *cmd, int argc, char **argv, struct pr_pins *p);
/* A read command's list: a JSON array with -j, nothing in text mode. */
void cli_list_begin(void);
void cli_list_end(void);
/* The end of a read command: cli_list_end, close the pins, exit code 0. */
int cli_list_done(struct pr_pins *p);

/* true if argv has -h / --help (then the command prints its help). */
bool cli_wants_help(int argc, char **argv);

#endif
