/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The agent's health as a file its loop rewrites every second, read by
 * `podroute health` (Kubernetes exec probes). It depends on no listener:
 * slow or hostile HTTP clients of the metrics port cannot make kubelet
 * restart a healthy agent, and a loop that stops (hung, stopped) shows as
 * a stale file even while the metrics thread would still answer.
 *
 *   live ok | live fail: REASONS
 *   ready ok | ready fail: REASONS
 */
#ifndef PR_HEALTHFILE_H
#define PR_HEALTHFILE_H

#include <stdbool.h>
#include <stddef.h>

#define PR_HEALTHFILE_DEFAULT "/run/podroute/health"

/* Replace the file atomically (write, rename). 0 or -errno. */
int pr_healthfile_write(const char *path, bool live, const char *live_why, bool ready,
			const char *ready_why);

/* Read it: 0 healthy (ready too, if asked), 1 not, with the reason in why
 * (a stale file: the loop has not run for more than max_age seconds), or
 * -errno when it cannot be read. */
int pr_healthfile_check(const char *path, bool ready, double max_age, char *why, size_t len);

#endif
