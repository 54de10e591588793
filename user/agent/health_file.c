// SPDX-License-Identifier: GPL-2.0-only
/* The agent's health file (see healthfile.h). */
#include "agent/health_file.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "lib/atomic_file.h"

int pr_healthfile_write(const char *path, bool live, const char *live_why, bool ready,
			const char *ready_why)
{
	char text[4200];
	int n = snprintf(text, sizeof(text), "live %s%s\nready %s%s\n", live ? "ok" : "fail: ",
			 live ? "" : live_why, ready ? "ok" : "fail: ", ready ? "" : ready_why);

	return pr_write_atomic(path, text, n < (int)sizeof(text) ? (size_t)n : sizeof(text) - 1);
}

int pr_healthfile_check(const char *path, bool ready, double max_age, char *why, size_t len)
{
	char line[2][2048] = { "", "" };
	struct timespec now;
	struct stat st;
	double age;
	FILE *f = fopen(path, "re");

	if (!f)
		return -errno;
	if (fstat(fileno(f), &st)) {
		int err = -errno;

		fclose(f);
		return err;
	}
	for (int i = 0; i < 2 && fgets(line[i], sizeof(line[i]), f); i++)
		line[i][strcspn(line[i], "\n")] = '\0';
	fclose(f);
	clock_gettime(CLOCK_REALTIME, &now);
	age = (now.tv_sec - st.st_mtim.tv_sec) + (now.tv_nsec - st.st_mtim.tv_nsec) / 1e9;
	if (age > max_age) {
		snprintf(why, len, "stale: the agent's loop has not written %s for %.0f s (over %.0f s)",
			 path, age, max_age);
		return 1;
	}
	{
		const char *l = line[ready ? 1 : 0], *want = ready ? "ready ok" : "live ok";

		if (!strcmp(l, want)) {
			snprintf(why, len, "%s", want);
			return 0;
		}
		snprintf(why, len, "%s", l[0] ? l : "an empty health file");
		return 1;
	}
}
