/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Leveled logging to stderr, one line per event: "<level>: message".
 * libbpf's own messages are routed through it one level lower
 * (pr_log_route_libbpf), so that a normal run is not drowned in them.
 */
#ifndef PR_LOG_H
#define PR_LOG_H

#include <stdarg.h>
#include <stdbool.h>

enum pr_log_level { PR_LOG_ERR, PR_LOG_WARN, PR_LOG_INFO, PR_LOG_DEBUG };

void pr_log_set_level(enum pr_log_level lvl);
enum pr_log_level pr_log_get_level(void);
void pr_log(enum pr_log_level lvl, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void pr_log_route_libbpf(void);
/* Around calls whose libbpf warnings are expected (probes): log them as debug. */
void pr_log_libbpf_quiet(bool quiet);

#define pr_err(...) pr_log(PR_LOG_ERR, __VA_ARGS__)
#define pr_warn(...) pr_log(PR_LOG_WARN, __VA_ARGS__)
#define pr_info(...) pr_log(PR_LOG_INFO, __VA_ARGS__)
#define pr_debug(...) pr_log(PR_LOG_DEBUG, __VA_ARGS__)

#endif
