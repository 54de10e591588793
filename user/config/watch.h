/* SPDX-License-Identifier: GPL-2.0-only */
/* inotify watch on the config file's directory (see config/watch.c for why). */
#ifndef PR_CFGWATCH_H
#define PR_CFGWATCH_H

#include <stdbool.h>

/* A non-blocking inotify fd watching path's directory, or -errno. */
int pr_config_watch_open(const char *path);
/* Consume pending events; true if there were any. */
bool pr_config_watch_drain(int fd);

#endif
