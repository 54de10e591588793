// SPDX-License-Identifier: GPL-2.0-only
/*
 * Watching the config file. Kubernetes updates a mounted ConfigMap by
 * swapping a symlink (..data) in the file's directory, and editors replace
 * files by rename, so the watch is on the directory, not the file: any
 * create, move or close-after-write of an entry there means "re-read". The
 * reader then compares contents, so spurious wakeups cost nothing.
 */
#include "config/watch.h"

#include <errno.h>
#include <libgen.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/inotify.h>
#include <unistd.h>

#include "lib/log.h"

int pr_config_watch_open(const char *path)
{
	char copy[PATH_MAX];
	const char *dir;
	int fd;

	snprintf(copy, sizeof(copy), "%s", path);
	dir = dirname(copy);
	fd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
	if (fd < 0)
		return -errno;
	if (inotify_add_watch(fd, dir, IN_CLOSE_WRITE | IN_MOVED_TO | IN_CREATE | IN_DELETE |
					       IN_ATTRIB) < 0) {
		int err = -errno;

		log_err("%s: cannot watch: %s", dir, strerror(-err));
		close(fd);
		return err;
	}
	return fd;
}

bool pr_config_watch_drain(int fd)
{
	char buf[4096] __attribute__((aligned(__alignof__(struct inotify_event))));
	bool any = false;

	while (read(fd, buf, sizeof(buf)) > 0)
		any = true;
	return any;
}
