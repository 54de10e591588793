/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The map-sizing options that `podroute attach` and `podroute agent` share
 * (both may be the first to load the datapath and create its maps):
 * --routes4-max, --routes6-max, --index4-max, --index6-max.
 */
#ifndef PR_CLI_SIZES_H
#define PR_CLI_SIZES_H

#include <getopt.h>

#include "datapath/load.h"

/* getopt_long entries, to be copied into a command's option table. */
#define PR_CLI_SIZE_OPTIONS                                        \
	{ "routes4-max", required_argument, NULL, '4' },           \
	{ "routes6-max", required_argument, NULL, '6' },           \
	{ "index4-max", required_argument, NULL, 'i' },            \
	{ "index6-max", required_argument, NULL, 'j' }

/* Help lines, the same for every command that takes them. */
#define PR_CLI_SIZE_HELP                                                                 \
	"  --routes4-max N / --routes6-max N   prefix map capacities (first load only)\n"   \
	"  --index4-max N / --index6-max N     prefixes the lookup index holds (first load\n" \
	"                  only; default 65536 / 16384, 256 bytes each; 0: no index).\n"     \
	"                  Beyond it, the datapath reads the prefix trie itself\n"

/* Whether opt is one of them. */
static inline int pr_cli_is_size_option(int opt)
{
	return opt == '4' || opt == '6' || opt == 'i' || opt == 'j';
}

/* Apply one of them to lo. 0, or PR_EXIT_USAGE with the error reported
 * for command cmd. */
int pr_cli_size_option(const char *cmd, int opt, const char *arg, struct pr_loader_opts *lo);

#endif
