// SPDX-License-Identifier: GPL-2.0-only
/* Open / remove the datapath's pinned maps (see pinned.h). */
#include "datapath/pins.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <bpf/bpf.h>

#include "datapath/attach.h"

#include "lib/log.h"

static const char *const names[PR_PM__COUNT] = {
	"pr_routes4", "pr_routes6", "pr_nets", "pr_nhgrps", "pr_nexthops",
	"pr_ifaces", "pr_txports", "pr_config", "pr_stats", "pr_progids",
	"pr_lsx4", "pr_lsx6", "pr_lsx_ctl", "pr_lsx_chg4_0", "pr_lsx_chg4_1",
	"pr_lsx_chg6_0", "pr_lsx_chg6_1", "pr_lsx_chgbits", "pr_xdp_txports", "pr_liveness",
};

const char *pr_pin_map_name(enum pr_pin_map m)
{
	return m < PR_PM__COUNT ? names[m] : "?";
}

int pr_pinned_open(struct pr_pinned *p, const char *dir)
{
	char path[512];

	for (int i = 0; i < PR_PM__COUNT; i++)
		p->fd[i] = -1;
	for (int i = 0; i < PR_PM__COUNT; i++) {
		snprintf(path, sizeof(path), "%s/%s", dir, names[i]);
		p->fd[i] = bpf_obj_get(path);
		if (p->fd[i] < 0) {
			int err = -errno;

			pr_err("%s: %s%s", path, strerror(-err),
			       err == -ENOENT ? " (is podroute attached? see `podroute attach --help`)" : "");
			pr_pinned_close(p);
			return err;
		}
	}
	pr_attach_use_progids(p->fd[PR_PM_PROGIDS]);
	return 0;
}

void pr_pinned_close(struct pr_pinned *p)
{
	if (p->fd[PR_PM_PROGIDS] >= 0)
		pr_attach_forget_progids(p->fd[PR_PM_PROGIDS]);
	for (int i = 0; i < PR_PM__COUNT; i++) {
		if (p->fd[i] >= 0)
			close(p->fd[i]);
		p->fd[i] = -1;
	}
}

int pr_pinned_remove_programs(const char *dir, const char *keep_id)
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

int pr_pinned_remove(const char *dir)
{
	char path[512];
	int ret = pr_pinned_remove_programs(dir, NULL);

	for (int i = 0; i < PR_PM__COUNT; i++) {
		snprintf(path, sizeof(path), "%s/%s", dir, names[i]);
		if (unlink(path) && errno != ENOENT)
			ret = -errno;
	}
	if (!ret && rmdir(dir) && errno != ENOENT)
		ret = -errno;
	return ret;
}
