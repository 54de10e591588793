/* SPDX-License-Identifier: GPL-2.0-only */
/* Names of the ABI's enums, shared by the CLI, logs and metrics. */
#ifndef PR_NAMES_H
#define PR_NAMES_H

#include <stdint.h>

#include "podroute_abi.h"

const char *pr_reason_name(uint32_t reason);       /* "redirect", "miss", ... */
const char *pr_reason_help(uint32_t reason);       /* one line for --help / metrics HELP */
const char *pr_action_name(uint32_t action);       /* "redirect", "fib", ... */
int pr_action_parse(const char *s);                /* -1 if unknown */

#endif
