// SPDX-License-Identifier: GPL-2.0-only
/* Leveled logging to stderr (see log.h). */
#include "lib/log.h"

#include <stdio.h>
#include <string.h>
#include <time.h>
#include <bpf/libbpf.h>
#include <xdp/libxdp.h>

static enum log_level cur_level = LOG_LEVEL_INFO;
static int libbpf_quiet; /* > 0: an expected-to-fail probe is running */
static const char *const level_names[] = { "error", "warn", "info", "debug" };

void log_set_level(enum log_level lvl)
{
	cur_level = lvl;
}

enum log_level log_get_level(void)
{
	return cur_level;
}

static void vlog(enum log_level lvl, const char *fmt, va_list ap)
{
	char msg[1024];
	size_t n;

	if (lvl > cur_level)
		return;
	vsnprintf(msg, sizeof(msg), fmt, ap);
	n = strlen(msg);
	while (n && msg[n - 1] == '\n') /* one line per event */
		msg[--n] = '\0';
	fprintf(stderr, "%s: %s\n", level_names[lvl], msg);
}

void log_msg(enum log_level lvl, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vlog(lvl, fmt, ap);
	va_end(ap);
}

static int libbpf_print(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	/* libbpf warnings are our info, its info our debug, its debug dropped. */
	enum log_level lvl = level == LIBBPF_WARN && !libbpf_quiet ? LOG_LEVEL_INFO : LOG_LEVEL_DEBUG;

	if (level == LIBBPF_DEBUG)
		return 0;
	/* Netlink extack text of probes that are expected to fail (no clsact
	 * yet, no filter of ours yet): the caller reports real failures. */
	if (strstr(fmt, "Kernel error message"))
		lvl = LOG_LEVEL_DEBUG;
	vlog(lvl, fmt, ap);
	return 0;
}

void log_libbpf_quiet(bool quiet)
{
	libbpf_quiet += quiet ? 1 : -1;
}

static int libxdp_print(enum libxdp_print_level level, const char *fmt, va_list ap)
{
	/* libxdp explains its own fallbacks (no freplace: single program);
	 * podroute logs the outcome itself. */
	(void)level;
	vlog(LOG_LEVEL_DEBUG, fmt, ap);
	return 0;
}

void log_route_libbpf(void)
{
	libbpf_set_print(libbpf_print);
	libxdp_set_print(libxdp_print);
}
