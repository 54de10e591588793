// SPDX-License-Identifier: GPL-2.0-only
/* Which of the capabilities podroute needs this process lacks (caps.h). */
#include "lib/caps.h"

#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>
#include <linux/capability.h>

#ifndef CAP_PERFMON
#define CAP_PERFMON 38
#endif
#ifndef CAP_BPF
#define CAP_BPF 39
#endif

int pr_caps_missing(char *buf, size_t len)
{
	static const struct { int cap; const char *name; } need[] = {
		{ CAP_BPF, "CAP_BPF" }, { CAP_PERFMON, "CAP_PERFMON" }, { CAP_NET_ADMIN, "CAP_NET_ADMIN" },
	};
	struct __user_cap_header_struct h = { .version = _LINUX_CAPABILITY_VERSION_3 };
	struct __user_cap_data_struct d[2] = {};
	int missing = 0;
	size_t o = 0;

	if (len)
		buf[0] = '\0';
	if (syscall(SYS_capget, &h, d))
		return 0;
	for (size_t i = 0; i < sizeof(need) / sizeof(need[0]); i++) {
		int c = need[i].cap;

		if (d[c / 32].effective & (1U << (c % 32)))
			continue;
		if (o < len)
			o += snprintf(buf + o, len - o, "%s%s", missing ? ", " : "", need[i].name);
		missing++;
	}
	return missing;
}
