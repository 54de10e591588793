// SPDX-License-Identifier: GPL-2.0-only
/* Open / remove the datapath's pinned maps and programs (see pins.h). */
#include "datapath/pins.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <bpf/bpf.h>

#include "datapath/attach.h"
#include "datapath/ownership.h"

#include "lib/log.h"

int pr_pins_open(struct pr_pins *p, const char *dir)
{
	char path[512];

	for (int i = 0; i < PR_MAP__COUNT; i++)
		p->fd[i] = -1;
	for (int i = 0; i < PR_MAP__COUNT; i++) {
		snprintf(path, sizeof(path), "%s/%s", dir, pr_maps[i].name);
		p->fd[i] = bpf_obj_get(path);
		if (p->fd[i] < 0) {
			int err = -errno;

			/* Nothing pinned at all is the caller's to say; a map
			 * missing from a set that exists is worth an error. */
			if (i == 0 && err == -ENOENT)
				log_debug("%s: %s", path, strerror(-err));
			else
				log_err("%s: %s%s", path, strerror(-err),
					err == -ENOENT ? " (is podroute attached? see `podroute attach --help`)" : "");
			pr_pins_close(p);
			return err;
		}
	}
	pr_progids_use(p->fd[PR_MAP_PROGIDS]);
	return 0;
}

void pr_pins_close(struct pr_pins *p)
{
	if (p->fd[PR_MAP_PROGIDS] >= 0)
		pr_progids_forget(p->fd[PR_MAP_PROGIDS]);
	for (int i = 0; i < PR_MAP__COUNT; i++) {
		if (p->fd[i] >= 0)
			close(p->fd[i]);
		p->fd[i] = -1;
	}
}

int pr_pins_remove_programs(const char *dir, const char *keep_id)
{
	size_t plen = strlen(PR_PROG_PIN_PREFIX), klen = keep_id ? strlen(keep_id) : 0;
	struct dirent *e;
	char path[512];
	int ret = 0;
	DIR *d = opendir(dir);

	if (!d)
		return errno == ENOENT ? 0 : -errno;
	while ((e = readdir(d))) {
		const char *n = e->d_name;

		if (strncmp(n, PR_PROG_PIN_PREFIX, plen) ||
		    (keep_id && !strncmp(n + plen, keep_id, klen) && n[plen + klen] == '_'))
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, n);
		if (unlink(path) && errno != ENOENT)
			ret = -errno;
	}
	closedir(d);
	return ret;
}

int pr_pins_remove(const char *dir)
{
	char path[512];
	int ret = pr_pins_remove_programs(dir, NULL);

	for (int i = 0; i < PR_MAP__COUNT; i++) {
		snprintf(path, sizeof(path), "%s/%s", dir, pr_maps[i].name);
		if (unlink(path) && errno != ENOENT)
			ret = -errno;
	}
	if (!ret && rmdir(dir) && errno != ENOENT)
		ret = -errno;
	return ret;
}
