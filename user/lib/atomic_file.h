/* SPDX-License-Identifier: GPL-2.0-only */
/* Replace a file so that a reader sees the old content or the new, never a
 * part: a temporary file beside it, fsync, rename. */
#ifndef PR_ATOMIC_FILE_H
#define PR_ATOMIC_FILE_H

#include <stddef.h>

/* 0 or -errno (the temporary file removed). */
int pr_write_atomic(const char *path, const char *text, size_t len);

#endif
