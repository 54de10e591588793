/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The first line a shell command prints, for the benches' result headers
 * (commit, CPU model, date): "unknown" when it prints nothing.
 */
#ifndef BENCH_SHELL_LINE_H
#define BENCH_SHELL_LINE_H

#include <stdio.h>
#include <string.h>

static inline void shell_line(const char *cmd, char *buf, size_t size)
{
	FILE *p = popen(cmd, "r");

	buf[0] = 0;
	if (p) {
		if (!fgets(buf, size, p))
			buf[0] = 0;
		pclose(p);
	}
	buf[strcspn(buf, "\n")] = 0;
	if (!buf[0])
		snprintf(buf, size, "unknown");
}

#endif
