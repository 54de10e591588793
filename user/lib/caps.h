/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The capabilities podroute needs, and which of them this process lacks:
 * to turn the kernel's bare EPERM/EACCES into an error that names them.
 *   CAP_BPF      create maps, load programs (and pin them in bpffs)
 *   CAP_PERFMON  programs that read kernel memory through helpers and
 *                pointer arithmetic the verifier allows only with it
 *   CAP_NET_ADMIN  networking program types (XDP, TC), attaching them
 * Together they replace CAP_SYS_ADMIN for all of it (kernel >= 5.8).
 */
#ifndef PR_CAPS_H
#define PR_CAPS_H

#include <stddef.h>

/* Write the names of the needed capabilities missing from the effective
 * set ("CAP_BPF, CAP_PERFMON") into buf; returns how many are missing
 * (0 if none, or if the set cannot be read). */
int pr_caps_missing(char *buf, size_t len);

#endif
