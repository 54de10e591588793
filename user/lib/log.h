/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Leveled logging to stderr, one line per event: "<level>: message".
 * libbpf's own messages are routed through it one level lower
 * (log_route_libbpf), so that a normal run is not drowned in them.
 */
#ifndef PR_LOG_H
#define PR_LOG_H

#include <stdarg.h>
#include <stdbool.h>

enum log_level { LOG_LEVEL_ERR, LOG_LEVEL_WARN, LOG_LEVEL_INFO, LOG_LEVEL_DEBUG };

void log_set_level(enum log_level lvl);
enum log_level log_get_level(void);
void log_msg(enum log_level lvl, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void log_route_libbpf(void);
/* Around calls whose libbpf warnings are expected (probes): log them as debug. */
void log_libbpf_quiet(bool quiet);

#define log_err(...) log_msg(LOG_LEVEL_ERR, __VA_ARGS__)
#define log_warn(...) log_msg(LOG_LEVEL_WARN, __VA_ARGS__)
#define log_info(...) log_msg(LOG_LEVEL_INFO, __VA_ARGS__)
#define log_debug(...) log_msg(LOG_LEVEL_DEBUG, __VA_ARGS__)

#endif
