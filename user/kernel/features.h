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

/* bpf_xdp_adjust_meta() in XDP programs, the datapath's hand-off to TC
 * for targets that take no XDP frames: some kernel builds refuse it to
 * XDP, and with it the whole program. A tiny XDP program that calls it is
 * loaded once; the answer is cached. True also when that load fails for
 * another reason (no privilege, say): the real load then says why. The
 * environment variable PODROUTE_NO_XDP_META=1 answers false, so that the
 * tests run the fallback on kernels that have the helper. */
bool pr_kernel_has_xdp_meta(void);

struct bpf_object;

/* Before an object of the datapath is loaded: write what the kernel can
 * do into its .rodata constants (pr_kcap_xdp_meta, bpf/pr_ctx.h), so that
 * the verifier skips the code this kernel refuses. An object without them
 * is left as it is. 0, or -EINVAL when the constant is not where its BTF
 * says. */
int pr_kernel_caps_apply(struct bpf_object *obj);

#endif
