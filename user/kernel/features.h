/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * What this kernel's BPF can do, asked of the kernel itself, never read
 * off its version string: distributions backport (Debian's 6.1.0-57 takes
 * BPF_FIB_LOOKUP_TBID, which mainline added in 6.8).
 */
#ifndef PR_KFEATURES_H
#define PR_KFEATURES_H

#include <stdbool.h>

/* bpf_fib_lookup with BPF_FIB_LOOKUP_TBID (a VRF's table): a tiny TC
 * program asks once, through BPF_PROG_TEST_RUN; the answer is cached.
 * False also when the probe cannot run (then VRF networks' FIB lookups
 * fail and pass, counted as fib-fail). */
bool pr_kernel_has_vrf_fib(void);

#endif
